/**
 * The app-hash layouts this version writes and continues, and the key path rule of each
 * (`app/store/README.md` "Request buckets and subtrees"). The one place that lists them: the store,
 * snapshot formats, `poq start --store-layout` and the validator's flag all take them from here.
 */
import { anchoredPath, idBucketPath, plainPath, requestSubtreePath, type KeyPathRule } from "./merkle.js";

/**
 * The database layout a new chain gets: 7 = a Merkle trie inside each bucket, stored in pages of
 * four levels, the bucket hashes read from the roots' pages, the keys of poq request `id` in bucket
 * `id mod 2^16`, and in that bucket in a subtree of their own (`merkle.ts` `requestSubtreePath`).
 * Layouts 6, 5 and 4 are the same but for those last rules: layout 6 has the buckets but mixes the
 * bucket's keys in one trie (`idBucketPath`), layout 5 keeps a request's keys in the bucket of its
 * record key's sha256 (`anchoredPath`), layout 4 every key in the bucket of its own sha256. A chain
 * started with any of them goes on with it, since its app hashes are already in CometBFT's
 * headers. Layouts 2 (layout 4's tries, a node per row of a `trie` table) and 3 (layout 4's pages,
 * and the bucket hashes again in a `buckets` table) are converted to layout 4 when opened; the app
 * hash is the same. Layout 1 (no `layout` row: a bucket hashed as the list of its entries) cannot
 * be upgraded in place; such a database belongs to a chain that has to be re-created.
 */
export const STORE_LAYOUT = 7;
/** A poq request's keys in bucket `id mod 2^16`, mixed with the bucket's other keys ({@link STORE_LAYOUT} otherwise). */
export const ID_BUCKET_LAYOUT = 6;
/** A poq request's keys in the bucket of its record key's sha256 ({@link STORE_LAYOUT} otherwise). */
export const ANCHORED_PATH_LAYOUT = 5;
/** Every key in the bucket of its own sha256 ({@link STORE_LAYOUT} otherwise). */
export const PLAIN_PATH_LAYOUT = 4;

/**
 * The key path rule of each store layout this version continues: layout 7 keeps a poq request's
 * keys in bucket `id mod 2^16`, in a subtree of their own; a chain started with layout 6 goes on
 * keeping them in that bucket, mixed with its other keys, one started with layout 5 in the bucket of
 * their record key's sha256, and one started with layout 4 hashing every key by its own sha256.
 * A layout not here cannot be continued.
 */
const PATH_RULES = new Map<number, KeyPathRule>([
  [PLAIN_PATH_LAYOUT, plainPath],
  [ANCHORED_PATH_LAYOUT, anchoredPath],
  [ID_BUCKET_LAYOUT, idBucketPath],
  [STORE_LAYOUT, requestSubtreePath],
]);

/** The layouts this version continues (and can build from a genesis), ascending. */
export const CONTINUED_LAYOUTS: readonly number[] = [...PATH_RULES.keys()];

/**
 * The key path rule of `layout`, or undefined for a layout this version cannot continue.
 *
 * @example
 * pathRuleOf(STORE_LAYOUT); // requestSubtreePath
 */
export function pathRuleOf(layout: number): KeyPathRule | undefined {
  return PATH_RULES.get(layout);
}
