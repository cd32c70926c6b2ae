/**
 * The slashing keeper: per-validator signing info and missed-block bits over a sliding window
 * (the SDK's `HandleValidatorSignature`), double-sign evidence from FinalizeBlock's `misbehavior`
 * (the SDK's evidence module: slash, jail, tombstone), and the unjail rules.
 *
 * Only validators the staking module knows are tracked (genesis validators without an operator
 * have no stake to slash).
 */
import {
  BlockIdFlag,
  MisbehaviorType,
  type CommitInfo,
  type Misbehavior,
} from "../../../abci/application.js";
import { ChainError } from "../../errors.js";
import { BECH32_PREFIX } from "../auth/address.js";
import { bech32Encode } from "../auth/bech32.js";
import type { Context } from "../../types.js";

import { decRoundInt } from "../../legacy-dec.js";
import { tokensFromShares } from "../staking/keeper.js";
import type { StakingKeeper } from "../staking/module.js";
import {
  ErrMissingSelfDelegation,
  ErrNoValidatorForAddress,
  ErrSelfDelegationTooLowToUnjail,
  ErrValidatorJailed,
  ErrValidatorNotJailed,
} from "./errors.js";
import { missedBlockKey, missedBlocksPrefix, paramsKey, signingInfoKey } from "./keys.js";
import { defaultSlashingParams, type SlashingParams } from "./params.js";

type StoreContext = Pick<Context, "store">;

/** The SDK's `ValidatorSigningInfo` (address kept as bytes). */
export interface SigningInfo {
  startHeight: bigint;
  indexOffset: bigint;
  jailedUntilNanos: bigint;
  tombstoned: boolean;
  missedBlocksCounter: bigint;
}

/** 9999-12-31T23:59:59Z, the SDK's "jailed forever" for a tombstoned validator. */
export const JAILED_FOREVER_NANOS = 253_402_300_799n * 1_000_000_000n;

const enc = new TextEncoder();
const dec = new TextDecoder();

export function readSlashingParams(ctx: StoreContext): SlashingParams {
  const raw = ctx.store.get(paramsKey());
  if (!raw) return defaultSlashingParams();
  const [w, m, d, ds, dt] = (JSON.parse(dec.decode(raw)) as string[]).map(BigInt) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return {
    signedBlocksWindow: w,
    minSignedPerWindow: m,
    downtimeJailDurationNanos: d,
    slashFractionDoubleSign: ds,
    slashFractionDowntime: dt,
  };
}

export function writeSlashingParams(ctx: StoreContext, p: SlashingParams): void {
  const list = [
    p.signedBlocksWindow,
    p.minSignedPerWindow,
    p.downtimeJailDurationNanos,
    p.slashFractionDoubleSign,
    p.slashFractionDowntime,
  ].map(String);
  ctx.store.set(paramsKey(), enc.encode(JSON.stringify(list)));
}

export function readSigningInfo(ctx: StoreContext, cons: Uint8Array): SigningInfo | undefined {
  const raw = ctx.store.get(signingInfoKey(cons));
  if (!raw) return undefined;
  const [s, i, j, t, m] = JSON.parse(dec.decode(raw)) as [string, string, string, boolean, string];
  return {
    startHeight: BigInt(s),
    indexOffset: BigInt(i),
    jailedUntilNanos: BigInt(j),
    tombstoned: t,
    missedBlocksCounter: BigInt(m),
  };
}

export function writeSigningInfo(ctx: StoreContext, cons: Uint8Array, info: SigningInfo): void {
  const json = [
    info.startHeight.toString(),
    info.indexOffset.toString(),
    info.jailedUntilNanos.toString(),
    info.tombstoned,
    info.missedBlocksCounter.toString(),
  ];
  ctx.store.set(signingInfoKey(cons), enc.encode(JSON.stringify(json)));
}

const fresh = (height: bigint): SigningInfo => ({
  startHeight: height,
  indexOffset: 0n,
  jailedUntilNanos: 0n,
  tombstoned: false,
  missedBlocksCounter: 0n,
});

function clearMissed(ctx: StoreContext, cons: Uint8Array): void {
  for (const [k] of [...ctx.store.iterate(missedBlocksPrefix(cons))]) ctx.store.delete(k);
}

const event = (type: string, attrs: Record<string, string>) => ({
  type,
  attributes: Object.entries(attrs).map(([key, value]) => ({ key, value, index: true })),
});

/** Drops the missed-block marks that fell out of the window ending at `height`; returns how many. */
function pruneMissed(ctx: StoreContext, cons: Uint8Array, height: bigint, window: bigint): bigint {
  const prefix = missedBlocksPrefix(cons);
  let dropped = 0n;
  for (const [k] of [...ctx.store.iterate(prefix)]) {
    const at = new DataView(k.buffer, k.byteOffset + prefix.length, 8).getBigUint64(0);
    if (at > height - window) break;
    ctx.store.delete(k);
    dropped += 1n;
  }
  return dropped;
}

/**
 * Blocks a validator must sign per window: the SDK's `MinSignedPerWindow`, window × fraction as
 * `RoundInt64` (half to even: 0.5 of 1,001 blocks is 500, 0.5 of 1,003 is 502).
 *
 * @example
 * minSignedPerWindow({ signedBlocksWindow: 1000n, minSignedPerWindow: 5n * 10n ** 17n }); // 500n
 */
export function minSignedPerWindow(
  p: Pick<SlashingParams, "signedBlocksWindow" | "minSignedPerWindow">,
): bigint {
  return decRoundInt(p.signedBlocksWindow * p.minSignedPerWindow);
}
/**
 * Counts one validator's vote of the previous block; jails and slashes it for downtime when it
 * missed more than the window allows. The window is the last `signed_blocks_window` heights, and only
 * misses are written (a height mark each): a block everyone signed writes nothing, so an idle chain's
 * app hash rests (issue 10), where the SDK's rolling index would change it every block.
 */
function handleSignature(
  staking: StakingKeeper,
  ctx: Context,
  cons: Uint8Array,
  power: bigint,
  missed: boolean,
): void {
  const known = readSigningInfo(ctx, cons);
  if (!missed && (!known || known.missedBlocksCounter === 0n)) return;
  const v = staking.validatorByConsAddr(ctx, cons);
  if (!v) return;
  const params = readSlashingParams(ctx);
  const window = params.signedBlocksWindow;
  // A validator's first miss starts its record: the window must pass from there before it can be jailed.
  const info = known ?? fresh(ctx.blockHeight);
  info.missedBlocksCounter -= pruneMissed(ctx, cons, ctx.blockHeight, window);
  if (missed) {
    ctx.store.set(missedBlockKey(cons, ctx.blockHeight), Uint8Array.of(1));
    info.missedBlocksCounter += 1n;
    info.indexOffset += 1n;
    ctx.emitEvent(
      event("liveness", {
        address: bech32Encode(BECH32_PREFIX.consensus, cons),
        missed_blocks: info.missedBlocksCounter.toString(),
        height: ctx.blockHeight.toString(),
      }),
    );
  }
  const minSigned = minSignedPerWindow(params);
  const maxMissed = window - minSigned;
  if (ctx.blockHeight > info.startHeight + window && info.missedBlocksCounter > maxMissed && !v.jailed) {
    // Stake at the height the missed votes were cast for (updates take effect two blocks late).
    const burned = staking.slash(ctx, cons, ctx.blockHeight - 2n, power, params.slashFractionDowntime);
    staking.jail(ctx, cons);
    info.jailedUntilNanos = ctx.blockTimeNanos + params.downtimeJailDurationNanos;
    info.missedBlocksCounter = 0n;
    clearMissed(ctx, cons);
    ctx.emitEvent(
      event("slash", {
        address: v.operatorAddress,
        power: power.toString(),
        reason: "missing_signature",
        jailed: v.operatorAddress,
        burned_coins: burned.toString(),
      }),
    );
  }
  writeSigningInfo(ctx, cons, info);
}

/** Double-sign evidence: slash `slash_fraction_double_sign` of the stake at the infraction, jail for ever. */
function handleEquivocation(staking: StakingKeeper, ctx: Context, m: Misbehavior): void {
  const cons = m.validator.address;
  const v = staking.validatorByConsAddr(ctx, cons);
  if (!v || v.status === "BOND_STATUS_UNBONDED") return;
  const info = readSigningInfo(ctx, cons) ?? fresh(ctx.blockHeight);
  if (info.tombstoned) return;
  const params = readSlashingParams(ctx);
  const burned = staking.slash(ctx, cons, m.height - 1n, m.validator.power, params.slashFractionDoubleSign);
  if (!v.jailed) staking.jail(ctx, cons);
  info.jailedUntilNanos = JAILED_FOREVER_NANOS;
  info.tombstoned = true;
  writeSigningInfo(ctx, cons, info);
  ctx.emitEvent(
    event("slash", {
      address: v.operatorAddress,
      power: m.validator.power.toString(),
      reason: "double_sign",
      jailed: v.operatorAddress,
      burned_coins: burned.toString(),
    }),
  );
}

/**
 * Slashing's BeginBlock: evidence first, then the previous block's votes.
 *
 * @example
 * slashingBeginBlock(staking, ctx, req.decidedLastCommit, req.misbehavior);
 */
export function slashingBeginBlock(
  staking: StakingKeeper,
  ctx: Context,
  commit: CommitInfo | undefined,
  misbehavior: readonly Misbehavior[] | undefined,
): void {
  for (const m of misbehavior ?? []) {
    if (m.type !== MisbehaviorType.Unknown) handleEquivocation(staking, ctx, m);
  }
  for (const vote of commit?.votes ?? []) {
    handleSignature(
      staking,
      ctx,
      vote.validator.address,
      vote.validator.power,
      vote.blockIdFlag === BlockIdFlag.Absent,
    );
  }
}

/**
 * The SDK's `Keeper.Unjail` rules for the validator with operator address `valoper`.
 *
 * @example
 * unjail(staking, ctx, "poqvaloper1...");
 */
export function unjail(staking: StakingKeeper, ctx: Context, valoper: string): void {
  const v = staking.validator(ctx, valoper);
  if (!v) throw new ChainError(ErrNoValidatorForAddress, valoper);
  const self = staking.delegation(ctx, v.operatorAccount, valoper);
  if (!self) throw new ChainError(ErrMissingSelfDelegation, valoper);
  if (tokensFromShares(v, self.shares) < v.minSelfDelegation)
    throw new ChainError(ErrSelfDelegationTooLowToUnjail, valoper);
  if (!v.jailed) throw new ChainError(ErrValidatorNotJailed, valoper);
  const info = readSigningInfo(ctx, v.consensusAddress);
  if (info?.tombstoned) throw new ChainError(ErrValidatorJailed, "validator is tombstoned");
  if (info && ctx.blockTimeNanos < info.jailedUntilNanos)
    throw new ChainError(ErrValidatorJailed, `jailed until ${info.jailedUntilNanos}ns`);
  staking.unjail(ctx, v.consensusAddress);
}
