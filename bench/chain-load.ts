/**
 * `poq bench chain`: end-to-end throughput of bank sends through one real CometBFT validator and
 * its application process, on loopback. Transactions are signed beforehand by many accounts (so
 * signing is not measured), broadcast with `broadcast_tx_sync` over a few HTTP keep-alive
 * connections, and counted as committed from the blocks themselves (matched by hash).
 *
 * Each sender's transactions go over one connection in sequence order, so CheckTx sees sequence
 * n before n + 1; different senders run in parallel across the connections.
 *
 * Usage: node dist/bench/chain-load.js [--txs 6000] [--senders 2000] [--connections 8] [--seconds 120]
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
  /** HTTP keep-alive connections to the RPC (default 8). */
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
  load_average_1m: number;
  target_tx_per_s: 500;
  pass: boolean;
}

const CHAIN_ID = "poq-load-1";
const FUNDS = "1000000000000";

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
 * Signs `perSender` sends for each key, sequence 0.. in order; receivers are the funded
 * receive-only accounts spread by a prime stride, or other senders when there are none.
 */
function signAll(
  keys: TestKey[],
  perSender: number,
  receivers: readonly string[],
  accountNumberOf: (i: number) => bigint,
): Signed[][] {
  return keys.map((key, i) =>
    Array.from({ length: perSender }, (_, seq) => {
      const to =
        receivers.length > 0
          ? (receivers[((i * perSender + seq) * 7919) % receivers.length] as string)
          : (keys[(i + 1 + seq) % keys.length] as TestKey).address;
      const bytes = signDirect({
        key,
        chainId: CHAIN_ID,
        accountNumber: accountNumberOf(i),
        sequence: BigInt(seq),
        messages: [msgSendAny(key.address, to, 1n)],
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
  const connections = opts.connections ?? 8;
  const seconds = opts.seconds ?? 120;
  const timeoutCommit = opts.timeoutCommit ?? "300ms";
  const keys = Array.from({ length: senders }, (_, i) => testKey(`load-${i}`));
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
      // Genesis numbers accounts in order: the validator's operator is 0, sender i is i + 1.
      accounts: [...keys.map((k) => k.address), ...receivers].map((address) => ({
        address,
        coins: [{ denom: "upoq", amount: FUNDS }],
      })),
      appArgs: () => ["--no-evaluator"],
    });
    const rpcUrl = net.rpcUrl(0);
    const tSign = performance.now();
    const signed = signAll(keys, perSender, receivers, (i) => BigInt(i + 1));
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
    const appPid = net.nodes[0]?.app?.pid;
    const cometPid = net.nodes[0]?.comet?.pid;
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
    const appRss = rssMb(appPid);
    const first = blocks[0];
    const last = blocks[blocks.length - 1];
    let blockTimeRate = 0;
    if (first && last) {
      const before = await countBlock(rpcUrl, first.height - 1n, new Set());
      blockTimeRate = Math.round((committed * 1000) / Math.max(1, last.timeMs - before.timeMs));
    }
    const wallRate = last ? Math.round((committed * 1000) / Math.max(1, last.timeMs - t0Epoch)) : 0;
    return {
      txs: total,
      senders,
      connections,
      timeout_commit: timeoutCommit,
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
      funded: receivers.length,
      app_rss_mb: appRss,
      app_rss_peak_mb: rssMb(appPid, "VmHWM"),
      cpu_s: {
        app: Math.round(cpu.app * 10) / 10,
        cometbft: Math.round(cpu.cometbft * 10) / 10,
        load_generator: Math.round(cpu.load_generator * 10) / 10,
      },
      committed_tx_per_cpu_s: { app: perCpu(cpu.app), cometbft: perCpu(cpu.cometbft) },
      load_average_1m: Number(loadavg()[0]?.toFixed(1)),
      target_tx_per_s: 500,
      pass: wallRate >= 500,
    };
  } finally {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The `chain` command of `poq bench`.
 *
 * @example
 * program.addCommand(benchChainCommand());
 */
export function benchChainCommand(): Command {
  return new Command("chain")
    .description("end-to-end bank-send throughput through one CometBFT validator (target >= 500 tx/s)")
    .option("--txs <n>", "transactions in all", positive("txs"), 6000)
    .option("--senders <n>", "distinct signing accounts", positive("senders"), 2000)
    .option("--connections <n>", "HTTP keep-alive connections to the RPC", positive("connections"), 8)
    .option("--seconds <n>", "bound on broadcast plus commit, in seconds", positive("seconds"), 120)
    .option("--timeout-commit <duration>", "CometBFT timeout_commit", "300ms")
    .option("--base-port <port>", "first of three loopback ports", positive("base-port"), 26900)
    .option("--funded <n>", "extra receive-only accounts funded in genesis", positive("funded"))
    .action(async (o: ChainLoadOptions) => {
      const r = await runChainLoad(o);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchChainCommand().parseAsync(process.argv);
}
