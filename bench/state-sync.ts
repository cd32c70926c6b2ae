/**
 * `poq bench state-sync` (issue 16): how fast a new node joins a running network by state sync. A
 * Two validators (both taking snapshots every `--interval` blocks, a genesis of `--accounts`
 * funded accounts so that the state spans many chunks) run to `--blocks`; then, optionally, every chunk
 * file of the second validator's snapshots is corrupted on disk; a new node is configured with
 * `configureStateSync` (what `poq start --state-sync` runs) against both nodes' RPC and started. Reports
 * the seconds from its start until it has caught up, the snapshot it restored, the chunks it refused,
 * and checks that its own app hash at a height equals the network's and that it keeps following blocks.
 * The end-to-end test runs the same scenario on a short chain (test/state-sync.e2e.test.ts).
 *
 * Usage: nice -n 5 node dist/bench/state-sync.js [--blocks 2000] [--interval 500] [--accounts 3000]
 * Ports 29100-29122 (`--base-port`).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { toBech32 } from "@cosmjs/encoding";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { initCometHome, portsFor } from "../network/comet-home.js";
import { cometRpc, cometStatus } from "../network/comet-process.js";
import { startNode, type RunningNode } from "../network/single-node.js";
import { configureStateSync } from "../network/state-sync.js";
import { updateCometConfig } from "../network/comet-config.js";
import { writeAppConfig, type SnapshotConfig } from "../validator/snapshots/config.js";
import type { GenesisAccount } from "../network/app-genesis.js";
import { exitOnSignal, positive } from "./options.js";

export interface StateSyncRunOptions {
  /** Folder for all homes (deleted by the caller). */
  dir: string;
  /** Height the network reaches before the new node starts. */
  blocks: number;
  /** Snapshot interval of the validators. */
  interval: number;
  /** Funded genesis accounts besides the operator. */
  accounts: number;
  /** Snapshot chunk size (small in tests: many chunks). Default 4 KiB. */
  chunkBytes?: number;
  /** Corrupt every chunk file of the second validator's snapshots (also those taken during the sync). */
  corruptPeer: boolean;
  /** Ports from here: validators +0 and +10, the new node +20. Default 29100. */
  basePort?: number;
  /** `timeout_commit` of the validators while they build the `blocks` of history. Default "20ms". */
  timeoutCommit?: string;
  /**
   * `timeout_commit` the validators are restarted with before the new node starts, so that it joins a
   * network running at that pace (`poq bench state-sync` uses the users' default, 300 ms). Default: no
   * restart, the network keeps the build pace.
   */
  networkTimeoutCommit?: string;
  say?: (line: string) => void;
}

export interface StateSyncFigures {
  network_height_at_start: number;
  snapshot_height: number;
  snapshot_chunks: number;
  restored_entries: number;
  /** Chunk files corrupted on the second validator's disk. */
  corrupted_chunk_files: number;
  /** ApplySnapshotChunk answers RETRY for a chunk whose hash was wrong. */
  refused_chunks: number;
  /** From the new node's start until it reports catching_up false within 2 blocks of the validator. */
  catch_up_s: number;
  /** From the new node's start until its app had restored the snapshot (Info then reports its height). */
  restored_after_s: number;
  /**
   * From the new node's start until block sync handed over to consensus (CometBFT's "Time to switch to
   * consensus reactor!"): the rest of the catch-up goes block by block through consensus gossip.
   */
  switched_to_consensus_after_s: number;
  /** The new node's height at that switch, and the validator's then (blocks left to catch up by gossip). */
  switched_at_height: number;
  blocks_behind_at_switch: number;
  /** `timeout_commit` of the network while the new node caught up, and the blocks it made per second then. */
  network_timeout_commit: string;
  network_blocks_per_s: number;
  /** The longest Commit pause of the validators for a snapshot (waiting for the worker to pin the state). */
  max_commit_pause_ms: number;
  /** The first block in the new node's block store (1 would mean it replayed from genesis). */
  earliest_block_height: number;
  /** A height at which the new node's app hash was compared with the validator's header, and matched. */
  app_hash_checked_at: number;
  /** Blocks the new node followed after catching up, before the run stopped. */
  blocks_followed: number;
  load_average: string;
}

/** Random addresses with coins: state for the snapshot to carry (about 3 entries each). */
function fundedAccounts(n: number): GenesisAccount[] {
  return Array.from({ length: n }, (_, i) => {
    const bytes = new Uint8Array(20);
    new DataView(bytes.buffer).setUint32(0, i + 1);
    bytes.fill(0xab, 4);
    return { address: toBech32("poq", bytes), coins: [{ denom: "upoq", amount: String(1000 + i) }] };
  });
}

/**
 * Flips one byte in every chunk file of the snapshots under `home` not in `done` (adding them to it);
 * returns how many files it changed.
 */
function corruptSnapshots(home: string, done: Set<string>): number {
  const dir = join(home, "data", "snapshots");
  let n = 0;
  for (const snap of readdirSync(dir).filter((d) => /^\d+-\d+$/.test(d) && !done.has(d))) {
    done.add(snap);
    try {
      for (const f of readdirSync(join(dir, snap)).filter((c) => c.startsWith("chunk-"))) {
        // In place ("r+" never creates a file the node is pruning).
        const fd = openSync(join(dir, snap, f), "r+");
        try {
          const at = fstatSync(fd).size >> 1;
          const byte = Buffer.alloc(1);
          readSync(fd, byte, 0, 1, at);
          byte[0] = (byte[0] ?? 0) ^ 0xff;
          writeSync(fd, byte, 0, 1, at);
          n++;
        } finally {
          closeSync(fd);
        }
      }
    } catch {
      // pruned meanwhile (the node keeps its newest two)
    }
  }
  return n;
}

const snapshotHeights = (home: string): number[] => {
  const dir = join(home, "data", "snapshots");
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((d) => /^\d+-\d+$/.test(d))
        .map((d) => Number(d.split("-")[0]))
    : [];
};

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
}

/** Lines of a JSON-lines app log with `msg`. */
const logLines = (file: string, msg: string): Record<string, unknown>[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes(msg))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * Runs the scenario and returns its figures; throws when the new node does not restore, catch up, agree
 * on the app hash or follow blocks.
 *
 * @example
 * const f = await runStateSync({ dir, blocks: 300, interval: 100, accounts: 1000, corruptPeer: true });
 */
export async function runStateSync(opts: StateSyncRunOptions): Promise<StateSyncFigures> {
  const say = opts.say ?? (() => undefined);
  const basePort = opts.basePort ?? 29100;
  const timeoutCommit = opts.timeoutCommit ?? "20ms";
  // CometBFT's p2p defaults (100 ms flush throttle and gossip sleep) hold two validators to about
  // three blocks a second; these make several times more.
  const fastGossip = { "p2p.flush_throttle_timeout": "10ms", "consensus.peer_gossip_sleep_duration": "10ms" };
  const snapshots: SnapshotConfig = {
    interval: opts.interval,
    keepRecent: 2,
    chunkBytes: opts.chunkBytes ?? 4096,
  };
  const appArgs = ["--no-evaluator"];
  let net: LocalNetwork | undefined;
  const nodes: RunningNode[] = [];
  const stops: (() => void)[] = [];
  try {
    net = await startLocalNetwork({
      dir: join(opts.dir, "net"),
      chainId: "poq-statesync-1",
      validators: 2,
      basePort,
      timeoutCommit,
      accounts: fundedAccounts(opts.accounts),
      snapshots,
      appArgs: () => appArgs,
      cometConfig: fastGossip,
    });
    const validator = net.nodes[0]!;
    // The second validator's snapshots are the ones corrupted: it takes the same snapshots at the same
    // heights as the first (a full node following a fast validator lags, and its snapshots are older).
    const peerHome = net.nodes[1]!.home;
    say(`network up; running to height ${opts.blocks}`);

    // Both validators hold the same newest snapshot, at or above the wanted height.
    const newest = (home: string): number => Math.max(0, ...snapshotHeights(home));
    const common = await until(
      `height ${opts.blocks} and a snapshot on both nodes`,
      opts.blocks * 1000,
      async () => {
        const h = Number((await cometStatus(validator.rpcUrl)).latestBlockHeight);
        const s = newest(validator.home);
        return h >= opts.blocks && s >= opts.blocks - opts.interval && newest(peerHome) === s ? s : undefined;
      },
    );
    if (opts.networkTimeoutCommit !== undefined && opts.networkTimeoutCommit !== timeoutCommit) {
      // The history was built fast; the new node joins a network at the pace it is asked to run.
      say(`restarting the validators with timeout_commit ${opts.networkTimeoutCommit}`);
      for (const i of [0, 1]) await net.stopNode(i);
      for (const n of net.nodes)
        updateCometConfig(n.home, { "consensus.timeout_commit": opts.networkTimeoutCommit });
      for (const i of [0, 1]) await net.startNode(i);
      const resumed = Number((await cometStatus(validator.rpcUrl)).latestBlockHeight);
      await until("the restarted network to make blocks", 60_000, async () =>
        Number((await cometStatus(validator.rpcUrl)).latestBlockHeight) > resumed + 1 ? true : undefined,
      );
    }
    // Every chunk of the second validator's snapshots, and of those it takes while the new node syncs.
    const corruptedFolders = new Set<string>();
    let corrupted = opts.corruptPeer ? corruptSnapshots(peerHome, corruptedFolders) : 0;
    const corrupting = opts.corruptPeer
      ? setInterval(() => (corrupted += corruptSnapshots(peerHome, corruptedFolders)), 50)
      : undefined;
    stops.push(() => clearInterval(corrupting));
    const startHeight = Number((await cometStatus(validator.rpcUrl)).latestBlockHeight);
    say(
      `height ${startHeight}, snapshot ${common} on both validators; ${corrupted} chunk files of validator 1 corrupted; starting the new node`,
    );

    // The new node: a home as `poq init` leaves it (its own chain id), configured as `poq start --state-sync` does.
    const newHome = join(opts.dir, "new");
    const fresh = await initCometHome({
      home: newHome,
      moniker: "new",
      chainId: "poq-not-yet",
      ports: portsFor(basePort, 2),
      timeoutCommit,
      logLevel: "info",
      config: fastGossip,
    });
    writeAppConfig(newHome, snapshots);
    const setup = await configureStateSync({
      home: newHome,
      rpcServers: [validator.rpcUrl, net.nodes[1]!.rpcUrl],
    });
    if (!setup.genesisReplaced) throw new Error("the network's genesis was not taken from the RPC server");
    const t0 = performance.now();
    const t0Wall = Date.now();
    const newNode = await startNode({ home: newHome, appArgs });
    nodes.push(newNode);
    // The validator's height when the new node's block sync hands over to consensus.
    let switchSeen = false;
    let validatorAtSwitch = 0;
    const switchWatch = setInterval(() => {
      if (switchSeen || !existsSync(join(newHome, "cometbft.log"))) return;
      if (
        !readFileSync(join(newHome, "cometbft.log"), "utf8").includes("Time to switch to consensus reactor!")
      )
        return;
      switchSeen = true;
      void cometStatus(validator.rpcUrl).then(
        (st) => (validatorAtSwitch = Number(st.latestBlockHeight)),
        () => undefined,
      );
    }, 100);
    stops.push(() => clearInterval(switchWatch));
    const caughtUp = await until("the new node to catch up", 120_000, async () => {
      const [mine, theirs] = await Promise.all([cometStatus(fresh.rpcUrl), cometStatus(validator.rpcUrl)]);
      return !mine.catchingUp &&
        mine.latestBlockHeight > 0n &&
        theirs.latestBlockHeight - mine.latestBlockHeight <= 2n
        ? mine.latestBlockHeight
        : undefined;
    });
    const catchUpS = (performance.now() - t0) / 1000;
    const networkAtCatchUp = Number((await cometStatus(validator.rpcUrl)).latestBlockHeight);
    for (const stop of stops) stop();
    say(`caught up at height ${caughtUp} in ${catchUpS.toFixed(1)} s`);

    const restored = logLines(newNode.app.logFile, "snapshot restored")[0];
    if (!restored) throw new Error(`the new node restored no snapshot:\n${newNode.app.logTail(20)}`);
    const refused = logLines(newNode.app.logFile, "chunk refused").length;
    const status = await cometRpc<{ sync_info: { earliest_block_height: string } }>(fresh.rpcUrl, "/status");

    // Its own app hash at its height against the validator's header of the next block.
    const info = await cometRpc<{ response: { last_block_height: string; last_block_app_hash: string } }>(
      fresh.rpcUrl,
      "/abci_info",
    );
    const h = Number(info.response.last_block_height);
    await until(`validator height ${h + 1}`, 30_000, async () =>
      (await cometStatus(validator.rpcUrl)).latestBlockHeight > BigInt(h) ? true : undefined,
    );
    const header = await cometRpc<{ block: { header: { app_hash: string } } }>(
      validator.rpcUrl,
      `/block?height=${h + 1}`,
    );
    const mine = Buffer.from(info.response.last_block_app_hash, "base64").toString("hex").toUpperCase();
    if (mine !== header.block.header.app_hash) {
      throw new Error(`app hash at ${h}: new node ${mine}, network ${header.block.header.app_hash}`);
    }
    // And it keeps following.
    const followed = await until("the new node to follow 20 more blocks", 60_000, async () => {
      const now = (await cometStatus(fresh.rpcUrl)).latestBlockHeight;
      return now >= caughtUp + 20n ? Number(now - caughtUp) : undefined;
    });
    const switched =
      /^I\[(\d{4})-(\d\d)-(\d\d)\|([\d:.]+)\] Time to switch to consensus reactor!.* height=(\d+)/m.exec(
        readFileSync(join(newHome, "cometbft.log"), "utf8"),
      );
    const switchedAtMs = switched
      ? Date.parse(`${switched[1]}-${switched[2]}-${switched[3]}T${switched[4]}`)
      : NaN;
    const switchedHeight = Number(switched?.[5] ?? 0);
    return {
      network_height_at_start: startHeight,
      snapshot_height: Number(restored.height),
      snapshot_chunks:
        logLines(newNode.app.logFile, "snapshot accepted").map((l) => Number(l.chunks))[0] ?? 0,
      restored_entries: Number(restored.entries),
      corrupted_chunk_files: corrupted,
      refused_chunks: refused,
      catch_up_s: Math.round(catchUpS * 10) / 10,
      restored_after_s: Math.round((Date.parse(String(restored.time)) - t0Wall) / 100) / 10,
      // CometBFT logs local time without a zone, which Date.parse reads as local time too.
      switched_to_consensus_after_s: Math.round((switchedAtMs - t0Wall) / 100) / 10,
      switched_at_height: switchedHeight,
      blocks_behind_at_switch: validatorAtSwitch > 0 ? validatorAtSwitch - switchedHeight : -1,
      network_timeout_commit: opts.networkTimeoutCommit ?? timeoutCommit,
      network_blocks_per_s: Math.round(((networkAtCatchUp - startHeight) / catchUpS) * 10) / 10,
      max_commit_pause_ms: Math.max(
        0,
        ...net.nodes.flatMap((n) =>
          logLines(join(n.home, "app.log"), "snapshot taken").map((l) => Number(l.commitPauseMs ?? 0)),
        ),
      ),
      earliest_block_height: Number(status.sync_info.earliest_block_height),
      app_hash_checked_at: h,
      blocks_followed: followed,
      load_average: loadavg()
        .map((l) => l.toFixed(2))
        .join(" "),
    };
  } finally {
    for (const stop of stops) stop();
    for (const n of nodes.reverse()) await n.stop();
    await net?.stop();
  }
}

/** `poq bench state-sync` */
export function benchStateSyncCommand(): Command {
  return new Command("state-sync")
    .description("a new node joins a running network by state sync: catch-up time, refused chunks, app hash")
    .option("--blocks <n>", "network height before the new node starts", positive("blocks"), 2000)
    .option("--interval <n>", "snapshot interval", positive("interval"), 500)
    .option("--accounts <n>", "funded genesis accounts (state size)", positive("accounts"), 3000)
    .option("--base-port <port>", "ports from here (+0, +10, +20)", positive("base-port"), 29100)
    .option(
      "--network-timeout-commit <duration>",
      "timeout_commit the validators run at while the new node catches up (the history is built at 20ms)",
      "300ms",
    )
    .option("--no-corrupt", "leave the second validator's snapshots intact")
    .action(
      async (o: {
        blocks: number;
        interval: number;
        accounts: number;
        basePort: number;
        networkTimeoutCommit: string;
        corrupt: boolean;
      }) => {
        exitOnSignal();
        const dir = mkdtempSync(join(tmpdir(), "poq-bench-statesync-"));
        try {
          const figures = await runStateSync({
            dir,
            blocks: o.blocks,
            interval: o.interval,
            accounts: o.accounts,
            corruptPeer: o.corrupt,
            basePort: o.basePort,
            networkTimeoutCommit: o.networkTimeoutCommit,
            say: (line) => process.stderr.write(`${line}\n`),
          });
          process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
          rmSync(dir, { recursive: true, force: true });
        } catch (err) {
          process.stderr.write(`failed; the homes and logs are kept in ${dir}\n`);
          throw err;
        }
      },
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchStateSyncCommand().parseAsync(process.argv);
}
