/**
 * An evaluator whose session lives in a worker thread. onnxruntime-node runs inference on the calling
 * thread, so a validator that scored on its main thread would stall its ABCI connections for the
 * length of every batch; this proxy keeps the main thread free and has the same interface.
 */
import { Worker } from "node:worker_threads";
import { EvaluatorError, ModelFilesError } from "./errors.js";
import {
  withScores,
  type Evaluator,
  type EvaluatorOptions,
  type ScoreDetail,
  type ScorePair,
} from "./evaluator.js";
import type { ModelManifest } from "./manifest.js";

type WorkerMessage =
  | { type: "ready"; manifest: ModelManifest; modelDir: string; threads: number; sessions: number }
  | { type: "failed"; name: string; message: string }
  | { type: "result"; seq: number; details: ScoreDetail[] }
  | { type: "error"; seq: number; message: string };

/**
 * Starts a worker thread that loads the model (same options and checks as `createEvaluator`).
 *
 * @example
 * const ev = await createWorkerEvaluator({ threads: 2 });
 * await ev.scoreBatch([{ prompt: "2+2?", response: "2 + 2 = 4." }]);
 * await ev.close();
 */
export function createWorkerEvaluator(opts: EvaluatorOptions = {}): Promise<Evaluator> {
  const worker = new Worker(new URL("./scoring-worker.js", import.meta.url), { workerData: { ...opts } });
  const waiting = new Map<number, { resolve: (d: ScoreDetail[]) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let closed = false;
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  return new Promise((resolve, reject) => {
    worker.on("error", (e) => {
      reject(e);
      failAll(new EvaluatorError("the scoring worker crashed", { cause: e }));
    });
    worker.on("exit", () => failAll(new EvaluatorError("the scoring worker exited")));
    worker.on("message", (msg: WorkerMessage) => {
      if (msg.type === "failed") {
        const E = msg.name === "ModelFilesError" ? ModelFilesError : EvaluatorError;
        reject(new E(msg.message));
        void worker.terminate();
      } else if (msg.type === "ready") {
        const explainBatch = (pairs: readonly ScorePair[]): Promise<ScoreDetail[]> => {
          if (closed) return Promise.reject(new EvaluatorError("the evaluator is closed"));
          const id = ++seq;
          return new Promise((res, rej) => {
            waiting.set(id, { resolve: res, reject: rej });
            worker.postMessage({
              seq: id,
              pairs: pairs.map((p) => ({
                prompt: p.prompt,
                response: p.response,
                ...(p.peers ? { peers: [...p.peers] } : {}),
              })),
            });
          });
        };
        resolve(
          withScores({
            manifest: msg.manifest,
            modelDir: msg.modelDir,
            threads: msg.threads,
            sessions: msg.sessions,
            explainBatch,
            async close() {
              if (closed) return;
              closed = true;
              worker.postMessage({ type: "close" });
              await new Promise<void>((r) => worker.once("exit", () => r()));
            },
          }),
        );
      } else {
        const w = waiting.get(msg.seq);
        waiting.delete(msg.seq);
        if (msg.type === "result") w?.resolve(msg.details);
        else w?.reject(new EvaluatorError(msg.message));
      }
    });
  });
}
