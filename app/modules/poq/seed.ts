/**
 * Seeds for deterministic choices (node assignment, committees) that nobody can grind.
 *
 * A seed mixes a source (the randomness beacon of a block after the request or answer was included:
 * beacon.ts), the request id, a purpose tag and an attempt counter. The id is fixed at inclusion,
 * before that beacon existed, so whoever chose the id (the requester by timing, the proposer by
 * ordering) could not know what it would draw.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, encodeUtf8, readUintBE, uintBE } from "./types/wire.js";

/** What a seed is for; each purpose draws from its own domain. */
export type SeedPurpose = "assign" | "committee";

/**
 * Derives a 32-byte seed: sha256("poq/seed/v1/" || purpose || 0x00 || u32be(len(source)) || source
 * || u64be(requestId) || u32be(attempt)).
 *
 * @example
 * const seed = deriveSeed("assign", beacon, 7n, 0);
 */
export function deriveSeed(
  purpose: SeedPurpose,
  source: Uint8Array,
  requestId: bigint,
  attempt: number,
): Uint8Array {
  return sha256(
    concatBytes(
      encodeUtf8(`poq/seed/v1/${purpose}`),
      Uint8Array.of(0),
      uintBE(BigInt(source.length), 4),
      source,
      uintBE(requestId, 8),
      uintBE(BigInt(attempt), 4),
    ),
  );
}

/**
 * A uniform integer in [0, bound) from a seed and a draw index: sha256(seed || u32be(index)) read as a
 * 256-bit integer, reduced modulo `bound`. The modulo bias is below 2^-190 for any bound under 2^64.
 *
 * @example
 * const r = drawBelow(seed, 0, 100n); // 0n..99n
 */
export function drawBelow(seed: Uint8Array, index: number, bound: bigint): bigint {
  if (bound <= 0n) throw new RangeError("bound must be positive");
  return readUintBE(sha256(concatBytes(seed, uintBE(BigInt(index), 4)))) % bound;
}
