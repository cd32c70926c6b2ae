/**
 * The app hash of a whole set of entries, computed from scratch straight from the definition in
 * `app/store/README.md`, with no persisted nodes and no incremental update. Tests check the
 * store's incremental hashing against it; it is far too slow for a block.
 */
import {
  BUCKET_BITS,
  BucketTree,
  EMPTY_BUCKET_HASH,
  requestSubtreePath,
  bucketOfPath,
  entryHash,
  sha256,
  trieNodeHash,
  type KeyPathRule,
} from "./merkle.js";
import { pathBit } from "./bucket-trie.js";

interface PathEntry {
  path: Uint8Array;
  hash: Uint8Array;
}

/** Hash of the subtree at depth `d` holding `entries`. */
function subtree(d: number, entries: readonly PathEntry[]): Uint8Array {
  if (entries.length === 0) return EMPTY_BUCKET_HASH;
  if (entries.length === 1) return (entries[0] as PathEntry).hash;
  const zero = entries.filter((e) => pathBit(e.path, d) === 0);
  const one = entries.filter((e) => pathBit(e.path, d) === 1);
  return trieNodeHash(subtree(d + 1, zero), subtree(d + 1, one));
}

/**
 * The app hash of `entries` (keys distinct), with the key paths of `pathOf` (a new chain's, layout 7, by default).
 *
 * @example
 * referenceRoot([{ key: enc("a"), value: enc("1") }]);
 */
export function referenceRoot(
  entries: Iterable<{ key: Uint8Array; value: Uint8Array }>,
  pathOf: KeyPathRule = requestSubtreePath,
): Uint8Array {
  const byBucket = new Map<number, PathEntry[]>();
  for (const e of entries) {
    const path = pathOf(e.key);
    const bucket = bucketOfPath(path);
    const list = byBucket.get(bucket) ?? [];
    list.push({ path, hash: entryHash(e.key, sha256(e.value)) });
    byBucket.set(bucket, list);
  }
  const hashes: [number, Uint8Array][] = [...byBucket].map(([b, list]) => [b, subtree(BUCKET_BITS, list)]);
  return new BucketTree(hashes).committedRoot();
}
