/**
 * The background scoring queue a validator feeds and reads without blocking: `enqueue` returns at
 * once, batches are scored in the background (up to `maxBatch` at a time), and `takeReady` hands back
 * whatever has finished since the last call. A batch that fails is retried pair by pair, so one bad
 * input yields one error entry and never holds up the others.
 */
import type { ScorePair } from "./evaluator.js";

/** What the queue needs from an evaluator (an in-thread or a worker-thread one). */
export interface BatchScorer {
  scoreBatch(pairs: readonly ScorePair[]): Promise<number[]>;
}

/** A finished item: a score in basis points, or the reason it could not be scored. */
export type ScoredItem =
  { readonly id: string; readonly score: number } | { readonly id: string; readonly error: string };

/** Options of {@link createScoringQueue}. */
export interface ScoringQueueOptions {
  /** Pairs per inference batch (default 16). */
  readonly maxBatch?: number;
  /** Most items waiting or ready before `enqueue` refuses (default 10000). */
  readonly maxPending?: number;
}

/** The queue. */
export interface ScoringQueue {
  /**
   * Adds a pair, with the other answers to the same prompt as `peers` (peer mode, when the model has
   * it); false when the id is already queued or ready, or the queue is full or closed.
   */
  enqueue(id: string, prompt: string, response: string, peers?: readonly string[]): boolean;
  /** Finished items since the last call, in completion order; never waits. */
  takeReady(): ScoredItem[];
  /** Items waiting or being scored. */
  pending(): number;
  /** Resolves when nothing is waiting or being scored. */
  idle(): Promise<void>;
  /** Stops taking work and waits for the batch in flight. Does not close the evaluator. */
  close(): Promise<void>;
}

/**
 * Creates a background queue over an evaluator.
 *
 * @example
 * const q = createScoringQueue(await createWorkerEvaluator({ threads: 2 }));
 * q.enqueue("req-1", "What is 2+2?", "2 + 2 = 4.");
 * // later, e.g. once per block:
 * for (const item of q.takeReady()) console.log(item);
 */
export function createScoringQueue(evaluator: BatchScorer, opts: ScoringQueueOptions = {}): ScoringQueue {
  const maxBatch = opts.maxBatch ?? 16;
  const maxPending = opts.maxPending ?? 10_000;
  const waiting: Array<{ id: string; pair: ScorePair }> = [];
  const known = new Set<string>();
  let ready: ScoredItem[] = [];
  let running: Promise<void> | null = null;
  let closed = false;
  let inFlight = 0;

  const scoreOne = async (id: string, pair: ScorePair): Promise<ScoredItem> => {
    try {
      const [score] = await evaluator.scoreBatch([pair]);
      return { id, score: score as number };
    } catch (e) {
      return { id, error: (e as Error).message };
    }
  };

  const pump = async (): Promise<void> => {
    while (waiting.length > 0 && !closed) {
      const batch = waiting.splice(0, maxBatch);
      inFlight = batch.length;
      let results: ScoredItem[];
      try {
        const scores = await evaluator.scoreBatch(batch.map((b) => b.pair));
        results = batch.map((b, i) => ({ id: b.id, score: scores[i] as number }));
      } catch {
        results = [];
        for (const b of batch) results.push(await scoreOne(b.id, b.pair));
      }
      inFlight = 0;
      ready.push(...results);
    }
  };

  const kick = () => {
    if (running) return;
    running = new Promise<void>((r) => setImmediate(r)).then(pump).finally(() => {
      running = null;
      if (waiting.length > 0 && !closed) kick();
    });
  };

  return {
    enqueue(id, prompt, response, peers) {
      if (closed || known.has(id) || known.size >= maxPending) return false;
      known.add(id);
      waiting.push({
        id,
        pair: peers && peers.length > 0 ? { prompt, response, peers } : { prompt, response },
      });
      kick();
      return true;
    },
    takeReady() {
      const out = ready;
      ready = [];
      for (const item of out) known.delete(item.id);
      return out;
    },
    pending: () => waiting.length + inFlight,
    async idle() {
      while (running) await running;
    },
    async close() {
      closed = true;
      while (running) await running;
    },
  };
}
