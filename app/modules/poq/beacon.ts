/**
 * The randomness beacon (review H3): committees must come from a seed that the node whose answer
 * they score cannot know or choose when it submits. Each validator's vote extension at height h
 * carries a commitment to 32 secret random bytes (drawn by its validator process, never by the app)
 * and the secret it committed to at h-1. The injected commit of block B (extensions signed at B-1)
 * thus reveals secrets committed at B-2; every valid reveal (it matches the validator's commitment
 * of that height) is mixed into the beacon in B:
 *
 *   beacon(B) = sha256("poq/beacon/v1" 0x00 | beacon(prev) | u64be B | for each reveal, by address:
 *               validator address | secret)
 *
 * An answer included in block R gets its committee in EndBlock of R+1 from beacon(R+1), whose secrets
 * were revealed only in the precommits of R, after R (and the answer in it) was decided. What remains
 * biasable: a validator may withhold its reveal (one bit, and it is seen), and a proposer may leave up
 * to a third of the power out of LastCommit; neither lets the node pick its block, as it could when the
 * committee came from the previous app hash.
 *
 * Node assignment (SPEC 4: a seed "neither the block proposer nor the requester can grind") uses the
 * beacon only when it is *ready*: mixed in the current block from reveals of more than a third of the
 * power in the injected commit. Fewer than a third of the power can be Byzantine, so a ready beacon
 * always holds a secret of an honest validator that nobody else knew before the precommits of the
 * previous block; a proposer that leaves votes out of LastCommit cannot push the honest reveals
 * below that bar either (it must include more than two thirds). A block without a ready beacon
 * assigns nothing; waiting requests wait for the next one (at most `request_ttl` blocks).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Context } from "../../types.js";
import type { PoqDeps } from "./deps.js";
import { compareBytes, concatBytes, encodeUtf8, fromHex, toHex, uintBE, bytesEqual } from "./types/wire.js";

type Ctx = Pick<Context, "store" | "blockHeight">;

const COMMIT_TAG = encodeUtf8("poq/beacon-commitment/v1");
const MIX_TAG = encodeUtf8("poq/beacon/v1");

/**
 * The commitment a validator publishes at `height` to its secret.
 *
 * @example
 * const c = beaconCommitment(12n, validatorAddress, secret);
 */
export function beaconCommitment(height: bigint, validator: Uint8Array, secret: Uint8Array): Uint8Array {
  return sha256(
    concatBytes(
      COMMIT_TAG,
      Uint8Array.of(0),
      uintBE(height, 8),
      Uint8Array.of(validator.length),
      validator,
      secret,
    ),
  );
}

/** One validator's beacon fields from an extension that landed in this block. */
export interface BeaconEntry {
  validator: Uint8Array;
  /** Its voting power in the commit that carried the entry. */
  power: bigint;
  commitment?: Uint8Array | undefined;
  reveal?: Uint8Array | undefined;
}

/**
 * FinalizeBlock part, after the injected commit of block `ctx.blockHeight` was verified: checks the
 * reveals against the commitments of two heights before, records the new commitments, and mixes the
 * valid reveals into the beacon. `totalPower` is the power of every vote of the commit (absent ones
 * included); the beacon records how much of it revealed. Returns how many reveals counted.
 *
 * @example
 * mixBeacon(ctx, deps, [{ validator, power: 10n, commitment, reveal }], 40n);
 */
export function mixBeacon(
  ctx: Ctx,
  deps: Pick<PoqDeps, "keeper">,
  entries: readonly BeaconEntry[],
  totalPower: bigint,
): number {
  const { keeper } = deps;
  const h = ctx.blockHeight;
  const revealed: { validator: Uint8Array; secret: Uint8Array }[] = [];
  let revealedPower = 0n;
  for (const e of entries) {
    if (!e.reveal) continue;
    const c = keeper.getBeaconCommitment(ctx, e.validator);
    if (!c || BigInt(c.height) !== h - 2n) continue;
    if (bytesEqual(beaconCommitment(h - 2n, e.validator, e.reveal), fromHex(c.commitment))) {
      revealed.push({ validator: e.validator, secret: e.reveal });
      revealedPower += e.power;
    }
  }
  for (const e of entries) {
    if (e.commitment)
      keeper.setBeaconCommitment(ctx, e.validator, {
        commitment: toHex(e.commitment),
        height: (h - 1n).toString(),
      });
  }
  revealed.sort((a, b) => compareBytes(a.validator, b.validator));
  const previous = fromHex(keeper.beacon(ctx).value);
  const value = sha256(
    concatBytes(
      MIX_TAG,
      Uint8Array.of(0),
      previous,
      uintBE(h, 8),
      ...revealed.flatMap((r) => [r.validator, r.secret]),
    ),
  );
  keeper.setBeacon(ctx, {
    value: toHex(value),
    height: h.toString(),
    revealed_power: revealedPower.toString(),
    total_power: totalPower.toString(),
  });
  return revealed.length;
}

/**
 * The seed material for assigning nodes in this block: the beacon when it was mixed in this block
 * from reveals of more than a third of the commit's power, else undefined (nothing is assigned in
 * this block; see the file comment).
 *
 * @example
 * const beacon = readyBeacon(ctx, deps); // in EndBlock, after the injected commit was applied
 */
export function readyBeacon(ctx: Ctx, deps: Pick<PoqDeps, "keeper">): Uint8Array | undefined {
  const b = deps.keeper.beacon(ctx);
  if (BigInt(b.height) !== ctx.blockHeight) return undefined;
  const total = BigInt(b.total_power ?? "0");
  if (total <= 0n || BigInt(b.revealed_power ?? "0") * 3n <= total) return undefined;
  return fromHex(b.value);
}
