/**
 * Distribution from the client side: withdraw rewards (and commission) in one transaction, and read
 * pending rewards, commission and the community pool through CosmJS's distribution query extension,
 * in the REST gateway's JSON shapes (decimals with 18 places).
 */
import type { SigningStargateClient } from "@cosmjs/stargate";
import { PoqTxError, type TxOptions, type TxResult } from "./poq-tx.js";

const DISTRIBUTION = "/cosmos.distribution.v1beta1.";

/** A LegacyDec's × 10^18 integer (as protobuf carries it) with its 18 decimals: `"12.500000000000000000"`. */
export function legacyDecText(raw: string): string {
  const digits = (raw || "0").padStart(19, "0");
  return `${digits.slice(0, -18).replace(/^0+(?=\d)/, "")}.${digits.slice(-18)}`;
}

/** DecCoins from protobuf into `{denom, amount: "1.500000000000000000"}`. */
export const decCoinsText = (coins: readonly { denom: string; amount: string }[]) =>
  coins.map((c) => ({ denom: c.denom, amount: legacyDecText(c.amount) }));

export interface WithdrawParams {
  /** Validators (`poqvaloper1...`) whose delegation rewards to withdraw. */
  validators: string[];
  /** Also withdraw the commission of this validator (the signer must be its operator). */
  commissionOf?: string;
}

/**
 * Withdraws delegation rewards from each validator (and a validator's commission) in one transaction.
 *
 * @example
 * await withdrawRewards(client, "poq1...", { validators: ["poqvaloper1..."] });
 */
export async function withdrawRewards(
  client: SigningStargateClient,
  delegator: string,
  params: WithdrawParams,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msgs: { typeUrl: string; value: object }[] = params.validators.map((validatorAddress) => ({
    typeUrl: `${DISTRIBUTION}MsgWithdrawDelegatorReward`,
    value: { delegatorAddress: delegator, validatorAddress },
  }));
  if (params.commissionOf)
    msgs.push({
      typeUrl: `${DISTRIBUTION}MsgWithdrawValidatorCommission`,
      value: { validatorAddress: params.commissionOf },
    });
  if (msgs.length === 0) throw new RangeError("nothing to withdraw: no validator given");
  const res = await client.signAndBroadcast(delegator, msgs, opts.fee ?? 1.5, opts.memo ?? "");
  if (res.code !== 0) throw new PoqTxError(res);
  return { txHash: res.transactionHash, height: res.height, gasUsed: res.gasUsed };
}

/**
 * A read-only distribution client on a node's CometBFT RPC.
 *
 * @example
 * const q = await createDistributionQueryClient("http://127.0.0.1:26657");
 * (await q.rewards("poq1...")).total; // [{ denom: "upoq", amount: "12.500000000000000000" }]
 */
export async function createDistributionQueryClient(rpcUrl: string) {
  const { QueryClient, setupDistributionExtension } = await import("@cosmjs/stargate");
  const { connectComet } = await import("@cosmjs/tendermint-rpc");
  const comet = await connectComet(rpcUrl);
  const q = QueryClient.withExtensions(comet, setupDistributionExtension).distribution;
  return {
    async rewards(delegator: string) {
      const res = await q.delegationTotalRewards(delegator);
      return {
        rewards: res.rewards.map((r) => ({
          validator_address: r.validatorAddress,
          reward: decCoinsText(r.reward),
        })),
        total: decCoinsText(res.total),
      };
    },
    async delegationRewards(delegator: string, validator: string) {
      return { rewards: decCoinsText((await q.delegationRewards(delegator, validator)).rewards) };
    },
    async commission(validator: string) {
      const res = await q.validatorCommission(validator);
      return { commission: { commission: decCoinsText(res.commission?.commission ?? []) } };
    },
    async communityPool() {
      return { pool: decCoinsText((await q.communityPool()).pool) };
    },
    async delegatorValidators(delegator: string) {
      return (await q.delegatorValidators(delegator)).validators;
    },
    disconnect: () => comet.disconnect(),
  };
}
