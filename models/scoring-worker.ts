/**
 * The body of the worker thread behind {@link createWorkerEvaluator}: it owns the process's
 * onnxruntime session, so inference never blocks the event loop of the thread that feeds it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createEvaluator, type EvaluatorOptions, type ScorePair } from "./evaluator.js";

interface Job {
  readonly seq: number;
  readonly pairs: readonly ScorePair[];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("scoring-worker must run in a worker thread");
  let evaluator;
  try {
    evaluator = await createEvaluator(workerData as EvaluatorOptions);
  } catch (e) {
    port.postMessage({ type: "failed", name: (e as Error).name, message: (e as Error).message });
    return;
  }
  const ev = evaluator;
  port.postMessage({
    type: "ready",
    manifest: ev.manifest,
    modelDir: ev.modelDir,
    threads: ev.threads,
    sessions: ev.sessions,
  });
  port.on("message", (msg: Job | { type: "close" }) => {
    if ("type" in msg) {
      void ev.close().then(() => port.close());
      return;
    }
    ev.explainBatch(msg.pairs).then(
      (details) => port.postMessage({ type: "result", seq: msg.seq, details }),
      (e: unknown) => port.postMessage({ type: "error", seq: msg.seq, message: (e as Error).message }),
    );
  });
}

void main();
