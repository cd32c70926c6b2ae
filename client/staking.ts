/**
 * Staking and slashing from the client side: the `cosmos.staking.v1beta1` messages (and
 * `cosmos.slashing.v1beta1.MsgUnjail`) through a CosmJS signing client, and read-only queries through
 * CosmJS's staking and slashing extensions in the REST gateway's JSON shapes.
 */
import type { SigningStargateClient } from "@cosmjs/stargate";
import { legacyDecText } from "./distribution.js";
import { PoqTxError, type TxOptions, type TxResult } from "./poq-tx.js";

const STAKING = "/cosmos.staking.v1beta1.";

/** "0.1" → the LegacyDec's × 10^18 integer as protobuf carries it ("100000000000000000"). */
export function decAtomics(text: string): string {
  const m = /^([0-9]{1,20})(?:\.([0-9]{1,18}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a decimal such as 0.05`);
  return (BigInt(m[1] ?? "0") * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"))).toString();
}

export interface CreateValidatorParams {
  /** `poq1...` operator account (signs; the validator's `poqvaloper1...` has its bytes). */
  operator: string;
  /** `poqvaloper1...` of the operator. */
  validator: string;
  /** base64 ed25519 consensus public key (`priv_validator_key.json` `pub_key.value`). */
  consensusPubKey: string;
  selfDelegation: { denom: string; amount: string };
  moniker: string;
  website?: string;
  details?: string;
  /** Decimals such as "0.1". */
  commission: { rate: string; maxRate: string; maxChangeRate: string };
  minSelfDelegation: string;
}

/** The `MsgCreateValidator` as CosmJS encodes it (`pubkey` an Any of `cosmos.crypto.ed25519.PubKey`). */
export async function createValidatorMsg(p: CreateValidatorParams) {
  const { PubKey } = await import("cosmjs-types/cosmos/crypto/ed25519/keys");
  const key = Buffer.from(p.consensusPubKey, "base64");
  if (key.length !== 32) throw new RangeError("the consensus public key must be 32 bytes of base64 ed25519");
  return {
    typeUrl: `${STAKING}MsgCreateValidator`,
    value: {
      description: {
        moniker: p.moniker,
        identity: "",
        website: p.website ?? "",
        securityContact: "",
        details: p.details ?? "",
      },
      commission: {
        rate: decAtomics(p.commission.rate),
        maxRate: decAtomics(p.commission.maxRate),
        maxChangeRate: decAtomics(p.commission.maxChangeRate),
      },
      minSelfDelegation: p.minSelfDelegation,
      delegatorAddress: "",
      validatorAddress: p.validator,
      pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: PubKey.encode({ key }).finish() },
      value: p.selfDelegation,
    },
  };
}

/**
 * Signs and broadcasts staking messages; throws {@link PoqTxError} when the chain refuses them.
 *
 * @example
 * await sendStakingTx(client, "poq1...", [delegateMsg("poq1...", "poqvaloper1...", coin)]);
 */
export async function sendStakingTx(
  client: SigningStargateClient,
  signer: string,
  msgs: { typeUrl: string; value: object }[],
  opts: TxOptions = {},
): Promise<TxResult> {
  const res = await client.signAndBroadcast(signer, msgs, opts.fee ?? 1.5, opts.memo ?? "");
  if (res.code !== 0) throw new PoqTxError(res);
  return { txHash: res.transactionHash, height: res.height, gasUsed: res.gasUsed };
}

type Coin = { denom: string; amount: string };

export const delegateMsg = (delegator: string, validator: string, amount: Coin) => ({
  typeUrl: `${STAKING}MsgDelegate`,
  value: { delegatorAddress: delegator, validatorAddress: validator, amount },
});
export const undelegateMsg = (delegator: string, validator: string, amount: Coin) => ({
  typeUrl: `${STAKING}MsgUndelegate`,
  value: { delegatorAddress: delegator, validatorAddress: validator, amount },
});
export const redelegateMsg = (delegator: string, src: string, dst: string, amount: Coin) => ({
  typeUrl: `${STAKING}MsgBeginRedelegate`,
  value: { delegatorAddress: delegator, validatorSrcAddress: src, validatorDstAddress: dst, amount },
});
export const unjailMsg = (validator: string) => ({
  typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
  value: { validatorAddr: validator },
});

/** The SDK's "leave this field as it is" in MsgEditValidator's description. */
export const DO_NOT_MODIFY = "[do-not-modify]";

export const editValidatorMsg = (
  validator: string,
  p: {
    moniker?: string;
    website?: string;
    details?: string;
    commissionRate?: string;
    minSelfDelegation?: string;
  },
) => ({
  typeUrl: `${STAKING}MsgEditValidator`,
  value: {
    description: {
      moniker: p.moniker ?? DO_NOT_MODIFY,
      identity: DO_NOT_MODIFY,
      website: p.website ?? DO_NOT_MODIFY,
      securityContact: DO_NOT_MODIFY,
      details: p.details ?? DO_NOT_MODIFY,
    },
    validatorAddress: validator,
    commissionRate: p.commissionRate === undefined ? "" : decAtomics(p.commissionRate),
    minSelfDelegation: p.minSelfDelegation ?? "",
  },
});

const timeText = (t: { seconds: bigint; nanos: number } | undefined): string =>
  new Date(Number(t?.seconds ?? 0n) * 1000).toISOString().replace(".000Z", "Z");

/**
 * A read-only staking client on a node's CometBFT RPC, answering in the gateway's JSON shapes.
 *
 * @example
 * const q = await createStakingQueryClient("http://127.0.0.1:26657");
 * (await q.validators("BOND_STATUS_BONDED")).validators[0].operator_address;
 */
export async function createStakingQueryClient(rpcUrl: string) {
  const { QueryClient, setupStakingExtension } = await import("@cosmjs/stargate");
  const { connectComet } = await import("@cosmjs/tendermint-rpc");
  const comet = await connectComet(rpcUrl);
  const q = QueryClient.withExtensions(comet, setupStakingExtension).staking;
  const validatorJson = (v: Awaited<ReturnType<typeof q.validator>>["validator"]) => ({
    operator_address: v.operatorAddress,
    moniker: v.description.moniker,
    status: [
      "BOND_STATUS_UNSPECIFIED",
      "BOND_STATUS_UNBONDED",
      "BOND_STATUS_UNBONDING",
      "BOND_STATUS_BONDED",
    ][v.status],
    jailed: v.jailed,
    tokens: v.tokens,
    delegator_shares: legacyDecText(v.delegatorShares),
    commission_rate: legacyDecText(v.commission.commissionRates.rate),
    min_self_delegation: v.minSelfDelegation,
  });
  return {
    async validators(status: "" | "BOND_STATUS_BONDED" | "BOND_STATUS_UNBONDING" | "BOND_STATUS_UNBONDED") {
      return { validators: (await q.validators(status)).validators.map(validatorJson) };
    },
    async validator(address: string) {
      return { validator: validatorJson((await q.validator(address)).validator) };
    },
    async delegations(delegator: string) {
      return {
        delegation_responses: (await q.delegatorDelegations(delegator)).delegationResponses.map((d) => ({
          validator_address: d.delegation.validatorAddress,
          shares: legacyDecText(d.delegation.shares),
          balance: d.balance,
        })),
      };
    },
    async unbonding(delegator: string) {
      return {
        unbonding_responses: (await q.delegatorUnbondingDelegations(delegator)).unbondingResponses.map(
          (u) => ({
            validator_address: u.validatorAddress,
            entries: u.entries.map((e) => ({
              creation_height: e.creationHeight.toString(),
              completion_time: timeText(e.completionTime),
              balance: e.balance,
            })),
          }),
        ),
      };
    },
    async pool() {
      const p = (await q.pool()).pool;
      return { pool: { bonded_tokens: p.bondedTokens, not_bonded_tokens: p.notBondedTokens } };
    },
    async params() {
      const p = (await q.params()).params;
      return {
        params: {
          unbonding_time: `${p.unbondingTime.seconds}s`,
          max_validators: p.maxValidators,
          max_entries: p.maxEntries,
          historical_entries: p.historicalEntries,
          bond_denom: p.bondDenom,
          min_commission_rate: legacyDecText(p.minCommissionRate),
        },
      };
    },
    disconnect: () => comet.disconnect(),
  };
}
