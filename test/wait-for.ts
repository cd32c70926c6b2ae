/** Polling for the multi-process tests and benchmarks: one loop instead of one per file. */
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitForOptions {
  /** Give up after this many ms (default 60 s). */
  timeoutMs?: number;
  /** Pause between probes in ms (default 200). */
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than `undefined` and returns that; throws
 * "timed out waiting for <what>" after `timeoutMs`. An error the probe throws ends the wait (a
 * probe that expects transient failures, such as a server still starting, catches them itself).
 *
 * @example
 * const tx = await waitFor("tx in a block", () => client.getTx(hash).then((t) => t ?? undefined));
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(opts.intervalMs ?? 200);
  }
}
