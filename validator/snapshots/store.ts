/**
 * This node's snapshots: taken every `interval` blocks by a worker thread, listed and served to peers
 * that state-sync, pruned to the newest `keepRecent`.
 */
import { mkdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Snapshot } from "../../abci/application.js";
import type { JsonLogger } from "../logger.js";
import type { SnapshotConfig } from "./config.js";
import { pruneSnapshots, readChunk, scanSnapshots } from "./files.js";
import type { SnapshotWorkerData, SnapshotWorkerReply } from "./worker.js";

/**
 * How long Commit waits for the worker to pin the committed state (its read transaction begun):
 * normally a millisecond; the first snapshot after start-up may wait for the worker to load.
 */
const PIN_TIMEOUT_MS = 10_000;

export interface SnapshotStoreOptions {
  /** `<home>/data/snapshots` */
  dir: string;
  /** The app's SQLite file, which the worker reads through its own connection. */
  dbPath: string;
  config: SnapshotConfig;
  log: JsonLogger;
}

export interface SnapshotStore {
  /** The snapshots on disk, newest first. */
  list(): Snapshot[];
  /** One chunk's bytes (empty when the snapshot or chunk is not here). */
  loadChunk(height: bigint, format: number, index: number): Uint8Array;
  /**
   * Call right after the Commit of `height` (before the next block can commit): when a snapshot is
   * due, blocks until the worker has pinned this state, then returns while the worker writes it.
   */
  afterCommit(height: bigint): void;
  /** Resolves when no snapshot is being written. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the snapshot folder (deleting leftovers of an interrupted write) and starts the worker when
 * snapshots are on.
 *
 * @example
 * const store = createSnapshotStore({ dir, dbPath: app.state.path, config: readSnapshotConfig(home), log });
 * app.commit(); store.afterCommit(app.state.lastHeight);
 */
export function createSnapshotStore(opts: SnapshotStoreOptions): SnapshotStore {
  const { dir, config, log } = opts;
  mkdirSync(dir, { recursive: true });
  let snapshots = pruneSnapshots(dir, scanSnapshots(dir), config.keepRecent);
  const pinned = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | undefined;
  let busy: { height: bigint; done: Promise<void>; resolve: () => void } | undefined;
  /** How long the last Commit waited for the worker to pin its state. */
  let pinMs = 0;

  const startWorker = (): Worker => {
    const data: SnapshotWorkerData = { dbPath: opts.dbPath, dir, chunkBytes: config.chunkBytes, pinned };
    const w = new Worker(new URL("./worker.js", import.meta.url), { workerData: data });
    w.unref();
    w.on("message", (reply: SnapshotWorkerReply) => {
      if (reply.ok) {
        const taken: Snapshot = {
          height: reply.height,
          format: reply.format,
          chunks: reply.chunks,
          hash: reply.hash,
          metadata: reply.metadata,
        };
        snapshots = pruneSnapshots(
          dir,
          [taken, ...snapshots.filter((s) => s.height !== taken.height)],
          config.keepRecent,
        );
        log.info("snapshot taken", {
          height: reply.height,
          chunks: reply.chunks,
          hash: Buffer.from(reply.hash).toString("hex"),
          ms: reply.ms,
          commitPauseMs: pinMs,
        });
      } else {
        log.error("snapshot failed", { height: reply.height, error: reply.error });
      }
      const b = busy;
      busy = undefined;
      b?.resolve();
    });
    w.on("error", (err) => {
      log.error("snapshot worker failed", { error: err.message });
      worker = undefined;
      const b = busy;
      busy = undefined;
      b?.resolve();
    });
    return w;
  };
  if (config.interval > 0) worker = startWorker();

  return {
    list: () => snapshots,
    loadChunk: (height, format, index) =>
      snapshots.some((s) => s.height === height && s.format === format)
        ? readChunk(dir, height, format, index)
        : new Uint8Array(0),
    afterCommit(height) {
      if (config.interval === 0 || height % BigInt(config.interval) !== 0n) return;
      if (busy) {
        log.error("snapshot skipped: the previous one is still being written", {
          height,
          writing: busy.height,
        });
        return;
      }
      worker ??= startWorker();
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      busy = { height, done, resolve };
      Atomics.store(pinned, 0, 0);
      worker.postMessage({ height });
      // The one pause on the consensus path: until the worker's read transaction holds this state.
      const t0 = performance.now();
      if (Atomics.wait(pinned, 0, 0, PIN_TIMEOUT_MS) === "timed-out") {
        log.error("snapshot worker did not pin the state in time; it will give this one up", { height });
      }
      pinMs = Math.round((performance.now() - t0) * 100) / 100;
    },
    idle: async () => {
      while (busy) await busy.done;
    },
    async close() {
      await worker?.terminate();
      worker = undefined;
    },
  };
}
