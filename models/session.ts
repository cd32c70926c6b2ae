/**
 * The onnxruntime session: one per process and model, with fixed options (CPU execution provider,
 * a fixed intra-op thread count that does not spin, one inter-op thread, sequential execution, full
 * graph optimisation), so that every score this process produces comes from the same configuration.
 *
 * Batches are padded to their longest item (dynamic batching); the caller groups texts of nearly
 * equal length (batching.ts), because a padded row costs as much as a real one.
 */
import * as ort from "onnxruntime-node";
import { EvaluatorError } from "./errors.js";
import type { EncodedSequence } from "./tokenize.js";

/** Options fixed for the lifetime of the session. */
export interface SessionOptions {
  /** Intra-op threads (CPU cores one inference may use). */
  readonly threads: number;
}

/** A shared session and the names it was built with. */
export interface ModelSession {
  readonly path: string;
  readonly threads: number;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs one padded batch and returns the named output as rows of floats. */
  run(batch: readonly EncodedSequence[], output: string, padId: number): Promise<Float32Array[]>;
  /** Drops one reference; the native session is released when the last user closes it. */
  release(): Promise<void>;
}

interface Entry {
  readonly session: ort.InferenceSession;
  readonly threads: number;
  refs: number;
}

const sessions = new Map<string, Promise<Entry>>();

/**
 * Opens (or reuses) the process-wide session for a model file. A second caller with other thread
 * counts gets an error rather than a second session: the options of a process are fixed.
 *
 * @example
 * const s = await openSession("models/all-minilm-l6-v2/model.onnx", { threads: 1 });
 * await s.release();
 */
export async function openSession(path: string, opts: SessionOptions): Promise<ModelSession> {
  if (!Number.isInteger(opts.threads) || opts.threads < 1 || opts.threads > 256) {
    throw new EvaluatorError(`threads must be an integer 1..256, got ${opts.threads}`);
  }
  let pending = sessions.get(path);
  if (!pending) {
    pending = ort.InferenceSession.create(path, {
      executionProviders: ["cpu"],
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      logSeverityLevel: 3,
      // Idle intra-op threads sleep instead of spinning: a validator shares its cores with CometBFT and
      // the ABCI app, and on a busy 2-core machine spinning cost a third of the batched throughput
      // (measured: 4 x 192 tokens, 2 threads, load 5: 338 ms wall without spinning, 476-514 ms with).
      extra: { session: { intra_op: { allow_spinning: "0" } } },
    }).then(
      (session) => ({ session, threads: opts.threads, refs: 0 }),
      (cause: unknown) => {
        sessions.delete(path);
        throw new EvaluatorError(`onnxruntime cannot load ${path}`, {
          details: `${String((cause as Error)?.message ?? cause)}; the file may be damaged: check it with \`poq models verify\``,
          cause,
        });
      },
    );
    sessions.set(path, pending);
  }
  const entry = await pending;
  if (entry.threads !== opts.threads) {
    throw new EvaluatorError(`the session for ${path} is already open with ${entry.threads} thread(s)`, {
      details: `close the other evaluator first (one session per process), or ask for threads=${entry.threads}`,
    });
  }
  entry.refs++;
  let released = false;
  return {
    path,
    threads: entry.threads,
    inputNames: entry.session.inputNames,
    outputNames: entry.session.outputNames,
    run: (batch, output, padId) => runBatch(entry.session, batch, output, padId),
    async release() {
      if (released) return;
      released = true;
      entry.refs--;
      if (entry.refs === 0 && sessions.get(path) === pending) {
        sessions.delete(path);
        await entry.session.release();
      }
    },
  };
}

function int64Tensor(
  rows: readonly EncodedSequence[],
  width: number,
  pick: (s: EncodedSequence, i: number) => number,
) {
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((s, r) => {
    for (let i = 0; i < width; i++) data[r * width + i] = BigInt(pick(s, i));
  });
  return new ort.Tensor("int64", data, [rows.length, width]);
}

async function runBatch(
  session: ort.InferenceSession,
  batch: readonly EncodedSequence[],
  output: string,
  padId: number,
): Promise<Float32Array[]> {
  if (batch.length === 0) return [];
  const width = Math.max(...batch.map((s) => s.ids.length));
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === "input_ids") feeds[name] = int64Tensor(batch, width, (s, i) => s.ids[i] ?? padId);
    else if (name === "attention_mask")
      feeds[name] = int64Tensor(batch, width, (s, i) => (i < s.ids.length ? 1 : 0));
    else if (name === "token_type_ids") feeds[name] = int64Tensor(batch, width, (s, i) => s.typeIds[i] ?? 0);
    else throw new EvaluatorError(`the model wants an input "${name}" that PoQ does not know how to fill`);
  }
  if (!session.outputNames.includes(output)) {
    throw new EvaluatorError(`the model has no output "${output}"`, {
      details: `it has ${session.outputNames.join(", ")}; fix "output" in manifest.json`,
    });
  }
  const result = await session.run(feeds, [output]);
  const t = result[output];
  if (!t || t.type !== "float32") throw new EvaluatorError(`output "${output}" is not float32`);
  const data = t.data as Float32Array;
  const dims = t.dims;
  if (dims.length === 3) return meanPool(data, dims, batch);
  const per = data.length / batch.length;
  return batch.map((_, r) => data.slice(r * per, (r + 1) * per));
}

/** Mean pooling over attended tokens, for bi-encoder exports whose graph stops at `last_hidden_state`. */
function meanPool(
  data: Float32Array,
  dims: readonly number[],
  batch: readonly EncodedSequence[],
): Float32Array[] {
  const [, seq = 0, hidden = 0] = dims;
  return batch.map((s, r) => {
    const out = new Float32Array(hidden);
    const n = Math.min(s.ids.length, seq);
    for (let i = 0; i < n; i++) {
      const base = (r * seq + i) * hidden;
      for (let h = 0; h < hidden; h++) out[h] = (out[h] ?? 0) + (data[base + h] ?? 0);
    }
    for (let h = 0; h < hidden; h++) out[h] = (out[h] ?? 0) / Math.max(n, 1);
    return out;
  });
}
