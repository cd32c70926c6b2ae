/**
 * Phase-1 score commitments: a hash that binds a validator to a score without showing it.
 *
 * commitment = sha256("poq/score-commitment/v1" || 0x00 || u64be(request_id) || u16be(score)
 *                     || salt[32] || u8(len(validator)) || validator)
 *
 * The validator's consensus address is inside the hash, so a commitment copied from another validator
 * never matches the copier's reveal; the 32-byte random salt stops anyone from brute-forcing the 10001
 * possible scores out of a commitment.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes, encodeUtf8, uintBE } from "./types/wire.js";

export const SALT_BYTES = 32;
export const COMMITMENT_BYTES = 32;
export const MAX_SCORE = 10000;

const DOMAIN = concatBytes(encodeUtf8("poq/score-commitment/v1"), Uint8Array.of(0));

export interface ScoreCommitmentInput {
  requestId: bigint;
  /** Basis points 0..10000. */
  score: number;
  salt: Uint8Array;
  /** Consensus address of the validator (20 bytes). */
  validator: Uint8Array;
}

/**
 * Computes a score commitment.
 *
 * @example
 * const c = scoreCommitment({ requestId: 1n, score: 8500, salt: randomBytes(32), validator: addr });
 */
export function scoreCommitment(input: ScoreCommitmentInput): Uint8Array {
  if (!Number.isInteger(input.score) || input.score < 0 || input.score > MAX_SCORE) {
    throw new RangeError(`score ${input.score} is not an integer in 0..${MAX_SCORE}`);
  }
  if (input.salt.length !== SALT_BYTES) throw new RangeError(`salt must be ${SALT_BYTES} bytes`);
  if (input.validator.length === 0 || input.validator.length > 255)
    throw new RangeError("bad validator address");
  return sha256(
    concatBytes(
      DOMAIN,
      uintBE(input.requestId, 8),
      uintBE(BigInt(input.score), 2),
      input.salt,
      Uint8Array.of(input.validator.length),
      input.validator,
    ),
  );
}

/**
 * Whether a reveal opens a commitment.
 *
 * @example
 * revealMatches(commitment, { requestId: 1n, score: 8500, salt, validator: addr }); // true
 */
export function revealMatches(commitment: Uint8Array, reveal: ScoreCommitmentInput): boolean {
  try {
    return bytesEqual(commitment, scoreCommitment(reveal));
  } catch {
    return false;
  }
}
