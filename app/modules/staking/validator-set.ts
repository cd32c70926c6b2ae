/**
 * EndBlock of staking (the SDK's `BlockValidatorUpdates`): the bonded set follows stake, and what
 * matured by block time completes.
 *
 * 1. The power changes returned two blocks ago (CometBFT applies updates of H at H+2) are written
 *    into the consensus view (`validators` module), so that during block K+1 the view is the set
 *    that signed height K: the injected vote extensions of K verify against it.
 * 2. When tokens, status or jailing changed (the dirty mark): the top `max_validators` unjailed
 *    validators by power (ties: operator address bytes ascending) are BONDED, the others leave
 *    (UNBONDING for `unbonding_time`); the changes against the last powers are this block's
 *    `validator_updates`, in that order, then the leavers by operator address.
 * 3. Unbonding validators, unbonding delegations and redelegations whose time has come complete.
 */
import type { ValidatorUpdate } from "../../../abci/application.js";
import type { Context } from "../../types.js";
import { formatAccountAddress } from "../auth/address.js";
import { consensusAddress as consensusAddressOf, type ValidatorsKeeper } from "../validators/keeper.js";
import type { StakingValidator } from "./hooks.js";
import { consensusPower, movePool, removeValidator, saveValidator, type StakingCore } from "./keeper.js";
import {
  BONDED_POOL,
  KeyTag,
  lastPowerKey,
  NOT_BONDED_POOL,
  pendingUpdatesKey,
  prefixOf,
  readU64,
  redelegationByDstKey,
  redelegationBySrcKey,
  redelegationKey,
  setDirtyKey,
  u64,
  unbondingByValidatorKey,
  unbondingKey,
  validatorQueueKey,
} from "./keys.js";
import {
  decodeRedelegationEntries,
  decodeUnbondingEntries,
  encodeRedelegationEntries,
  encodeUnbondingEntries,
  readAllValidators,
  readParams,
  readValidator,
  valoperBytes,
  valoperOf as valoperOfBytes,
} from "./records.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One pending change of the consensus view: [pub_key base64, power, operator account, moniker]. */
type PendingJson = [string, string, string, string];

const compareBytes = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);

/** Power-index order: power descending, then operator address bytes ascending. */
export function byPowerIndex(a: StakingValidator, b: StakingValidator): number {
  const pa = consensusPower(a);
  const pb = consensusPower(b);
  if (pa !== pb) return pa > pb ? -1 : 1;
  return compareBytes(
    valoperBytes(a.operatorAddress) ?? a.consensusAddress,
    valoperBytes(b.operatorAddress) ?? b.consensusAddress,
  );
}

/** The last powers sent to CometBFT, by operator address bytes (ascending). */
export function readLastPowers(ctx: Pick<Context, "store">): { val: Uint8Array; power: bigint }[] {
  const prefix = prefixOf(KeyTag.LastPower);
  return [...ctx.store.iterate(prefix)].map(([k, v]) => ({
    val: Uint8Array.from(k.subarray(prefix.length)),
    power: readU64(v),
  }));
}

function applyPendingView(ctx: Context, view: ValidatorsKeeper): void {
  if (ctx.blockHeight < 2n) return;
  const key = pendingUpdatesKey(ctx.blockHeight - 2n);
  const raw = ctx.store.get(key);
  if (!raw) return;
  for (const [pub, power, operator, moniker] of JSON.parse(dec.decode(raw)) as PendingJson[]) {
    const pubKey = Uint8Array.from(Buffer.from(pub, "base64"));
    view.set(ctx, {
      address: consensusAddressOf(pubKey),
      pubKey,
      power: BigInt(power),
      operator,
      moniker,
    });
  }
  ctx.store.delete(key);
}

function bondValidator(core: StakingCore, ctx: Context, v: StakingValidator): StakingValidator {
  if (v.status === "BOND_STATUS_UNBONDING")
    ctx.store.delete(validatorQueueKey(v.unbondingTimeNanos, valoperBytes(v.operatorAddress)!));
  movePool(core, ctx, NOT_BONDED_POOL, BONDED_POOL, v.tokens);
  const bonded: StakingValidator = { ...v, status: "BOND_STATUS_BONDED" };
  saveValidator(ctx, bonded);
  return bonded;
}

function beginUnbondingValidator(core: StakingCore, ctx: Context, v: StakingValidator): void {
  const params = readParams(ctx);
  const unbondingTimeNanos = ctx.blockTimeNanos + params.unbondingTimeNanos;
  movePool(core, ctx, BONDED_POOL, NOT_BONDED_POOL, v.tokens);
  saveValidator(ctx, {
    ...v,
    status: "BOND_STATUS_UNBONDING",
    unbondingHeight: ctx.blockHeight,
    unbondingTimeNanos,
  });
  ctx.store.set(validatorQueueKey(unbondingTimeNanos, valoperBytes(v.operatorAddress)!), new Uint8Array(0));
}

/** Recomputes the bonded set; returns the changes for CometBFT (step 2 above). */
function applySetUpdates(core: StakingCore, ctx: Context): { v: StakingValidator; power: bigint }[] {
  const params = readParams(ctx);
  const last = new Map(readLastPowers(ctx).map((l) => [Buffer.from(l.val).toString("hex"), l]));
  const candidates = readAllValidators(ctx)
    .filter((v) => !v.jailed && consensusPower(v) > 0n)
    .sort(byPowerIndex)
    .slice(0, params.maxValidators);
  const changes: { v: StakingValidator; power: bigint }[] = [];
  for (const candidate of candidates) {
    const val = valoperBytes(candidate.operatorAddress)!;
    const v = candidate.status === "BOND_STATUS_BONDED" ? candidate : bondValidator(core, ctx, candidate);
    const power = consensusPower(v);
    const hex = Buffer.from(val).toString("hex");
    if (last.get(hex)?.power !== power) {
      changes.push({ v, power });
      ctx.store.set(lastPowerKey(val), u64(power));
    }
    last.delete(hex);
  }
  // The map keeps insertion order, which is the stored (address byte) order.
  for (const { val } of last.values()) {
    ctx.store.delete(lastPowerKey(val));
    const v = readValidator(ctx, val);
    if (!v) continue;
    if (v.status === "BOND_STATUS_BONDED") beginUnbondingValidator(core, ctx, v);
    changes.push({ v, power: 0n });
  }
  return changes;
}

function completeMatureValidators(core: StakingCore, ctx: Context): void {
  const prefix = prefixOf(KeyTag.ValidatorQueue);
  for (const [k] of [...ctx.store.iterate(prefix)]) {
    if (readU64(k, prefix.length) > ctx.blockTimeNanos) break;
    ctx.store.delete(k);
    const v = readValidator(ctx, k.subarray(prefix.length + 8));
    if (!v || v.status !== "BOND_STATUS_UNBONDING") continue;
    const unbonded: StakingValidator = { ...v, status: "BOND_STATUS_UNBONDED" };
    if (unbonded.delegatorShares === 0n) removeValidator(core, ctx, unbonded);
    else saveValidator(ctx, unbonded);
  }
}

function completeMatureUnbondings(core: StakingCore, ctx: Context): void {
  const prefix = prefixOf(KeyTag.UnbondingQueue);
  const denom = readParams(ctx).bondDenom;
  for (const [k] of [...ctx.store.iterate(prefix)]) {
    if (readU64(k, prefix.length) > ctx.blockTimeNanos) break;
    ctx.store.delete(k);
    const del = k.subarray(prefix.length + 8, prefix.length + 28);
    const val = k.subarray(prefix.length + 28);
    const entries = decodeUnbondingEntries(ctx.store.get(unbondingKey(del, val)));
    const due = entries.filter((e) => e.completionTimeNanos <= ctx.blockTimeNanos);
    const left = entries.filter((e) => e.completionTimeNanos > ctx.blockTimeNanos);
    const amount = due.reduce((s, e) => s + e.balance, 0n);
    if (amount > 0n)
      core.bank.sendCoinsFromModuleToAccount(ctx, NOT_BONDED_POOL, formatAccountAddress(del), [
        { denom, amount },
      ]);
    if (left.length === 0) {
      ctx.store.delete(unbondingKey(del, val));
      ctx.store.delete(unbondingByValidatorKey(val, del));
    } else ctx.store.set(unbondingKey(del, val), encodeUnbondingEntries(left));
    if (due.length > 0) {
      ctx.emitEvent({
        type: "complete_unbonding",
        attributes: [
          { key: "amount", value: `${amount}${denom}`, index: true },
          { key: "validator", value: valoperOfBytes(val), index: true },
          { key: "delegator", value: formatAccountAddress(del), index: true },
        ],
      });
    }
  }
}

function completeMatureRedelegations(ctx: Context): void {
  const prefix = prefixOf(KeyTag.RedelegationQueue);
  for (const [k] of [...ctx.store.iterate(prefix)]) {
    if (readU64(k, prefix.length) > ctx.blockTimeNanos) break;
    ctx.store.delete(k);
    const at = prefix.length + 8;
    const del = k.subarray(at, at + 20);
    const src = k.subarray(at + 20, at + 40);
    const dst = k.subarray(at + 40, at + 60);
    const entries = decodeRedelegationEntries(ctx.store.get(redelegationKey(del, src, dst)));
    const left = entries.filter((e) => e.completionTimeNanos > ctx.blockTimeNanos);
    if (left.length === 0) {
      ctx.store.delete(redelegationKey(del, src, dst));
      ctx.store.delete(redelegationByDstKey(del, dst, src));
      ctx.store.delete(redelegationBySrcKey(src, del, dst));
    } else ctx.store.set(redelegationKey(del, src, dst), encodeRedelegationEntries(left));
    if (left.length < entries.length) {
      ctx.emitEvent({
        type: "complete_redelegation",
        attributes: [
          { key: "delegator", value: formatAccountAddress(del), index: true },
          { key: "source_validator", value: valoperOfBytes(src), index: true },
          { key: "destination_validator", value: valoperOfBytes(dst), index: true },
        ],
      });
    }
  }
}

/**
 * Staking's EndBlock: returns this block's `validator_updates` (only changes, deterministic order).
 *
 * @example
 * const updates = stakingEndBlock(core, ctx, validatorsKeeper);
 */
export function stakingEndBlock(core: StakingCore, ctx: Context, view: ValidatorsKeeper): ValidatorUpdate[] {
  applyPendingView(ctx, view);
  let updates: ValidatorUpdate[] = [];
  if (ctx.store.has(setDirtyKey())) {
    ctx.store.delete(setDirtyKey());
    const changes = applySetUpdates(core, ctx);
    updates = changes.map(({ v, power }) => ({ pubKeyEd25519: v.consensusPubKey, power }));
    if (changes.length > 0) {
      const pending: PendingJson[] = changes.map(({ v, power }) => [
        Buffer.from(v.consensusPubKey).toString("base64"),
        power.toString(),
        v.operatorAccount,
        v.description.moniker,
      ]);
      ctx.store.set(pendingUpdatesKey(ctx.blockHeight), enc.encode(JSON.stringify(pending)));
    }
  }
  completeMatureValidators(core, ctx);
  completeMatureUnbondings(core, ctx);
  completeMatureRedelegations(ctx);
  // Completing may have changed statuses; the set itself only follows tokens and jailing, which it did not.
  ctx.store.delete(setDirtyKey());
  return updates;
}
