/**
 * Runs a CometBFT node as a child process: logs to a file, waits for heights through the RPC, and stops
 * it with SIGTERM, then SIGKILL if it lingers.
 *
 * No orphans: every running child is killed when this process exits (normal exit or uncaught error).
 * A process killed with SIGKILL cannot run any handler, so long-lived callers should also stop their
 * children on SIGINT/SIGTERM (the CLI does).
 */
import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { resolveCometBinary } from "./comet-binary.js";
import { cometConfigPath, getTomlString } from "./comet-config.js";
import { BaseError } from "../app/errors.js";
import { logTail, spawnLogged } from "./child.js";

export class CometProcessError extends BaseError {
  override name = "CometProcessError" as const;
}

export interface StartCometOptions {
  home: string;
  bin?: string;
  /** Default `<home>/cometbft.log` (appended to, so restarts keep earlier output). */
  logFile?: string;
  /** Extra arguments after `start --home <home>`. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface CometProcess {
  readonly pid: number;
  readonly home: string;
  /** `http://host:port` of the node's RPC, from its config.toml. */
  readonly rpcUrl: string;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Whether the process is still running. */
  readonly running: boolean;
  /** Waits until the node reports at least `height`; fails fast if the process exits meanwhile. */
  waitForHeight(height: bigint | number, timeoutMs?: number): Promise<bigint>;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 5000). Resolves when the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
  /** The last lines of the log file, for error messages. */
  logTail(lines?: number): string;
}

/** `tcp://127.0.0.1:26657` -> `http://127.0.0.1:26657` (0.0.0.0 is reachable as 127.0.0.1). */
function rpcUrlOf(home: string): string {
  const laddr = getTomlString(readFileSync(cometConfigPath(home), "utf8"), "rpc.laddr");
  if (!laddr?.startsWith("tcp://"))
    throw new CometProcessError("rpc.laddr is not a tcp address", { details: laddr ?? "(missing)" });
  return `http://${laddr.slice("tcp://".length).replace(/^0\.0\.0\.0:/, "127.0.0.1:")}`;
}

/**
 * Starts `cometbft start --home <home>` with stdout and stderr appended to a log file.
 *
 * @example
 * const comet = startComet({ home: node.home });
 * await comet.waitForHeight(3, 20_000);
 * await comet.stop();
 */
export function startComet(opts: StartCometOptions): CometProcess {
  const bin = opts.bin ?? resolveCometBinary();
  const logFile = opts.logFile ?? join(opts.home, "cometbft.log");
  const rpcUrl = rpcUrlOf(opts.home);
  const child = spawnLogged(bin, ["start", "--home", opts.home, ...(opts.args ?? [])], logFile, opts.env);
  if (child.pid === undefined) throw new CometProcessError("cometbft did not start", { details: bin });
  const { pid, exited } = child;

  const proc: CometProcess = {
    pid,
    home: opts.home,
    rpcUrl,
    logFile,
    exited,
    get running() {
      return child.running;
    },
    async waitForHeight(height, timeoutMs = 30_000) {
      // Stops the RPC polling once the race is decided, so that it does not hold the caller for timeoutMs.
      const decided = new AbortController();
      const stopped = exited.then((how) => {
        throw new CometProcessError(`cometbft exited (${how}) before height ${height}`, {
          details: `log ${logFile}:\n${proc.logTail(20)}`,
        });
      });
      stopped.catch(() => undefined);
      try {
        return await Promise.race([waitForHeight(rpcUrl, height, timeoutMs, decided.signal), stopped]);
      } finally {
        decided.abort();
      }
    },
    stop: (timeoutMs = 5000) => child.stop(timeoutMs),
    logTail(lines = 30) {
      return logTail(logFile, lines);
    },
  };
  return proc;
}

/** The parts of RPC `/status` that callers use. */
export interface CometStatus {
  network: string;
  version: string;
  latestBlockHeight: bigint;
  latestAppHash: string;
  catchingUp: boolean;
}

/**
 * Reads the node's `/status`.
 *
 * @example
 * (await cometStatus("http://127.0.0.1:26657")).latestBlockHeight; // 12n
 */
export async function cometStatus(rpcUrl: string, timeoutMs = 2000): Promise<CometStatus> {
  const { node_info: info, sync_info: sync } = await cometRpc<{
    node_info: { network: string; version: string };
    sync_info: { latest_block_height: string; latest_app_hash: string; catching_up: boolean };
  }>(rpcUrl, "/status", timeoutMs);
  return {
    network: info.network,
    version: info.version,
    latestBlockHeight: BigInt(sync.latest_block_height),
    latestAppHash: sync.latest_app_hash,
    catchingUp: sync.catching_up,
  };
}

/**
 * Calls a CometBFT RPC method over its URI interface (`GET /method?arg=value`) and returns `result`;
 * a JSON-RPC error becomes a thrown error. Each call uses its own connection, closed after the answer,
 * so that no keep-alive socket holds the caller's process open after the node is gone.
 *
 * @example
 * const r = await cometRpc<{ response: { last_block_height: string } }>(rpcUrl, "/abci_info");
 */
export function cometRpc<T>(rpcUrl: string, pathAndQuery: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${rpcUrl}${pathAndQuery}`, { agent: false, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        try {
          const body = JSON.parse(text) as { result?: T; error?: { message?: string; data?: string } };
          if (body.result !== undefined) resolve(body.result);
          else {
            const why = `${body.error?.message ?? ""} ${body.error?.data ?? ""}`.trim();
            reject(
              new CometProcessError(`RPC ${pathAndQuery} failed`, {
                details: why || `HTTP ${res.statusCode}`,
              }),
            );
          }
        } catch (err) {
          reject(
            new CometProcessError(`RPC ${pathAndQuery}: not JSON`, {
              details: text.slice(0, 200),
              cause: err,
            }),
          );
        }
      });
      res.on("error", reject);
    });
    req.on("timeout", () =>
      req.destroy(new CometProcessError(`RPC ${pathAndQuery} timed out`, { details: rpcUrl })),
    );
    req.on("error", reject);
  });
}

/**
 * Polls RPC `/status` until the latest block height reaches `height`; returns the height seen.
 * Connection errors while the node starts are retried until the timeout; `signal` ends the polling.
 *
 * @example
 * await waitForHeight("http://127.0.0.1:26657", 5, 20_000);
 */
export async function waitForHeight(
  rpcUrl: string,
  height: bigint | number,
  timeoutMs = 30_000,
  signal?: AbortSignal,
): Promise<bigint> {
  const target = BigInt(height);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      const status = await cometStatus(rpcUrl);
      if (status.latestBlockHeight >= target) return status.latestBlockHeight;
      last = `height ${status.latestBlockHeight}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(100, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  throw new CometProcessError(`timed out after ${timeoutMs} ms waiting for height ${target}`, {
    details: `${rpcUrl}: ${last}`,
  });
}
