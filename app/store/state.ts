/**
 * The application's state: the committed SQLite state, the block being finalized (deliver
 * state), the check state for CheckTx, and the app hash over all of it.
 */
import type { HotPagePolicy } from "./hot-pages.js";
import { CommittedDb, type PersistedWrite } from "./committed.js";
import { CONTINUED_LAYOUTS, STORE_LAYOUT, pathRuleOf } from "./layouts.js";
import { LayeredStore } from "./layered.js";
import { BucketTree, EMPTY_BUCKET_HASH, bucketOf, bucketOfPath, sha256, type KeyPathRule } from "./merkle.js";
import {
  provePath,
  updateBucket,
  type PathWrite,
  type TrieNodeSource,
  type TrieWrite,
} from "./bucket-trie.js";
import type { StoreProof } from "./proof.js";
import { BaseError } from "../errors.js";

/** The database does not agree with itself: refuse to start rather than fork the chain. */
export class StoreCorruptError extends BaseError {
  override name = "StoreCorruptError" as const;
}

/** A restored snapshot does not hash to the app hash the light client trusts. */
export class SnapshotMismatchError extends BaseError {
  override name = "SnapshotMismatchError" as const;
}

export interface StateStoreOptions {
  /** SQLite file (created with its folder when missing). */
  path: string;
  /**
   * The store layout a new database gets, and keeps through InitChain's wipe ({@link STORE_LAYOUT}
   * by default). A chain's app hashes depend on it: a node that joins a chain started with layout
   * 4, 5 or 6 by replaying it from genesis must build that layout (a database that already holds a
   * chain keeps its own, whatever this says).
   */
  layout?: number;
  /**
   * When trie page rows move to the small `trie_hot` table and back (hot-pages.ts; storage only).
   * Default `DEFAULT_HOT_PAGE_POLICY`; `maxHot: 0` keeps every row in `trie_pages`, for A/B
   * benchmarks.
   */
  hotPages?: Readonly<HotPagePolicy>;
}

/**
 * Genesis writes held in memory before they are written to SQLite (see `commitGenesis`). Small:
 * held writes outlive V8's young generation and die in old space, raising the genesis RSS peak
 * (4,096 cost ~10 MB more at 100,000 accounts than 1,024; the extra SQLite transactions are cheap).
 */
const GENESIS_SPILL_WRITES = 1024;
/**
 * Buckets hashed per database read when a genesis is committed. Small, so that a chunk's entries
 * and trie nodes die young: with 1,024 they outlived V8's young generation, piled up in old space
 * and raised the 100,000-account genesis peak by about 20 MB (bench/accounts-memory.ts).
 */
const GENESIS_HASH_BUCKETS = 256;

/** A write of the deliver state: what Commit persists, and the key's path the trie is walked by. */
type PendingWrite = PersistedWrite & { path: Uint8Array };

/** A staged block: valid while the deliver state's version is unchanged. */
interface Staged {
  version: number;
  writes: PersistedWrite[];
  /** Trie nodes the block changes, keyed by id (latin1). */
  nodes: Map<string, TrieWrite>;
  buckets: Map<number, Uint8Array>;
  root: Uint8Array;
}

/** What {@link StateStore.prove} returns: the committed value (undefined when absent) and its proof. */
export interface ProveResult {
  value: Uint8Array | undefined;
  proof: StoreProof;
  /** The root the proof verifies against: the last committed app hash. */
  root: Uint8Array;
}

/**
 * The state store the base app runs on.
 *
 * - `deliver`: FinalizeBlock's store; its layer 0 is the block, persisted by {@link commit}.
 * - `check`: CheckTx's store, branched from the committed state and reset by {@link commit}.
 * - {@link workingHash}: the app hash of committed + deliver, computed incrementally.
 *
 * @example
 * const state = createStateStore({ path: "/tmp/poq/app.db" });
 * state.deliver.set(key, value);
 * const appHash = state.workingHash();
 * state.commit(1n);
 */
export class StateStore {
  readonly deliver: LayeredStore;
  readonly check: LayeredStore;
  private readonly db: CommittedDb;
  private tree: BucketTree;
  /** The pending block's writes and bucket hashes as last staged, persisted by commit. */
  private staged: Staged | undefined = undefined;
  /**
   * While a genesis is written (from {@link wipe} to {@link commitGenesis}): the buckets of the
   * entries already spilled to SQLite. Undefined otherwise.
   */
  private genesisBuckets: Set<number> | undefined = undefined;
  /** Trie nodes read by the last hashing of a block (see {@link hashReads}). */
  private nodeReads = 0;
  /** Those of the reads that went to SQLite, not to the trie node cache (see {@link hashDbReads}). */
  private nodeDbReads = 0;

  /** The SQLite file (a snapshot worker opens its own read connection to it). */
  readonly path: string;

  constructor(opts: StateStoreOptions) {
    this.path = opts.path;
    if (opts.layout !== undefined && !pathRuleOf(opts.layout)) {
      throw new RangeError(
        `store layout ${opts.layout} is not one this version writes (${CONTINUED_LAYOUTS.join(", ")})`,
      );
    }
    this.db = CommittedDb.open(opts.path, opts.layout, opts.hotPages);
    if (!pathRuleOf(this.db.layout)) {
      this.db.close();
      throw new StoreCorruptError(
        `${opts.path} holds a chain written with app-hash layout ${this.db.layout}; this version continues layouts ${CONTINUED_LAYOUTS.join(", ")} (a trie per bucket) and cannot continue that chain: re-create it`,
      );
    }
    this.tree = new BucketTree(this.db.bucketHashes());
    if (this.db.height > 0n && !Buffer.from(this.tree.committedRoot()).equals(this.db.appHash)) {
      throw new StoreCorruptError(
        `bucket hashes in ${opts.path} do not give the app hash persisted at height ${this.db.height}`,
      );
    }
    this.deliver = new LayeredStore(this.db, () => this.spillGenesis());
    this.check = new LayeredStore(this.db);
  }

  /** Height of the last persisted Commit (0 before the first). */
  get lastHeight(): bigint {
    return this.db.height;
  }

  /** App hash persisted with that Commit (empty before the first). */
  get lastAppHash(): Uint8Array {
    return this.db.appHash;
  }

  /** A fresh read view of the committed state (its writes go nowhere), for queries. */
  committedView(): LayeredStore {
    return new LayeredStore(this.db);
  }

  /** The committed value of a key. */
  getCommitted(key: Uint8Array): Uint8Array | undefined {
    return this.db.get(key);
  }

  /**
   * The app hash of the committed state plus the deliver state's pending writes. Rehashes only
   * the buckets those writes touch and the tree paths above them.
   */
  workingHash(): Uint8Array {
    return this.stage().root;
  }

  /**
   * Entries the pending block changes, as last hashed: its writes less those that change nothing
   * (a key deleted that was never committed, a value written back unchanged).
   */
  get hashWrites(): number {
    return this.staged?.writes.length ?? 0;
  }

  /** Buckets the pending block changes, as last hashed: each is one trie walk from its root. */
  get hashBucketCount(): number {
    return this.staged?.buckets.size ?? 0;
  }

  /**
   * Trie nodes read from the committed state the last time the pending block was hashed: grows with
   * the block's changed entries and their depth in their bucket's trie, not with bucket sizes.
   */
  get hashReads(): number {
    return this.nodeReads;
  }

  /**
   * Of {@link hashReads}, the nodes read from SQLite: the others came from the committed database's
   * cache of recently read trie nodes (the paths of keys that change block after block).
   */
  get hashDbReads(): number {
    return this.nodeDbReads;
  }

  /** The key path rule of the state's layout (`layouts.ts`; the constructor refused others). */
  private get pathOf(): KeyPathRule {
    return pathRuleOf(this.db.layout) as KeyPathRule;
  }

  /** Stages the pending block's bucket hashes in the tree, once per change of the deliver state. */
  private stage(): Staged {
    if (this.staged && this.staged.version === this.deliver.version) return this.staged;
    // A block's layer also holds writes that leave the state as it was: keys created and deleted
    // again within the block (an index entry of a request that moved on twice), values written back
    // unchanged. They hash to the same root and persist nothing, so they are left out.
    const writes = this.pendingPersistWrites().filter((w) => !this.db.writeIsNoop(w.key, w.value));
    const { nodes, buckets } = this.hashBuckets(
      writes.map((w) => ({ key: w.key, path: w.path, valueHash: w.value && sha256(w.value) })),
    );
    this.tree.discardStaged();
    this.tree.stage(buckets);
    this.staged = { version: this.deliver.version, writes, nodes, buckets, root: this.tree.stagedRoot() };
    return this.staged;
  }

  /**
   * Applies changed entries to the committed bucket tries: the trie nodes to persist and the new
   * hash of every bucket touched. Reads only the nodes on the changed entries' paths. Sorts
   * `byPath` by path in place.
   */
  private hashBuckets(byPath: PathWrite[]): {
    nodes: Map<string, TrieWrite>;
    buckets: Map<number, Uint8Array>;
  } {
    byPath.sort((a, b) => Buffer.compare(a.path, b.path));
    const nodes = new Map<string, TrieWrite>();
    const buckets = new Map<number, Uint8Array>();
    this.nodeReads = 0;
    this.db.trieDbReads = 0;
    const pathOf = this.pathOf;
    const src: TrieNodeSource = {
      node: (id) => {
        this.nodeReads++;
        return this.db.node(id);
      },
    };
    for (let lo = 0; lo < byPath.length;) {
      const bucket = bucketOfPath((byPath[lo] as PathWrite).path);
      let hi = lo + 1;
      while (hi < byPath.length && bucketOfPath((byPath[hi] as PathWrite).path) === bucket) hi++;
      buckets.set(bucket, updateBucket(src, byPath.slice(lo, hi), nodes, pathOf));
      lo = hi;
    }
    this.nodeDbReads = this.db.trieDbReads;
    return { nodes, buckets };
  }

  /**
   * Persists the deliver state as block `height` in one SQLite transaction together with the app
   * hash, then resets the deliver and check states. Returns the app hash.
   */
  commit(height: bigint): Uint8Array {
    const { writes, nodes, root } = this.stage();
    this.db.persist(writes, nodes.values(), height, root);
    this.tree.commitStaged();
    this.staged = undefined;
    this.deliver.reset();
    this.check.reset();
    return root;
  }

  /**
   * Persists the genesis state written into the deliver state, at height 0 with an empty app
   * hash in `meta`, so that Info still says "height 0" and CometBFT repeats InitChain after a
   * crash before the first block (which {@link wipe}s this first). Returns the genesis app hash.
   *
   * A large genesis (100,000 accounts) does not stay in the in-memory layers: after {@link wipe},
   * every {@link GENESIS_SPILL_WRITES} writes go to SQLite as they are made, and this builds the
   * tries of the buckets they touched from the database, a chunk of buckets at a time. The entries
   * and so the app hash are the same as if everything had been staged at once.
   */
  commitGenesis(): Uint8Array {
    if (this.db.height !== 0n) throw new StoreCorruptError(`genesis commit at height ${this.db.height}`);
    // After a wipe the tree is empty: built whole from the bucket hashes (in its own buffer), not
    // staged bucket by bucket (an overlay of 131,072 node buffers at the genesis memory peak).
    const wiped = this.genesisBuckets !== undefined;
    const touched = this.genesisBuckets ?? new Set<number>();
    this.genesisBuckets = undefined;
    this.spillPending(touched);
    const hashes = this.hashStoredBuckets([...touched].sort((a, b) => a - b));
    this.tree.discardStaged();
    let root: Uint8Array;
    if (wiped) {
      const tree = new BucketTree(hashes);
      root = tree.committedRoot();
      this.db.persist([], [], 0n, new Uint8Array(0));
      this.tree = tree;
    } else {
      this.tree.stage(new Map(hashes));
      root = this.tree.stagedRoot();
      this.db.persist([], [], 0n, new Uint8Array(0));
      this.tree.commitStaged();
    }
    this.staged = undefined;
    this.deliver.reset();
    this.check.reset();
    return root;
  }

  /** Layer 0 of the deliver state as writes to persist, each with its path ({@link pathOf}) and bucket. */
  private pendingPersistWrites(): PendingWrite[] {
    const pathOf = this.pathOf;
    return this.deliver.pendingWrites().map(([key, value]) => {
      const path = pathOf(key);
      return { key, value, path, bucket: bucketOfPath(path) };
    });
  }

  /** The deliver state's afterWrite hook: spills a genesis in progress once enough writes pile up. */
  private spillGenesis(): void {
    if (!this.genesisBuckets || this.deliver.depth !== 0) return;
    if (this.deliver.pendingCount >= GENESIS_SPILL_WRITES) this.spillPending(this.genesisBuckets);
  }

  /** Writes layer 0 of the deliver state to SQLite (genesis only), noting the buckets touched. */
  private spillPending(touched: Set<number>): void {
    const writes = this.pendingPersistWrites();
    this.db.writeEntries(writes);
    for (const w of writes) touched.add(w.bucket);
    this.deliver.reset();
    this.staged = undefined;
  }

  /** Deletes the whole state; only allowed at height 0 (before the first block is committed). */
  wipe(): void {
    if (this.db.height !== 0n)
      throw new StoreCorruptError(`refusing to wipe the state at height ${this.db.height}`);
    this.db.wipe();
    // A wipe starts a genesis: from here to commitGenesis the deliver state spills to SQLite.
    this.genesisBuckets = new Set();
    this.tree = new BucketTree();
    this.staged = undefined;
    this.deliver.reset();
    this.check.reset();
  }

  /**
   * Replaces the state with a snapshot's entries (ascending by key) as the committed state of
   * `height`, and rebuilds every bucket trie and the tree from them. The recomputed app hash must
   * equal `trustedAppHash` (from the light client); otherwise, or when `entries` throws, nothing is
   * kept: one SQLite transaction rolls back to the state before. Only at height 0 (a node that has
   * committed no block). The state takes store `layout` (the snapshot format's: 4 for a chain started
   * with it, else 5). Returns the number of entries restored.
   *
   * @example
   * state.restore(2000n, appHashFromHeader, entriesOfChunks(chunks));
   */
  restore(
    height: bigint,
    trustedAppHash: Uint8Array,
    entries: Iterable<[Uint8Array, Uint8Array]>,
    layout: number = STORE_LAYOUT,
  ): number {
    if (!pathRuleOf(layout)) throw new StoreCorruptError(`a snapshot cannot restore store layout ${layout}`);
    if (this.db.height !== 0n)
      throw new StoreCorruptError(
        `refusing to restore a snapshot over the state at height ${this.db.height}`,
      );
    if (height < 1n) throw new StoreCorruptError("a snapshot restores a height of at least 1");
    let tree: BucketTree | undefined;
    let count = 0;
    this.db.atomically(() => {
      this.db.clearAll(layout);
      const pathOf = this.pathOf;
      const touched = new Set<number>();
      let batch: PersistedWrite[] = [];
      for (const [key, value] of entries) {
        const w = { key, value, bucket: bucketOf(key, pathOf) };
        batch.push(w);
        touched.add(w.bucket);
        count++;
        if (batch.length >= GENESIS_SPILL_WRITES) {
          this.db.writeEntries(batch);
          batch = [];
        }
      }
      this.db.writeEntries(batch);
      const hashes = this.hashStoredBuckets([...touched].sort((a, b) => a - b));
      // The state was cleared: the tree is built whole from the bucket hashes.
      tree = new BucketTree(hashes);
      const root = tree.committedRoot();
      if (!Buffer.from(root).equals(Buffer.from(trustedAppHash))) {
        throw new SnapshotMismatchError(
          `the restored state hashes to ${Buffer.from(root).toString("hex")}, not the trusted app hash ${Buffer.from(trustedAppHash).toString("hex")} of height ${height}`,
        );
      }
      this.db.persist([], [], height, root);
    });
    if (tree) this.tree = tree;
    this.genesisBuckets = undefined;
    this.staged = undefined;
    this.deliver.reset();
    this.check.reset();
    return count;
  }

  /** Builds the tries of buckets whose entries are all in SQLite (none of them yet hashed). */
  private hashStoredBuckets(buckets: readonly number[]): BucketHashList {
    const hashes = new BucketHashList(buckets);
    const pathOf = this.pathOf;
    this.db.withBucketIndex(() => {
      for (let i = 0; i < buckets.length; i += GENESIS_HASH_BUCKETS) {
        const chunk = buckets.slice(i, i + GENESIS_HASH_BUCKETS);
        const entries: PathWrite[] = [];
        for (const list of this.db.bucketEntriesOf(chunk).values()) {
          for (const e of list) entries.push({ key: e.key, path: pathOf(e.key), valueHash: sha256(e.value) });
        }
        const { nodes, buckets: chunkHashes } = this.hashBuckets(entries);
        this.db.writeTrieNodes(nodes.values());
        // A bucket whose entries were all deleted again is empty: its tree leaf is EMPTY, and it
        // keeps no root page (start-up reads it as empty too).
        chunk.forEach((b, j) => hashes.set(i + j, chunkHashes.get(b) ?? EMPTY_BUCKET_HASH));
      }
    });
    return hashes;
  }

  /** The app hash of the committed state (of genesis, at height 0 after InitChain). */
  committedRoot(): Uint8Array {
    return this.tree.committedRoot();
  }

  /** Drops the pending block (deliver state) without persisting it. */
  discardPending(): void {
    this.genesisBuckets = undefined;
    this.deliver.reset();
    this.tree.discardStaged();
    this.staged = undefined;
  }

  /**
   * A membership (or absence) proof of `key` in the last committed state.
   *
   * @example
   * const { value, proof, root } = state.prove(key);
   * verifyProof(root, key, value, proof); // true
   */
  prove(key: Uint8Array): ProveResult {
    const path = this.pathOf(key);
    const bucket = bucketOfPath(path);
    const { leaf, siblings } = provePath(this.db, path);
    const leafValue = leaf && this.db.get(leaf);
    if (leaf && !leafValue) throw new StoreCorruptError("a trie leaf names a key that is not in the state");
    return {
      value: this.db.get(key),
      proof: {
        bucket,
        leaf: leaf && leafValue ? { key: leaf, valueHash: sha256(leafValue) } : undefined,
        trieSiblings: siblings,
        siblings: this.tree.committedPath(bucket),
      },
      root: this.tree.committedRoot(),
    };
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The hashes of many buckets (a genesis or a restore: up to all 65,536), 32 bytes each in one
 * buffer rather than a Map of 65,536 small buffers at the genesis memory peak.
 */
class BucketHashList implements Iterable<[number, Uint8Array]> {
  private readonly hashes: Buffer;

  /** @param buckets the buckets, in the order their hashes are set. */
  constructor(private readonly buckets: readonly number[]) {
    this.hashes = Buffer.alloc(buckets.length * 32);
  }

  /** Sets the hash of `buckets[i]`. */
  set(i: number, hash: Uint8Array): void {
    this.hashes.set(hash, i * 32);
  }

  *[Symbol.iterator](): Iterator<[number, Uint8Array]> {
    for (let i = 0; i < this.buckets.length; i++) {
      yield [this.buckets[i] as number, this.hashes.subarray(i * 32, i * 32 + 32)];
    }
  }
}

/**
 * Opens the state store at `opts.path`.
 *
 * @example
 * const state = createStateStore({ path: join(home, "data", "app.db") });
 */
export function createStateStore(opts: StateStoreOptions): StateStore {
  return new StateStore(opts);
}
