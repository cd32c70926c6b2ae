/**
 * Typed reads and writes of distribution's records (keys in keys.ts, layout in README.md). Values are
 * the SDK's protobuf messages, with LegacyDec amounts as their × 10^18 integers, as gogoproto writes them.
 */
import {
  DelegatorStartingInfo,
  FeePool,
  Params,
  ValidatorAccumulatedCommission,
  ValidatorCurrentRewards,
  ValidatorHistoricalRewards,
  ValidatorOutstandingRewards,
  ValidatorSlashEvent,
} from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import type { Context } from "../../types.js";
import type { Coin } from "../bank/coins.js";
import { type DecCoin, decCoins } from "./dec.js";
import {
  blockRewardKey,
  commissionKey,
  currentKey,
  feePoolKey,
  historicalKey,
  historicalPrefix,
  outstandingKey,
  paramsKey,
  slashEventKey,
  slashEventPrefix,
  startingInfoKey,
  withdrawAddrKey,
  withdrawAddrPrefix,
} from "./keys.js";
import {
  type DistributionParams,
  defaultDistributionParams,
  paramsFromProto,
  paramsToProto,
} from "./params.js";

type Store = Pick<Context, "store">;

export interface StartingInfo {
  previousPeriod: bigint;
  /** LegacyDec × 10^18: the delegation's tokens when it started this period. */
  stake: bigint;
  height: bigint;
}

export interface HistoricalRewards {
  /** Sum over periods 1..p of rewards per token (LegacyDec × 10^18 per denom). */
  ratio: DecCoin[];
  referenceCount: number;
}

export interface CurrentRewards {
  rewards: DecCoin[];
  period: bigint;
}

export interface SlashEvent {
  height: bigint;
  validatorPeriod: bigint;
  /** LegacyDec × 10^18. */
  fraction: bigint;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The distribution records over one store.
 *
 * @example
 * distributionStore.getCommunityPool(ctx); // DecCoin[]
 */
export const distributionStore = {
  getParams(ctx: Store): DistributionParams {
    const raw = ctx.store.get(paramsKey());
    return raw ? paramsFromProto(Params.decode(raw)) : defaultDistributionParams();
  },
  setParams: (ctx: Store, p: DistributionParams): void =>
    ctx.store.set(paramsKey(), Params.encode(paramsToProto(p)).finish()),

  getBlockReward(ctx: Store): Coin | undefined {
    const raw = ctx.store.get(blockRewardKey());
    if (!raw) return undefined;
    const c = JSON.parse(dec.decode(raw)) as { denom: string; amount: string };
    return { denom: c.denom, amount: BigInt(c.amount) };
  },
  setBlockReward(ctx: Store, c: Coin): void {
    if (c.amount === 0n) ctx.store.delete(blockRewardKey());
    else
      ctx.store.set(
        blockRewardKey(),
        enc.encode(JSON.stringify({ denom: c.denom, amount: c.amount.toString() })),
      );
  },

  getCommunityPool(ctx: Store): DecCoin[] {
    const raw = ctx.store.get(feePoolKey());
    return raw ? decCoins.fromProto(FeePool.decode(raw).communityPool) : [];
  },
  setCommunityPool: (ctx: Store, pool: readonly DecCoin[]): void =>
    ctx.store.set(feePoolKey(), FeePool.encode({ communityPool: decCoins.toProto(pool) }).finish()),

  getOutstanding(ctx: Store, val: Uint8Array): DecCoin[] | undefined {
    const raw = ctx.store.get(outstandingKey(val));
    return raw ? decCoins.fromProto(ValidatorOutstandingRewards.decode(raw).rewards) : undefined;
  },
  setOutstanding: (ctx: Store, val: Uint8Array, rewards: readonly DecCoin[]): void =>
    ctx.store.set(
      outstandingKey(val),
      ValidatorOutstandingRewards.encode({ rewards: decCoins.toProto(rewards) }).finish(),
    ),
  deleteOutstanding: (ctx: Store, val: Uint8Array): void => ctx.store.delete(outstandingKey(val)),

  getCommission(ctx: Store, val: Uint8Array): DecCoin[] {
    const raw = ctx.store.get(commissionKey(val));
    return raw ? decCoins.fromProto(ValidatorAccumulatedCommission.decode(raw).commission) : [];
  },
  setCommission(ctx: Store, val: Uint8Array, commission: readonly DecCoin[]): void {
    // An empty commission is deleted, as the SDK does, so an idle validator costs no entry.
    if (commission.length === 0) ctx.store.delete(commissionKey(val));
    else
      ctx.store.set(
        commissionKey(val),
        ValidatorAccumulatedCommission.encode({ commission: decCoins.toProto(commission) }).finish(),
      );
  },

  getCurrent(ctx: Store, val: Uint8Array): CurrentRewards | undefined {
    const raw = ctx.store.get(currentKey(val));
    if (!raw) return undefined;
    const c = ValidatorCurrentRewards.decode(raw);
    return { rewards: decCoins.fromProto(c.rewards), period: c.period };
  },
  setCurrent: (ctx: Store, val: Uint8Array, c: CurrentRewards): void =>
    ctx.store.set(
      currentKey(val),
      ValidatorCurrentRewards.encode({ rewards: decCoins.toProto(c.rewards), period: c.period }).finish(),
    ),
  deleteCurrent: (ctx: Store, val: Uint8Array): void => ctx.store.delete(currentKey(val)),

  getHistorical(ctx: Store, val: Uint8Array, period: bigint): HistoricalRewards | undefined {
    const raw = ctx.store.get(historicalKey(val, period));
    if (!raw) return undefined;
    const h = ValidatorHistoricalRewards.decode(raw);
    return { ratio: decCoins.fromProto(h.cumulativeRewardRatio), referenceCount: h.referenceCount };
  },
  setHistorical: (ctx: Store, val: Uint8Array, period: bigint, h: HistoricalRewards): void =>
    ctx.store.set(
      historicalKey(val, period),
      ValidatorHistoricalRewards.encode({
        cumulativeRewardRatio: decCoins.toProto(h.ratio),
        referenceCount: h.referenceCount,
      }).finish(),
    ),
  deleteHistorical: (ctx: Store, val: Uint8Array, period: bigint): void =>
    ctx.store.delete(historicalKey(val, period)),
  /** Deletes every historical record of a validator (removal). */
  deleteAllHistorical(ctx: Store, val: Uint8Array): void {
    for (const [k] of [...ctx.store.iterate(historicalPrefix(val))]) ctx.store.delete(k);
  },
  /** The number of historical records of a validator (tests check that none leak). */
  countHistorical: (ctx: Store, val: Uint8Array): number =>
    [...ctx.store.iterate(historicalPrefix(val))].length,

  getStartingInfo(ctx: Store, val: Uint8Array, del: Uint8Array): StartingInfo | undefined {
    const raw = ctx.store.get(startingInfoKey(val, del));
    if (!raw) return undefined;
    const s = DelegatorStartingInfo.decode(raw);
    return {
      previousPeriod: s.previousPeriod,
      stake: BigInt(s.stake === "" ? "0" : s.stake),
      height: s.height,
    };
  },
  setStartingInfo: (ctx: Store, val: Uint8Array, del: Uint8Array, s: StartingInfo): void =>
    ctx.store.set(
      startingInfoKey(val, del),
      DelegatorStartingInfo.encode({
        previousPeriod: s.previousPeriod,
        stake: s.stake.toString(),
        height: s.height,
      }).finish(),
    ),
  deleteStartingInfo: (ctx: Store, val: Uint8Array, del: Uint8Array): void =>
    ctx.store.delete(startingInfoKey(val, del)),

  setSlashEvent: (ctx: Store, val: Uint8Array, e: SlashEvent): void =>
    ctx.store.set(
      slashEventKey(val, e.height, e.validatorPeriod),
      ValidatorSlashEvent.encode({
        validatorPeriod: e.validatorPeriod,
        fraction: e.fraction.toString(),
      }).finish(),
    ),
  /** Slash events with `from <= height <= to`, ascending by height then period. */
  slashEventsBetween(ctx: Store, val: Uint8Array, from: bigint, to: bigint): SlashEvent[] {
    const prefix = slashEventPrefix(val);
    const out: SlashEvent[] = [];
    for (const [k, v] of ctx.store.iterate(prefix)) {
      const view = new DataView(k.buffer, k.byteOffset + prefix.length, 16);
      const height = view.getBigUint64(0);
      if (height < from) continue;
      if (height > to) break;
      const e = ValidatorSlashEvent.decode(v);
      out.push({ height, validatorPeriod: e.validatorPeriod, fraction: BigInt(e.fraction) });
    }
    return out;
  },
  deleteAllSlashEvents(ctx: Store, val: Uint8Array): void {
    for (const [k] of [...ctx.store.iterate(slashEventPrefix(val))]) ctx.store.delete(k);
  },

  getWithdrawAddr(ctx: Store, del: Uint8Array): Uint8Array | undefined {
    return ctx.store.get(withdrawAddrKey(del));
  },
  setWithdrawAddr: (ctx: Store, del: Uint8Array, to: Uint8Array): void =>
    ctx.store.set(withdrawAddrKey(del), to),
  deleteWithdrawAddr: (ctx: Store, del: Uint8Array): void => ctx.store.delete(withdrawAddrKey(del)),
  /** Every withdraw address entry, ascending by delegator bytes. */
  *allWithdrawAddrs(ctx: Store): Iterable<{ delegator: Uint8Array; withdraw: Uint8Array }> {
    const prefix = withdrawAddrPrefix();
    for (const [k, v] of ctx.store.iterate(prefix))
      yield { delegator: k.slice(prefix.length + 1), withdraw: v };
  },
};
