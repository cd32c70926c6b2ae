/**
 * A pool of onnxruntime sessions of one model file, each in its own worker thread
 * (inference-worker.ts), behind the same `ModelSession` interface as the in-thread session: batches
 * handed to `run` concurrently are run in parallel, one per session, in the order they were given.
 *
 * Why: onnxruntime-node runs inference on the calling thread, and its intra-op threads scaled a
 * 256-token pair only about 1.2-1.5x on 2 cores (models/README.md, "Speed"), while independent
 * single-thread sessions scale with the cores. Every session is built from the same file with the
 * same options, and the graph quantizes activations per token row, so a row's output does not depend
 * on which session runs it (models/session-pool.test.ts checks it).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { EvaluatorError } from "./errors.js";
import type { InferenceJob, InferenceReply, InferenceWorkerData } from "./inference-worker.js";
import type { ModelSession, SessionOptions } from "./session.js";
import type { EncodedSequence } from "./tokenize.js";

/**
 * Sessions a scoring process runs by default: one per core, at most two. Each session holds its own
 * copy of the model and of one batch's activations (about 60 MB for the judge), and two keep a
 * validator's evaluator under the 400 MB of issue 11 while using both cores of the reference machine.
 *
 * @example
 * const ev = await createWorkerEvaluator({ threads: 1, sessions: defaultSessions() });
 */
export function defaultSessions(): number {
  return Math.max(1, Math.min(availableParallelism(), 2));
}

/** Options of {@link openSessionPool}. */
export interface SessionPoolOptions extends SessionOptions {
  /** Sessions (worker threads) run in parallel, each with `threads` intra-op threads. */
  readonly sessions: number;
}

interface Job {
  readonly batch: readonly EncodedSequence[];
  readonly output: string;
  readonly padId: number;
  readonly resolve: (rows: Float32Array[]) => void;
  readonly reject: (e: Error) => void;
}

interface Member {
  readonly worker: Worker;
  /** The job it runs, if any. */
  busy: Job | null;
  /** Resolves when the thread has exited. */
  readonly exited: Promise<void>;
}

/**
 * Starts `sessions` worker threads, each loading `path` with `threads` intra-op threads, and resolves
 * once all are ready (rejects, after stopping the others, if any cannot load the model).
 *
 * @example
 * const pool = await openSessionPool("models/poq-judge-minilm/model.onnx", { threads: 1, sessions: 2 });
 * const [a, b] = await Promise.all([pool.run(batchA, "logits", 0), pool.run(batchB, "logits", 0)]);
 * await pool.release();
 */
export async function openSessionPool(path: string, opts: SessionPoolOptions): Promise<ModelSession> {
  if (!Number.isInteger(opts.sessions) || opts.sessions < 1 || opts.sessions > 99) {
    throw new EvaluatorError(`sessions must be an integer 1..99, got ${opts.sessions}`);
  }
  if (!Number.isInteger(opts.threads) || opts.threads < 1 || opts.threads > 256) {
    throw new EvaluatorError(`threads must be an integer 1..256, got ${opts.threads}`);
  }
  const members: Member[] = [];
  const queue: Job[] = [];
  let closed = false;
  let failure: Error | null = null;
  let seq = 0;

  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    for (const m of members) {
      m.busy?.reject(e);
      m.busy = null;
    }
    for (const j of queue.splice(0)) j.reject(e);
  };
  const dispatch = () => {
    for (const m of members) {
      if (m.busy || queue.length === 0) continue;
      const job = queue.shift() as Job;
      m.busy = job;
      const msg: InferenceJob = { seq: ++seq, batch: job.batch, output: job.output, padId: job.padId };
      m.worker.postMessage(msg);
    }
  };

  const started = Array.from({ length: opts.sessions }, () => {
    const data: InferenceWorkerData = { path, threads: opts.threads };
    const worker = new Worker(new URL("./inference-worker.js", import.meta.url), { workerData: data });
    const member: Member = { worker, busy: null, exited: new Promise((r) => worker.once("exit", () => r())) };
    members.push(member);
    return new Promise<{ inputNames: string[]; outputNames: string[] }>((resolve, reject) => {
      worker.on("error", (e) => {
        const err = new EvaluatorError("an inference worker crashed", { cause: e });
        reject(err);
        fail(err);
      });
      worker.on("exit", () => {
        const err = new EvaluatorError("an inference worker exited");
        reject(err);
        if (!closed) fail(err);
      });
      worker.on("message", (msg: InferenceReply) => {
        if (msg.type === "ready") resolve({ inputNames: msg.inputNames, outputNames: msg.outputNames });
        else if (msg.type === "failed") {
          reject(new EvaluatorError(msg.message, msg.details !== undefined ? { details: msg.details } : {}));
        } else {
          const job = member.busy;
          member.busy = null;
          if (msg.type === "result") job?.resolve(msg.rows);
          else job?.reject(new EvaluatorError(msg.message));
          dispatch();
        }
      });
    });
  });

  let names: { inputNames: string[]; outputNames: string[] };
  try {
    [names] = (await Promise.all(started)) as [{ inputNames: string[]; outputNames: string[] }];
  } catch (e) {
    closed = true;
    // Terminating a worker while onnxruntime is still creating its session aborts the whole process
    // (a native error thrown on a thread that is gone): let every worker settle, then close the ones
    // that loaded; those that failed have returned and exit by themselves.
    await Promise.allSettled(started);
    for (const m of members) m.worker.postMessage({ type: "close" });
    await Promise.all(members.map((m) => m.exited));
    throw e;
  }

  return {
    path,
    threads: opts.threads,
    inputNames: names.inputNames,
    outputNames: names.outputNames,
    run(batch, output, padId) {
      if (closed) return Promise.reject(new EvaluatorError("the session pool is closed"));
      if (failure) return Promise.reject(failure);
      if (batch.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        queue.push({ batch, output, padId, resolve, reject });
        dispatch();
      });
    },
    async release() {
      if (closed) return;
      closed = true;
      fail(new EvaluatorError("the session pool is closed"));
      for (const m of members) m.worker.postMessage({ type: "close" });
      await Promise.all(members.map((m) => m.exited));
    },
  };
}
