/**
 * The application's state: the committed SQLite state, the block being finalized (deliver
 * state), the check state for CheckTx, and the app hash over all of it.
 */
import { CommittedDb, type PersistedWrite } from "./committed.js";
import { LayeredStore } from "./layered.js";
import { BucketTree, bucketHash, bucketOf, sha256, type CommittedEntry } from "./merkle.js";
import { compareBytes } from "./key-codec.js";
import type { StoreProof } from "./proof.js";
import { BaseError } from "../errors.js";

/** The database does not agree with itself: refuse to start rather than fork the chain. */
export class StoreCorruptError extends BaseError {
  override name = "StoreCorruptError" as const;
}

export interface StateStoreOptions {
  /** SQLite file (created with its folder when missing). */
  path: string;
}

/**
 * Genesis writes held in memory before they are written to SQLite (see `commitGenesis`). Small:
 * held writes outlive V8's young generation and die in old space, raising the genesis RSS peak
 * (4,096 cost ~10 MB more at 100,000 accounts than 1,024; the extra SQLite transactions are cheap).
 */
const GENESIS_SPILL_WRITES = 1024;
/** Buckets hashed per database read when a genesis is committed. */
const GENESIS_HASH_BUCKETS = 1024;

/** A staged block: valid while the deliver state's version is unchanged. */
interface Staged {
  version: number;
  writes: PersistedWrite[];
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

  constructor(opts: StateStoreOptions) {
    this.db = CommittedDb.open(opts.path);
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

  /** Stages the pending block's bucket hashes in the tree, once per change of the deliver state. */
  private stage(): Staged {
    if (this.staged && this.staged.version === this.deliver.version) return this.staged;
    const writes = this.pendingPersistWrites();
    const byBucket = new Map<number, PersistedWrite[]>();
    for (const w of writes) {
      const list = byBucket.get(w.bucket);
      if (list) list.push(w);
      else byBucket.set(w.bucket, [w]);
    }
    const committed = this.db.bucketEntriesOf([...byBucket.keys()]);
    const buckets = new Map<number, Uint8Array>();
    for (const [b, list] of byBucket) {
      buckets.set(b, bucketHash(bucketEntriesWith(committed.get(b) ?? [], list)));
    }
    this.tree.discardStaged();
    this.tree.stage(buckets);
    this.staged = { version: this.deliver.version, writes, buckets, root: this.tree.stagedRoot() };
    return this.staged;
  }

  /**
   * Persists the deliver state as block `height` in one SQLite transaction together with the app
   * hash, then resets the deliver and check states. Returns the app hash.
   */
  commit(height: bigint): Uint8Array {
    const { writes, buckets, root } = this.stage();
    this.db.persist(writes, [...buckets], height, root);
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
   * every {@link GENESIS_SPILL_WRITES} writes go to SQLite as they are made, and this hashes the
   * buckets they touched from the database, a chunk of buckets at a time. The entries and so the
   * app hash are the same as if everything had been staged at once.
   */
  commitGenesis(): Uint8Array {
    if (this.db.height !== 0n) throw new StoreCorruptError(`genesis commit at height ${this.db.height}`);
    const touched = this.genesisBuckets ?? new Set<number>();
    this.genesisBuckets = undefined;
    this.spillPending(touched);
    const buckets = [...touched].sort((a, b) => a - b);
    const hashes = new Map<number, Uint8Array>();
    for (let i = 0; i < buckets.length; i += GENESIS_HASH_BUCKETS) {
      const chunk = buckets.slice(i, i + GENESIS_HASH_BUCKETS);
      const entries = this.db.bucketEntriesOf(chunk);
      for (const b of chunk) {
        hashes.set(b, bucketHash(hashedEntries(entries.get(b) ?? [])));
      }
    }
    this.tree.discardStaged();
    this.tree.stage(hashes);
    const root = this.tree.stagedRoot();
    this.db.persist([], [...hashes], 0n, new Uint8Array(0));
    this.tree.commitStaged();
    this.staged = undefined;
    this.deliver.reset();
    this.check.reset();
    return root;
  }

  /** Layer 0 of the deliver state as writes to persist, each with its bucket. */
  private pendingPersistWrites(): PersistedWrite[] {
    return this.deliver.pendingWrites().map(([key, value]) => ({ key, value, bucket: bucketOf(key) }));
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
    const bucket = bucketOf(key);
    const entries = hashedEntries(this.db.bucketEntries(bucket));
    return {
      value: this.db.get(key),
      proof: { bucket, entries, siblings: this.tree.committedPath(bucket) },
      root: this.tree.committedRoot(),
    };
  }

  close(): void {
    this.db.close();
  }
}

/** Committed entries as the commitment sees them (value hashed), order kept. */
function hashedEntries(entries: readonly { key: Uint8Array; value: Uint8Array }[]): CommittedEntry[] {
  return entries.map((e) => ({ key: e.key, valueHash: sha256(e.value) }));
}

/**
 * The committed entries of a bucket with the pending writes applied, ascending by key: a merge of
 * two ascending lists (SQLite returns the bucket in BLOB order; the pending writes come sorted
 * from {@link LayeredStore.pendingWrites}), a write replacing or deleting the equal committed key.
 */
function bucketEntriesWith(
  committed: readonly { key: Uint8Array; value: Uint8Array }[],
  writes: readonly PersistedWrite[],
): CommittedEntry[] {
  const out: CommittedEntry[] = [];
  let c = 0;
  for (const w of writes) {
    for (; c < committed.length; c++) {
      const e = committed[c] as { key: Uint8Array; value: Uint8Array };
      const order = compareBytes(e.key, w.key);
      if (order > 0) break;
      if (order < 0) out.push({ key: e.key, valueHash: sha256(e.value) });
    }
    if (w.value !== undefined) out.push({ key: w.key, valueHash: sha256(w.value) });
  }
  for (; c < committed.length; c++) {
    const e = committed[c] as { key: Uint8Array; value: Uint8Array };
    out.push({ key: e.key, valueHash: sha256(e.value) });
  }
  return out;
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
