/**
 * Answer commitments of replicated requests: a node binds itself to its answer before any answer of
 * the request is public, so nobody can copy a peer's answer or tailor one to it.
 *
 * commitment = sha256("poq/answer-commitment/v1" || 0x00 || u64be(request_id)
 *                     || u8(len(node)) || node (bech32 UTF-8) || salt[32]
 *                     || u32be(len(response)) || response (UTF-8))
 *
 * The node's address is inside the hash, so a commitment copied from another node never matches the
 * copier's reveal; the 32-byte random salt stops anyone from testing guessed answers against it.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes, encodeUtf8, uintBE } from "./types/wire.js";

export const ANSWER_SALT_BYTES = 32;
export const ANSWER_COMMITMENT_BYTES = 32;

const DOMAIN = concatBytes(encodeUtf8("poq/answer-commitment/v1"), Uint8Array.of(0));

export interface AnswerCommitmentInput {
  requestId: bigint;
  /** The node operator's bech32 account address. */
  node: string;
  salt: Uint8Array;
  response: string;
}

/**
 * Computes an answer commitment.
 *
 * @example
 * const c = answerCommitment({ requestId: 7n, node: "poq1...", salt: randomBytes(32), response: "4" });
 */
export function answerCommitment(input: AnswerCommitmentInput): Uint8Array {
  if (input.salt.length !== ANSWER_SALT_BYTES)
    throw new RangeError(`salt must be ${ANSWER_SALT_BYTES} bytes`);
  const node = encodeUtf8(input.node);
  if (node.length === 0 || node.length > 255) throw new RangeError("bad node address");
  const response = encodeUtf8(input.response);
  return sha256(
    concatBytes(
      DOMAIN,
      uintBE(input.requestId, 8),
      Uint8Array.of(node.length),
      node,
      input.salt,
      uintBE(BigInt(response.length), 4),
      response,
    ),
  );
}

/** Whether a reveal opens a commitment (false for a malformed salt or address, never a throw). */
export function answerMatches(commitment: Uint8Array, reveal: AnswerCommitmentInput): boolean {
  try {
    return bytesEqual(commitment, answerCommitment(reveal));
  } catch {
    return false;
  }
}
