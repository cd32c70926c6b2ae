/**
 * The network the fault and soak benches run: a devnet (4 validators, REST, the stand-in backend and
 * its inference nodes) in a temporary folder, with each validator under its own supervisor, so a
 * bench can keep one validator down (stop its supervisor) and hand it back (supervise it again).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevnet, type Devnet } from "../network/devnet.js";
import { superviseValidator } from "../network/supervise-nodes.js";
import { describeEvent, type Supervisor, type SupervisorEvent } from "../network/supervisor.js";

export interface FaultNetOptions {
  chainId: string;
  /** Node i uses basePort + 10i (+0 p2p, +1 RPC, +2 ABCI). */
  basePort: number;
  restPort: number;
  /** Progress lines (start-up steps, every crash and restart). */
  say: (line: string) => void;
  /** Each CometBFT serves Go's profiler at its p2p port + 3. */
  pprof?: boolean;
  /** Extra Node/V8 flags for every application process (the soak's `--trace-gc`). */
  appNodeFlags?: readonly string[];
}

export interface FaultNet {
  devnet: Devnet;
  rpcUrls: string[];
  /** Restarts done by the supervisors so far, per validator. */
  restarts: number[];
  /** When validator i was last restarted by its supervisor (ms since the epoch), per validator. */
  lastRestartAt: number[];
  /** Stops supervising validator i and stops its processes: it stays down. */
  hold(i: number): Promise<void>;
  /** Starts validator i and supervises it again. */
  release(i: number): Promise<void>;
  /** Stops everything; removes the folder unless `keep` (then says where it is). */
  stop(keep?: boolean): Promise<void>;
}

/** Restart waits: quick, and a run of 15 s counts as stable, so 20 kills in a few minutes do not back off to 30 s. */
const BACKOFF = { initialMs: 500, maxMs: 8000, stableAfterMs: 15_000 };

/**
 * Starts the network and its supervisors.
 *
 * @example
 * const fn = await startFaultNet({ chainId: "poq-faults-1", basePort: 27400, restPort: 27490, say: console.log });
 * await fn.stop();
 */
export async function startFaultNet(o: FaultNetOptions): Promise<FaultNet> {
  const dir = mkdtempSync(join(tmpdir(), "poq-faults-"));
  let devnet: Devnet;
  try {
    devnet = await startDevnet({
      home: dir,
      chainId: o.chainId,
      validators: 4,
      basePort: o.basePort,
      restListen: `127.0.0.1:${o.restPort}`,
      supervise: false,
      onProgress: o.say,
      ...(o.pprof ? { pprof: true } : {}),
      ...(o.appNodeFlags ? { appNodeFlags: o.appNodeFlags } : {}),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const net = devnet.network;
  const restarts = net.nodes.map(() => 0);
  const lastRestartAt = net.nodes.map(() => 0);
  const onEvent = (e: SupervisorEvent): void => {
    const i = Number(e.name.split(" ")[1]);
    if (e.kind === "restarted") {
      restarts[i]! += 1;
      lastRestartAt[i] = Date.now();
    }
    o.say(describeEvent(e));
  };
  const sups: (Supervisor | undefined)[] = net.nodes.map((_, i) =>
    superviseValidator(net, i, onEvent, BACKOFF),
  );
  return {
    devnet,
    rpcUrls: devnet.rpcUrls,
    restarts,
    lastRestartAt,
    async hold(i) {
      await sups[i]?.stop();
      sups[i] = undefined;
      await net.stopNode(i);
    },
    async release(i) {
      await net.startNode(i);
      sups[i] ??= superviseValidator(net, i, onEvent, BACKOFF);
    },
    async stop(keep = false) {
      await Promise.all(sups.map((s) => s?.stop()));
      await devnet.stop();
      if (keep) o.say(`logs kept in ${dir} (node*/cometbft.log, node*/app.log)`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
