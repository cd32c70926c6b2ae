/**
 * An evaluator that is only in memory while there is scoring to do. A validator's judge sessions
 * (weights, onnxruntime arenas, one worker thread each) are most of its resident memory, and an idle
 * network scores nothing for hours: this wrapper loads them on the first batch and closes them again
 * after `idleMs` without a batch. Scores do not depend on it (the same files, the same sessions); the
 * first batch after a rest waits for the load (a few hundred milliseconds).
 */
import type { BatchScorer } from "./queue.js";
import type { ScorePair } from "./evaluator.js";
import { EvaluatorError } from "./errors.js";

/** What the wrapper loads: anything that scores batches and can be closed. */
export interface ClosableScorer extends BatchScorer {
  close(): Promise<void>;
}

/** Options of {@link createSleepingEvaluator}. */
export interface SleepingEvaluatorOptions {
  /** Loads the sessions (called on the first batch, and on the first batch after each rest). */
  load: () => Promise<ClosableScorer>;
  /** Close the sessions after this long without a batch; 0 keeps them loaded once loaded. */
  idleMs: number;
  /** Told when the sessions have loaded and when they have been closed for idleness. */
  onChange?: (event: "loaded" | "asleep") => void;
}

/** The wrapper: a {@link ClosableScorer} that says whether its sessions are in memory. */
export interface SleepingEvaluator extends ClosableScorer {
  readonly awake: boolean;
  /**
   * Work is on its way (a request is in flight): load now if asleep, so the load overlaps the node's
   * answer instead of delaying its score, and start the idle time again.
   */
  warm(): void;
}

/**
 * Wraps a loader.
 *
 * @example
 * const ev = createSleepingEvaluator({
 *   load: () => createWorkerEvaluator({ modelDir, threads: 1, sessions: 2 }),
 *   idleMs: 60_000,
 * });
 * const queue = createScoringQueue(ev); // loads on the first enqueue, sleeps a minute after the last
 */
export function createSleepingEvaluator(opts: SleepingEvaluatorOptions): SleepingEvaluator {
  let loading: Promise<ClosableScorer> | undefined;
  let loaded = false;
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const sleep = (): void => {
    timer = undefined;
    // Still loading: the idle time starts again once the sessions are in.
    if (active > 0 || !loading || !loaded) return;
    const going = loading;
    loading = undefined;
    loaded = false;
    void going.then(
      (ev) => ev.close().then(() => opts.onChange?.("asleep")),
      () => undefined,
    );
  };

  const wake = (): Promise<ClosableScorer> => {
    if (!loading) {
      const attempt = opts.load();
      loading = attempt;
      attempt.then(
        () => {
          if (loading === attempt) {
            loaded = true;
            opts.onChange?.("loaded");
            restartIdle();
          }
        },
        // A failed load is not kept: the next batch tries again.
        () => {
          if (loading === attempt) loading = undefined;
        },
      );
    }
    return loading;
  };

  const restartIdle = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (active === 0 && opts.idleMs > 0 && !closed) {
      timer = setTimeout(sleep, opts.idleMs);
      timer.unref();
    }
  };

  return {
    get awake() {
      return loaded;
    },
    warm() {
      if (closed) return;
      // A load that fails here is tried again by the first batch, which then reports the error.
      wake().catch(() => undefined);
      restartIdle();
    },
    async scoreBatch(pairs: readonly ScorePair[]): Promise<number[]> {
      if (closed) throw new EvaluatorError("the evaluator is closed");
      if (timer) clearTimeout(timer);
      timer = undefined;
      active++;
      try {
        return await (await wake()).scoreBatch(pairs);
      } finally {
        active--;
        restartIdle();
      }
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const going = loading;
      loading = undefined;
      loaded = false;
      if (going)
        await going.then(
          (ev) => ev.close(),
          () => undefined,
        );
    },
  };
}
