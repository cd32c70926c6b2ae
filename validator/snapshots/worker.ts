/**
 * The snapshot worker thread: takes snapshots off the consensus path. For each request it opens a
 * read transaction on the app's database (pinning the state the last Commit wrote), tells the main
 * thread through the shared flag that it may go on committing, then writes the snapshot files.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CommittedDb } from "../../app/store/committed.js";
import { writeSnapshot } from "./files.js";

export interface SnapshotWorkerData {
  dbPath: string;
  dir: string;
  chunkBytes: number;
  /** [0]: set to 1 (and notified) once the read transaction holds the requested state. */
  pinned: Int32Array;
}

export type SnapshotWorkerRequest = { height: bigint };
export type SnapshotWorkerReply =
  | {
      height: bigint;
      ok: true;
      format: number;
      chunks: number;
      hash: Uint8Array;
      metadata: Uint8Array;
      ms: number;
    }
  | { height: bigint; ok: false; error: string };

const data = workerData as SnapshotWorkerData;

parentPort?.on("message", (req: SnapshotWorkerRequest) => {
  const started = performance.now();
  let reader: ReturnType<typeof CommittedDb.openReader> | undefined;
  let reply: SnapshotWorkerReply;
  try {
    try {
      reader = CommittedDb.openReader(data.dbPath);
    } finally {
      Atomics.store(data.pinned, 0, 1);
      Atomics.notify(data.pinned, 0);
    }
    if (reader.height !== req.height) {
      throw new Error(`the database was at height ${reader.height} when the read began, not ${req.height}`);
    }
    const s = writeSnapshot(reader, data.dir, data.chunkBytes);
    reply = {
      height: req.height,
      ok: true,
      format: s.format,
      chunks: s.chunks,
      hash: s.hash,
      metadata: s.metadata,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    reply = { height: req.height, ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    reader?.close();
  }
  parentPort?.postMessage(reply);
});
