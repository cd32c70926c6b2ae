/** Which processes are alive, for the tests that check a command leaves nothing running. */
import { readFileSync, readdirSync } from "node:fs";

/**
 * Pids of live processes, other than this one, whose command line mentions `text` (Linux /proc).
 *
 * @example
 * assert.deepEqual(processesMentioning(home), [], "nothing left running");
 */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(text)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
