/**
 * The CosmJS registry and amino types of this chain: the SDK's defaults plus the `poq.v1` messages,
 * so that CosmJS and Keplr sign PoQ transactions with SIGN_MODE_DIRECT and SIGN_MODE_LEGACY_AMINO_JSON.
 */
import { Registry, type GeneratedType } from "@cosmjs/proto-signing";
import { AminoTypes, createDefaultAminoConverters, defaultRegistryTypes } from "@cosmjs/stargate";
import {
  MsgUnjail,
  MsgUpdateParams as SlashingMsgUpdateParams,
} from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { MsgUpdateParams as StakingMsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { stakingUpdateParamsAmino } from "../app/modules/staking/params-amino.js";
import { slashingUpdateParamsAmino } from "../app/modules/slashing/params-amino.js";
import { decFromJson } from "../app/modules/staking/dec.js";
import { poqMessageCodecs } from "../app/modules/poq/types/msgs.js";
import { poqAminoConverters } from "../app/modules/poq/types/amino.js";

/**
 * The poq codecs return `{ finish() }` from `encode` rather than a protobufjs Writer; CosmJS only
 * ever calls `encode(m).finish()`, `decode(bytes)` and `fromPartial(o)`, so the narrower shape is
 * enough and the cast is sound at runtime.
 */
const generated = (codec: object): GeneratedType => codec as GeneratedType;

/** Type URL → codec of every `poq.v1` message and message response. */
export const poqRegistryTypes: ReadonlyArray<[string, GeneratedType]> = poqMessageCodecs.map(
  ([typeUrl, codec]) => [typeUrl, generated(codec)],
);

/**
 * `cosmos.slashing.v1beta1.MsgUnjail`, which CosmJS's defaults leave out (its converter throws "Not
 * implemented"), and the staking and slashing `MsgUpdateParams` a proposal carries.
 */
const slashingRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  ["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail],
  ["/cosmos.slashing.v1beta1.MsgUpdateParams", SlashingMsgUpdateParams],
  ["/cosmos.staking.v1beta1.MsgUpdateParams", StakingMsgUpdateParams],
];
const slashingAminoConverters = {
  "/cosmos.slashing.v1beta1.MsgUnjail": {
    aminoType: "cosmos-sdk/MsgUnjail",
    toAmino: ({ validatorAddr }: { validatorAddr: string }) => ({ address: validatorAddr }),
    fromAmino: ({ address }: { address: string }) => ({ validatorAddr: address }),
  },
};

/** A duration's amino form (nanoseconds as a string) back to protobuf's seconds and nanos. */
const durationOf = (nanos: string) => ({
  seconds: BigInt(nanos) / 1_000_000_000n,
  nanos: Number(BigInt(nanos) % 1_000_000_000n),
});
/** An amino decimal ("0.050000000000000000", "0") back to the atomics text protobuf carries. */
const atomicsOf = (text: string): string => {
  const d = decFromJson(text);
  if (d === undefined) throw new Error(`${text} is not a decimal`);
  return d.toString();
};

interface StakingParamsAmino {
  unbonding_time: string;
  max_validators?: number;
  max_entries?: number;
  historical_entries?: number;
  bond_denom?: string;
  min_commission_rate: string;
}
interface SlashingParamsAmino {
  signed_blocks_window?: string;
  min_signed_per_window: string;
  downtime_jail_duration: string;
  slash_fraction_double_sign: string;
  slash_fraction_downtime: string;
}

/**
 * The staking and slashing `MsgUpdateParams` with the SDK's amino names and JSON (the app builds the
 * same JSON to check a signature: `stakingUpdateParamsAmino`, `slashingUpdateParamsAmino`).
 */
const paramsAminoConverters = {
  "/cosmos.staking.v1beta1.MsgUpdateParams": {
    aminoType: "cosmos-sdk/x/staking/MsgUpdateParams",
    toAmino: (m: StakingMsgUpdateParams) => stakingUpdateParamsAmino(m).value,
    fromAmino: ({ authority, params: p }: { authority: string; params: StakingParamsAmino }) =>
      StakingMsgUpdateParams.fromPartial({
        authority,
        params: {
          unbondingTime: durationOf(p.unbonding_time),
          maxValidators: p.max_validators ?? 0,
          maxEntries: p.max_entries ?? 0,
          historicalEntries: p.historical_entries ?? 0,
          bondDenom: p.bond_denom ?? "",
          minCommissionRate: atomicsOf(p.min_commission_rate),
        },
      }),
  },
  "/cosmos.slashing.v1beta1.MsgUpdateParams": {
    aminoType: "cosmos-sdk/x/slashing/MsgUpdateParams",
    toAmino: (m: SlashingMsgUpdateParams) => slashingUpdateParamsAmino(m).value,
    fromAmino: ({ authority, params: p }: { authority: string; params: SlashingParamsAmino }) => {
      const bytes = (t: string) => new TextEncoder().encode(atomicsOf(t));
      return SlashingMsgUpdateParams.fromPartial({
        authority,
        params: {
          signedBlocksWindow: BigInt(p.signed_blocks_window ?? "0"),
          minSignedPerWindow: bytes(p.min_signed_per_window),
          downtimeJailDuration: durationOf(p.downtime_jail_duration),
          slashFractionDoubleSign: bytes(p.slash_fraction_double_sign),
          slashFractionDowntime: bytes(p.slash_fraction_downtime),
        },
      });
    },
  },
};

interface SubmitProposalAmino {
  messages: { type: string; value: Record<string, unknown> }[];
  initial_deposit: { denom: string; amount: string }[];
  proposer: string;
  metadata?: string;
  title?: string;
  summary?: string;
  expedited?: boolean;
}

/**
 * `cosmos.gov.v1.MsgSubmitProposal` (`cosmos-sdk/v1/MsgSubmitProposal`), which CosmJS's defaults do
 * not convert: each carried message as its own amino JSON (`{type, value}`, through `types`), the
 * deposit always present, empty strings and `expedited: false` left out, as the SDK writes it.
 */
function submitProposalV1Converter(registry: Registry, types: () => AminoTypes) {
  return {
    aminoType: "cosmos-sdk/v1/MsgSubmitProposal",
    toAmino: (m: MsgSubmitProposal): SubmitProposalAmino => ({
      messages: m.messages.map((a: Any) =>
        types().toAmino({ typeUrl: a.typeUrl, value: registry.decode(a) as object }),
      ),
      initial_deposit: m.initialDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
      proposer: m.proposer,
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.title ? { title: m.title } : {}),
      ...(m.summary ? { summary: m.summary } : {}),
      ...(m.expedited ? { expedited: true } : {}),
    }),
    fromAmino: (a: SubmitProposalAmino): Partial<MsgSubmitProposal> => ({
      messages: a.messages.map((msg) => {
        const { typeUrl, value } = types().fromAmino(msg);
        return { typeUrl, value: registry.encode({ typeUrl, value }) };
      }),
      initialDeposit: a.initial_deposit,
      proposer: a.proposer,
      metadata: a.metadata ?? "",
      title: a.title ?? "",
      summary: a.summary ?? "",
      expedited: a.expedited ?? false,
    }),
  };
}

/**
 * A CosmJS Registry with the SDK's default types and the PoQ messages.
 *
 * @example
 * const registry = createPoqRegistry();
 * registry.encode({ typeUrl: "/poq.v1.MsgSubmitResponse", value: { node, requestId: 1n, response: "hi" } });
 */
export function createPoqRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...slashingRegistryTypes, ...poqRegistryTypes]);
}

/**
 * AminoTypes with the SDK's default converters (bank, ...) and the PoQ ones (`poq/MsgRequestInference`, ...).
 *
 * @example
 * createPoqAminoTypes().toAmino({ typeUrl: "/poq.v1.MsgUnregisterNode", value: { operator } });
 * // { type: "poq/MsgUnregisterNode", value: { operator } }
 */
export function createPoqAminoTypes(): AminoTypes {
  const types: AminoTypes = new AminoTypes({
    ...createDefaultAminoConverters(),
    ...slashingAminoConverters,
    ...paramsAminoConverters,
    ...poqAminoConverters,
    "/cosmos.gov.v1.MsgSubmitProposal": submitProposalV1Converter(createPoqRegistry(), () => types),
  });
  return types;
}
