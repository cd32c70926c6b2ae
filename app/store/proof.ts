/**
 * Membership and non-membership proofs against the app hash.
 *
 * A proof names the key's bucket, the leaf that ends the key's path in the bucket's trie (the key's
 * own entry, another entry whose path shares the prefix, or none for an empty subtree), the
 * sibling hashes of the trie from there up to the bucket root, and the 16 sibling hashes from the
 * bucket up to the root. Its size grows with the trie depth (log2 of the bucket size), not with
 * the number of entries in the bucket. Encoding in `app/store/README.md`.
 */
import { BaseError } from "../errors.js";
import { compareBytes } from "./key-codec.js";
import {
  BUCKET_BITS,
  EMPTY_BUCKET_HASH,
  requestSubtreePath,
  bucketOfPath,
  entryHash,
  innerHash,
  sha256,
  trieNodeHash,
  type CommittedEntry,
  type KeyPathRule,
} from "./merkle.js";
import { PATH_BITS, pathBit } from "./bucket-trie.js";

/** The ProofOp type this store produces, for `ResponseQuery.proof_ops`. */
export const PROOF_OP_TYPE = "poq:bucket-merkle";

export interface StoreProof {
  bucket: number;
  /** The entry whose leaf ends the key's path; undefined when the path ends in an empty subtree. */
  leaf: CommittedEntry | undefined;
  /** Trie sibling hashes from the end of the path up to the bucket root (deepest first). */
  trieSiblings: Uint8Array[];
  /** Sibling hashes from the bucket level up to just below the root. */
  siblings: Uint8Array[];
}

/** Thrown for proof bytes that cannot be decoded. */
export class ProofFormatError extends BaseError {
  override name = "ProofFormatError" as const;
}

/** The most trie siblings a path can have: one per path bit below the bucket bits. */
const MAX_TRIE_SIBLINGS = PATH_BITS - BUCKET_BITS;

/**
 * Encodes a proof: u32be bucket, u32be n (0 or 1), n × (u32be keyLen, key, 32-byte valueHash),
 * u32be m, m × 32-byte trie siblings (deepest first), then 16 × 32-byte bucket siblings.
 *
 * @example
 * const bytes = encodeProof(store.prove(key).proof);
 */
export function encodeProof(p: StoreProof): Uint8Array {
  const leafSize = p.leaf ? 4 + p.leaf.key.length + 32 : 0;
  const buf = Buffer.alloc(12 + leafSize + 32 * (p.trieSiblings.length + p.siblings.length));
  let o = buf.writeUInt32BE(p.bucket, 0);
  o = buf.writeUInt32BE(p.leaf ? 1 : 0, o);
  if (p.leaf) {
    o = buf.writeUInt32BE(p.leaf.key.length, o);
    buf.set(p.leaf.key, o);
    o += p.leaf.key.length;
    buf.set(p.leaf.valueHash, o);
    o += 32;
  }
  o = buf.writeUInt32BE(p.trieSiblings.length, o);
  for (const s of [...p.trieSiblings, ...p.siblings]) {
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
  if (n > 1) throw new ProofFormatError("a proof ends in at most one leaf");
  let o = 8;
  let leaf: CommittedEntry | undefined;
  if (n === 1) {
    need(o, 4);
    const len = buf.readUInt32BE(o);
    o += 4;
    need(o, len + 32);
    leaf = { key: buf.subarray(o, o + len), valueHash: buf.subarray(o + len, o + len + 32) };
    o += len + 32;
  }
  need(o, 4);
  const m = buf.readUInt32BE(o);
  o += 4;
  if (m > MAX_TRIE_SIBLINGS)
    throw new ProofFormatError(`a trie path has at most ${MAX_TRIE_SIBLINGS} siblings`);
  need(o, 32 * m);
  if (buf.length - o !== 32 * (m + BUCKET_BITS))
    throw new ProofFormatError("proof must end with its trie siblings and 16 bucket siblings");
  const hashes: Uint8Array[] = [];
  for (; o < buf.length; o += 32) hashes.push(buf.subarray(o, o + 32));
  return { bucket, leaf, trieSiblings: hashes.slice(0, m), siblings: hashes.slice(m) };
}

/**
 * Checks a proof against an app hash: with `value` given, that `key` holds exactly `value`; with
 * `value` undefined, that `key` is absent.
 *
 * Absence is proven by the path ending in an empty subtree, or in the leaf of another key whose
 * path shares every bit up to there (a one-entry subtree holds only that entry). `pathOf` is the
 * key path rule of the chain's layout: layout 7's unless the chain was started before it (4 to 6).
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
  pathOf: KeyPathRule = requestSubtreePath,
): boolean {
  const path = pathOf(key);
  if (proof.bucket !== bucketOfPath(path) || proof.siblings.length !== BUCKET_BITS) return false;
  if (proof.trieSiblings.length > MAX_TRIE_SIBLINGS) return false;
  const depth = BUCKET_BITS + proof.trieSiblings.length;
  let h: Uint8Array;
  if (proof.leaf) {
    const leafPath = pathOf(proof.leaf.key);
    for (let d = 0; d < depth; d++) if (pathBit(leafPath, d) !== pathBit(path, d)) return false;
    const own = compareBytes(proof.leaf.key, key) === 0;
    if (own ? value === undefined || !sha256(value).equals(proof.leaf.valueHash) : value !== undefined) {
      return false;
    }
    h = entryHash(proof.leaf.key, proof.leaf.valueHash);
  } else {
    if (value !== undefined) return false;
    h = EMPTY_BUCKET_HASH;
  }
  proof.trieSiblings.forEach((sibling, i) => {
    const d = depth - 1 - i;
    h = pathBit(path, d) ? trieNodeHash(sibling, h) : trieNodeHash(h, sibling);
  });
  let index = proof.bucket;
  for (const sibling of proof.siblings) {
    h = index & 1 ? innerHash(sibling, h) : innerHash(h, sibling);
    index >>= 1;
  }
  return Buffer.from(h).equals(root);
}
