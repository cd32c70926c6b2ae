/**
 * The body of one worker thread of a session pool (session-pool.ts): it owns one onnxruntime session
 * and runs the padded batches it is sent, one at a time. onnxruntime-node runs inference on the
 * calling thread, so sessions in separate threads are what lets a batch use several cores without
 * onnxruntime's intra-op threads, which scaled poorly on a 2-core VM (models/README.md, "Speed").
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSession } from "./session.js";
import type { EncodedSequence } from "./tokenize.js";

/** What the pool sends to start a worker. */
export interface InferenceWorkerData {
  readonly path: string;
  readonly threads: number;
}

/** One batch to run. */
export interface InferenceJob {
  readonly seq: number;
  readonly batch: readonly EncodedSequence[];
  readonly output: string;
  readonly padId: number;
}

/** What a worker answers. */
export type InferenceReply =
  | { readonly type: "ready"; readonly inputNames: string[]; readonly outputNames: string[] }
  | { readonly type: "failed"; readonly message: string; readonly details?: string }
  | { readonly type: "result"; readonly seq: number; readonly rows: Float32Array[] }
  | { readonly type: "error"; readonly seq: number; readonly message: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("inference-worker must run in a worker thread");
  const { path, threads } = workerData as InferenceWorkerData;
  const reply = (msg: InferenceReply, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
  let session;
  try {
    session = await openSession(path, { threads });
  } catch (e) {
    const err = e as Error & { details?: string };
    reply({ type: "failed", message: err.message, ...(err.details ? { details: err.details } : {}) });
    return;
  }
  const s = session;
  reply({ type: "ready", inputNames: [...s.inputNames], outputNames: [...s.outputNames] });
  port.on("message", (msg: InferenceJob | { type: "close" }) => {
    if ("type" in msg) {
      void s.release().then(() => port.close());
      return;
    }
    s.run(msg.batch, msg.output, msg.padId).then(
      (rows) => {
        // Each row is a fresh copy (session.ts slices the output), so its buffer can be handed over.
        const buffers = new Set(rows.map((r) => r.buffer).filter((b) => b instanceof ArrayBuffer));
        reply({ type: "result", seq: msg.seq, rows }, [...buffers]);
      },
      (e: unknown) => reply({ type: "error", seq: msg.seq, message: (e as Error).message }),
    );
  });
}

void main();
