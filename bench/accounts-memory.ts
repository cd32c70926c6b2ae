/**
 * Memory of an app holding many funded accounts (default 100,000). Two phases, each in its own
 * process, as a real node lives: the genesis process writes the accounts and commits block 1;
 * then a restarted process opens the same database and runs blocks of MsgSend txs whose
 * receivers spread over the whole account set. Reports the RSS of both.
 *
 * Usage: node dist/bench/accounts-memory.js [--accounts 100000] [--senders 2000] [--blocks 5] [--block 1000]
 *        [--max-old-space-mb N]
 * Target: RSS < 250 MB.
 *
 * `--max-old-space-mb` starts both processes with V8's `--max-old-space-size`: the app's live heap
 * stays small (tens of MB), but without a cap V8 lets garbage grow to about four times the live
 * heap before a full collection, which is most of the genesis process's peak.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckTxType } from "../abci/application.js";
import { bankChainAppState, createBankChain, runBankGenesis, signedSend } from "./bank-chain.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const accounts = arg("accounts", 100_000);
const senders = Math.min(arg("senders", 2000), accounts);
const blocks = arg("blocks", 5);
const blockSize = arg("block", 1000);
const mb = (n: number): number => Math.round(n / (1024 * 1024));
let peak = 0;
const sample = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  peak = Math.max(peak, rss);
  return rss;
};
/** The process's peak resident memory so far (Linux VmHWM), in bytes; 0 when unknown. */
const peakRss = (): number => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};
const phaseIndex = process.argv.indexOf("--phase");
const phase = phaseIndex >= 0 ? process.argv[phaseIndex + 1] : undefined;
const dirIndex = process.argv.indexOf("--dir");
const dir = dirIndex >= 0 ? process.argv[dirIndex + 1] : undefined;

/** Runs one phase in a child process and returns its JSON line. */
function child(name: string, workDir: string): Record<string, unknown> {
  const maxOld = process.argv.indexOf("--max-old-space-mb");
  const heapCap = maxOld >= 0 ? [`--max-old-space-size=${Number(process.argv[maxOld + 1])}`] : [];
  const args = [
    "--expose-gc",
    ...heapCap,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
    "--phase",
    name,
    "--dir",
    workDir,
  ];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`phase ${name} failed with status ${r.status}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

if (phase === "genesis" && dir) {
  // The genesis bytes come from the parent, as CometBFT hands them over: this process holds what a
  // node's application holds, not the bench's key and address lists.
  const bytes = new Uint8Array(readFileSync(join(dir, "app_state.json")));
  const t0 = performance.now();
  runBankGenesis(dir, bytes);
  const ms = performance.now() - t0;
  const rss = sample();
  process.stdout.write(
    JSON.stringify({
      genesis_and_first_commit_ms: Math.round(ms),
      rss_genesis_process_mb: mb(rss),
      rss_genesis_process_peak_mb: mb(peakRss()),
    }),
  );
} else if (phase === "blocks" && dir) {
  const chain = createBankChain({ accounts, senders, dir, reopen: true });
  const afterOpen = sample();
  const stride = 7919; // a prime stride sends to far-apart accounts across the whole set
  const sequences = new Map<number, bigint>();
  for (let b = 0; b < blocks; b++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < blockSize; i++) {
      const n = b * blockSize + i;
      const from = n % senders;
      const seq = sequences.get(from) ?? 0n;
      sequences.set(from, seq + 1n);
      txs.push(signedSend(chain, from, (n * stride) % accounts, seq));
    }
    for (const tx of txs) chain.app.checkTx({ tx, type: CheckTxType.New });
    const r = chain.runBlock(txs);
    if (r.failed > 0) throw new Error(`${r.failed} txs failed`);
    sample();
  }
  const end = sample();
  chain.cleanup();
  process.stdout.write(
    JSON.stringify({
      rss_after_open_mb: mb(afterOpen),
      rss_after_blocks_mb: mb(end),
      rss_peak_sampled_mb: mb(peak),
      rss_peak_mb: mb(peakRss()),
      heap_used_mb: mb(process.memoryUsage().heapUsed),
    }),
  );
} else {
  const work = mkdtempSync(join(tmpdir(), "poq-bench-mem-"));
  try {
    writeFileSync(join(work, "app_state.json"), bankChainAppState({ accounts, senders }));
    const genesis = child("genesis", work);
    const running = child("blocks", work);
    const result = {
      accounts,
      senders,
      blocks,
      block_size: blockSize,
      max_old_space_mb: process.argv.includes("--max-old-space-mb")
        ? Number(process.argv[process.argv.indexOf("--max-old-space-mb") + 1])
        : "default",
      ...genesis,
      ...running,
      target_rss_mb: 250,
      pass: Number(running.rss_peak_mb) < 250 && Number(genesis.rss_genesis_process_peak_mb) < 250,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
