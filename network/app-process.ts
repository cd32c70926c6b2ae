/**
 * Runs a validator's application process (`dist/validator/main.js`) as a child, with its output
 * appended to `<home>/app.log`, and stops it with SIGTERM (SIGKILL when it lingers) — or kills it
 * outright, which the crash tests do on purpose.
 */
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { BaseError } from "../app/errors.js";
import { logTail, spawnLogged } from "./child.js";

export class AppProcessError extends BaseError {
  override name = "AppProcessError" as const;
}

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "validator", "main.js");

/**
 * V8 flags of the application process. Its live heap is small (about 30 MB with 100,000 accounts),
 * but without a cap V8 lets garbage grow to several times the live heap before a full collection:
 * an InitChain of 100,000 accounts peaked at ~400 MB RSS, ~265 MB with these flags (measured with
 * bench/accounts-memory.ts). 192 MB of old space still leaves room for a full block's requests.
 * A smaller young generation (`--max-semi-space-size=4`) lowered genesis's peak further but cost the
 * chain-load bench ~7% throughput (474-484 vs 502-515 tx/s, same quiet machine), so it is left out.
 */
export const APP_NODE_FLAGS: readonly string[] = ["--max-old-space-size=192"];

/**
 * The C allocator's settings for the application process. glibc raises its trim threshold each time
 * a large block is freed, up to 64 MiB, so memory the process has given back (a closed evaluator
 * session, a large genesis, a block's buffers) stays resident; a fixed threshold returns free heap
 * tops above 4 MiB to the system. Measured: a closed 2-session judge left 143-191 MB of a 56 MB
 * process resident, 98-101 MB with this (loaded: 266-272 MB, 228 MB). An operator's value wins.
 */
export const APP_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: "4194304" };

export interface StartAppOptions {
  home: string;
  /** `tcp://127.0.0.1:PORT` */
  abciAddress: string;
  chainId?: string;
  /** Extra arguments for validator/main.js. */
  args?: string[];
  /** Extra Node/V8 flags, after {@link APP_NODE_FLAGS} (benches: `--trace-gc`). */
  nodeFlags?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface AppProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /** Resolves once the ABCI port accepts connections. */
  ready(timeoutMs?: number): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no handler runs, nothing is flushed (crash tests). */
  kill(): Promise<void>;
  logTail(lines?: number): string;
}

/**
 * Starts a validator's application process.
 *
 * @example
 * const app = startAppProcess({ home, abciAddress: "tcp://127.0.0.1:26658" });
 * await app.ready();
 */
export function startAppProcess(opts: StartAppOptions): AppProcess {
  const logFile = join(opts.home, "app.log");
  const args = [MAIN, "--home", opts.home, "--abci", opts.abciAddress];
  if (opts.chainId !== undefined) args.push("--chain-id", opts.chainId);
  const child = spawnLogged(
    process.execPath,
    [...APP_NODE_FLAGS, ...(opts.nodeFlags ?? []), ...args, ...(opts.args ?? [])],
    logFile,
    { ...APP_MALLOC_ENV, ...(opts.env ?? process.env) },
  );
  if (child.pid === undefined) throw new AppProcessError("the application process did not start");
  const { exited } = child;
  const tail = (lines = 30): string => logTail(logFile, lines);
  const { hostname, port } = new URL(opts.abciAddress.replace(/^tcp:/, "http:"));

  return {
    pid: child.pid,
    logFile,
    exited,
    get running() {
      return child.running;
    },
    async ready(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!child.running)
          throw new AppProcessError("the application process exited", { details: tail(20) });
        const ok = await new Promise<boolean>((resolve) => {
          const s = createConnection({ host: hostname, port: Number(port) }, () => {
            s.destroy();
            resolve(true);
          });
          s.once("error", () => resolve(false));
        });
        if (ok) return;
        await sleep(100);
      }
      throw new AppProcessError(`the application did not listen on ${opts.abciAddress} in time`, {
        details: tail(20),
      });
    },
    stop: (timeoutMs = 5000) => child.stop(timeoutMs),
    kill: () => child.kill(),
    logTail: tail,
  };
}
