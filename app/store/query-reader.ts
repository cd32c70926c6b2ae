/**
 * A read-only connection to the committed state for queries served off the consensus thread (the
 * query worker, app/baseapp/query-worker.ts). Each {@link QueryReader.read} runs in one SQLite read
 * transaction: with WAL it sees the state of the last Commit before it began, whatever commits the
 * app's own connection makes meanwhile, so one query sees one committed height and reports it.
 */
import Database from "better-sqlite3";
import { pageOfRange, type KeyRange, type RangeStatements } from "./committed.js";
import type { CommittedReader as LayerBase } from "./layered.js";

/** One committed state, as a read transaction sees it. */
export interface CommittedSnapshot extends LayerBase {
  /** The height of the last Commit the transaction sees (0 before the first block). */
  readonly height: bigint;
}

/**
 * The committed state through its own read-only connection. No read cache: the app's connection
 * writes the state, so anything cached here would go stale; SQLite's page cache does the caching.
 *
 * @example
 * const reader = QueryReader.open(state.path);
 * const balance = reader.read((snap) => snap.get(key));
 */
export class QueryReader {
  private readonly db: Database.Database;
  private readonly heightStmt: Database.Statement<[], Buffer>;
  private readonly getStmt: Database.Statement<[Uint8Array], Buffer>;
  private readonly hasStmt: Database.Statement<[Uint8Array], number>;
  private readonly rangeStmts: RangeStatements = new Map();

  /** Opens `path` read-only; the file must exist (the app creates it before anything queries). */
  static open(path: string): QueryReader {
    return new QueryReader(new Database(path, { readonly: true, fileMustExist: true }));
  }

  private constructor(db: Database.Database) {
    this.db = db;
    this.heightStmt = db.prepare<[], Buffer>("SELECT value FROM meta WHERE name = 'height'").pluck();
    this.getStmt = db.prepare<[Uint8Array], Buffer>("SELECT value FROM kv WHERE key = ?").pluck();
    this.hasStmt = db.prepare<[Uint8Array], number>("SELECT 1 FROM kv WHERE key = ?").pluck();
  }

  /**
   * Runs `fn` in one read transaction over the committed state; the snapshot is valid only inside
   * `fn` (its reads after the transaction ended would see a later state).
   */
  read<T>(fn: (snapshot: CommittedSnapshot) => T): T {
    this.db.exec("BEGIN");
    try {
      // The first read starts the read transaction: from here on it sees this state only.
      const h = this.heightStmt.get();
      const snapshot: CommittedSnapshot = {
        height: h ? h.readBigUInt64BE(0) : 0n,
        get: (key) => this.getStmt.get(key),
        has: (key) => this.hasStmt.get(key) !== undefined,
        page: (range, reverse, limit) => this.page(range, reverse, limit),
      };
      return fn(snapshot);
    } finally {
      if (this.db.inTransaction) this.db.exec("COMMIT");
    }
  }

  private page(range: KeyRange, reverse: boolean, limit: number): [Uint8Array, Uint8Array][] {
    return pageOfRange(this.db, this.rangeStmts, range, reverse, limit);
  }

  close(): void {
    this.db.close();
  }
}
