/**
 * Restart-with-backoff for long-running processes, as an operator's process manager would do it:
 * when the watched unit ends, report it, wait (doubling from `initialMs` up to `maxMs`; back to
 * `initialMs` once a run lasted `stableAfterMs`), restart it, report that. `poq devnet` and `poq start`
 * supervise each validator (its application and its CometBFT) with it.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** What a supervisor reports: each end, each restart, each failed restart. */
export type SupervisorEvent =
  | { kind: "exited"; name: string; how: string; restartInMs: number; restarts: number }
  | { kind: "restarted"; name: string; restarts: number }
  | { kind: "restart-failed"; name: string; error: string; restarts: number };

export interface SuperviseOptions {
  /** Shown in every event ("validator 2"). */
  name: string;
  /** How the current run of the unit ends (a description such as "application exited (SIGKILL)"). */
  watch(): Promise<string>;
  /** Brings the unit back; throws when it cannot (the supervisor waits longer and tries again). */
  restart(): Promise<void>;
  onEvent(event: SupervisorEvent): void;
  /** First wait before a restart. Default 500 ms. */
  initialMs?: number;
  /** Longest wait. Default 30 s. */
  maxMs?: number;
  /** A run that lasted this long resets the wait to `initialMs`. Default 60 s. */
  stableAfterMs?: number;
}

export interface Supervisor {
  /** Restarts so far (successful ones). */
  readonly restarts: number;
  /** Stops supervising (no restart after this); the unit itself is left to the caller to stop. */
  stop(): Promise<void>;
}

/**
 * Watches a unit that is already running and restarts it whenever it ends, until `stop()`.
 *
 * @example
 * const sup = supervise({
 *   name: "validator 0",
 *   watch: () => node.app.exited.then((how) => `application exited (${how})`),
 *   restart: () => net.startNode(0),
 *   onEvent: (e) => console.error(e),
 * });
 * // ...
 * await sup.stop();
 */
export function supervise(opts: SuperviseOptions): Supervisor {
  const initialMs = opts.initialMs ?? 500;
  const maxMs = opts.maxMs ?? 30_000;
  const stableAfterMs = opts.stableAfterMs ?? 60_000;
  const stopping = new AbortController();
  const stopped = new Promise<undefined>((resolve) =>
    stopping.signal.addEventListener("abort", () => resolve(undefined), { once: true }),
  );
  let restarts = 0;

  async function loop(): Promise<void> {
    let delay = initialMs;
    for (;;) {
      const began = Date.now();
      const how = await Promise.race([opts.watch(), stopped]);
      if (how === undefined || stopping.signal.aborted) return;
      if (Date.now() - began >= stableAfterMs) delay = initialMs;
      opts.onEvent({ kind: "exited", name: opts.name, how, restartInMs: delay, restarts });
      const waited = await sleep(delay, true, { signal: stopping.signal }).catch(() => false);
      if (!waited) return;
      delay = Math.min(delay * 2, maxMs);
      try {
        await opts.restart();
        restarts += 1;
        opts.onEvent({ kind: "restarted", name: opts.name, restarts });
      } catch (err) {
        if (stopping.signal.aborted) return;
        const error = err instanceof Error ? err.message : String(err);
        opts.onEvent({ kind: "restart-failed", name: opts.name, error, restarts });
      }
    }
  }

  const running = loop();
  return {
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping.abort();
      await running;
    },
  };
}

/**
 * One line for an event, for a console or a log.
 *
 * @example
 * describeEvent({ kind: "restarted", name: "validator 1", restarts: 1 }); // "validator 1 restarted (restart 1)"
 */
export function describeEvent(e: SupervisorEvent): string {
  switch (e.kind) {
    case "exited":
      return `${e.name}: ${e.how}; restarting in ${e.restartInMs < 1000 ? `${e.restartInMs} ms` : `${(e.restartInMs / 1000).toFixed(1)} s`}`;
    case "restarted":
      return `${e.name} restarted (restart ${e.restarts})`;
    case "restart-failed":
      return `${e.name}: restart failed (${e.error}); will retry`;
  }
}
