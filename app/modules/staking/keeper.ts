/**
 * The staking keeper: validators, delegations, unbonding and redelegation entries, and the pools
 * that hold their tokens, with the SDK's rules (x/staking keeper, v0.50). Shares math is bigint
 * fixed point (dec.ts); every list is read in key order, so all nodes see the same.
 *
 * The set CometBFT runs is computed in EndBlock (validator-set.ts); this file changes tokens,
 * shares and jailing and marks the set dirty when it does.
 */
import { ChainError } from "../../errors.js";
import { formatAccountAddress } from "../auth/address.js";
import { ErrInvalidRequest } from "../../sdk-errors.js";
import type { Context } from "../../types.js";
import type { BankKeeper } from "../bank/keeper.js";
import { decMul, decMulTruncate, decQuo, decQuoRoundUp, decTruncateInt } from "../../legacy-dec.js";
import {
  ErrDelegatorShareExRateInvalid,
  ErrMaxRedelegationEntries,
  ErrMaxUnbondingDelegationEntries,
  ErrNoDelegation,
  ErrNoValidatorFound,
  ErrBadRedelegationDst,
  ErrNotEnoughDelegationShares,
  ErrSelfRedelegation,
  ErrTinyRedelegationAmount,
  ErrTransitiveRedelegation,
  ErrNoUnbondingDelegation,
  ErrValidatorJailed,
} from "./errors.js";
import {
  DEC_SCALE,
  POWER_REDUCTION,
  type BondStatusName,
  type StakingHooks,
  type StakingValidator,
} from "./hooks.js";
import {
  BONDED_POOL,
  NOT_BONDED_POOL,
  redelegationByDstKey,
  redelegationBySrcKey,
  redelegationKey,
  redelegationQueueKey,
  redelegationsFromPrefix,
  redelegationsToPrefix,
  setDirtyKey,
  unbondingByValidatorKey,
  unbondingKey,
  unbondingQueueKey,
  unbondingsByValidatorPrefix,
} from "./keys.js";
import {
  accountBytes,
  decodeRedelegationEntries,
  decodeUnbondingEntries,
  deleteDelegation,
  deleteValidator,
  encodeRedelegationEntries,
  encodeUnbondingEntries,
  readDelegation,
  readParams,
  readValidator,
  readValidatorByCons,
  valoperBytes,
  valoperOf,
  writeDelegation,
  writeValidator,
  type StoreContext,
} from "./records.js";

/** CometBFT voting power of a validator: tokens / 10^6. */
export const consensusPower = (v: Pick<StakingValidator, "tokens">): bigint => v.tokens / POWER_REDUCTION;

/** The pool holding a validator's tokens. */
export const poolOf = (status: BondStatusName): string =>
  status === "BOND_STATUS_BONDED" ? BONDED_POOL : NOT_BONDED_POOL;

/** Tokens worth `shares` of validator `v`, truncated (the SDK's `TokensFromShares(..).TruncateInt()`). */
export function tokensFromShares(
  v: Pick<StakingValidator, "tokens" | "delegatorShares">,
  shares: bigint,
): bigint {
  if (v.delegatorShares === 0n) return 0n;
  return decTruncateInt(decQuo(shares * v.tokens, v.delegatorShares));
}

/** Shares worth `amount` tokens of validator `v`, truncated (the SDK's `SharesFromTokens`). */
export function sharesFromTokens(
  v: Pick<StakingValidator, "tokens" | "delegatorShares">,
  amount: bigint,
): bigint {
  if (v.tokens === 0n) return 0n;
  return (v.delegatorShares * amount) / v.tokens;
}

/** The calls staking makes into the hooks other modules registered. */
export function combineHooks(list: readonly StakingHooks[]): Required<StakingHooks> {
  return {
    afterValidatorCreated: (ctx, val) => list.forEach((h) => h.afterValidatorCreated?.(ctx, val)),
    afterValidatorRemoved: (ctx, cons, val) => list.forEach((h) => h.afterValidatorRemoved?.(ctx, cons, val)),
    beforeDelegationCreated: (ctx, d, v) => list.forEach((h) => h.beforeDelegationCreated?.(ctx, d, v)),
    beforeDelegationSharesModified: (ctx, d, v) =>
      list.forEach((h) => h.beforeDelegationSharesModified?.(ctx, d, v)),
    beforeDelegationRemoved: (ctx, d, v) => list.forEach((h) => h.beforeDelegationRemoved?.(ctx, d, v)),
    afterDelegationModified: (ctx, d, v) => list.forEach((h) => h.afterDelegationModified?.(ctx, d, v)),
    beforeValidatorSlashed: (ctx, v, f) => list.forEach((h) => h.beforeValidatorSlashed?.(ctx, v, f)),
  };
}

/** What the token-moving rules need. */
export interface StakingCore {
  bank: BankKeeper;
  hooks: Required<StakingHooks>;
}

const markDirty = (ctx: StoreContext): void => ctx.store.set(setDirtyKey(), Uint8Array.of(1));

const bytesOf = (valoper: string): Uint8Array => {
  const b = valoperBytes(valoper);
  if (!b) throw new ChainError(ErrInvalidRequest, `${valoper} is not a validator operator address`);
  return b;
};

const accountOf = (address: string): Uint8Array => {
  const b = accountBytes(address);
  if (!b) throw new ChainError(ErrInvalidRequest, `${address} is not an account address`);
  return b;
};

/** Stores a validator whose tokens, status or jailing changed, and marks the set for EndBlock. */
export function saveValidator(ctx: StoreContext, v: StakingValidator): void {
  writeValidator(ctx, v);
  markDirty(ctx);
}

/** Moves tokens between the pools when a validator's tokens change pool (bonding, unbonding, redelegation). */
export function movePool(core: StakingCore, ctx: Context, from: string, to: string, amount: bigint): void {
  if (from === to || amount === 0n) return;
  core.bank.sendCoinsFromModuleToModule(ctx, from, to, [{ denom: readParams(ctx).bondDenom, amount }]);
}

/**
 * Delegates `amount` tokens to `v` (the SDK's `Keeper.Delegate`). With `source: "account"` the
 * tokens come from the delegator's balance; otherwise they are already in the pool of a validator
 * with that status (a redelegation) and move to `v`'s pool if it differs. Returns the new shares.
 *
 * @example
 * delegate(core, ctx, "poq1...", 1_000_000n, validator, "account");
 */
export function delegate(
  core: StakingCore,
  ctx: Context,
  delegator: string,
  amount: bigint,
  v: StakingValidator,
  source: "account" | BondStatusName,
): bigint {
  if (v.tokens === 0n && v.delegatorShares > 0n) {
    throw new ChainError(ErrDelegatorShareExRateInvalid, `validator ${v.operatorAddress} has no tokens left`);
  }
  const del = accountOf(delegator);
  const val = bytesOf(v.operatorAddress);
  const existing = readDelegation(ctx, del, val);
  if (existing) core.hooks.beforeDelegationSharesModified(ctx, delegator, v.operatorAddress);
  else core.hooks.beforeDelegationCreated(ctx, delegator, v.operatorAddress);
  const target = poolOf(v.status);
  if (source === "account") {
    core.bank.sendCoinsFromAccountToModule(ctx, delegator, target, [
      { denom: readParams(ctx).bondDenom, amount },
    ]);
  } else {
    movePool(core, ctx, poolOf(source), target, amount);
  }
  // A validator reached again after hooks may have changed nothing of its tokens; read it fresh.
  const current = readValidator(ctx, val) ?? v;
  const issued = current.delegatorShares === 0n ? amount * DEC_SCALE : sharesFromTokens(current, amount);
  saveValidator(ctx, {
    ...current,
    tokens: current.tokens + amount,
    delegatorShares: current.delegatorShares + issued,
  });
  writeDelegation(ctx, del, val, (existing?.shares ?? 0n) + issued);
  core.hooks.afterDelegationModified(ctx, delegator, v.operatorAddress);
  return issued;
}

/**
 * Removes `shares` of a delegation and the tokens they are worth from the validator (the SDK's
 * `Keeper.Unbond`): jails an operator whose self-delegation falls below its minimum, deletes an
 * emptied delegation, and an unbonded validator left without shares. Returns the tokens removed
 * (still in the validator's pool).
 */
export function unbond(
  core: StakingCore,
  ctx: Context,
  delegator: string,
  valoper: string,
  shares: bigint,
): bigint {
  const del = accountOf(delegator);
  const val = bytesOf(valoper);
  const delegation = readDelegation(ctx, del, val);
  if (!delegation) throw new ChainError(ErrNoDelegation, `${delegator} has no delegation to ${valoper}`);
  core.hooks.beforeDelegationSharesModified(ctx, delegator, valoper);
  if (delegation.shares < shares) {
    throw new ChainError(
      ErrNotEnoughDelegationShares,
      `invalid shares amount: ${shares} is more than the delegation's ${delegation.shares}`,
    );
  }
  let v = readValidator(ctx, val);
  if (!v) throw new ChainError(ErrNoValidatorFound, valoper);
  const remaining = delegation.shares - shares;
  const isOperator = Buffer.from(del).equals(Buffer.from(val));
  if (isOperator && !v.jailed && tokensFromShares(v, remaining) < v.minSelfDelegation) {
    v = { ...v, jailed: true };
    saveValidator(ctx, v);
  }
  if (remaining === 0n) {
    core.hooks.beforeDelegationRemoved(ctx, delegator, valoper);
    deleteDelegation(ctx, del, val);
  } else {
    writeDelegation(ctx, del, val, remaining);
    core.hooks.afterDelegationModified(ctx, delegator, valoper);
  }
  v = readValidator(ctx, val) ?? v;
  const left = v.delegatorShares - shares;
  const amount = left === 0n ? v.tokens : tokensFromShares(v, shares);
  const updated = { ...v, tokens: v.tokens - amount, delegatorShares: left };
  if (left === 0n && updated.status === "BOND_STATUS_UNBONDED") removeValidator(core, ctx, updated);
  else saveValidator(ctx, updated);
  return amount;
}

/** Deletes an unbonded validator without shares (its leftover tokens, if any, are burned as the SDK does). */
export function removeValidator(core: StakingCore, ctx: Context, v: StakingValidator): void {
  if (v.tokens > 0n)
    core.bank.burnCoins(ctx, NOT_BONDED_POOL, [{ denom: readParams(ctx).bondDenom, amount: v.tokens }]);
  deleteValidator(ctx, v);
  markDirty(ctx);
  core.hooks.afterValidatorRemoved(ctx, v.consensusAddress, v.operatorAddress);
}

/**
 * Undelegates `shares` (the SDK's `Keeper.Undelegate`): the tokens go to the not-bonded pool and an
 * unbonding entry pays them out when `unbonding_time` has passed (EndBlock).
 */
export function undelegate(
  core: StakingCore,
  ctx: Context,
  delegator: string,
  valoper: string,
  shares: bigint,
): { amount: bigint; completionTimeNanos: bigint } {
  const val = bytesOf(valoper);
  const del = accountOf(delegator);
  const v = readValidator(ctx, val);
  if (!v) throw new ChainError(ErrNoValidatorFound, valoper);
  const params = readParams(ctx);
  const ubdKey = unbondingKey(del, val);
  const entries = decodeUnbondingEntries(ctx.store.get(ubdKey));
  if (entries.length >= params.maxEntries) {
    throw new ChainError(
      ErrMaxUnbondingDelegationEntries,
      `${entries.length} entries, max_entries ${params.maxEntries}`,
    );
  }
  const amount = unbond(core, ctx, delegator, valoper, shares);
  if (v.status === "BOND_STATUS_BONDED") movePool(core, ctx, BONDED_POOL, NOT_BONDED_POOL, amount);
  const completionTimeNanos = ctx.blockTimeNanos + params.unbondingTimeNanos;
  if (amount > 0n) {
    entries.push({
      creationHeight: ctx.blockHeight,
      completionTimeNanos,
      initialBalance: amount,
      balance: amount,
    });
    ctx.store.set(ubdKey, encodeUnbondingEntries(entries));
    ctx.store.set(unbondingByValidatorKey(val, del), new Uint8Array(0));
    ctx.store.set(unbondingQueueKey(completionTimeNanos, del, val), new Uint8Array(0));
  }
  return { amount, completionTimeNanos };
}

/**
 * Puts `amount` of the unbonding entry made at `creationHeight` back into the delegation (the SDK's
 * `CancelUnbondingDelegation`): the tokens go from the not-bonded pool to the validator's pool as a
 * delegation (hooks as for a delegation); the entry shrinks (balance and initial balance) or goes.
 * Returns the shares issued.
 */
export function cancelUnbonding(
  core: StakingCore,
  ctx: Context,
  delegator: string,
  valoper: string,
  amount: bigint,
  creationHeight: bigint,
): bigint {
  const val = bytesOf(valoper);
  const del = accountOf(delegator);
  const v = readValidator(ctx, val);
  if (!v) throw new ChainError(ErrNoValidatorFound, valoper);
  if (v.jailed) throw new ChainError(ErrValidatorJailed, valoper);
  const ubdKey = unbondingKey(del, val);
  const entries = decodeUnbondingEntries(ctx.store.get(ubdKey));
  if (entries.length === 0)
    throw new ChainError(
      ErrNoUnbondingDelegation,
      `${delegator} has no unbonding delegation from ${valoper}`,
    );
  const i = entries.findIndex((e) => e.creationHeight === creationHeight);
  const entry = entries[i];
  if (!entry)
    throw new ChainError(
      ErrInvalidRequest,
      `unbonding delegation entry is not found at block height ${creationHeight}`,
    );
  if (entry.completionTimeNanos < ctx.blockTimeNanos)
    throw new ChainError(ErrInvalidRequest, "unbonding delegation is already processed");
  if (entry.balance < amount)
    throw new ChainError(ErrInvalidRequest, "amount is greater than the unbonding delegation entry balance");
  const shares = delegate(core, ctx, delegator, amount, v, "BOND_STATUS_UNBONDING");
  if (entry.balance === amount) {
    entries.splice(i, 1);
    // No queue entry outlives the entries it pays, so the queue is a function of the entries (export).
    if (!entries.some((e) => e.completionTimeNanos === entry.completionTimeNanos))
      ctx.store.delete(unbondingQueueKey(entry.completionTimeNanos, del, val));
  } else
    entries[i] = { ...entry, balance: entry.balance - amount, initialBalance: entry.initialBalance - amount };
  if (entries.length === 0) {
    ctx.store.delete(ubdKey);
    ctx.store.delete(unbondingByValidatorKey(val, del));
  } else ctx.store.set(ubdKey, encodeUnbondingEntries(entries));
  return shares;
}

/**
 * Moves `shares` of a delegation from `src` to `dst` (the SDK's `BeginRedelegation`): no tokens
 * leave the pools; until it matures the entry blocks a transitive redelegation and marks the stake
 * that a slash of `src` for an earlier infraction still reaches ({@link slash}).
 */
export function beginRedelegation(
  core: StakingCore,
  ctx: Context,
  delegator: string,
  srcValoper: string,
  dstValoper: string,
  shares: bigint,
): { amount: bigint; completionTimeNanos: bigint } {
  const src = bytesOf(srcValoper);
  const dst = bytesOf(dstValoper);
  const del = accountOf(delegator);
  if (Buffer.from(src).equals(Buffer.from(dst))) throw new ChainError(ErrSelfRedelegation, srcValoper);
  const dstValidator = readValidator(ctx, dst);
  if (!dstValidator) throw new ChainError(ErrBadRedelegationDst, dstValoper);
  const srcValidator = readValidator(ctx, src);
  if (!srcValidator) throw new ChainError(ErrBadRedelegationDst, `source ${srcValoper} not found`);
  // A delegator may not redelegate tokens that are themselves still arriving by a redelegation.
  for (const _ of ctx.store.iterate(redelegationsToPrefix(del, src), { limit: 1 })) {
    throw new ChainError(
      ErrTransitiveRedelegation,
      `${srcValoper} received a redelegation that has not completed`,
    );
  }
  const params = readParams(ctx);
  const redKey = redelegationKey(del, src, dst);
  const entries = decodeRedelegationEntries(ctx.store.get(redKey));
  if (entries.length >= params.maxEntries) {
    throw new ChainError(
      ErrMaxRedelegationEntries,
      `${entries.length} entries, max_entries ${params.maxEntries}`,
    );
  }
  const amount = unbond(core, ctx, delegator, srcValoper, shares);
  if (amount === 0n) throw new ChainError(ErrTinyRedelegationAmount, `${shares} shares are worth 0 tokens`);
  const dstNow = readValidator(ctx, dst) ?? dstValidator;
  const sharesDst = delegate(core, ctx, delegator, amount, dstNow, srcValidator.status);
  // The SDK's getBeginInfo: from an unbonded validator it completes now; from an unbonding one
  // with that validator; otherwise after the unbonding period.
  if (srcValidator.status === "BOND_STATUS_UNBONDED")
    return { amount, completionTimeNanos: ctx.blockTimeNanos };
  const unbonding = srcValidator.status === "BOND_STATUS_UNBONDING";
  const completionTimeNanos = unbonding
    ? srcValidator.unbondingTimeNanos
    : ctx.blockTimeNanos + params.unbondingTimeNanos;
  entries.push({
    creationHeight: unbonding ? srcValidator.unbondingHeight : ctx.blockHeight,
    completionTimeNanos,
    initialBalance: amount,
    sharesDst,
  });
  ctx.store.set(redKey, encodeRedelegationEntries(entries));
  ctx.store.set(redelegationByDstKey(del, dst, src), new Uint8Array(0));
  ctx.store.set(redelegationBySrcKey(src, del, dst), new Uint8Array(0));
  ctx.store.set(redelegationQueueKey(completionTimeNanos, del, src, dst), new Uint8Array(0));
  return { amount, completionTimeNanos };
}

/**
 * Slashes the unbonding entries of `val` made at or after `infractionHeight` and not yet paid (the
 * SDK's `SlashUnbondingDelegation`, for every delegator): each loses `fraction` of its initial
 * balance, at most what is left of it, burned from the not-bonded pool. Returns what was due (the
 * SDK counts that against the validator's slash, even where less was left) and what was burned.
 */
function slashUnbondings(
  core: StakingCore,
  ctx: Context,
  val: Uint8Array,
  infractionHeight: bigint,
  fraction: bigint,
  denom: string,
): { due: bigint; burned: bigint } {
  let due = 0n;
  let burned = 0n;
  const prefix = unbondingsByValidatorPrefix(val);
  for (const [k] of [...ctx.store.iterate(prefix)]) {
    const del = k.subarray(prefix.length);
    const entries = decodeUnbondingEntries(ctx.store.get(unbondingKey(del, val)));
    let fromEntries = 0n;
    for (const e of entries) {
      if (e.creationHeight < infractionHeight || e.completionTimeNanos <= ctx.blockTimeNanos) continue;
      const owed = decMulTruncate(e.initialBalance * DEC_SCALE, fraction) / DEC_SCALE;
      const cut = owed < e.balance ? owed : e.balance;
      e.balance -= cut;
      fromEntries += cut;
      due += owed;
    }
    if (fromEntries > 0n) {
      ctx.store.set(unbondingKey(del, val), encodeUnbondingEntries(entries));
      core.bank.burnCoins(ctx, NOT_BONDED_POOL, [{ denom, amount: fromEntries }]);
      burned += fromEntries;
    }
  }
  return { due, burned };
}

/**
 * Slashes the redelegations out of `src` made at or after `infractionHeight` and not yet matured
 * (the SDK's `SlashRedelegation`, for every delegator): the stake moved away still answers for the
 * infraction. For each entry, `fraction` of the destination shares it issued are unbonded from the
 * destination validator (at most the delegation's shares; hooks as any unbond, so distribution pays
 * out the rewards first) and the tokens they are worth are burned from the destination's pool.
 * Returns what was due (`fraction` of each entry's initial balance) and what was burned.
 */
function slashRedelegations(
  core: StakingCore,
  ctx: Context,
  src: Uint8Array,
  infractionHeight: bigint,
  fraction: bigint,
  denom: string,
): { due: bigint; burned: bigint } {
  let due = 0n;
  let burned = 0n;
  const prefix = redelegationsFromPrefix(src);
  for (const [k] of [...ctx.store.iterate(prefix)]) {
    const del = k.subarray(prefix.length, prefix.length + 20);
    const dst = k.subarray(prefix.length + 20, prefix.length + 40);
    const delegator = formatAccountAddress(del);
    const dstValoper = valoperOf(dst);
    let bonded = 0n;
    let notBonded = 0n;
    for (const e of decodeRedelegationEntries(ctx.store.get(redelegationKey(del, src, dst)))) {
      if (e.creationHeight < infractionHeight || e.completionTimeNanos <= ctx.blockTimeNanos) continue;
      due += decMulTruncate(e.initialBalance * DEC_SCALE, fraction) / DEC_SCALE;
      let shares = decMul(fraction, e.sharesDst);
      if (shares === 0n) continue;
      // Read on every entry: an earlier entry may have unbonded (or emptied) the delegation.
      const delegation = readDelegation(ctx, del, dst);
      if (!delegation) continue;
      if (shares > delegation.shares) shares = delegation.shares;
      // Unbonding changes no status, so the pool the tokens sit in is the one before it.
      const status = readValidator(ctx, dst)?.status ?? "BOND_STATUS_UNBONDED";
      const tokens = unbond(core, ctx, delegator, dstValoper, shares);
      if (status === "BOND_STATUS_BONDED") bonded += tokens;
      else notBonded += tokens;
    }
    if (bonded > 0n) core.bank.burnCoins(ctx, BONDED_POOL, [{ denom, amount: bonded }]);
    if (notBonded > 0n) core.bank.burnCoins(ctx, NOT_BONDED_POOL, [{ denom, amount: notBonded }]);
    burned += bonded + notBonded;
  }
  return { due, burned };
}

/**
 * Slashes the validator with consensus address `cons` for an infraction at `infractionHeight`, when
 * it had `power` (the SDK's `Keeper.Slash`): `fraction` of the stake it had then is burned, first
 * from unbonding entries and redelegations made since the infraction (a delegator cannot escape by
 * leaving after it), the rest from the validator's tokens. Returns every token burned: from the
 * validator, its unbonding entries and the redelegated stake (burned at its destination).
 */
export function slash(
  core: StakingCore,
  ctx: Context,
  cons: Uint8Array,
  infractionHeight: bigint,
  power: bigint,
  fraction: bigint,
): bigint {
  const v = readValidatorByCons(ctx, cons);
  if (!v || v.status === "BOND_STATUS_UNBONDED" || fraction <= 0n) return 0n;
  const denom = readParams(ctx).bondDenom;
  const val = bytesOf(v.operatorAddress);
  let remaining = decMulTruncate(power * POWER_REDUCTION * DEC_SCALE, fraction) / DEC_SCALE;
  let burned = 0n;
  if (infractionHeight < ctx.blockHeight) {
    const unbondings = slashUnbondings(core, ctx, val, infractionHeight, fraction, denom);
    remaining -= unbondings.due;
    burned += unbondings.burned;
    const redelegations = slashRedelegations(core, ctx, val, infractionHeight, fraction, denom);
    remaining -= redelegations.due;
    burned += redelegations.burned;
  }
  let fromTokens = remaining < v.tokens ? remaining : v.tokens;
  if (fromTokens < 0n) fromTokens = 0n;
  // As the SDK: nothing to burn from the tokens, no hook (distribution would record a zero slash).
  if (fromTokens > 0n && v.tokens > 0n) {
    // The SDK's effective fraction: burned / tokens, rounded up (`QuoRoundUp`).
    const effective = decQuoRoundUp(fromTokens * DEC_SCALE, v.tokens * DEC_SCALE);
    core.hooks.beforeValidatorSlashed(ctx, v.operatorAddress, effective > DEC_SCALE ? DEC_SCALE : effective);
  }
  if (fromTokens > 0n) {
    const now = readValidator(ctx, val) ?? v;
    saveValidator(ctx, { ...now, tokens: now.tokens - fromTokens });
    core.bank.burnCoins(ctx, poolOf(now.status), [{ denom, amount: fromTokens }]);
    burned += fromTokens;
  }
  return burned;
}

/** Jails or unjails the validator with this consensus address (it leaves or may rejoin the set at EndBlock). */
export function setJailed(ctx: StoreContext, cons: Uint8Array, jailed: boolean): void {
  const v = readValidatorByCons(ctx, cons);
  if (!v || v.jailed === jailed) return;
  saveValidator(ctx, { ...v, jailed });
}
