/**
 * Distribution genesis (`app_state.distribution`): the SDK's `GenesisState` shape plus our
 * `block_reward`. A new chain starts with no F1 records: staking's genesis creates them through the
 * hooks (validators and self-delegations), so the SDK's record lists are empty or absent. An export
 * (`poq export`, with staking's `exported: true`, which runs no hooks) carries every record in the
 * SDK's lists (`outstanding_rewards`, `validator_accumulated_commissions`, `validator_historical_rewards`,
 * `validator_current_rewards`, `delegator_starting_infos`, `validator_slash_events`), written back as
 * they were. Either way the `distribution` module account must hold exactly the whole coins of the
 * outstanding rewards plus the community pool (the SDK's check).
 */
import { GenesisError } from "../../errors.js";
import type { Context } from "../../types.js";
import { formatAccountAddress, moduleAddress, parseAccountAddress } from "../auth/address.js";
import { BASE_DENOM, type Coin, isValidDenom } from "../bank/coins.js";
import type { BankView } from "../bank/keeper.js";
import { DEC_ONE, type DecCoin, decCoins, formatDec, parseDec } from "./dec.js";
import { GenesisReader, hexOf } from "../../genesis-json.js";
import { prefixedKey } from "../../store/key-codec.js";
import { BECH32_PREFIX } from "../auth/address.js";
import { formatValoperAddress } from "./address.js";
import { DISTRIBUTION_MODULE, DISTRIBUTION_STORE_PREFIX, outstandingPrefix, RecordTag } from "./keys.js";
import { type DistributionParams, paramsFromJson, paramsToJson } from "./params.js";
import {
  distributionStore as S,
  type CurrentRewards,
  type HistoricalRewards,
  type SlashEvent,
  type StartingInfo,
} from "./store.js";

export interface DistributionGenesis {
  params: DistributionParams;
  communityPool: DecCoin[];
  withdrawInfos: { delegator: string; withdraw: string }[];
  blockReward: Coin;
  /** The F1 records of an export (undefined for a new chain). */
  records?: DistributionRecords;
}

/** Every F1 record of an exported state (validator and delegator address bytes). */
export interface DistributionRecords {
  outstanding: { val: Uint8Array; rewards: DecCoin[] }[];
  commissions: { val: Uint8Array; commission: DecCoin[] }[];
  historical: { val: Uint8Array; period: bigint; rewards: HistoricalRewards }[];
  current: { val: Uint8Array; rewards: CurrentRewards }[];
  startingInfos: { val: Uint8Array; del: Uint8Array; info: StartingInfo }[];
  slashEvents: { val: Uint8Array; event: SlashEvent }[];
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
  const records = RECORD_LISTS.some((k) => Array.isArray(raw[k]) && (raw[k] as unknown[]).length > 0)
    ? parseRecords(raw)
    : undefined;
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
  return { params, communityPool, withdrawInfos, blockReward, ...(records ? { records } : {}) };
}

const reader = new GenesisReader(DISTRIBUTION_MODULE);
const decCoinList = (v: unknown, at: string): DecCoin[] =>
  decCoins.fromProto(
    reader
      .coinList(v, at, (a, f) => reader.dec(a, f))
      .map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
  );
const valoper = (v: unknown, at: string) => reader.address(v, at, BECH32_PREFIX.validator);

/** The SDK's record lists of an exported section. */
function parseRecords(raw: Record<string, unknown>): DistributionRecords {
  const entries = <T>(name: string, known: string[], f: (o: Record<string, unknown>, at: string) => T): T[] =>
    reader.list(raw[name], name).map((e, i) => f(reader.obj(e, `${name}[${i}]`, known), `${name}[${i}]`));
  const unique = <T>(name: string, list: T[], id: (t: T) => string): T[] => {
    const seen = new Set<string>();
    list.forEach((t, i) => {
      if (seen.has(id(t))) reader.fail(`${name}[${i}]`, "the same record is listed twice");
      seen.add(id(t));
    });
    return list;
  };
  const outstanding = entries(
    "outstanding_rewards",
    ["validator_address", "outstanding_rewards"],
    (o, at) => ({
      val: valoper(o.validator_address, `${at}.validator_address`),
      rewards: decCoinList(o.outstanding_rewards, `${at}.outstanding_rewards`),
    }),
  );
  const commissions = entries(
    "validator_accumulated_commissions",
    ["validator_address", "accumulated"],
    (o, at) => ({
      val: valoper(o.validator_address, `${at}.validator_address`),
      commission: decCoinList(
        reader.obj(o.accumulated, `${at}.accumulated`, ["commission"]).commission,
        `${at}.accumulated.commission`,
      ),
    }),
  );
  const historical = entries(
    "validator_historical_rewards",
    ["validator_address", "period", "rewards"],
    (o, at) => {
      const r = reader.obj(o.rewards, `${at}.rewards`, ["cumulative_reward_ratio", "reference_count"]);
      const count = reader.uint(r.reference_count, `${at}.rewards.reference_count`, 32, true);
      return {
        val: valoper(o.validator_address, `${at}.validator_address`),
        period: reader.uint(o.period, `${at}.period`, 64),
        rewards: {
          ratio: decCoinList(r.cumulative_reward_ratio, `${at}.rewards.cumulative_reward_ratio`),
          referenceCount: Number(count),
        },
      };
    },
  );
  const current = entries("validator_current_rewards", ["validator_address", "rewards"], (o, at) => {
    const r = reader.obj(o.rewards, `${at}.rewards`, ["rewards", "period"]);
    return {
      val: valoper(o.validator_address, `${at}.validator_address`),
      rewards: {
        rewards: decCoinList(r.rewards, `${at}.rewards.rewards`),
        period: reader.uint(r.period, `${at}.rewards.period`, 64),
      },
    };
  });
  const startingInfos = entries(
    "delegator_starting_infos",
    ["delegator_address", "validator_address", "starting_info"],
    (o, at) => {
      const s = reader.obj(o.starting_info, `${at}.starting_info`, ["previous_period", "stake", "height"]);
      return {
        del: reader.address(o.delegator_address, `${at}.delegator_address`),
        val: valoper(o.validator_address, `${at}.validator_address`),
        info: {
          previousPeriod: reader.uint(s.previous_period, `${at}.starting_info.previous_period`, 64),
          stake: reader.dec(s.stake, `${at}.starting_info.stake`),
          height: reader.uint(s.height, `${at}.starting_info.height`, 64),
        },
      };
    },
  );
  const slashEvents = entries(
    "validator_slash_events",
    ["validator_address", "height", "period", "validator_slash_event"],
    (o, at) => {
      const e = reader.obj(o.validator_slash_event, `${at}.validator_slash_event`, [
        "validator_period",
        "fraction",
      ]);
      const period = reader.uint(e.validator_period, `${at}.validator_slash_event.validator_period`, 64);
      if (o.period !== undefined && reader.uint(o.period, `${at}.period`, 64) !== period)
        reader.fail(`${at}.period`, "must equal validator_slash_event.validator_period");
      const fraction = reader.dec(e.fraction, `${at}.validator_slash_event.fraction`);
      if (fraction > DEC_ONE) reader.fail(`${at}.validator_slash_event.fraction`, "must be at most 1");
      return {
        val: valoper(o.validator_address, `${at}.validator_address`),
        event: { height: reader.uint(o.height, `${at}.height`, 64), validatorPeriod: period, fraction },
      };
    },
  );
  const v = (x: { val: Uint8Array }) => hexOf(x.val);
  unique("outstanding_rewards", outstanding, v);
  unique("validator_accumulated_commissions", commissions, v);
  unique("validator_historical_rewards", historical, (h) => `${v(h)}/${h.period}`);
  unique("validator_current_rewards", current, v);
  unique("delegator_starting_infos", startingInfos, (s) => `${v(s)}/${hexOf(s.del)}`);
  unique(
    "validator_slash_events",
    slashEvents,
    (e) => `${v(e)}/${e.event.height}/${e.event.validatorPeriod}`,
  );
  // Each validator's current period needs the historical record of the period before it (F1).
  const periods = new Set(historical.map((h) => `${v(h)}/${h.period}`));
  current.forEach((c, i) => {
    if (c.rewards.period > 0n && !periods.has(`${v(c)}/${c.rewards.period - 1n}`))
      reader.fail(
        `validator_current_rewards[${i}].rewards.period`,
        `period ${c.rewards.period} has no validator_historical_rewards entry for period ${c.rewards.period - 1n}`,
      );
  });
  startingInfos.forEach((s, i) => {
    if (!periods.has(`${v(s)}/${s.info.previousPeriod}`))
      reader.fail(
        `delegator_starting_infos[${i}].starting_info.previous_period`,
        `no validator_historical_rewards entry for period ${s.info.previousPeriod} of that validator`,
      );
  });
  return { outstanding, commissions, historical, current, startingInfos, slashEvents };
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
  let outstanding: DecCoin[] = [];
  if (g.records) {
    // Staking's hooks ran for a new chain's validators: an export's records must not meet them.
    for (const _ of ctx.store.iterate(outstandingPrefix(), { limit: 1 }))
      fail(
        "outstanding_rewards",
        'F1 records come with an exported staking section ("exported": true), which runs no hooks',
      );
    const rec = g.records;
    for (const o of rec.outstanding) {
      S.setOutstanding(ctx, o.val, o.rewards);
      outstanding = decCoins.add(outstanding, o.rewards);
    }
    for (const c of rec.commissions) S.setCommission(ctx, c.val, c.commission);
    for (const h of rec.historical) S.setHistorical(ctx, h.val, h.period, h.rewards);
    for (const c of rec.current) S.setCurrent(ctx, c.val, c.rewards);
    for (const s of rec.startingInfos) S.setStartingInfo(ctx, s.val, s.del, s.info);
    for (const e of rec.slashEvents) S.setSlashEvent(ctx, e.val, e.event);
  }
  const held = bank.getAllBalances(ctx, moduleAddress(DISTRIBUTION_MODULE));
  const owed = decCoins.truncate(decCoins.add(g.communityPool, outstanding)).coins;
  const show = (c: readonly Coin[]) => c.map((x) => `${x.amount}${x.denom}`).join(",") || "nothing";
  if (show(held) !== show(owed)) {
    fail(
      "fee_pool.community_pool",
      `the distribution module account ${moduleAddress(DISTRIBUTION_MODULE)} holds ${show(held)} ` +
        `but the outstanding rewards and the community pool come to ${show(owed)} (fix app_state.bank.balances or the records)`,
    );
  }
}

/** The section as genesis JSON: params, pool, withdraw addresses, block reward and every F1 record. */
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
    ...exportRecords(ctx),
  };
}

/** Splits a record key after `distribution/ tag`: the length-prefixed address, then the rest. */
function splitKey(k: Uint8Array): { val: Uint8Array; rest: Uint8Array } {
  const at = DISTRIBUTION_STORE_PREFIX.length + 1;
  const len = k[at]!;
  return { val: k.subarray(at + 1, at + 1 + len), rest: k.subarray(at + 1 + len) };
}

const u64At = (b: Uint8Array, at: number): bigint =>
  new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0);

function exportRecords(ctx: Context) {
  const each = <T>(tag: number, f: (k: Uint8Array) => T): T[] =>
    [...ctx.store.iterate(prefixedKey(DISTRIBUTION_STORE_PREFIX, [tag]))].map(([k]) => f(k));
  const val = (b: Uint8Array) => formatValoperAddress(b);
  return {
    outstanding_rewards: each(RecordTag.Outstanding, (k) => {
      const { val: v } = splitKey(k);
      return {
        validator_address: val(v),
        outstanding_rewards: decCoins.toJson(S.getOutstanding(ctx, v) ?? []),
      };
    }),
    validator_accumulated_commissions: each(RecordTag.Commission, (k) => {
      const { val: v } = splitKey(k);
      return {
        validator_address: val(v),
        accumulated: { commission: decCoins.toJson(S.getCommission(ctx, v)) },
      };
    }),
    validator_historical_rewards: each(RecordTag.Historical, (k) => {
      const { val: v, rest } = splitKey(k);
      const period = u64At(rest, 0);
      const h = S.getHistorical(ctx, v, period)!;
      return {
        validator_address: val(v),
        period: period.toString(),
        rewards: { cumulative_reward_ratio: decCoins.toJson(h.ratio), reference_count: h.referenceCount },
      };
    }),
    validator_current_rewards: each(RecordTag.Current, (k) => {
      const { val: v } = splitKey(k);
      const c = S.getCurrent(ctx, v)!;
      return {
        validator_address: val(v),
        rewards: { rewards: decCoins.toJson(c.rewards), period: c.period.toString() },
      };
    }),
    delegator_starting_infos: each(RecordTag.StartingInfo, (k) => {
      const { val: v, rest } = splitKey(k);
      const del = rest.subarray(1, 1 + rest[0]!);
      const s = S.getStartingInfo(ctx, v, del)!;
      return {
        delegator_address: formatAccountAddress(del),
        validator_address: val(v),
        starting_info: {
          previous_period: s.previousPeriod.toString(),
          stake: formatDec(s.stake),
          height: s.height.toString(),
        },
      };
    }),
    validator_slash_events: each(RecordTag.SlashEvent, (k) => {
      const { val: v, rest } = splitKey(k);
      const height = u64At(rest, 0);
      const e = S.slashEventsBetween(ctx, v, height, height).find(
        (x) => x.validatorPeriod === u64At(rest, 8),
      )!;
      return {
        validator_address: val(v),
        height: height.toString(),
        period: e.validatorPeriod.toString(),
        validator_slash_event: {
          validator_period: e.validatorPeriod.toString(),
          fraction: formatDec(e.fraction),
        },
      };
    }),
  };
}
