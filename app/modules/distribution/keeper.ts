/**
 * The distribution keeper: F1 fee distribution (validator periods, cumulative reward ratios,
 * delegator starting info, slash events), commission, the community pool and withdrawals. Learned
 * from the Cosmos SDK's x/distribution (v0.50) and its F1 paper; all arithmetic is bigint LegacyDec.
 *
 * Functions take the validator (tokens, delegator shares, commission rate) and the delegation's
 * shares as values, read by the caller from staking at the right moment (before or after a change,
 * as the hooks in hooks.ts say), so the rules here depend on nothing but their arguments and state.
 */
import { ChainError } from "../../errors.js";
import type { Context } from "../../types.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import type { BankKeeper } from "../bank/keeper.js";
import { BASE_DENOM, type Coin } from "../bank/coins.js";
import { parseValoperAddress } from "./address.js";
import {
  type DecCoin,
  DEC_ONE,
  decCoins,
  decFromInt,
  decMulTruncate,
  decQuo,
  decQuoTruncate,
} from "./dec.js";
import { ErrEmptyDelegationDistInfo, ErrNoValidatorCommission, ErrNoValidatorDistInfo } from "./errors.js";
import { commissionEvent, rewardsEvent, withdrawCommissionEvent, withdrawRewardsEvent } from "./events.js";
import { DISTRIBUTION_MODULE } from "./keys.js";
import { distributionStore as S } from "./store.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** What distribution needs of a validator (a subset of staking's `StakingValidator`). */
export interface RewardValidator {
  operatorAddress: string;
  tokens: bigint;
  /** LegacyDec × 10^18. */
  delegatorShares: bigint;
  /** LegacyDec × 10^18 (only `rate` is read). */
  commission: { rate: bigint };
}

const valBytes = (val: { operatorAddress: string }): Uint8Array => parseValoperAddress(val.operatorAddress);

/** `shares × tokens / delegatorShares`, truncated (the SDK's `TokensFromSharesTruncated`), as a LegacyDec. */
export const tokensFromSharesTruncated = (v: RewardValidator, shares: bigint): bigint =>
  v.delegatorShares === 0n ? 0n : decQuoTruncate(shares * v.tokens, v.delegatorShares);
/** The same, with the SDK's banker's rounding (`TokensFromShares`). */
export const tokensFromShares = (v: RewardValidator, shares: bigint): bigint =>
  v.delegatorShares === 0n ? 0n : decQuo(shares * v.tokens, v.delegatorShares);

function mustCurrent(ctx: Ctx, val: Uint8Array, operator: string) {
  const cur = S.getCurrent(ctx, val);
  if (!cur) throw new ChainError(ErrNoValidatorDistInfo, `validator ${operator}`);
  return cur;
}

function ratioOf(ctx: Ctx, val: Uint8Array, period: bigint): DecCoin[] {
  const h = S.getHistorical(ctx, val, period);
  if (!h) throw new ChainError(ErrNoValidatorDistInfo, `no historical rewards for period ${period}`);
  return h.ratio;
}

function changeReferenceCount(ctx: Ctx, val: Uint8Array, period: bigint, delta: 1 | -1): void {
  const h = S.getHistorical(ctx, val, period);
  if (!h) throw new ChainError(ErrNoValidatorDistInfo, `no historical rewards for period ${period}`);
  const referenceCount = h.referenceCount + delta;
  if (referenceCount === 0) S.deleteHistorical(ctx, val, period);
  else S.setHistorical(ctx, val, period, { ratio: h.ratio, referenceCount });
}

/** The ratio the current (unfinished) period would end with, without writing it. */
function currentPeriodRatio(
  ctx: Ctx,
  val: Uint8Array,
  v: RewardValidator,
): { period: bigint; ratio: DecCoin[] } {
  const cur = mustCurrent(ctx, val, v.operatorAddress);
  const perToken = v.tokens === 0n ? [] : decCoins.quoDecTruncate(cur.rewards, decFromInt(v.tokens));
  return { period: cur.period, ratio: decCoins.add(ratioOf(ctx, val, cur.period - 1n), perToken) };
}

export interface DistributionKeeperDeps {
  bank: BankKeeper;
}

/**
 * Creates the keeper.
 *
 * @example
 * const keeper = createDistributionKeeper({ bank });
 * keeper.initializeValidator(ctx, "poqvaloper1...");
 */
export function createDistributionKeeper(deps: DistributionKeeperDeps) {
  const { bank } = deps;

  const addToCommunityPool = (ctx: Ctx, coins: readonly DecCoin[]): void => {
    if (coins.length === 0) return;
    S.setCommunityPool(ctx, decCoins.add(S.getCommunityPool(ctx), coins));
  };

  /** A new validator: period 0 with one reference, current period 1, empty commission and outstanding. */
  const initializeValidator = (ctx: Ctx, operatorAddress: string): void => {
    const val = parseValoperAddress(operatorAddress);
    S.setHistorical(ctx, val, 0n, { ratio: [], referenceCount: 1 });
    S.setCurrent(ctx, val, { rewards: [], period: 1n });
    S.setCommission(ctx, val, []);
    S.setOutstanding(ctx, val, []);
  };

  /**
   * Ends the validator's current period: its rewards per token join the cumulative ratio of a new
   * historical record. With no tokens the rewards cannot be shared out and go to the community pool.
   * Returns the period that ended.
   */
  const incrementValidatorPeriod = (ctx: Ctx, v: RewardValidator): bigint => {
    const val = valBytes(v);
    const cur = mustCurrent(ctx, val, v.operatorAddress);
    let perToken: DecCoin[] = [];
    if (v.tokens === 0n) {
      addToCommunityPool(ctx, cur.rewards);
      S.setOutstanding(ctx, val, decCoins.sub(S.getOutstanding(ctx, val) ?? [], cur.rewards));
    } else {
      perToken = decCoins.quoDecTruncate(cur.rewards, decFromInt(v.tokens));
    }
    const previous = ratioOf(ctx, val, cur.period - 1n);
    changeReferenceCount(ctx, val, cur.period - 1n, -1);
    S.setHistorical(ctx, val, cur.period, { ratio: decCoins.add(previous, perToken), referenceCount: 1 });
    S.setCurrent(ctx, val, { rewards: [], period: cur.period + 1n });
    return cur.period;
  };

  /** Starts a delegation's accrual at the validator's last finished period. */
  const initializeDelegation = (ctx: Ctx, v: RewardValidator, delegator: string, shares: bigint): void => {
    const val = valBytes(v);
    const previousPeriod = mustCurrent(ctx, val, v.operatorAddress).period - 1n;
    changeReferenceCount(ctx, val, previousPeriod, 1);
    S.setStartingInfo(ctx, val, parseAccountAddress(delegator), {
      previousPeriod,
      stake: tokensFromSharesTruncated(v, shares),
      height: ctx.blockHeight,
    });
  };

  /**
   * The rewards a delegation earned from its starting period to `endingRatio`'s period: stake × the
   * growth of the cumulative ratio, period by period between the validator's slashes (each slash cuts
   * the stake by its fraction).
   */
  const rewardsUpTo = (
    ctx: Ctx,
    v: RewardValidator,
    delegator: string,
    shares: bigint,
    ending: { period: bigint; ratio: DecCoin[] },
  ): DecCoin[] => {
    const val = valBytes(v);
    const info = S.getStartingInfo(ctx, val, parseAccountAddress(delegator));
    if (!info)
      throw new ChainError(ErrEmptyDelegationDistInfo, `delegation ${delegator} -> ${v.operatorAddress}`);
    // Started in this block: nothing accrued yet.
    if (info.height === ctx.blockHeight) return [];
    const between = (start: bigint, endRatio: readonly DecCoin[], stake: bigint): DecCoin[] =>
      decCoins.mulDecTruncate(decCoins.sub(endRatio, ratioOf(ctx, val, start)), stake);
    let rewards: DecCoin[] = [];
    let start = info.previousPeriod;
    let stake = info.stake;
    for (const e of S.slashEventsBetween(ctx, val, info.height, ctx.blockHeight)) {
      if (e.validatorPeriod > start) {
        rewards = decCoins.add(rewards, between(start, ratioOf(ctx, val, e.validatorPeriod), stake));
        stake = decMulTruncate(stake, DEC_ONE - e.fraction);
        start = e.validatorPeriod;
      }
    }
    // Rounding in the share math may leave the tracked stake a few units above the current tokens.
    const current = tokensFromShares(v, shares);
    if (stake > current) stake = current;
    return decCoins.add(rewards, between(start, ending.ratio, stake));
  };

  /** Rewards accrued so far by a delegation, without writing anything (queries). */
  const pendingDelegationRewards = (
    ctx: Ctx,
    v: RewardValidator,
    delegator: string,
    shares: bigint,
  ): DecCoin[] => rewardsUpTo(ctx, v, delegator, shares, currentPeriodRatio(ctx, valBytes(v), v));

  const withdrawAddressOf = (ctx: Ctx, account: string): string => {
    const to = S.getWithdrawAddr(ctx, parseAccountAddress(account));
    return to ? formatAccountAddress(to) : formatAccountAddress(parseAccountAddress(account));
  };

  /**
   * Pays a delegation's rewards to its withdraw address and ends its accrual (the caller starts a new
   * one with initializeDelegation when the delegation lives on). Decimal dust goes to the community pool.
   */
  const withdrawDelegationRewards = (
    ctx: Ctx,
    v: RewardValidator,
    delegator: string,
    shares: bigint,
  ): Coin[] => {
    const val = valBytes(v);
    const del = parseAccountAddress(delegator);
    const info = S.getStartingInfo(ctx, val, del);
    if (!info)
      throw new ChainError(ErrEmptyDelegationDistInfo, `delegation ${delegator} -> ${v.operatorAddress}`);
    const endingPeriod = incrementValidatorPeriod(ctx, v);
    const raw = rewardsUpTo(ctx, v, delegator, shares, {
      period: endingPeriod,
      ratio: ratioOf(ctx, val, endingPeriod),
    });
    const outstanding = S.getOutstanding(ctx, val) ?? [];
    // Truncation keeps the sum of claims under what was allocated; never pay more than is there.
    const rewards = decCoins.intersect(raw, outstanding);
    const { coins, change } = decCoins.truncate(rewards);
    if (coins.length > 0)
      bank.sendCoinsFromModuleToAccount(ctx, DISTRIBUTION_MODULE, withdrawAddressOf(ctx, delegator), coins);
    S.setOutstanding(ctx, val, decCoins.sub(outstanding, rewards));
    addToCommunityPool(ctx, change);
    changeReferenceCount(ctx, val, info.previousPeriod, -1);
    S.deleteStartingInfo(ctx, val, del);
    ctx.emitEvent(
      withdrawRewardsEvent(
        coins.length > 0 ? coins : [{ denom: BASE_DENOM, amount: 0n }],
        v.operatorAddress,
        delegator,
      ),
    );
    return coins;
  };

  /** Pays a validator's accumulated commission (whole coins) to its operator's withdraw address. */
  const withdrawValidatorCommission = (ctx: Ctx, operatorAddress: string): Coin[] => {
    const val = parseValoperAddress(operatorAddress);
    const commission = S.getCommission(ctx, val);
    if (decCoins.isZero(commission)) throw new ChainError(ErrNoValidatorCommission);
    const { coins, change } = decCoins.truncate(commission);
    S.setCommission(ctx, val, change);
    S.setOutstanding(ctx, val, decCoins.sub(S.getOutstanding(ctx, val) ?? [], decCoins.fromCoins(coins)));
    if (coins.length > 0)
      bank.sendCoinsFromModuleToAccount(
        ctx,
        DISTRIBUTION_MODULE,
        withdrawAddressOf(ctx, formatAccountAddress(val)),
        coins,
      );
    ctx.emitEvent(withdrawCommissionEvent(coins));
    return coins;
  };

  /** Credits `tokens` to a validator: its commission rate's part to commission, the rest to its delegators. */
  const allocateTokensToValidator = (ctx: Ctx, v: RewardValidator, tokens: readonly DecCoin[]): void => {
    const val = valBytes(v);
    const commission = decCoins.mulDec(tokens, v.commission.rate);
    const shared = decCoins.sub(tokens, commission);
    ctx.emitEvent(commissionEvent(commission, v.operatorAddress));
    S.setCommission(ctx, val, decCoins.add(S.getCommission(ctx, val), commission));
    const cur = mustCurrent(ctx, val, v.operatorAddress);
    S.setCurrent(ctx, val, { rewards: decCoins.add(cur.rewards, shared), period: cur.period });
    ctx.emitEvent(rewardsEvent(tokens, v.operatorAddress));
    S.setOutstanding(ctx, val, decCoins.add(S.getOutstanding(ctx, val) ?? [], tokens));
  };

  /** Records a slash: ends the period (the stake changes now) and keeps the fraction for F1. */
  const recordSlash = (ctx: Ctx, v: RewardValidator, fraction: bigint): void => {
    const val = valBytes(v);
    const period = incrementValidatorPeriod(ctx, v);
    changeReferenceCount(ctx, val, period, 1);
    S.setSlashEvent(ctx, val, { height: ctx.blockHeight, validatorPeriod: period, fraction });
  };

  /**
   * A removed validator (no delegations left): its commission is paid out, what is left of its
   * outstanding rewards (rounding dust) goes to the community pool, and its records are deleted.
   */
  const removeValidator = (ctx: Ctx, operatorAddress: string): void => {
    const val = parseValoperAddress(operatorAddress);
    let outstanding = S.getOutstanding(ctx, val) ?? [];
    const commission = S.getCommission(ctx, val);
    if (!decCoins.isZero(commission)) {
      outstanding = decCoins.sub(outstanding, commission);
      const { coins, change } = decCoins.truncate(commission);
      addToCommunityPool(ctx, change);
      if (coins.length > 0)
        bank.sendCoinsFromModuleToAccount(
          ctx,
          DISTRIBUTION_MODULE,
          withdrawAddressOf(ctx, formatAccountAddress(val)),
          coins,
        );
    }
    addToCommunityPool(ctx, outstanding);
    S.deleteOutstanding(ctx, val);
    S.setCommission(ctx, val, []);
    S.deleteAllSlashEvents(ctx, val);
    S.deleteAllHistorical(ctx, val);
    S.deleteCurrent(ctx, val);
  };

  return {
    store: S,
    addToCommunityPool,
    initializeValidator,
    incrementValidatorPeriod,
    initializeDelegation,
    pendingDelegationRewards,
    withdrawDelegationRewards,
    withdrawValidatorCommission,
    allocateTokensToValidator,
    recordSlash,
    removeValidator,
    withdrawAddressOf,
    /** Whether distribution knows the validator (it has a current-rewards record). */
    hasValidator: (ctx: Ctx, operatorAddress: string): boolean =>
      S.getCurrent(ctx, parseValoperAddress(operatorAddress)) !== undefined,
  };
}

export type DistributionKeeper = ReturnType<typeof createDistributionKeeper>;
