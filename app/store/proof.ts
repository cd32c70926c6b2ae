/**
 * Membership and non-membership proofs against the app hash.
 *
 * A proof names the key's bucket, lists every entry of that bucket (key and value hash, sorted by
 * key) and the 16 sibling hashes from the bucket up to the root. The verifier recomputes the
 * bucket from sha256(key), checks that the key is (or is not) among the entries with the claimed
 * value, rehashes the bucket and walks up to the root. Encoding in `app/store/README.md`.
 */
import { BaseError } from "../errors.js";
import { compareBytes } from "./key-codec.js";
import { BUCKET_BITS, bucketHash, bucketOf, innerHash, sha256, type CommittedEntry } from "./merkle.js";

/** The ProofOp type this store produces, for `ResponseQuery.proof_ops`. */
export const PROOF_OP_TYPE = "poq:bucket-merkle";

export interface StoreProof {
  bucket: number;
  /** Every entry of the bucket, ascending by key. */
  entries: CommittedEntry[];
  /** Sibling hashes from the bucket level up to just below the root. */
  siblings: Uint8Array[];
}

/** Thrown for proof bytes that cannot be decoded. */
export class ProofFormatError extends BaseError {
  override name = "ProofFormatError" as const;
}

/**
 * Encodes a proof: u32be bucket, u32be n, n × (u32be keyLen, key, 32-byte valueHash),
 * then 16 × 32-byte siblings.
 *
 * @example
 * const bytes = encodeProof(store.prove(key).proof);
 */
export function encodeProof(p: StoreProof): Uint8Array {
  let size = 8 + 32 * p.siblings.length;
  for (const e of p.entries) size += 4 + e.key.length + 32;
  const buf = Buffer.alloc(size);
  let o = buf.writeUInt32BE(p.bucket, 0);
  o = buf.writeUInt32BE(p.entries.length, o);
  for (const e of p.entries) {
    o = buf.writeUInt32BE(e.key.length, o);
    buf.set(e.key, o);
    o += e.key.length;
    buf.set(e.valueHash, o);
    o += 32;
  }
  for (const s of p.siblings) {
    buf.set(s, o);
    o += 32;
  }
  return buf;
}

/**
 * Decodes {@link encodeProof}'s bytes; throws {@link ProofFormatError} on malformed input.
 *
 * @example
 * const proof = decodeProof(op.data);
 */
export function decodeProof(bytes: Uint8Array): StoreProof {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (o: number, n: number): void => {
    if (o + n > buf.length) throw new ProofFormatError("proof is truncated");
  };
  need(0, 8);
  const bucket = buf.readUInt32BE(0);
  const n = buf.readUInt32BE(4);
  let o = 8;
  const entries: CommittedEntry[] = [];
  for (let i = 0; i < n; i++) {
    need(o, 4);
    const len = buf.readUInt32BE(o);
    o += 4;
    need(o, len + 32);
    entries.push({ key: buf.subarray(o, o + len), valueHash: buf.subarray(o + len, o + len + 32) });
    o += len + 32;
  }
  if (buf.length - o !== 32 * BUCKET_BITS)
    throw new ProofFormatError("proof must end with 16 sibling hashes");
  const siblings: Uint8Array[] = [];
  for (; o < buf.length; o += 32) siblings.push(buf.subarray(o, o + 32));
  return { bucket, entries, siblings };
}

/**
 * Checks a proof against an app hash: with `value` given, that `key` holds exactly `value`; with
 * `value` undefined, that `key` is absent.
 *
 * @example
 * const { value, proof } = store.prove(key);
 * verifyProof(appHash, key, value, proof); // true
 */
export function verifyProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | undefined,
  proof: StoreProof,
): boolean {
  if (proof.bucket !== bucketOf(key) || proof.siblings.length !== BUCKET_BITS) return false;
  for (let i = 1; i < proof.entries.length; i++) {
    const prev = proof.entries[i - 1];
    const cur = proof.entries[i];
    if (!prev || !cur || compareBytes(prev.key, cur.key) >= 0) return false;
  }
  for (const e of proof.entries) if (bucketOf(e.key) !== proof.bucket) return false;
  const found = proof.entries.find((e) => compareBytes(e.key, key) === 0);
  if (value === undefined ? found !== undefined : !found || !sha256(value).equals(found.valueHash)) {
    return false;
  }
  let h: Uint8Array = bucketHash(proof.entries);
  let index = proof.bucket;
  for (const sibling of proof.siblings) {
    h = index & 1 ? innerHash(sibling, h) : innerHash(h, sibling);
    index >>= 1;
  }
  return Buffer.from(h).equals(root);
}
