/**
 * The child-process supervision that the app and CometBFT runners share: spawn with output appended
 * to a log file, track exit, stop with SIGTERM then SIGKILL, and kill every live child when this
 * process exits (a process killed with SIGKILL runs no handler, so long-lived callers should also
 * stop their children on SIGINT/SIGTERM; the CLI does).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** A supervised child process. */
export interface LoggedChild {
  readonly pid: number | undefined;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after `timeoutMs`. Resolves when the process is gone. */
  stop(timeoutMs: number): Promise<void>;
  /** SIGKILL: no handler runs, nothing is flushed. */
  kill(): Promise<void>;
}

/**
 * Spawns `bin args` with stdout and stderr appended to `logFile`.
 *
 * @example
 * const child = spawnLogged(process.execPath, ["main.js"], "/tmp/home/app.log");
 * await child.stop(5000);
 */
export function spawnLogged(
  bin: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): LoggedChild {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ["ignore", fd, fd], env });
  } finally {
    closeSync(fd);
  }
  let running = child.pid !== undefined;
  const exited = new Promise<number | string>((resolve) => {
    const done = (how: number | string): void => {
      running = false;
      live.delete(child);
      resolve(how);
    };
    child.once("exit", (code, signal) => done(code ?? signal ?? "unknown"));
    child.once("error", () => done("spawn error"));
  });
  if (running) {
    installExitHook();
    live.add(child);
  }
  return {
    pid: child.pid,
    exited,
    get running() {
      return running;
    },
    async stop(timeoutMs) {
      if (!running) return;
      child.kill("SIGTERM");
      // The grace timer is cancelled on exit, so a stopped child never keeps the caller alive.
      const grace = new AbortController();
      const timedOut = sleep(timeoutMs, false, { signal: grace.signal }).catch(() => false);
      const done = await Promise.race([exited.then(() => true), timedOut]);
      grace.abort();
      if (!done) {
        child.kill("SIGKILL");
        await exited;
      }
    },
    async kill() {
      if (!running) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The last `lines` lines of a log file (reading at most its last 64 KiB); "" when unreadable. */
export function logTail(file: string, lines: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 64 * 1024));
    const n = readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf
      .subarray(0, n)
      .toString("utf8")
      .split("\n")
      .slice(-lines - 1)
      .join("\n");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
