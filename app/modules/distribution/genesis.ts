/**
 * Distribution genesis (`app_state.distribution`): the SDK's `GenesisState` shape plus our
 * `block_reward`. A chain starts with no F1 records: staking's genesis creates them through the hooks
 * (validators and self-delegations), so the SDK's record lists must be empty or absent.
 */
import { GenesisError } from "../../errors.js";
import type { Context } from "../../types.js";
import { formatAccountAddress, moduleAddress, parseAccountAddress } from "../auth/address.js";
import { BASE_DENOM, type Coin, isValidDenom } from "../bank/coins.js";
import type { BankView } from "../bank/keeper.js";
import { type DecCoin, decCoins, formatDec, parseDec } from "./dec.js";
import { DISTRIBUTION_MODULE } from "./keys.js";
import { type DistributionParams, paramsFromJson, paramsToJson } from "./params.js";
import { distributionStore as S } from "./store.js";

export interface DistributionGenesis {
  params: DistributionParams;
  communityPool: DecCoin[];
  withdrawInfos: { delegator: string; withdraw: string }[];
  blockReward: Coin;
}

const fail = (field: string, reason: string): never => {
  throw new GenesisError(DISTRIBUTION_MODULE, field, reason);
};

const RECORD_LISTS = [
  "outstanding_rewards",
  "validator_accumulated_commissions",
  "validator_historical_rewards",
  "validator_current_rewards",
  "delegator_starting_infos",
  "validator_slash_events",
];
const KNOWN = [
  "params",
  "fee_pool",
  "delegator_withdraw_infos",
  "previous_proposer",
  "block_reward",
  ...RECORD_LISTS,
];

/** The default section (SDK defaults, no block reward). */
export const defaultDistributionGenesisJson = () => ({
  params: paramsToJson(paramsFromJson(undefined)),
  fee_pool: { community_pool: [] as { denom: string; amount: string }[] },
  delegator_withdraw_infos: [] as { delegator_address: string; withdraw_address: string }[],
  previous_proposer: "",
  block_reward: { denom: BASE_DENOM, amount: "0" },
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses and checks the section; errors name the field.
 *
 * @example
 * parseDistributionGenesis({ params: { community_tax: "0.02" } });
 */
export function parseDistributionGenesis(raw: unknown): DistributionGenesis {
  if (raw === undefined) raw = {};
  if (!isObject(raw)) return fail("", "must be an object");
  for (const k of Object.keys(raw)) if (!KNOWN.includes(k)) fail(k, "unknown field");
  for (const k of RECORD_LISTS) {
    const v = raw[k];
    if (v !== undefined && (!Array.isArray(v) || v.length > 0))
      fail(k, "must be empty: F1 records are created by staking's genesis through the hooks");
  }
  if (raw.previous_proposer !== undefined && raw.previous_proposer !== "")
    fail("previous_proposer", "must be empty (no proposer reward)");
  const params = paramsFromJson(raw.params);

  let communityPool: DecCoin[] = [];
  if (raw.fee_pool !== undefined) {
    if (!isObject(raw.fee_pool)) fail("fee_pool", "must be an object");
    const list = (raw.fee_pool as Record<string, unknown>).community_pool ?? [];
    if (!Array.isArray(list)) fail("fee_pool.community_pool", "must be a list of coins");
    const seen = new Set<string>();
    communityPool = decCoins.fromProto(
      (list as unknown[]).map((c, i) => {
        const field = `fee_pool.community_pool[${i}]`;
        if (!isObject(c) || typeof c.denom !== "string" || typeof c.amount !== "string")
          return fail(field, "must be {denom, amount}");
        if (!isValidDenom(c.denom)) fail(`${field}.denom`, `invalid denom ${JSON.stringify(c.denom)}`);
        if (seen.has(c.denom)) fail(`${field}.denom`, `duplicate denom ${c.denom}`);
        seen.add(c.denom);
        let amount = 0n;
        try {
          amount = parseDec(c.amount, "amount");
        } catch {
          fail(`${field}.amount`, `must be a non-negative decimal, got ${JSON.stringify(c.amount)}`);
        }
        return { denom: c.denom, amount: amount.toString() };
      }),
    );
  }

  const withdrawInfos: { delegator: string; withdraw: string }[] = [];
  const infos = raw.delegator_withdraw_infos ?? [];
  if (!Array.isArray(infos)) fail("delegator_withdraw_infos", "must be a list");
  (infos as unknown[]).forEach((w, i) => {
    const field = `delegator_withdraw_infos[${i}]`;
    if (!isObject(w)) return fail(field, "must be {delegator_address, withdraw_address}");
    const parse = (name: string): string => {
      const v = w[name];
      if (typeof v !== "string") return fail(`${field}.${name}`, "must be a poq1... address");
      try {
        return formatAccountAddress(parseAccountAddress(v, name));
      } catch (err) {
        return fail(`${field}.${name}`, (err as Error).message);
      }
    };
    withdrawInfos.push({ delegator: parse("delegator_address"), withdraw: parse("withdraw_address") });
  });

  let blockReward: Coin = { denom: BASE_DENOM, amount: 0n };
  if (raw.block_reward !== undefined) {
    const r = raw.block_reward;
    if (
      !isObject(r) ||
      typeof r.denom !== "string" ||
      typeof r.amount !== "string" ||
      !/^[0-9]+$/.test(r.amount)
    )
      return fail("block_reward", 'must be {"denom": "upoq", "amount": "<non-negative integer>"}');
    if (!isValidDenom(r.denom)) fail("block_reward.denom", `invalid denom ${JSON.stringify(r.denom)}`);
    blockReward = { denom: r.denom, amount: BigInt(r.amount) };
  }
  return { params, communityPool, withdrawInfos, blockReward };
}

/**
 * Writes the section. Runs after bank's genesis (and staking's, whose hooks created the validators'
 * records): the distribution module account must hold exactly the community pool's whole coins.
 */
export function initDistributionGenesis(ctx: Context, bank: BankView, g: DistributionGenesis): void {
  S.setParams(ctx, g.params);
  S.setCommunityPool(ctx, g.communityPool);
  for (const w of g.withdrawInfos)
    S.setWithdrawAddr(ctx, parseAccountAddress(w.delegator), parseAccountAddress(w.withdraw));
  S.setBlockReward(ctx, g.blockReward);
  const held = bank.getAllBalances(ctx, moduleAddress(DISTRIBUTION_MODULE));
  const owed = decCoins.truncate(g.communityPool).coins;
  const show = (c: readonly Coin[]) => c.map((x) => `${x.amount}${x.denom}`).join(",") || "nothing";
  if (show(held) !== show(owed)) {
    fail(
      "fee_pool.community_pool",
      `the distribution module account ${moduleAddress(DISTRIBUTION_MODULE)} holds ${show(held)} ` +
        `but the community pool needs ${show(owed)} (fund it in app_state.bank.balances)`,
    );
  }
}

/** The section as genesis JSON (params, community pool, withdraw addresses, block reward; no F1 records). */
export function exportDistributionGenesis(
  ctx: Context,
  withdrawInfos: { delegator: string; withdraw: string }[],
) {
  const reward = S.getBlockReward(ctx) ?? { denom: BASE_DENOM, amount: 0n };
  return {
    params: paramsToJson(S.getParams(ctx)),
    fee_pool: {
      community_pool: S.getCommunityPool(ctx).map((c) => ({ denom: c.denom, amount: formatDec(c.amount) })),
    },
    delegator_withdraw_infos: withdrawInfos.map((w) => ({
      delegator_address: w.delegator,
      withdraw_address: w.withdraw,
    })),
    previous_proposer: "",
    block_reward: { denom: reward.denom, amount: reward.amount.toString() },
  };
}
