/**
 * `poq bench chain`: end-to-end throughput of bank sends through one real CometBFT validator and
 * its application process, on loopback. Transactions are signed beforehand by many accounts (so
 * signing is not measured), broadcast with `broadcast_tx_sync` over a few HTTP keep-alive
 * connections, and counted as committed from the blocks themselves (matched by hash).
 *
 * Each sender's transactions go over one connection in sequence order, so CheckTx sees sequence
 * n before n + 1; different senders run in parallel across the connections.
 *
 * The load generator ({@link driveLoad}) takes any running chain ({@link LoadTarget}): bench/compare-go.ts
 * runs it, unchanged, against the Go SDK's simd too.
 *
 * Usage: node dist/bench/chain-load.js [--txs 6000] [--senders 2000] [--connections 32] [--seconds 120]
 *        [--funded 100000] [--timeout-commit 300ms]
 * Ports 26900-26902 (`--base-port`). Target: >= 500 committed tx/s.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { cometRpc, cometStatus } from "../network/comet-process.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { msgSendAny, signDirect, testKey, type TestKey } from "../test/raw-signer.js";
import { receiveOnlyAddresses } from "./bank-chain.js";
import { positive } from "./options.js";

/** Options of {@link runChainLoad}. */
export interface ChainLoadOptions {
  /** Transactions in all (default 6000). */
  txs?: number;
  /** Distinct signing accounts (default 2000); each sends txs / senders in sequence. */
  senders?: number;
  /** HTTP keep-alive connections to the RPC (default 32: 8 left the app idle between answers). */
  connections?: number;
  /** Bound on broadcasting plus waiting for the last commit, in seconds (default 120). */
  seconds?: number;
  /** CometBFT's pause after each block (default "300ms", the local network's). */
  timeoutCommit?: string;
  /** First of the three loopback ports (default 26900). */
  basePort?: number;
  /** Extra receive-only accounts funded in genesis, which the sends spread over (default 0). */
  funded?: number;
}

/** The figures. */
export interface ChainLoadResult {
  txs: number;
  senders: number;
  connections: number;
  timeout_commit: string;
  sign_ms: number;
  /** broadcast_tx_sync answers with code 0 / non-zero / transport errors. */
  accepted: number;
  rejected: number;
  first_rejection?: string;
  committed: number;
  blocks: number;
  max_txs_per_block: number;
  /** Committed txs over the time from the first broadcast to the block holding the last one. */
  committed_tx_per_s: number;
  /** Committed txs over block time: from the block before the first load block to the last one. */
  committed_tx_per_s_block_time: number;
  broadcast_tx_per_s: number;
  funded: number;
  app_rss_mb: number | undefined;
  /** Peak resident memory of the application process since it started (genesis included). */
  app_rss_peak_mb: number | undefined;
  /**
   * CPU seconds each process spent from the first broadcast to the last commit, and the committed
   * txs per CPU-second of each: on a shared machine this shows which one limits the rate.
   */
  cpu_s: { app: number; cometbft: number; load_generator: number };
  committed_tx_per_cpu_s: { app: number; cometbft: number };
  /** CPU milliseconds of the server (application plus CometBFT) per committed tx. */
  server_cpu_ms_per_tx: number;
  load_average_1m: number;
  target_tx_per_s: 500;
  pass: boolean;
}

const CHAIN_ID = "poq-load-1";
const FUNDS = "1000000000000";

/** Connections of the default load: enough that the app always has a request waiting. */
export const DEFAULT_CONNECTIONS = 32;

/**
 * The mempool settings of every chain under load, written explicitly (they are CometBFT's defaults)
 * so that the Go reference in bench/compare-go.ts gets exactly the same ones.
 */
export const LOAD_MEMPOOL_CONFIG = {
  "mempool.size": 5000,
  "mempool.max_txs_bytes": 1073741824,
  "mempool.cache_size": 10000,
  "mempool.recheck": true,
} as const;

/**
 * The signing keys of the load, `testKey("load-<i>")`: the same on every chain.
 *
 * @example
 * loadKeys(2000).length; // 2000
 */
export function loadKeys(count: number): TestKey[] {
  return Array.from({ length: count }, (_, i) => testKey(`load-${i}`));
}

interface Signed {
  bytes: Uint8Array;
  hash: string;
}

const txHash = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** One JSON-RPC `broadcast_tx_sync` over a keep-alive agent; resolves with code and log. */
function broadcastSync(
  agent: Agent,
  rpcUrl: string,
  tx: Uint8Array,
  id: number,
): Promise<{ code: number; log: string }> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "broadcast_tx_sync",
    params: { tx: Buffer.from(tx).toString("base64") },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      rpcUrl,
      {
        agent,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          try {
            const r = JSON.parse(text) as {
              result?: { code: number; log: string };
              error?: { message?: string; data?: string };
            };
            if (r.result) resolve({ code: r.result.code, log: r.result.log });
            else resolve({ code: -1, log: `${r.error?.message ?? ""} ${r.error?.data ?? ""}`.trim() });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("broadcast_tx_sync timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A running chain the load goes to: its RPC, and the signing accounts as that chain knows them. The
 * same keys sign on every chain; only the address prefix, account numbers and denom differ.
 */
export interface LoadTarget {
  rpcUrl: string;
  chainId: string;
  /** Sender i's address on this chain (the bytes of key i's address, in the chain's prefix). */
  senderAddresses: readonly string[];
  /** Sender i's account number on this chain. */
  accountNumbers: readonly bigint[];
  /** Funded receive-only accounts the sends spread over; none: the senders send to each other. */
  receivers: readonly string[];
  /** Denom of the amount sent and of the fee. */
  denom: string;
  /** Application process, measured for CPU and memory. */
  appPid: number | undefined;
  /** CometBFT process when it is a separate one (undefined when it runs inside the app, as simd's). */
  cometPid: number | undefined;
}

/** How {@link driveLoad} loads a {@link LoadTarget}. */
export interface DriveLoadOptions {
  /** Sends of each sender, sequence 0.. in order. */
  perSender: number;
  connections: number;
  /** Bound on broadcasting plus waiting for the last commit, in seconds. */
  seconds: number;
}

/**
 * Signs `perSender` sends for each key, sequence 0.. in order; receivers are the funded
 * receive-only accounts spread by a prime stride, or other senders when there are none.
 */
function signAll(keys: readonly TestKey[], perSender: number, target: LoadTarget): Signed[][] {
  const { receivers, senderAddresses: from } = target;
  return keys.map((key, i) =>
    Array.from({ length: perSender }, (_, seq) => {
      const to =
        receivers.length > 0
          ? (receivers[((i * perSender + seq) * 7919) % receivers.length] as string)
          : (from[(i + 1 + seq) % keys.length] as string);
      const bytes = signDirect({
        key,
        chainId: target.chainId,
        accountNumber: target.accountNumbers[i] as bigint,
        sequence: BigInt(seq),
        messages: [msgSendAny(from[i] as string, to, 1n, target.denom)],
        fee: { amount: 5000n, gasLimit: 200_000n, denom: target.denom },
      });
      return { bytes, hash: txHash(bytes) };
    }),
  );
}

/** Resident memory (VmRSS) or its peak (VmHWM) of a process from /proc (Linux), in MB. */
function rssMb(pid: number | undefined, field: "VmRSS" | "VmHWM" = "VmRSS"): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process from /proc (Linux), in ms; 0 when unknown. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** USER_HZ on Linux: /proc times are in these ticks. */
const CLOCK_TICKS_PER_S = 100;

interface BlockCount {
  height: bigint;
  timeMs: number;
  ours: number;
}

/** Our transactions in block `height` and the block's time (ms since the epoch). */
async function countBlock(rpcUrl: string, height: bigint, ours: Set<string>): Promise<BlockCount> {
  const r = await cometRpc<{ block: { header: { time: string }; data: { txs: string[] | null } } }>(
    rpcUrl,
    `/block?height=${height}`,
  );
  let count = 0;
  for (const tx of r.block.data.txs ?? []) {
    if (ours.delete(txHash(Buffer.from(tx, "base64")))) count++;
  }
  return { height, timeMs: Date.parse(r.block.header.time), ours: count };
}

/** The figures of one load, before the chain-specific ones are added. */
export type LoadFigures = Omit<ChainLoadResult, "timeout_commit" | "funded" | "target_tx_per_s" | "pass">;

/**
 * Signs the sends, broadcasts them over `connections` keep-alive connections (each sender's in
 * sequence order on one connection) and counts the committed ones from the blocks.
 *
 * @example
 * const figures = await driveLoad(target, keys, { perSender: 3, connections: 32, seconds: 120 });
 * figures.committed_tx_per_s;
 */
export async function driveLoad(
  target: LoadTarget,
  keys: readonly TestKey[],
  opts: DriveLoadOptions,
): Promise<LoadFigures> {
  const { perSender, connections, seconds } = opts;
  const senders = keys.length;
  const rpcUrl = target.rpcUrl;
  const tSign = performance.now();
  const signed = signAll(keys, perSender, target);
  const signMs = performance.now() - tSign;
  const ours = new Set(signed.flat().map((s) => s.hash));
  const total = ours.size;

  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const deadline = performance.now() + seconds * 1000;
  let accepted = 0;
  let rejected = 0;
  let firstRejection: string | undefined;
  let id = 0;
  const startHeight = (await cometStatus(rpcUrl)).latestBlockHeight;
  const { appPid, cometPid } = target;
  const cpu0 = { app: cpuMs(appPid), comet: cpuMs(cometPid), self: process.cpuUsage() };
  const t0 = performance.now();
  const t0Epoch = Date.now();
  /** Connection c sends the txs of senders c, c + C, ..., round by round (sequence order). */
  const lane = async (c: number): Promise<void> => {
    for (let seq = 0; seq < perSender; seq++) {
      for (let i = c; i < senders; i += connections) {
        const tx = signed[i]?.[seq];
        if (!tx) continue;
        for (;;) {
          if (performance.now() > deadline) return;
          const r = await broadcastSync(agent, rpcUrl, tx.bytes, ++id).catch((err: unknown) => ({
            code: -1,
            log: err instanceof Error ? err.message : String(err),
          }));
          // A full mempool is back-pressure, not a verdict: wait for a block and send again.
          if (r.code !== 0 && /mempool is full/i.test(r.log)) {
            await sleep(50);
            continue;
          }
          if (r.code === 0) accepted++;
          else {
            rejected++;
            firstRejection ??= `code ${r.code}: ${r.log}`;
          }
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, c) => lane(c)));
  const broadcastMs = performance.now() - t0;
  agent.destroy();

  const blocks: BlockCount[] = [];
  let committed = 0;
  let height = startHeight + 1n;
  while (committed < accepted && performance.now() < deadline) {
    const latest = (await cometStatus(rpcUrl)).latestBlockHeight;
    for (; height <= latest; height++) {
      const b = await countBlock(rpcUrl, height, ours);
      committed += b.ours;
      if (b.ours > 0) blocks.push(b);
    }
    if (committed < accepted) await sleep(100);
  }
  const selfCpu = process.cpuUsage(cpu0.self);
  const cpu = {
    app: (cpuMs(appPid) - cpu0.app) / 1000,
    cometbft: (cpuMs(cometPid) - cpu0.comet) / 1000,
    load_generator: (selfCpu.user + selfCpu.system) / 1e6,
  };
  const perCpu = (s: number): number => (s > 0 ? Math.round(committed / s) : 0);
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  let blockTimeRate = 0;
  if (first && last) {
    const before = await countBlock(rpcUrl, first.height - 1n, new Set());
    blockTimeRate = Math.round((committed * 1000) / Math.max(1, last.timeMs - before.timeMs));
  }
  const wallRate = last ? Math.round((committed * 1000) / Math.max(1, last.timeMs - t0Epoch)) : 0;
  const serverCpu = cpu.app + cpu.cometbft;
  return {
    txs: total,
    senders,
    connections,
    sign_ms: Math.round(signMs),
    accepted,
    rejected,
    ...(firstRejection !== undefined ? { first_rejection: firstRejection } : {}),
    committed,
    blocks: blocks.length,
    max_txs_per_block: Math.max(0, ...blocks.map((b) => b.ours)),
    committed_tx_per_s: wallRate,
    committed_tx_per_s_block_time: blockTimeRate,
    broadcast_tx_per_s: Math.round((accepted * 1000) / broadcastMs),
    app_rss_mb: rssMb(appPid),
    app_rss_peak_mb: rssMb(appPid, "VmHWM"),
    cpu_s: {
      app: Math.round(cpu.app * 10) / 10,
      cometbft: Math.round(cpu.cometbft * 10) / 10,
      load_generator: Math.round(cpu.load_generator * 10) / 10,
    },
    committed_tx_per_cpu_s: { app: perCpu(cpu.app), cometbft: perCpu(cpu.cometbft) },
    server_cpu_ms_per_tx: committed > 0 ? Math.round((serverCpu * 1e4) / committed) / 10 : 0,
    load_average_1m: Number(loadavg()[0]?.toFixed(1)),
  };
}

/**
 * Runs the end-to-end benchmark: starts a one-validator network in a temporary folder, loads it,
 * and stops it.
 *
 * @example
 * const r = await runChainLoad({ txs: 3000, senders: 1000 });
 * console.log(r.committed_tx_per_s);
 */
export async function runChainLoad(opts: ChainLoadOptions = {}): Promise<ChainLoadResult> {
  const senders = opts.senders ?? 2000;
  const perSender = Math.max(1, Math.ceil((opts.txs ?? 6000) / senders));
  const timeoutCommit = opts.timeoutCommit ?? "300ms";
  const keys = loadKeys(senders);
  const receivers = receiveOnlyAddresses("load-receiver", opts.funded ?? 0);
  const dir = mkdtempSync(join(tmpdir(), "poq-chain-load-"));
  let net: LocalNetwork | undefined;
  try {
    net = await startLocalNetwork({
      dir,
      chainId: CHAIN_ID,
      validators: 1,
      basePort: opts.basePort ?? 26900,
      timeoutCommit,
      cometConfig: LOAD_MEMPOOL_CONFIG,
      // Genesis numbers accounts in order: the validator's operator is 0, sender i is i + 1.
      accounts: [...keys.map((k) => k.address), ...receivers].map((address) => ({
        address,
        coins: [{ denom: "upoq", amount: FUNDS }],
      })),
      appArgs: () => ["--no-evaluator"],
    });
    const figures = await driveLoad(
      {
        rpcUrl: net.rpcUrl(0),
        chainId: CHAIN_ID,
        senderAddresses: keys.map((k) => k.address),
        accountNumbers: keys.map((_, i) => BigInt(i + 1)),
        receivers,
        denom: "upoq",
        appPid: net.nodes[0]?.app?.pid,
        cometPid: net.nodes[0]?.comet?.pid,
      },
      keys,
      { perSender, connections: opts.connections ?? DEFAULT_CONNECTIONS, seconds: opts.seconds ?? 120 },
    );
    return {
      ...figures,
      timeout_commit: timeoutCommit,
      funded: receivers.length,
      target_tx_per_s: 500,
      pass: figures.committed_tx_per_s >= 500,
    };
  } finally {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Options of the `chain` command: one load of ours, or the comparison with the Go SDK. */
interface ChainCommandOptions extends ChainLoadOptions {
  compareGo?: boolean;
  rounds?: number;
  simd?: string;
}

/**
 * The `chain` command of `poq bench`.
 *
 * @example
 * program.addCommand(benchChainCommand());
 */
export function benchChainCommand(): Command {
  return new Command("chain")
    .description(
      "end-to-end bank-send throughput through one CometBFT validator (target >= 500 tx/s); " +
        "with --compare-go, against the Go Cosmos SDK's simd under the same load",
    )
    .option("--txs <n>", "transactions in all", positive("txs"), 6000)
    .option("--senders <n>", "distinct signing accounts", positive("senders"), 2000)
    .option(
      "--connections <n>",
      "HTTP keep-alive connections to the RPC",
      positive("connections"),
      DEFAULT_CONNECTIONS,
    )
    .option(
      "--seconds <n>",
      "bound on broadcast plus commit, in seconds (each run)",
      positive("seconds"),
      120,
    )
    .option("--timeout-commit <duration>", "CometBFT timeout_commit", "300ms")
    .option(
      "--base-port <port>",
      "first of three loopback ports (the Go chain, with --compare-go, uses base+10 and base+11)",
      positive("base-port"),
      26900,
    )
    .option("--funded <n>", "extra receive-only accounts funded in genesis", positive("funded"))
    .option(
      "--compare-go",
      "also run the Go SDK's simd (ibc-go v8.8.0 simapp, SDK v0.50.15, CometBFT v0.38.20; built into " +
        ".tools/bin/simd the first time, which takes minutes and needs Go) with the same load, " +
        "alternating ours and Go, and print both rates and their ratio",
    )
    .option("--rounds <n>", "with --compare-go: runs of each chain", positive("rounds"), 2)
    .option("--simd <path>", "with --compare-go: a simd binary to use instead of .tools/bin/simd")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  poq bench chain                                   # ours: 6000 sends, 2000 senders, 32 connections\n" +
        "  poq bench chain --compare-go                      # ours vs Go, twice each, prints the ratio\n" +
        "  poq bench chain --compare-go --txs 12000 --rounds 3\n" +
        "Progress goes to stderr, the JSON result to stdout. Run it in a network namespace of its own when\n" +
        "tests run beside it (ports 26900-26912 by default).",
    )
    .action(async (o: ChainCommandOptions) => {
      const { compareGo, rounds, simd, ...load } = o;
      if (compareGo) {
        const { runCompareGo } = await import("./compare-go.js");
        const r = await runCompareGo({ ...load, ...(rounds ? { rounds } : {}), ...(simd ? { simd } : {}) });
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const r = await runChainLoad(load);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Not a top-level await: --compare-go imports bench/compare-go.ts, which imports this module, and
  // that import would wait for this module's evaluation to end (a deadlock: exit code 13).
  benchChainCommand()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
