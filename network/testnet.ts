/**
 * `poq testnet init|start|stop|status`: the devnet step by step. `init` writes the files (inspect or
 * edit them), `start` runs the devnet as a background process that outlives the command (its pid in
 * `DIR/testnet.pid`, its output in `DIR/testnet.log`), `stop` ends it and everything it started,
 * `status` reports each node. `init --docker` rewrites the node configs for docker-compose.yml, where
 * each validator's app and CometBFT run in their own containers and reach each other by service name.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseError } from "../app/errors.js";
import { logTail } from "./child.js";
import { updateCometConfig } from "./comet-config.js";
import { cometStatus } from "./comet-process.js";
import { showNodeId, VALIDATOR_PREFIX } from "./comet-home.js";
import { networkFilePath, readNetworkFile } from "./local-network.js";

export class TestnetError extends BaseError {
  override name: string = "TestnetError";
}

/** A testnet command asked for what the folder's state does not allow (a second start, no testnet). */
export class TestnetStateError extends TestnetError {
  override name = "TestnetStateError" as const;
}

/** What a running devnet writes once it is ready (and removes when it stops). */
export interface DevnetEndpoints {
  pid: number;
  chainId: string;
  rpc: string[];
  rest: string;
  standin: string | null;
}

export const endpointsFile = (home: string) => join(home, "endpoints.json");
const pidFile = (home: string) => join(home, "testnet.pid");
const POQ_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "poq");

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The pid of a devnet running in `home` (from the endpoints.json it writes once ready, whether `poq
 * devnet` or `poq testnet start` started it), if that process is alive and is not this one.
 */
export function runningDevnetPid(home: string): number | undefined {
  try {
    const { pid } = JSON.parse(readFileSync(endpointsFile(home), "utf8")) as { pid?: unknown };
    return typeof pid === "number" && pid !== process.pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readPid(home: string): number | undefined {
  if (!existsSync(pidFile(home))) return undefined;
  const pid = Number(readFileSync(pidFile(home), "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/**
 * Starts `poq devnet` in the background and resolves when it is ready.
 *
 * @example
 * const ep = await startTestnet({ home: "/tmp/tn", devnetArgs: ["--validators", "4"] });
 */
export async function startTestnet(opts: {
  home: string;
  devnetArgs: string[];
  timeoutMs?: number;
}): Promise<DevnetEndpoints> {
  const running = readPid(opts.home) ?? runningDevnetPid(opts.home);
  if (running !== undefined)
    throw new TestnetStateError(`a devnet is already running in ${opts.home} (pid ${running})`, {
      details: "poq testnet stop first",
    });
  if (!existsSync(networkFilePath(opts.home)))
    throw new TestnetStateError(`${opts.home} has no testnet`, { details: "run poq testnet init first" });
  rmSync(endpointsFile(opts.home), { force: true });
  const log = join(opts.home, "testnet.log");
  const fd = openSync(log, "a");
  const child = spawn(process.execPath, [POQ_BIN, "--home", opts.home, "devnet", ...opts.devnetArgs], {
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new TestnetError("could not start the devnet process");
  writeFileSync(pidFile(opts.home), `${child.pid}\n`);
  child.unref();
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (existsSync(endpointsFile(opts.home))) {
      const ep = JSON.parse(readFileSync(endpointsFile(opts.home), "utf8")) as DevnetEndpoints;
      if (ep.pid === child.pid) return ep;
    }
    if (!alive(child.pid)) {
      throw new TestnetError("the testnet process exited while starting", { details: logTail(log, 14) });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopTestnet(opts.home);
  throw new TestnetError("the testnet did not become ready in time", { details: `see ${log}` });
}

/**
 * Stops a background testnet (SIGTERM; SIGKILL to its process group after `timeoutMs`).
 *
 * @example
 * await stopTestnet("/tmp/tn"); // true when one was running
 */
export async function stopTestnet(home: string, timeoutMs = 30_000): Promise<boolean> {
  const pid = readPid(home);
  rmSync(pidFile(home), { force: true });
  if (pid === undefined) return false;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive(pid)) {
    // The devnet leads its own process group (detached): this reaches CometBFT and the apps too.
    process.kill(-pid, "SIGKILL");
  }
  rmSync(endpointsFile(home), { force: true });
  return true;
}

export interface TestnetNodeStatus {
  /** The validator's folder name (validator<i>). */
  name: string;
  rpc: string;
  height: string | null;
  error?: string;
}

/**
 * Whether the testnet runs, and each node's latest height.
 *
 * @example
 * const { running, nodes } = await testnetStatus("/tmp/tn");
 */
export async function testnetStatus(
  home: string,
): Promise<{ running: boolean; pid: number | null; nodes: TestnetNodeStatus[]; rest: string | null }> {
  const pid = readPid(home) ?? runningDevnetPid(home) ?? null;
  const net = readNetworkFile(home);
  if (!net) throw new TestnetStateError(`${home} has no testnet`, { details: "run poq testnet init" });
  const nodes = await Promise.all(
    net.nodes.map(async ({ rpcUrl, home: dir }): Promise<TestnetNodeStatus> => {
      const name = basename(dir);
      try {
        return { name, rpc: rpcUrl, height: (await cometStatus(rpcUrl, 1500)).latestBlockHeight.toString() };
      } catch (err) {
        return { name, rpc: rpcUrl, height: null, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const ep = existsSync(endpointsFile(home))
    ? (JSON.parse(readFileSync(endpointsFile(home), "utf8")) as DevnetEndpoints)
    : undefined;
  return { running: pid !== null, pid, nodes, rest: ep?.rest ?? null };
}

/**
 * Rewrites node configs for docker-compose: node i's CometBFT (service `comet<i>`) listens on all
 * interfaces, reaches its app at `app<i>:26658` and its peers at `comet<j>:26656`.
 *
 * @example
 * dockerizeTestnet("/data", 4);
 */
export function dockerizeTestnet(home: string, validators: number): void {
  // The homes network.json lists (validator<i>; node<i> in folders made before the rename).
  const listed = readNetworkFile(home)?.nodes.map((n) => n.home);
  const homes = listed ?? Array.from({ length: validators }, (_, i) => join(home, `${VALIDATOR_PREFIX}${i}`));
  const ids = homes.map((h) => showNodeId(h));
  homes.forEach((h, i) => {
    updateCometConfig(h, {
      proxy_app: `tcp://app${i}:26658`,
      "rpc.laddr": "tcp://0.0.0.0:26657",
      "p2p.laddr": "tcp://0.0.0.0:26656",
      "p2p.persistent_peers": ids
        .map((id, j) => (j === i ? "" : `${id}@comet${j}:26656`))
        .filter(Boolean)
        .join(","),
    });
  });
}
