/**
 * The committed state in SQLite (better-sqlite3, WAL): what the last Commit persisted, and nothing
 * else. Every block is written in one SQLite transaction together with its height and app hash, so
 * after a crash the database holds exactly one committed block's state, never half of one.
 *
 * Schema:
 * - `kv(key BLOB PRIMARY KEY, value BLOB, bucket INTEGER)`: the state; `bucket` is the app-hash
 *   bucket of the key (see merkle.ts), indexed only while a genesis or a restore hashes whole
 *   buckets from SQLite ({@link CommittedDb.withBucketIndex}).
 * - `trie_pages(id BLOB PRIMARY KEY, nodes BLOB)`: the non-empty nodes of every bucket's trie
 *   (see bucket-trie.ts), four levels to a row (see trie-pages.ts).
 *   A bucket's hash is its trie's root node, so start-up rebuilds the tree from the roots' pages.
 * - `trie_hot(id BLOB PRIMARY KEY, nodes BLOB)`: the same rows, for the pages that blocks rewrite
 *   block after block (hot-pages.ts); a row is in one of the two tables, never both.
 * - `meta(name TEXT PRIMARY KEY, value BLOB)`: `height` (8-byte big-endian), `app_hash` and
 *   `layout` (the app-hash layout the database was written with, {@link STORE_LAYOUT}).
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { BoundedCache } from "./bounded-cache.js";
import { keyToString } from "./key-codec.js";
import { TrieCorruptError, type TrieNodeSource, type TrieRow, type TrieWrite } from "./bucket-trie.js";
import { ROOT_PAGE_ID_BYTES, ROOT_SLOT, TriePage, editPage, pageOfNode } from "./trie-pages.js";
import { BUCKET_BITS } from "./merkle.js";
import { PLAIN_PATH_LAYOUT, STORE_LAYOUT } from "./layouts.js";
import { DEFAULT_HOT_PAGE_POLICY, HotPages, type HotPagePlan, type HotPagePolicy } from "./hot-pages.js";

/** The layout that stored a trie node per row; converted to {@link PLAIN_PATH_LAYOUT} when opened. */
const NODE_ROW_LAYOUT = 2;
/** The layout that also kept the bucket hashes in a table; converted to {@link PLAIN_PATH_LAYOUT} when opened. */
const BUCKET_TABLE_LAYOUT = 3;

/** One write of a block, as Commit persists it; `value` undefined deletes. */
export interface PersistedWrite {
  key: Uint8Array;
  value: Uint8Array | undefined;
  bucket: number;
}

/** A range of keys: `lower`/`upper` bounds, each inclusive or not; absent means unbounded. */
export interface KeyRange {
  lower?: { key: Uint8Array; inclusive: boolean };
  upper?: { key: Uint8Array; inclusive: boolean };
}

type Row = { key: Buffer; value: Buffer };

/** Prepared range statements of one connection, by their SQL. */
export type RangeStatements = Map<string, Database.Statement<unknown[], Row>>;

/**
 * Up to `limit` rows of the `kv` table in `range`, ascending (or descending with `reverse`), read
 * through `db` with its statements cached in `stmts`. Shared by the app's connection and the query
 * worker's read-only one.
 */
export function pageOfRange(
  db: Database.Database,
  stmts: RangeStatements,
  range: KeyRange,
  reverse: boolean,
  limit: number,
): [Uint8Array, Uint8Array][] {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (range.lower) {
    conds.push(range.lower.inclusive ? "key >= ?" : "key > ?");
    params.push(range.lower.key);
  }
  if (range.upper) {
    conds.push(range.upper.inclusive ? "key <= ?" : "key < ?");
    params.push(range.upper.key);
  }
  const sql = `SELECT key, value FROM kv${conds.length ? ` WHERE ${conds.join(" AND ")}` : ""} ORDER BY key ${reverse ? "DESC" : "ASC"} LIMIT ?`;
  let stmt = stmts.get(sql);
  if (!stmt) {
    stmt = db.prepare<unknown[], Row>(sql);
    stmts.set(sql, stmt);
  }
  return stmt.all(...params, limit).map((r) => [r.key, r.value]);
}

/** A read-only view of one committed state (see {@link CommittedDb.openReader}). */
export interface CommittedReader {
  readonly height: bigint;
  readonly appHash: Uint8Array;
  /** The app-hash layout the state was written with. */
  readonly layout: number;
  /** Every entry, ascending by key. */
  entries(): Generator<[Uint8Array, Uint8Array]>;
  close(): void;
}

/** What a cached entry costs: its key and value and about 150 bytes of Map entry, string and Buffer. */
function entryBytes(k: string, v: Buffer | null): number {
  return 150 + k.length + (v ? v.length : 0);
}

/** A write of pages that moves no row between `trie_pages` and `trie_hot` (outside a block). */
const NO_MOVES: HotPagePlan = { promote: new Set(), demote: [] };

/** Buckets read by one query of {@link CommittedDb.bucketEntriesOf}. */
const BUCKETS_PER_QUERY = 1024;

/**
 * Trie pages in {@link CommittedDb}'s page cache: a row of up to 31 nodes (a few hundred bytes on a grown chain,
 * the leaves' keys included) and about 250 bytes of objects, so about 10 MB at most. Enough for the
 * paths of a few thousand keys changed block after block.
 */
const TRIE_CACHE_PAGES = 16_384;

/** Bytes of the committed read cache (keys, values and their overhead). */
const READ_CACHE_BYTES = 16 << 20;

/** SQLite's page cache (negative: KiB), as better-sqlite3 builds it by default. */
const SQLITE_CACHE_KIB = -16_000;
/** The page cache while a genesis is written: its writes and bucket scans each touch a page once. */
const GENESIS_SQLITE_CACHE_KIB = -2_000;

/** The persisted state and the height/app hash it belongs to. */
export class CommittedDb implements TrieNodeSource {
  private readonly db: Database.Database;
  private readonly pageStmt: Database.Statement<[Uint8Array], Buffer>;
  private readonly hotPageStmt: Database.Statement<[Uint8Array], Buffer>;
  /** Which page rows live in `trie_hot` (storage only, see hot-pages.ts). */
  private readonly hotPages: HotPages;
  private readonly getStmt: Database.Statement<[Uint8Array], Buffer>;
  private readonly bucketsStmt: Database.Statement<[string], Row & { bucket: number }>;
  private readonly rangeStmts: RangeStatements = new Map();
  private readonly wipeTx: (layout: number) => void;
  private readonly writeTx: (writes: PersistedWrite[]) => void;
  private readonly writePagesTx: (pages: Map<string, Buffer | undefined>) => void;
  private readonly persistTx: (
    writes: PersistedWrite[],
    pages: Map<string, Buffer | undefined>,
    plan: HotPagePlan,
    height: bigint,
    appHash: Uint8Array,
  ) => void;
  /**
   * Committed values read recently, `null` for keys known absent. The committed state changes
   * only in {@link persist}, which updates the cache with the block's writes, so it is never
   * stale. Bounded by the bytes it holds (keys, values and a per-entry overhead), not by a count:
   * values range from a few bytes to a request with its texts, and a count bound let a grown
   * chain's cache hold ten times its nominal size, all of it old-space garbage collection had to
   * walk.
   */
  private readonly cache = new BoundedCache<Buffer | null>(READ_CACHE_BYTES, entryBytes);
  /**
   * Committed trie pages read recently (null for a page known absent). A block that changes the
   * keys the blocks before it changed (fee collector, module and busy accounts) walks their paths
   * without SQLite. Never stale: {@link persist} replaces the pages it holds (a written page that
   * is not cached stays out, so that bulk writes do not evict, and is not parsed), and every other
   * way the page table changes drops or clears them.
   */
  private readonly pageCache = new BoundedCache<TriePage | null>(TRIE_CACHE_PAGES);
  /** Trie pages read from SQLite (not from {@link pageCache}) since the counter was last reset. */
  trieDbReads = 0;
  /**
   * From {@link wipe} to the next {@link persist} (a genesis being written): reads are not cached.
   * A genesis reads each new key once, mostly misses, and its spills evict them again, so cached
   * entries would only become old-space garbage at the genesis memory peak.
   */
  private cacheReads = true;
  height: bigint;
  appHash: Uint8Array;
  /**
   * The app-hash layout of the persisted state (for a new database, and again once {@link wipe}
   * emptied it, the `newLayout` it was opened with: {@link STORE_LAYOUT} unless told otherwise).
   */
  layout: number;

  /**
   * Opens (creating if needed) the database at `path`. An empty database, and one that
   * {@link wipe} empties, gets layout `newLayout`.
   *
   * @example
   * const db = CommittedDb.open("/tmp/poq/data/app.db");
   */
  static open(
    path: string,
    newLayout: number = STORE_LAYOUT,
    hotPagePolicy: Readonly<HotPagePolicy> = DEFAULT_HOT_PAGE_POLICY,
  ): CommittedDb {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    return new CommittedDb(new Database(path), newLayout, hotPagePolicy);
  }

  private constructor(
    db: Database.Database,
    private readonly newLayout: number,
    hotPagePolicy: Readonly<HotPagePolicy>,
  ) {
    this.db = db;
    this.hotPages = new HotPages(hotPagePolicy);
    db.pragma("journal_mode = WAL");
    // FULL: a Commit that returned is on disk; one fsync per block is cheap next to a block.
    db.pragma("synchronous = FULL");
    db.exec(`
      CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL, bucket INTEGER NOT NULL) WITHOUT ROWID;
      DROP INDEX IF EXISTS kv_bucket;
      CREATE TABLE IF NOT EXISTS trie_pages (id BLOB PRIMARY KEY, nodes BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS trie_hot (id BLOB PRIMARY KEY, nodes BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
    `);
    this.getStmt = db.prepare<[Uint8Array], Buffer>("SELECT value FROM kv WHERE key = ?").pluck();
    this.bucketsStmt = db.prepare<[string], Row & { bucket: number }>(
      "SELECT bucket, key, value FROM kv WHERE bucket IN (SELECT value FROM json_each(?)) ORDER BY bucket, key",
    );
    const upsert = db.prepare(
      "INSERT INTO kv (key, value, bucket) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    const remove = db.prepare("DELETE FROM kv WHERE key = ?");
    this.pageStmt = db.prepare<[Uint8Array], Buffer>("SELECT nodes FROM trie_pages WHERE id = ?").pluck();
    const setPage = db.prepare("INSERT OR REPLACE INTO trie_pages (id, nodes) VALUES (?, ?)");
    const removePage = db.prepare("DELETE FROM trie_pages WHERE id = ?");
    this.hotPageStmt = db.prepare<[Uint8Array], Buffer>("SELECT nodes FROM trie_hot WHERE id = ?").pluck();
    const setHotPage = db.prepare("INSERT OR REPLACE INTO trie_hot (id, nodes) VALUES (?, ?)");
    const removeHotPage = db.prepare("DELETE FROM trie_hot WHERE id = ?");
    /**
     * Writes page rows (undefined: the page has no node left, delete its row), each in the table
     * that holds it, and moves the rows `plan` moves.
     */
    const applyPages = (pages: Map<string, Buffer | undefined>, plan: HotPagePlan = NO_MOVES): void => {
      for (const [id, bytes] of pages) {
        const key = Buffer.from(id, "latin1");
        const hot = this.hotPages.has(id);
        if (plan.promote.has(id)) {
          removePage.run(key);
          setHotPage.run(key, bytes);
        } else if (bytes) (hot ? setHotPage : setPage).run(key, bytes);
        else (hot ? removeHotPage : removePage).run(key);
      }
      for (const id of plan.demote) {
        const key = Buffer.from(id, "latin1");
        const bytes = this.hotPageStmt.get(key);
        if (bytes) setPage.run(key, bytes);
        removeHotPage.run(key);
      }
    };
    const setMeta = db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)");
    const applyWrites = (writes: PersistedWrite[]): void => {
      for (const w of writes) {
        if (w.value === undefined) remove.run(w.key);
        else upsert.run(w.key, w.value, w.bucket);
      }
    };
    this.persistTx = db.transaction(
      (
        writes: PersistedWrite[],
        pages: Map<string, Buffer | undefined>,
        plan: HotPagePlan,
        height: bigint,
        appHash: Uint8Array,
      ) => {
        applyWrites(writes);
        applyPages(pages, plan);
        setMeta.run("height", encodeHeight(height));
        setMeta.run("app_hash", appHash);
        setMeta.run("layout", Buffer.from(String(this.layout)));
      },
    );
    this.writeTx = db.transaction(applyWrites);
    this.writePagesTx = db.transaction(applyPages);
    this.wipeTx = db.transaction((layout: number) => {
      db.exec("DELETE FROM kv; DELETE FROM trie_pages; DELETE FROM trie_hot; DELETE FROM meta;");
      setMeta.run("layout", Buffer.from(String(layout)));
    });
    const meta = db.prepare<[string], Buffer>("SELECT value FROM meta WHERE name = ?").pluck();
    const h = meta.get("height");
    this.height = h ? h.readBigUInt64BE(0) : 0n;
    this.appHash = meta.get("app_hash") ?? new Uint8Array(0);
    this.loadHotPages();
    let found = this.readLayout();
    if (found === NODE_ROW_LAYOUT || found === BUCKET_TABLE_LAYOUT) {
      db.transaction(() => {
        if (found === NODE_ROW_LAYOUT) this.convertNodeRows();
        // The roots' pages hold the bucket hashes.
        db.exec("DROP TABLE IF EXISTS buckets");
        setMeta.run("layout", Buffer.from(String(PLAIN_PATH_LAYOUT)));
      })();
      found = PLAIN_PATH_LAYOUT;
    }
    this.layout = found;
  }

  /**
   * Converts the trie of a layout-2 database (a node per row of a `trie` table) into pages, a
   * 256th of the nodes at a time (by their first id byte), and drops the old table. The nodes and
   * so the app hash are unchanged. Runs inside the caller's transaction.
   */
  private convertNodeRows(): void {
    const table = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trie'").get();
    if (table) {
      type NodeRow = { id: Buffer; hash: Buffer; leaf: Buffer | null };
      const between = this.db.prepare<[Buffer, Buffer], NodeRow>(
        "SELECT id, hash, leaf FROM trie WHERE id >= ? AND id < ?",
      );
      const last = this.db.prepare<[Buffer], NodeRow>("SELECT id, hash, leaf FROM trie WHERE id >= ?");
      for (let first = 0; first < 256; first++) {
        const rows =
          first < 255 ? between.all(Buffer.of(first), Buffer.of(first + 1)) : last.all(Buffer.of(first));
        if (rows.length === 0) continue;
        this.writePagesTx(
          this.pagesOf(
            rows.map((r) => ({ id: r.id.toString("latin1"), row: { hash: r.hash, leaf: r.leaf } })),
          ),
        );
      }
      this.db.exec("DROP TABLE trie");
    }
    this.pageCache.clear();
  }

  /** Takes the ids in `trie_hot` as hot rows last written now (their runs start over). */
  private loadHotPages(): void {
    const ids = this.db.prepare<[], Buffer>("SELECT id FROM trie_hot").pluck();
    this.hotPages.reset(
      Array.from(ids.iterate(), (id) => id.toString("latin1")),
      Number(this.height),
    );
  }

  private isEmpty(): boolean {
    return this.db.prepare("SELECT 1 FROM kv LIMIT 1").get() === undefined;
  }

  /** A committed node of a bucket trie. */
  node(id: string): TrieRow | undefined {
    const { page, slot } = pageOfNode(id);
    return this.triePage(page)?.node(slot);
  }

  /** A committed trie page (undefined: none), by id (latin1). */
  private triePage(id: string): TriePage | undefined {
    const hit = this.pageCache.get(id);
    if (hit !== undefined) return hit ?? undefined;
    this.trieDbReads++;
    const bytes = (this.hotPages.has(id) ? this.hotPageStmt : this.pageStmt).get(Buffer.from(id, "latin1"));
    const page = bytes ? new TriePage(bytes) : undefined;
    // Not while a genesis or a snapshot is written: its reads are one-offs (and at its memory peak).
    if (this.cacheReads) this.pageCache.set(id, page ?? null);
    return page;
  }

  /**
   * The committed page a block's write goes to. A page below a committed leaf or empty subtree
   * holds nothing (the trie is canonical), and its anchor node, in the page above that the block's
   * walk read, says so: the nodes of a subtree split by a new key need no read of SQLite.
   */
  private pageToWrite(id: string): TriePage | undefined {
    const cached = this.pageCache.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const anchorDepth = (id.charCodeAt(id.length - 2) << 8) | id.charCodeAt(id.length - 1);
    if (anchorDepth > BUCKET_BITS) {
      const anchor = this.node(id); // a page's id is its anchor's node id
      if (!anchor || anchor.leaf) {
        // Known empty, and cached as such, so that the page written next replaces it in the cache.
        if (this.cacheReads) this.pageCache.set(id, null);
        return undefined;
      }
    }
    return this.triePage(id);
  }

  /**
   * The rows of the pages that `nodes` change: each page's committed nodes with the changes
   * applied (undefined: no node left, delete the row). Reads each page once, before any is written.
   */
  private pagesOf(nodes: Iterable<TrieWrite>): Map<string, Buffer | undefined> {
    const changed = new Map<
      string,
      { base: TriePage | undefined; edits: Map<number, TrieRow | undefined> }
    >();
    for (const n of nodes) {
      const { page, slot } = pageOfNode(n.id);
      let edit = changed.get(page);
      if (!edit) {
        edit = { base: this.pageToWrite(page), edits: new Map() };
        changed.set(page, edit);
      }
      edit.edits.set(slot, n.row);
    }
    const rows = new Map<string, Buffer | undefined>();
    for (const [page, { base, edits }] of changed) rows.set(page, editPage(base, edits));
    return rows;
  }

  /** Writes trie nodes outside a block (a genesis being committed, see `StateStore.commitGenesis`). */
  writeTrieNodes(nodes: Iterable<TrieWrite>): void {
    const pages = this.pagesOf(nodes);
    for (const id of pages.keys()) this.pageCache.delete(id);
    this.writePagesTx(pages);
  }

  /** The committed value of `key`. */
  get(key: Uint8Array): Uint8Array | undefined {
    const value = this.cached(key);
    // A copy: a caller that mutated the cached buffer would corrupt state for later readers.
    return value === null ? undefined : Buffer.from(value);
  }

  /** Whether the key is in the committed state; unlike {@link get}, copies nothing. */
  has(key: Uint8Array): boolean {
    return this.cached(key) !== null;
  }

  /**
   * Whether a block's write leaves the committed state as it is: a deletion of a key that is not
   * committed (read through to SQLite if need be), or a value equal to the committed one as the
   * read cache holds it (a value not cached counts as a change: probing SQLite for every new key of
   * a block costs more on a large database than hashing the few unchanged values it would find).
   * Either answer gives the same state and app hash; only the work differs. Copies nothing.
   */
  writeIsNoop(key: Uint8Array, value: Uint8Array | undefined): boolean {
    if (value === undefined) return this.cached(key) === null;
    const committed = this.cache.get(keyToString(key));
    return committed !== undefined && committed !== null && committed.equals(value);
  }

  /** The committed value (null when absent) through the read cache; never hand it out uncopied. */
  private cached(key: Uint8Array): Buffer | null {
    const k = keyToString(key);
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const value = this.getStmt.get(key) ?? null;
    if (this.cacheReads) this.cache.set(k, value);
    return value;
  }

  /**
   * Up to `limit` entries of `range`, ascending (or descending with `reverse`). Returns an array,
   * never an open cursor, so callers may read and write while they iterate page by page.
   */
  page(range: KeyRange, reverse: boolean, limit: number): [Uint8Array, Uint8Array][] {
    return pageOfRange(this.db, this.rangeStmts, range, reverse, limit);
  }

  /**
   * The committed entries of many buckets, each ascending by key (buckets without entries are
   * absent from the map). One query per {@link BUCKETS_PER_QUERY} buckets instead of one per
   * bucket: a block dirties thousands of buckets, and a query's fixed cost dwarfs its few rows.
   */
  bucketEntriesOf(buckets: readonly number[]): Map<number, { key: Uint8Array; value: Uint8Array }[]> {
    const out = new Map<number, { key: Uint8Array; value: Uint8Array }[]>();
    for (let i = 0; i < buckets.length; i += BUCKETS_PER_QUERY) {
      const chunk = JSON.stringify(buckets.slice(i, i + BUCKETS_PER_QUERY));
      for (const row of this.bucketsStmt.iterate(chunk)) {
        const entry = { key: row.key, value: row.value };
        const list = out.get(row.bucket);
        if (list) list.push(entry);
        else out.set(row.bucket, [entry]);
      }
    }
    return out;
  }

  /**
   * Runs `fn` with the state indexed by bucket, which {@link bucketEntriesOf} reads through. Built
   * for a genesis or a restore (they hash whole buckets from SQLite) and dropped after: kept, every
   * block's writes would maintain it, a random B-tree page per write, and blocks never read it.
   */
  withBucketIndex<T>(fn: () => T): T {
    this.db.exec("CREATE INDEX IF NOT EXISTS kv_bucket ON kv (bucket, key)");
    try {
      return fn();
    } finally {
      this.db.exec("DROP INDEX IF EXISTS kv_bucket");
    }
  }

  /**
   * The committed hashes of the non-empty buckets: each is its trie's root node, in the page
   * anchored at the root. Read past the page cache: start-up reads every root once.
   */
  bucketHashes(): [number, Uint8Array][] {
    const roots = this.db
      .prepare<[], [Buffer, Buffer]>(
        `SELECT id, nodes FROM trie_pages WHERE length(id) = ${ROOT_PAGE_ID_BYTES}
         UNION ALL SELECT id, nodes FROM trie_hot WHERE length(id) = ${ROOT_PAGE_ID_BYTES}`,
      )
      .raw();
    const hashes: [number, Uint8Array][] = [];
    // The scan reads every page of the table once: through a small SQLite cache, which it would
    // otherwise fill (about 15 MB more RSS at start-up, measured at 100,000 accounts).
    const cacheKib = this.db.pragma("cache_size", { simple: true }) as number;
    this.db.pragma(`cache_size = ${GENESIS_SQLITE_CACHE_KIB}`);
    try {
      for (const [id, nodes] of roots.iterate()) {
        const root = new TriePage(nodes).node(ROOT_SLOT);
        if (!root) throw new TrieCorruptError(`trie page ${id.toString("hex")} holds no bucket root`);
        // A copy: the hash is a view of the whole row.
        hashes.push([id.readUInt16BE(0), Buffer.from(root.hash)]);
      }
    } finally {
      this.db.pragma(`cache_size = ${cacheKib}`);
    }
    return hashes;
  }

  /** Persists a block's writes, its trie nodes, height and app hash in one transaction. */
  persist(writes: PersistedWrite[], nodes: Iterable<TrieWrite>, height: bigint, appHash: Uint8Array): void {
    const pages = this.pagesOf(nodes);
    const block = Number(height);
    const plan = this.hotPages.plan(block, pages);
    this.persistTx(writes, pages, plan, height, appHash);
    this.hotPages.record(block, pages, plan);
    for (const [id, bytes] of pages) {
      if (this.pageCache.has(id)) this.pageCache.replace(id, bytes ? new TriePage(bytes) : null);
    }
    if (!this.cacheReads) this.db.pragma(`cache_size = ${SQLITE_CACHE_KIB}`);
    this.cacheReads = true;
    for (const w of writes) {
      this.cache.set(keyToString(w.key), w.value === undefined ? null : Buffer.from(w.value));
    }
    this.height = height;
    this.appHash = Uint8Array.from(appHash);
  }

  /**
   * Writes entries without a height, app hash or bucket hashes: part of a genesis being written
   * in pieces (see `StateStore`), which only counts once the genesis commit hashes the buckets.
   * Forgets rather than caches the values, so a large genesis does not fill the read cache.
   */
  writeEntries(writes: PersistedWrite[]): void {
    this.writeTx(writes);
    for (const w of writes) this.cache.delete(keyToString(w.key));
  }

  /**
   * Runs `fn` in one SQLite transaction (the methods it calls become savepoints of it): when `fn`
   * throws, nothing it wrote stays, and the height and app hash read back are the ones before.
   */
  atomically<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.cache.clear();
      this.pageCache.clear();
      this.reloadMeta();
      this.loadHotPages();
      throw err;
    }
  }

  /**
   * Deletes every entry, trie node and meta row, leaving an empty state of store `layout` (a
   * snapshot restore, see {@link atomically}).
   */
  clearAll(layout: number = this.newLayout): void {
    this.empty(layout);
  }

  /** Deletes all state, leaving an empty database of store `layout`, and forgets what was cached. */
  private empty(layout: number): void {
    this.wipeTx(layout);
    this.layout = layout;
    this.cache.clear();
    this.pageCache.clear();
    this.hotPages.reset();
    this.cacheReads = false;
    this.height = 0n;
    this.appHash = new Uint8Array(0);
  }

  private reloadMeta(): void {
    const meta = this.db.prepare<[string], Buffer>("SELECT value FROM meta WHERE name = ?").pluck();
    const h = meta.get("height");
    this.height = h ? h.readBigUInt64BE(0) : 0n;
    this.appHash = meta.get("app_hash") ?? new Uint8Array(0);
    this.layout = this.readLayout();
  }

  /** The `layout` meta row; without one, a new database's layout, or 1 when it holds state. */
  private readLayout(): number {
    const layout = this.db.prepare<[], Buffer>("SELECT value FROM meta WHERE name = 'layout'").pluck().get();
    return layout ? Number(layout.toString()) : this.isEmpty() ? this.newLayout : 1;
  }

  /**
   * A consistent read of the committed state from a second, read-only connection (SQLite WAL: the
   * read transaction sees the last commit before it began, whatever commits follow). Made for a
   * worker thread taking a snapshot while the app goes on committing blocks.
   *
   * @example
   * const reader = CommittedDb.openReader(path);
   * for (const [key, value] of reader.entries()) use(key, value);
   * reader.close();
   */
  static openReader(path: string): CommittedReader {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.exec("BEGIN");
    const meta = db.prepare<[string], Buffer>("SELECT value FROM meta WHERE name = ?").pluck();
    // The first read starts the read transaction: from here on it sees this state only.
    const h = meta.get("height");
    const height = h ? h.readBigUInt64BE(0) : 0n;
    const appHash: Uint8Array = meta.get("app_hash") ?? new Uint8Array(0);
    const layout = meta.get("layout")?.toString();
    return {
      height,
      appHash,
      layout: layout === undefined ? 1 : Number(layout),
      *entries() {
        const rows = db.prepare<[], Row>("SELECT key, value FROM kv ORDER BY key").raw();
        for (const row of rows.iterate() as IterableIterator<unknown[]>) {
          yield [row[0] as Buffer, row[1] as Buffer];
        }
      },
      close() {
        if (db.inTransaction) db.exec("COMMIT");
        db.close();
      },
    };
  }

  /** Deletes all state (a genesis that InitChain is about to write again), leaving the new layout. */
  wipe(): void {
    this.empty(this.newLayout);
    this.db.pragma(`cache_size = ${GENESIS_SQLITE_CACHE_KIB}`);
  }

  close(): void {
    this.db.close();
  }
}

function encodeHeight(height: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(height);
  return b;
}
