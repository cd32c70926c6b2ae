/**
 * How the long-running commands (`start`, `devnet`, `rest start`, `node run`, `node standin`) wait
 * until they are told to stop.
 */

/**
 * Resolves with "SIGINT" or "SIGTERM" at the first of those signals, or with the value of the first
 * of `also` to resolve (a child that exited, say). Each signal is listened for once: the same signal
 * again, while the command is stopping, ends the process the default way.
 *
 * @example
 * await untilStopped();
 * await server.close();
 */
export function untilStopped(also: readonly Promise<string>[] = []): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    for (const p of also) void p.then(resolve);
  });
}
