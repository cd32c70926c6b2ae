/** Option parsing shared by the `poq bench` commands. */
import { InvalidArgumentError } from "commander";

/**
 * A commander argument parser for a positive integer option named `--name`.
 *
 * @example
 * new Command("x").option("--txs <n>", "transactions in all", positive("txs"), 6000);
 */
export const positive =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0)
      throw new InvalidArgumentError(`--${name} must be a positive integer`);
    return n;
  };

/**
 * Ctrl-C or SIGTERM (a timeout) ends a long bench through process.exit, so that the 'exit' hooks run:
 * they kill the validators' child processes and undo a partition (without this they would outlive it).
 */
export function exitOnSignal(): void {
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
}
