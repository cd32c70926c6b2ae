/**
 * Gov messages: `cosmos.gov.v1` MsgSubmitProposal, MsgDeposit, MsgVote, MsgVoteWeighted and
 * MsgUpdateParams, and the `cosmos.gov.v1beta1` MsgVote, MsgVoteWeighted and MsgDeposit that Keplr
 * and CosmJS's default amino converters send (the SDK serves both). Type URLs and amino names as
 * in SDK v0.50.
 */
import {
  MsgDeposit,
  MsgDepositResponse,
  MsgSubmitProposal,
  MsgSubmitProposalResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
  MsgVote,
  MsgVoteResponse,
  MsgVoteWeighted,
  MsgVoteWeightedResponse,
} from "cosmjs-types/cosmos/gov/v1/tx";
import * as beta from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { ChainError } from "../../errors.js";
import { ErrTxDecode } from "../../sdk-errors.js";
import type { Context, MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { parseAccountAddress } from "../auth/address.js";
import { coinsFromProto } from "../bank/coins.js";
import { DEC_ONE, parseDec } from "./dec.js";
import { ErrInvalidVote, ErrInvalidProposal, ErrInvalidSigner } from "./errors.js";
import type { GovKeeper } from "./keeper.js";
import { InvalidGovParamsError, normalizeGovParams, validateGovParams } from "./params.js";
import {
  addDeposit,
  addVote,
  checkVoteOptions,
  govAuthority,
  MAX_METADATA_LEN,
  submitProposal,
  validateSubmission,
  type GovDeps,
} from "./proposals.js";

export const GovTypeUrl = {
  SubmitProposal: "/cosmos.gov.v1.MsgSubmitProposal",
  Deposit: "/cosmos.gov.v1.MsgDeposit",
  Vote: "/cosmos.gov.v1.MsgVote",
  VoteWeighted: "/cosmos.gov.v1.MsgVoteWeighted",
  UpdateParams: "/cosmos.gov.v1.MsgUpdateParams",
  BetaVote: "/cosmos.gov.v1beta1.MsgVote",
  BetaVoteWeighted: "/cosmos.gov.v1beta1.MsgVoteWeighted",
  BetaDeposit: "/cosmos.gov.v1beta1.MsgDeposit",
} as const;

export const GovAminoType = {
  SubmitProposal: "cosmos-sdk/v1/MsgSubmitProposal",
  Deposit: "cosmos-sdk/v1/MsgDeposit",
  Vote: "cosmos-sdk/v1/MsgVote",
  VoteWeighted: "cosmos-sdk/v1/MsgVoteWeighted",
  BetaVote: "cosmos-sdk/MsgVote",
  BetaVoteWeighted: "cosmos-sdk/MsgVoteWeighted",
  BetaDeposit: "cosmos-sdk/MsgDeposit",
} as const;

interface Codec<T> {
  decode(b: Uint8Array): T;
  encode(m: T): { finish(): Uint8Array };
}

/** Decodes, refusing malformed bytes, unknown fields and non-canonical encodings (sdk 2). */
function strict<T>(codec: Codec<T>, value: Uint8Array, name: string): T {
  let m: T;
  try {
    m = codec.decode(value);
  } catch (err) {
    throw new ChainError(ErrTxDecode, `malformed ${name}`, err);
  }
  requireCanonical(name, value, codec.encode(m).finish());
  return m;
}

const response = (typeUrl: string, value: Uint8Array) => ({
  response: { typeUrl: `${typeUrl}Response`, value },
});
const coinsJson = (cs: readonly { denom: string; amount: string }[]) =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount }));

/** v1 weights are decimal strings ("0.5"), v1beta1 weights LegacyDec raw integers on the wire. */
function weightV1(w: string): bigint {
  const v = parseDec(w);
  if (v === undefined) throw new ChainError(ErrInvalidVote, `invalid weight "${w}"`);
  return v;
}
function weightBeta(w: string): bigint {
  if (!/^[0-9]{1,40}$/.test(w)) throw new ChainError(ErrInvalidVote, `invalid weight "${w}"`);
  return BigInt(w);
}

function checkVoteBasic(
  voter: string,
  proposalId: bigint,
  options: { option: number; weight: bigint }[],
): void {
  parseAccountAddress(voter, "voter");
  if (proposalId === 0n) throw new ChainError(ErrInvalidProposal, "proposal id 0");
  checkVoteOptions(options);
}

/**
 * The gov message descriptors.
 *
 * @example
 * const msgs = createGovMsgs(deps);
 */
export function createGovMsgs(deps: GovDeps & { keeper: GovKeeper }): MsgDescriptor[] {
  const submit: MsgDescriptor = {
    typeUrl: GovTypeUrl.SubmitProposal,
    signers: (v) => [strict(MsgSubmitProposal, v, "MsgSubmitProposal").proposer],
    validateBasic(v) {
      const m = strict(MsgSubmitProposal, v, "MsgSubmitProposal");
      validateSubmission(m);
      coinsFromProto(m.initialDeposit, "initial_deposit", true);
    },
    toAmino(v) {
      const m = strict(MsgSubmitProposal, v, "MsgSubmitProposal");
      const router = deps.router();
      const messages = m.messages.map((a) => {
        const toAmino = router.msg(a.typeUrl)?.descriptor.toAmino;
        if (!toAmino) throw new ChainError(ErrTxDecode, `${a.typeUrl} has no amino JSON form`);
        return toAmino(a.value);
      });
      return {
        type: GovAminoType.SubmitProposal,
        value: {
          messages,
          initial_deposit: coinsJson(m.initialDeposit),
          proposer: m.proposer,
          ...(m.metadata ? { metadata: m.metadata } : {}),
          ...(m.title ? { title: m.title } : {}),
          ...(m.summary ? { summary: m.summary } : {}),
          ...(m.expedited ? { expedited: true } : {}),
        },
      };
    },
    handler(ctx, any) {
      const m = strict(MsgSubmitProposal, any.value, "MsgSubmitProposal");
      const proposalId = submitProposal(ctx, deps, {
        messages: m.messages,
        initialDeposit: m.initialDeposit,
        proposer: m.proposer,
        metadata: m.metadata,
        title: m.title,
        summary: m.summary,
        expedited: m.expedited,
      });
      return response(GovTypeUrl.SubmitProposal, MsgSubmitProposalResponse.encode({ proposalId }).finish());
    },
  };

  const deposit = (typeUrl: string, aminoType: string, codec: Codec<MsgDeposit>): MsgDescriptor => ({
    typeUrl,
    signers: (v) => [strict(codec, v, "MsgDeposit").depositor],
    validateBasic(v) {
      const m = strict(codec, v, "MsgDeposit");
      parseAccountAddress(m.depositor, "depositor");
      if (m.proposalId === 0n) throw new ChainError(ErrInvalidProposal, "proposal id 0");
      coinsFromProto(m.amount, "amount", false);
    },
    toAmino(v) {
      const m = strict(codec, v, "MsgDeposit");
      return {
        type: aminoType,
        value: { proposal_id: m.proposalId.toString(), depositor: m.depositor, amount: coinsJson(m.amount) },
      };
    },
    handler(ctx, any) {
      const m = strict(codec, any.value, "MsgDeposit");
      const coins = coinsFromProto(m.amount, "amount", false);
      addDeposit(ctx, deps, m.proposalId, m.depositor, coins);
      return response(typeUrl, MsgDepositResponse.encode({}).finish());
    },
  });

  const voteV1: MsgDescriptor = {
    typeUrl: GovTypeUrl.Vote,
    signers: (v) => [strict(MsgVote, v, "MsgVote").voter],
    validateBasic(v) {
      const m = strict(MsgVote, v, "MsgVote");
      checkVoteBasic(m.voter, m.proposalId, [{ option: m.option, weight: DEC_ONE }]);
      if (Buffer.byteLength(m.metadata) > MAX_METADATA_LEN)
        throw new ChainError(ErrInvalidVote, "metadata too long");
    },
    toAmino(v) {
      const m = strict(MsgVote, v, "MsgVote");
      return {
        type: GovAminoType.Vote,
        value: {
          proposal_id: m.proposalId.toString(),
          voter: m.voter,
          option: m.option,
          ...(m.metadata ? { metadata: m.metadata } : {}),
        },
      };
    },
    handler(ctx, any) {
      const m = strict(MsgVote, any.value, "MsgVote");
      addVote(ctx, deps, m.proposalId, m.voter, [{ option: m.option, weight: DEC_ONE }], m.metadata);
      return response(GovTypeUrl.Vote, MsgVoteResponse.encode({}).finish());
    },
  };

  const weightedV1: MsgDescriptor = {
    typeUrl: GovTypeUrl.VoteWeighted,
    signers: (v) => [strict(MsgVoteWeighted, v, "MsgVoteWeighted").voter],
    validateBasic(v) {
      const m = strict(MsgVoteWeighted, v, "MsgVoteWeighted");
      checkVoteBasic(
        m.voter,
        m.proposalId,
        m.options.map((o) => ({ option: o.option, weight: weightV1(o.weight) })),
      );
    },
    toAmino(v) {
      const m = strict(MsgVoteWeighted, v, "MsgVoteWeighted");
      return {
        type: GovAminoType.VoteWeighted,
        value: {
          proposal_id: m.proposalId.toString(),
          voter: m.voter,
          options: m.options.map((o) => ({ option: o.option, weight: o.weight })),
          ...(m.metadata ? { metadata: m.metadata } : {}),
        },
      };
    },
    handler(ctx, any) {
      const m = strict(MsgVoteWeighted, any.value, "MsgVoteWeighted");
      const options = m.options.map((o) => ({ option: o.option, weight: weightV1(o.weight) }));
      addVote(ctx, deps, m.proposalId, m.voter, options, m.metadata);
      return response(GovTypeUrl.VoteWeighted, MsgVoteWeightedResponse.encode({}).finish());
    },
  };

  const voteBeta: MsgDescriptor = {
    typeUrl: GovTypeUrl.BetaVote,
    signers: (v) => [strict(beta.MsgVote, v, "MsgVote").voter],
    validateBasic(v) {
      const m = strict(beta.MsgVote, v, "MsgVote");
      checkVoteBasic(m.voter, m.proposalId, [{ option: m.option, weight: DEC_ONE }]);
    },
    toAmino(v) {
      const m = strict(beta.MsgVote, v, "MsgVote");
      return {
        type: GovAminoType.BetaVote,
        value: { option: m.option, proposal_id: m.proposalId.toString(), voter: m.voter },
      };
    },
    handler(ctx, any) {
      const m = strict(beta.MsgVote, any.value, "MsgVote");
      addVote(ctx, deps, m.proposalId, m.voter, [{ option: m.option, weight: DEC_ONE }], "");
      return response(GovTypeUrl.BetaVote, beta.MsgVoteResponse.encode({}).finish());
    },
  };

  const weightedBeta: MsgDescriptor = {
    typeUrl: GovTypeUrl.BetaVoteWeighted,
    signers: (v) => [strict(beta.MsgVoteWeighted, v, "MsgVoteWeighted").voter],
    validateBasic(v) {
      const m = strict(beta.MsgVoteWeighted, v, "MsgVoteWeighted");
      checkVoteBasic(
        m.voter,
        m.proposalId,
        m.options.map((o) => ({ option: o.option, weight: weightBeta(o.weight) })),
      );
    },
    toAmino(v) {
      const m = strict(beta.MsgVoteWeighted, v, "MsgVoteWeighted");
      const dec = (raw: string) => {
        const d = BigInt(raw);
        return `${d / DEC_ONE}.${(d % DEC_ONE).toString().padStart(18, "0")}`;
      };
      return {
        type: GovAminoType.BetaVoteWeighted,
        value: {
          options: m.options.map((o) => ({ option: o.option, weight: dec(o.weight) })),
          proposal_id: m.proposalId.toString(),
          voter: m.voter,
        },
      };
    },
    handler(ctx, any) {
      const m = strict(beta.MsgVoteWeighted, any.value, "MsgVoteWeighted");
      const options = m.options.map((o) => ({ option: o.option, weight: weightBeta(o.weight) }));
      addVote(ctx, deps, m.proposalId, m.voter, options, "");
      return response(GovTypeUrl.BetaVoteWeighted, beta.MsgVoteWeightedResponse.encode({}).finish());
    },
  };

  const updateParams: MsgDescriptor = {
    typeUrl: GovTypeUrl.UpdateParams,
    signers: (v) => [strict(MsgUpdateParams, v, "MsgUpdateParams").authority],
    validateBasic(v) {
      const m = strict(MsgUpdateParams, v, "MsgUpdateParams");
      parseAccountAddress(m.authority, "authority");
      if (!m.params) throw new ChainError(ErrInvalidProposal, "params must be set");
      try {
        validateGovParams(m.params);
      } catch (cause) {
        if (cause instanceof InvalidGovParamsError)
          throw new ChainError(ErrInvalidProposal, cause.message, cause);
        throw cause;
      }
    },
    handler(ctx: Context, any) {
      const m = strict(MsgUpdateParams, any.value, "MsgUpdateParams");
      if (m.authority !== govAuthority())
        throw new ChainError(
          ErrInvalidSigner,
          `invalid authority; expected ${govAuthority()}, got ${m.authority}`,
        );
      if (!m.params) throw new ChainError(ErrInvalidProposal, "params must be set");
      try {
        validateGovParams(m.params);
      } catch (cause) {
        throw new ChainError(ErrInvalidProposal, (cause as Error).message, cause);
      }
      deps.keeper.setParams(ctx, normalizeGovParams(m.params));
      return response(GovTypeUrl.UpdateParams, MsgUpdateParamsResponse.encode({}).finish());
    },
  };

  return [
    submit,
    deposit(GovTypeUrl.Deposit, GovAminoType.Deposit, MsgDeposit),
    voteV1,
    weightedV1,
    updateParams,
    voteBeta,
    weightedBeta,
    deposit(
      GovTypeUrl.BetaDeposit,
      GovAminoType.BetaDeposit,
      beta.MsgDeposit as unknown as Codec<MsgDeposit>,
    ),
  ];
}
