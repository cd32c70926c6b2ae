/**
 * The vote-extension payload a quality validator signs with its precommit.
 *
 * Protobuf `poq.v1.ScoreVoteExtension` (proto/poq/v1/vote_extension.proto):
 *   repeated ScoreCommitment commitments = 1;  // { uint64 request_id = 1; bytes commitment = 2; }
 *   repeated ScoreReveal reveals = 2;          // { uint64 request_id = 1; uint32 score = 2; bytes salt = 3; }
 *   bytes beacon_commitment = 3;               // 32 bytes or absent (beacon.ts)
 *   bytes beacon_reveal = 4;                   // 32 bytes or absent
 *
 * Decoding is strict, because VerifyVoteExtension and the aggregation must agree on every node:
 * the payload must not exceed the byte cap, must be in canonical form (request ids strictly ascending
 * in each list, which also rules out duplicates; re-encoding gives the same bytes), commitments and
 * salts are exactly 32 bytes, scores are 0..10000, and a request id may not appear in both lists.
 * Empty bytes are a valid empty extension.
 */
import { BaseError } from "../../errors.js";
import { COMMITMENT_BYTES, MAX_SCORE, SALT_BYTES } from "./commitment.js";
import { bytesEqual, expectBytes, expectVarint, readFields, WireError, WireWriter } from "./types/wire.js";

export interface ExtensionCommitment {
  requestId: bigint;
  commitment: Uint8Array;
}

export interface ExtensionReveal {
  requestId: bigint;
  score: number;
  salt: Uint8Array;
}

export interface ScoreVoteExtension {
  commitments: ExtensionCommitment[];
  reveals: ExtensionReveal[];
  /** Commitment to this validator's beacon secret of this height (beacon.ts). */
  beaconCommitment?: Uint8Array;
  /** Its beacon secret of the previous height. */
  beaconReveal?: Uint8Array;
}

/** Size of a beacon commitment and of a beacon secret. */
export const BEACON_BYTES = 32;

/** Thrown for a payload that is malformed, oversized or not canonical. */
export class InvalidVoteExtensionError extends BaseError {
  override name = "InvalidVoteExtensionError" as const;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * Encodes a payload canonically (entries sorted by request id). Does not check the byte cap; call
 * {@link decodeVoteExtension} on the result, or compare its length, before signing.
 *
 * @example
 * const bytes = encodeVoteExtension({ commitments: [{ requestId: 3n, commitment }], reveals: [] });
 */
export function encodeVoteExtension(ext: ScoreVoteExtension): Uint8Array {
  const w = new WireWriter();
  for (const c of [...ext.commitments].sort(byRequestId)) w.raw(encodeCommitmentEntry(c));
  for (const r of [...ext.reveals].sort(byRequestId)) w.raw(encodeRevealEntry(r));
  w.raw(encodeBeaconFields(ext));
  return w.finish();
}

/**
 * The beacon fields as they end a payload (empty when there are none).
 *
 * @example
 * encodeBeaconFields({ beaconCommitment: c }).length; // 34
 */
export function encodeBeaconFields(
  ext: Pick<ScoreVoteExtension, "beaconCommitment" | "beaconReveal">,
): Uint8Array {
  const w = new WireWriter();
  if (ext.beaconCommitment) w.bytes(3, ext.beaconCommitment);
  if (ext.beaconReveal) w.bytes(4, ext.beaconReveal);
  return w.finish();
}

const byRequestId = (a: { requestId: bigint }, b: { requestId: bigint }): number =>
  a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0;

/**
 * One element of the `commitments` list as it appears in the payload (tag, length, message). A
 * payload is its commitment elements ascending by id, then its reveal elements ascending by id, so
 * ExtendVote can encode each element once and size a prefix by adding lengths.
 *
 * @example
 * encodeCommitmentEntry({ requestId: 3n, commitment }).length; // 38
 */
export function encodeCommitmentEntry(c: ExtensionCommitment): Uint8Array {
  return new WireWriter()
    .message(1, new WireWriter().uint64(1, c.requestId).bytes(2, c.commitment).finish())
    .finish();
}

/**
 * One element of the `reveals` list as it appears in the payload (see {@link encodeCommitmentEntry}).
 *
 * @example
 * encodeRevealEntry({ requestId: 3n, score: 8000, salt }).length; // 41
 */
export function encodeRevealEntry(r: ExtensionReveal): Uint8Array {
  return new WireWriter()
    .message(2, new WireWriter().uint64(1, r.requestId).uint64(2, r.score).bytes(3, r.salt).finish())
    .finish();
}

function decodeCommitment(bytes: Uint8Array): ExtensionCommitment {
  let requestId = 0n;
  let commitment: Uint8Array = new Uint8Array();
  for (const f of readFields(bytes)) {
    if (f.field === 1) requestId = expectVarint(f);
    else if (f.field === 2) commitment = expectBytes(f);
    else throw new WireError(`commitment: unknown field ${f.field}`);
  }
  if (commitment.length !== COMMITMENT_BYTES)
    throw new WireError(`commitment must be ${COMMITMENT_BYTES} bytes`);
  return { requestId, commitment: Uint8Array.from(commitment) };
}

function decodeReveal(bytes: Uint8Array): ExtensionReveal {
  let requestId = 0n;
  let score = 0n;
  let salt: Uint8Array = new Uint8Array();
  for (const f of readFields(bytes)) {
    if (f.field === 1) requestId = expectVarint(f);
    else if (f.field === 2) score = expectVarint(f);
    else if (f.field === 3) salt = expectBytes(f);
    else throw new WireError(`reveal: unknown field ${f.field}`);
  }
  if (score > BigInt(MAX_SCORE)) throw new WireError(`reveal score ${score} exceeds ${MAX_SCORE}`);
  if (salt.length !== SALT_BYTES) throw new WireError(`salt must be ${SALT_BYTES} bytes`);
  return { requestId, score: Number(score), salt: Uint8Array.from(salt) };
}

function beaconBytes(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length !== BEACON_BYTES) throw new WireError(`${what} must be ${BEACON_BYTES} bytes`);
  return Uint8Array.from(bytes);
}

function assertAscending(ids: bigint[], what: string): void {
  for (let i = 1; i < ids.length; i++) {
    if ((ids[i] ?? 0n) <= (ids[i - 1] ?? U64_MAX)) {
      throw new WireError(
        `${what}: request ids must be strictly ascending (duplicate or unsorted ${ids[i]})`,
      );
    }
  }
}

/**
 * Decodes and checks a payload; throws {@link InvalidVoteExtensionError} when it is not acceptable.
 *
 * @example
 * const ext = decodeVoteExtension(req.voteExtension, params.maxVoteExtensionBytes);
 */
export function decodeVoteExtension(bytes: Uint8Array, maxBytes: number): ScoreVoteExtension {
  if (bytes.length > maxBytes) {
    throw new InvalidVoteExtensionError("vote extension too large", {
      details: `${bytes.length} > ${maxBytes} bytes`,
    });
  }
  try {
    const ext: ScoreVoteExtension = { commitments: [], reveals: [] };
    for (const f of readFields(bytes)) {
      if (f.field === 1) ext.commitments.push(decodeCommitment(expectBytes(f)));
      else if (f.field === 2) ext.reveals.push(decodeReveal(expectBytes(f)));
      else if (f.field === 3) ext.beaconCommitment = beaconBytes(expectBytes(f), "beacon commitment");
      else if (f.field === 4) ext.beaconReveal = beaconBytes(expectBytes(f), "beacon reveal");
      else throw new WireError(`unknown field ${f.field}`);
    }
    assertAscending(
      ext.commitments.map((c) => c.requestId),
      "commitments",
    );
    assertAscending(
      ext.reveals.map((r) => r.requestId),
      "reveals",
    );
    const committed = new Set(ext.commitments.map((c) => c.requestId));
    const both = ext.reveals.find((r) => committed.has(r.requestId));
    if (both) throw new WireError(`request ${both.requestId} is both committed and revealed`);
    if (!bytesEqual(encodeVoteExtension(ext), bytes)) throw new WireError("not in canonical encoding");
    return ext;
  } catch (cause) {
    if (cause instanceof WireError) {
      throw new InvalidVoteExtensionError("malformed vote extension", { details: cause.message, cause });
    }
    throw cause;
  }
}

/**
 * Whether a payload is acceptable (VerifyVoteExtension's answer). Lenient by design: empty is fine.
 *
 * @example
 * const ok = isValidVoteExtension(req.voteExtension, params.maxVoteExtensionBytes);
 */
export function isValidVoteExtension(bytes: Uint8Array, maxBytes: number): boolean {
  try {
    decodeVoteExtension(bytes, maxBytes);
    return true;
  } catch {
    return false;
  }
}
