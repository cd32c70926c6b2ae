/**
 * The inside of a bucket: a binary Merkle trie over the entries' key paths (sha256(key); under
 * layout 7 a poq request's key has its first 19 bits set from the request id: `merkle.ts`), below
 * the 16 levels of the bucket tree. Layout and hash domains in `app/store/README.md`.
 *
 * The trie is canonical for a set of entries: a subtree with no entry is {@link EMPTY_BUCKET_HASH},
 * a subtree with exactly one entry is that entry's hash (the leaf sits as high as it is alone), and
 * any larger subtree is `trieNodeHash(left, right)` split by the next path bit. Its non-empty nodes
 * are persisted (in pages of four levels, `trie-pages.ts`), so a block that changes k entries reads and hashes O(k × depth)
 * nodes, never the other entries of their buckets. Depth grows with log2 of the bucket size, and a
 * key ground to share b more path bits with a hot key costs its owner about 2^b hashes per bit.
 */
import { BUCKET_BITS, EMPTY_BUCKET_HASH, entryHash, trieNodeHash, type KeyPathRule } from "./merkle.js";
import { BaseError } from "../errors.js";

/** Path bits: sha256 has 256, the first {@link BUCKET_BITS} of them choose the bucket. */
export const PATH_BITS = 256;

/** A persisted trie node: an inner node (`leaf` null) or the one entry of its subtree (`leaf` = key). */
export interface TrieRow {
  hash: Uint8Array;
  leaf: Uint8Array | null;
}

/** Where the trie reads committed nodes from (the `trie_pages` table, `trie-pages.ts`), by id as a latin1 string. */
export interface TrieNodeSource {
  node(id: string): TrieRow | undefined;
}

/** A node to persist (`row` undefined deletes it), keyed in the caller's map by its id (latin1). */
export interface TrieWrite {
  id: string;
  row: TrieRow | undefined;
}

/** One changed entry of a block: `valueHash` undefined deletes it. */
export interface PathWrite {
  key: Uint8Array;
  path: Uint8Array;
  valueHash: Uint8Array | undefined;
}

/** The committed trie does not fit the path it was reached by: the database is damaged. */
export class TrieCorruptError extends BaseError {
  override name = "TrieCorruptError" as const;
}

/** Bit `d` (0 = most significant of byte 0) of a path. */
export function pathBit(path: Uint8Array, d: number): number {
  return ((path[d >> 3] ?? 0) >> (7 - (d & 7))) & 1;
}

/**
 * Id of the trie node at depth `d` on `path`: the first ceil(d/8) path bytes with the bits from d
 * on cleared, then u16be(d). Unique per (depth, prefix).
 *
 * @example
 * nodeId(requestSubtreePath(key), 16); // the bucket's root node
 */
export function nodeId(path: Uint8Array, d: number): Uint8Array {
  return Buffer.from(nodeKey(path, d), "latin1");
}

/**
 * {@link nodeId} as a latin1 string (one character per byte), the form the trie code and its
 * caches key nodes by: built directly, without a Buffer (a block builds tens of thousands).
 */
export function nodeKey(path: Uint8Array, d: number): string {
  const full = d >> 3;
  let s = "";
  for (let i = 0; i < full; i++) s += String.fromCharCode(path[i] ?? 0);
  if (d & 7) s += String.fromCharCode((path[full] ?? 0) & (0xff << (8 - (d & 7))) & 0xff);
  return s + String.fromCharCode(d >> 8, d & 0xff);
}

/** The id of the child at depth d + 1 of the node at depth `d` on `path`: the one on side `bit`. */
export function childKey(path: Uint8Array, d: number, bit: number): string {
  const full = d >> 3;
  let s = "";
  for (let i = 0; i < full; i++) s += String.fromCharCode(path[i] ?? 0);
  const keep = (path[full] ?? 0) & (0xff << (8 - (d & 7))) & 0xff;
  const last = bit ? keep | (0x80 >> (d & 7)) : keep;
  const depth = d + 1;
  return s + String.fromCharCode(last, depth >> 8, depth & 0xff);
}

/** A subtree as the parent sees it. */
type Sub =
  | { kind: "empty" }
  | { kind: "leaf"; key: Uint8Array; hash: Uint8Array }
  | { kind: "inner"; hash: Uint8Array };

const EMPTY: Sub = { kind: "empty" };

function subHash(s: Sub): Uint8Array {
  return s.kind === "empty" ? EMPTY_BUCKET_HASH : s.hash;
}

function fromRow(row: TrieRow | undefined): Sub {
  if (!row) return EMPTY;
  return row.leaf ? { kind: "leaf", key: row.leaf, hash: row.hash } : { kind: "inner", hash: row.hash };
}

function toRow(s: Sub): TrieRow | undefined {
  if (s.kind === "empty") return undefined;
  return { hash: s.hash, leaf: s.kind === "leaf" ? s.key : null };
}

/** An entry of a subtree being rebuilt: path and entry hash. */
interface Leaf {
  key: Uint8Array;
  path: Uint8Array;
  hash: Uint8Array;
}

/**
 * Applies one bucket's writes to its committed trie and returns the new bucket hash. The node
 * changes go to `out` (keyed by id as a latin1 string, later entries replacing earlier ones).
 *
 * @param writes the bucket's writes, ascending by path (all in the same bucket).
 * @param pathOf the layout's key path rule, for the committed leaves a write splits.
 *
 * @example
 * const out = new Map<string, TrieWrite>();
 * const bucketHash = updateBucket(db, writes, out, requestSubtreePath);
 */
export function updateBucket(
  src: TrieNodeSource,
  writes: readonly PathWrite[],
  out: Map<string, TrieWrite>,
  pathOf: KeyPathRule,
): Uint8Array {
  if (writes.length === 0) throw new RangeError("updateBucket needs at least one write");
  return subHash(new BucketUpdate(src, writes, out, pathOf).visit(BUCKET_BITS, 0, writes.length));
}

class BucketUpdate {
  constructor(
    private readonly src: TrieNodeSource,
    private readonly writes: readonly PathWrite[],
    private readonly out: Map<string, TrieWrite>,
    private readonly pathOf: KeyPathRule,
  ) {}

  private record(id: string, s: Sub): void {
    this.out.set(id, { id, row: toRow(s) });
  }

  /** The node at depth `d` that writes [lo, hi) fall under, with those writes applied. */
  visit(d: number, lo: number, hi: number): Sub {
    const path = (this.writes[lo] as PathWrite).path;
    const id = nodeKey(path, d);
    const row = this.src.node(id);
    let result: Sub;
    if (row && row.leaf === null) {
      if (d >= PATH_BITS) throw new TrieCorruptError(`inner trie node at depth ${d}`);
      let mid = lo;
      while (mid < hi && pathBit((this.writes[mid] as PathWrite).path, d) === 0) mid++;
      const id0 = childKey(path, d, 0);
      const id1 = childKey(path, d, 1);
      const c0 = mid > lo ? this.visit(d + 1, lo, mid) : fromRow(this.src.node(id0));
      const c1 = hi > mid ? this.visit(d + 1, mid, hi) : fromRow(this.src.node(id1));
      result = combine(c0, c1);
      if (result.kind !== "inner") {
        // The subtree shrank to one entry or none: its node moves up here, the children go.
        this.record(id0, EMPTY);
        this.record(id1, EMPTY);
      }
    } else {
      // At most one committed entry below: rebuild the subtree from it and the writes.
      const leaves: Leaf[] = [];
      const kept = row?.leaf ? { key: row.leaf, path: this.pathOf(row.leaf), hash: row.hash } : undefined;
      let keptPlaced = kept === undefined;
      for (let i = lo; i < hi; i++) {
        const w = this.writes[i] as PathWrite;
        if (!keptPlaced && kept && Buffer.compare(kept.path, w.path) <= 0) {
          if (!Buffer.from(kept.key).equals(w.key)) leaves.push(kept);
          keptPlaced = true;
        }
        if (w.valueHash) leaves.push({ key: w.key, path: w.path, hash: entryHash(w.key, w.valueHash) });
      }
      if (!keptPlaced && kept) leaves.push(kept);
      result = this.build(d, leaves, 0, leaves.length);
    }
    this.record(id, result);
    return result;
  }

  /** A fresh subtree at depth `d` over leaves [lo, hi) (ascending by path); records its nodes below `d`. */
  private build(d: number, leaves: readonly Leaf[], lo: number, hi: number): Sub {
    if (hi === lo) return EMPTY;
    const first = leaves[lo] as Leaf;
    if (hi - lo === 1) return { kind: "leaf", key: first.key, hash: first.hash };
    if (d >= PATH_BITS) throw new TrieCorruptError("two entries with the same path");
    let mid = lo;
    while (mid < hi && pathBit((leaves[mid] as Leaf).path, d) === 0) mid++;
    const c0 = this.build(d + 1, leaves, lo, mid);
    const c1 = this.build(d + 1, leaves, mid, hi);
    if (c0.kind !== "empty") this.record(nodeKey(first.path, d + 1), c0);
    if (c1.kind !== "empty") this.record(nodeKey((leaves[mid] as Leaf).path, d + 1), c1);
    return { kind: "inner", hash: trieNodeHash(subHash(c0), subHash(c1)) };
  }
}

function combine(c0: Sub, c1: Sub): Sub {
  if (c0.kind === "empty" && c1.kind !== "inner") return c1;
  if (c1.kind === "empty" && c0.kind !== "inner") return c0;
  return { kind: "inner", hash: trieNodeHash(subHash(c0), subHash(c1)) };
}

/** What a proof of a key's path holds: where the path ends and the sibling hashes on the way. */
export interface TriePath {
  /** The entry whose leaf ends the path (the key itself, or another sharing the prefix), or undefined for an empty subtree. */
  leaf: Uint8Array | undefined;
  /** Sibling hashes from the end of the path up to the bucket root (deepest first). */
  siblings: Uint8Array[];
}

/**
 * Walks `path` from its bucket's root down to a leaf or an empty subtree in the committed trie.
 *
 * @example
 * const { leaf, siblings } = provePath(db, requestSubtreePath(key));
 */
export function provePath(src: TrieNodeSource, path: Uint8Array): TriePath {
  const siblings: Uint8Array[] = [];
  for (let d = BUCKET_BITS; d <= PATH_BITS; d++) {
    const row = src.node(nodeKey(path, d));
    if (!row || row.leaf) return { leaf: row?.leaf ?? undefined, siblings: siblings.reverse() };
    if (d >= PATH_BITS) break;
    siblings.push(subHash(fromRow(src.node(childKey(path, d, pathBit(path, d) ^ 1)))));
  }
  throw new TrieCorruptError("trie path does not end");
}
