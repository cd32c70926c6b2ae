/**
 * The app-hash commitment: state entries hashed into 2^16 buckets, each bucket a binary Merkle trie
 * over its entries' key paths (`bucket-trie.ts`), and a binary Merkle tree over the bucket hashes.
 * The layout and hash domains are specified in `app/store/README.md`; the functions here are the
 * single place the hashes are computed, for the store and for proof checking.
 */
import { hash } from "node:crypto";

/** log2 of the number of buckets; part of the consensus format. */
export const BUCKET_BITS = 16;
export const BUCKET_COUNT = 1 << BUCKET_BITS;

/** Domain bytes: no hash of one kind can be read as a hash of another. */
const DOMAIN_ENTRY = 0x00;
/** The empty bucket or subtree (in earlier layouts also the bucket's list hash). */
const DOMAIN_EMPTY = 0x01;
const DOMAIN_INNER = 0x02;
const DOMAIN_TRIE = 0x03;

/** SHA-256 of bytes. */
export function sha256(data: Uint8Array): Buffer {
  return hash("sha256", data, "buffer");
}

/**
 * A key's path in the commitment: its first 16 bits choose the bucket, the rest its place in the
 * bucket's trie. Which rule applies is part of the database's layout (`layouts.ts`).
 */
export type KeyPathRule = (key: Uint8Array) => Buffer;

/** Layouts 2 to 4: path(key) = sha256(key). */
export const plainPath: KeyPathRule = sha256;

const POQ_PREFIX = [0x70, 0x6f, 0x71, 0x2f]; // "poq/"
/** The poq tag of a request's record: `poq/ 0x02 | u64 id` (app/modules/poq/keys.ts). */
const POQ_REQUEST_TAG = 0x02;
/** poq keys that end with the id of the request they belong to (layouts 5 to 7; the set is frozen with them). */
const ID_LAST_TAGS = new Set([0x02, 0x04, 0x05, 0x06, 0x0c, 0x0f, 0x17, 0x19, 0x20, 0x21, 0x22, 0x23, 0x24]);
/** poq keys whose id follows the tag: a validator's commitment and reveal for the request. */
const ID_FIRST_TAGS = new Set([0x07, 0x08]);
const POQ_ID_KEY_MIN = POQ_PREFIX.length + 1 + 8;

/**
 * Where the u64 id of the poq request that `key` belongs to starts in `key` (its record, index
 * entries, deadlines, seats, commitments and reveals), or -1 for every other key.
 */
function requestIdOffset(key: Uint8Array): number {
  if (key.length < POQ_ID_KEY_MIN) return -1;
  for (let i = 0; i < POQ_PREFIX.length; i++) if (key[i] !== POQ_PREFIX[i]) return -1;
  const tag = key[POQ_PREFIX.length] as number;
  return ID_LAST_TAGS.has(tag) ? key.length - 8 : ID_FIRST_TAGS.has(tag) ? POQ_PREFIX.length + 1 : -1;
}

/**
 * The key whose bucket `key` shares under layouts 5 and 6: for a key of a poq request (its
 * record, its index entries, deadlines, seats, commitments and reveals), the request's record
 * key; undefined for every other key.
 *
 * @example
 * bucketAnchor(requestByStatusKey(code, 7n)); // requestKey(7n)
 */
export function bucketAnchor(key: Uint8Array): Uint8Array | undefined {
  const at = requestIdOffset(key);
  if (at < 0) return undefined;
  const anchor = new Uint8Array(POQ_ID_KEY_MIN);
  anchor.set(POQ_PREFIX, 0);
  anchor[POQ_PREFIX.length] = POQ_REQUEST_TAG;
  anchor.set(key.subarray(at, at + 8), POQ_PREFIX.length + 1);
  return anchor;
}

/**
 * Layout 5: sha256(key) with its first 16 bits (the bucket) taken from sha256 of the key's
 * {@link bucketAnchor} when it has one. A block touches a request's record and several of its
 * index entries together; in one bucket they cost one trie walk and one page write, not one each.
 * Request ids are the chain's counter, so no requester can choose the bucket.
 *
 * @example
 * bucketOfPath(anchoredPath(requestByStatusKey(code, 7n))) === bucketOfPath(anchoredPath(requestKey(7n))); // true
 */
export function anchoredPath(key: Uint8Array): Buffer {
  const path = sha256(key);
  const anchor = bucketAnchor(key);
  if (anchor) sha256(anchor).copy(path, 0, 0, BUCKET_BITS / 8);
  return path;
}

/**
 * Layout 6: sha256(key) with its first 16 bits (the bucket) the low 16 bits of the
 * request id when `key` is a poq request's, so request `id` and all its keys lie in bucket
 * `id mod 2^16`. As in layout 5 a request's keys share one bucket; and the requests a block
 * touches (the new ones, those in flight, those falling due for pruning) have neighbouring ids, so
 * they lie in neighbouring buckets: their trie pages are neighbouring rows of SQLite's B-tree
 * (a page's id starts with its bucket), which a block writes as a few database pages, not one
 * random database page per request. The ids are the chain's counter, so nobody chooses the bucket,
 * and they fill the buckets evenly.
 *
 * @example
 * bucketOfPath(idBucketPath(requestByStatusKey(code, 65_543n))); // 7
 */
export function idBucketPath(key: Uint8Array): Buffer {
  const path = sha256(key);
  const at = requestIdOffset(key);
  if (at >= 0) {
    path[0] = key[at + 6] as number;
    path[1] = key[at + 7] as number;
  }
  return path;
}

/**
 * Layout 7: the request subtree bits. In a request's bucket `id mod 2^16` the requests
 * `id + k * 2^16` take turns, and each of the first 2^this of them has a subtree of its own.
 */
export const REQUEST_ROUND_BITS = 2;

/**
 * Layout 7 (a new chain's): layout 6's buckets, and inside a bucket the keys of a request in a
 * subtree of their own.
 *
 * - For a request's key, path bit 16 is 1, and bits 17 and 18 are bits 16 and 17 of the id (the
 *   request's round in its bucket, lowest bit first), so the first four requests of a bucket each
 *   have a subtree. The rest is the key's own sha256.
 * - Every other key's path is its own sha256, as in layouts 4 to 6: the half of them with bit 16
 *   at 0 never share a subtree with a request, and an eighth of them share a given round's.
 *
 * In layout 6 an old request's keys were mixed with the new one's in the bucket's trie, and an
 * account's key with both. A block writes about eight keys of each request it touches, and each of
 * those walks was a level deeper for every doubling of the keys in the bucket; here only the one
 * walk to the request's subtree is. On `poq bench scale-nodes`'s load, a block's hash at 100,000
 * finished requests reads 1,962 trie nodes against 2,437 in layout 6, where a new chain reads
 * 1,472 (1,168 in layout 6). Every fixed bit costs a node wherever nothing else shares the subtree
 * (the trie has no path compression): that is the new chain's extra, and why the round has two
 * bits and other keys have no class bit (in a state of accounts alone it would be a level on every
 * walk). Past 4 x 2^16 requests the rounds share subtrees again, and the walks grow as in layout
 * 6, a level per doubling.
 *
 * @example
 * bucketOfPath(requestSubtreePath(requestKey(65_543n))); // 7, path bits 16..18 = 1, 1, 0
 */
export function requestSubtreePath(key: Uint8Array): Buffer {
  const path = sha256(key);
  const at = requestIdOffset(key);
  if (at < 0) return path;
  const rest = (path[2] as number) & (0xff >> (1 + REQUEST_ROUND_BITS));
  path[0] = key[at + 6] as number;
  path[1] = key[at + 7] as number;
  const round = key[at + 5] as number; // bits 16 to 23 of the id
  let bits = 0;
  for (let i = 0; i < REQUEST_ROUND_BITS; i++) bits = (bits << 1) | ((round >> i) & 1);
  path[2] = 0x80 | (bits << (7 - REQUEST_ROUND_BITS)) | rest;
  return path;
}

/** The bucket of a key path: its first 16 bits, big-endian. */
export function bucketOfPath(path: Uint8Array): number {
  return ((path[0] ?? 0) << 8) | (path[1] ?? 0);
}

/**
 * The bucket a key belongs to under a path rule (by default the current layout's).
 *
 * @example
 * bucketOf(new TextEncoder().encode("a")); // 51934 (0xca97...)
 */
export function bucketOf(key: Uint8Array, pathOf: KeyPathRule = requestSubtreePath): number {
  return bucketOfPath(pathOf(key));
}

/**
 * Hash of one state entry: sha256(0x00 || u32be(len key) || key || sha256(value)).
 * Proofs carry `valueHash` instead of the value for the other entries of a bucket.
 */
export function entryHash(key: Uint8Array, valueHash: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(1 + 4 + key.length + 32);
  buf[0] = DOMAIN_ENTRY;
  buf.writeUInt32BE(key.length, 1);
  buf.set(key, 5);
  buf.set(valueHash, 5 + key.length);
  return sha256(buf);
}

/** An entry as the commitment sees it. */
export interface CommittedEntry {
  key: Uint8Array;
  valueHash: Uint8Array;
}

/** Hash of an inner node: sha256(0x02 || left || right). */
export function innerHash(left: Uint8Array, right: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(65);
  buf[0] = DOMAIN_INNER;
  buf.set(left, 1);
  buf.set(right, 33);
  return sha256(buf);
}

/** Hash of an inner node of a bucket's trie: sha256(0x03 || left || right). */
export function trieNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(65);
  buf[0] = DOMAIN_TRIE;
  buf.set(left, 1);
  buf.set(right, 33);
  return sha256(buf);
}

/** The hash of a bucket, or of a subtree of its trie, without entries: sha256(0x01). */
export const EMPTY_BUCKET_HASH: Buffer = sha256(Uint8Array.of(DOMAIN_EMPTY));

/**
 * The Merkle tree over bucket hashes, kept whole in memory (2^17 nodes of 32 bytes = 4 MiB) in
 * heap order: node 1 is the root, node i has children 2i and 2i+1, bucket b is node 2^16 + b.
 *
 * Updates are staged in an overlay so that the committed tree (what Info reports and proofs are
 * made against) stays intact until the block is committed.
 */
export class BucketTree {
  private readonly nodes = Buffer.alloc(2 * BUCKET_COUNT * 32);
  private overlay = new Map<number, Uint8Array>();
  /**
   * The input of an inner hash (domain byte, left, right), reused: a block rehashes tens of
   * thousands of inner nodes, and copying the children here allocates nothing.
   */
  private readonly innerInput = Buffer.alloc(65);

  /** A tree whose buckets have the given hashes (missing buckets are empty). */
  constructor(bucketHashes: Iterable<[number, Uint8Array]> = []) {
    const emptyBucket = EMPTY_BUCKET_HASH;
    for (let b = 0; b < BUCKET_COUNT; b++) this.nodes.set(emptyBucket, (BUCKET_COUNT + b) * 32);
    for (const [b, h] of bucketHashes) this.nodes.set(h, (BUCKET_COUNT + b) * 32);
    this.innerInput[0] = DOMAIN_INNER;
    for (let i = BUCKET_COUNT - 1; i >= 1; i--) this.nodes.set(this.hashChildren(i, false), i * 32);
  }

  /** innerHash of node i's children, committed ones or (with `staged`) the overlay's. */
  private hashChildren(i: number, staged: boolean): Buffer {
    this.copyNode(2 * i, 1, staged);
    this.copyNode(2 * i + 1, 33, staged);
    return sha256(this.innerInput);
  }

  private copyNode(i: number, offset: number, staged: boolean): void {
    const over = staged ? this.overlay.get(i) : undefined;
    if (over) this.innerInput.set(over, offset);
    else this.nodes.copy(this.innerInput, offset, i * 32, i * 32 + 32);
  }

  private committedNode(i: number): Uint8Array {
    return this.nodes.subarray(i * 32, i * 32 + 32);
  }

  private node(i: number): Uint8Array {
    return this.overlay.get(i) ?? this.committedNode(i);
  }

  /** The committed root. */
  committedRoot(): Uint8Array {
    return Uint8Array.from(this.committedNode(1));
  }

  /** The root including staged bucket updates. */
  stagedRoot(): Uint8Array {
    return Uint8Array.from(this.node(1));
  }

  /** Stages new bucket hashes and rehashes only the paths above them. */
  stage(bucketHashes: ReadonlyMap<number, Uint8Array>): void {
    const dirty = new Set<number>();
    for (const [b, h] of bucketHashes) {
      const i = BUCKET_COUNT + b;
      this.overlay.set(i, h);
      dirty.add(i >> 1);
    }
    let level = dirty;
    while (level.size > 0) {
      const next = new Set<number>();
      for (const i of level) {
        this.overlay.set(i, this.hashChildren(i, true));
        if (i > 1) next.add(i >> 1);
      }
      level = next;
    }
  }

  /** Makes the staged updates the committed tree. */
  commitStaged(): void {
    for (const [i, h] of this.overlay) this.nodes.set(h, i * 32);
    this.overlay = new Map();
  }

  /** Drops the staged updates. */
  discardStaged(): void {
    this.overlay = new Map();
  }

  /** Sibling hashes from bucket `b` up to the root, in the committed tree (16 of them, leaf level first). */
  committedPath(b: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = BUCKET_COUNT + b; i > 1; i >>= 1) out.push(Uint8Array.from(this.committedNode(i ^ 1)));
    return out;
  }
}
