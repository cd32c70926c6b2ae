/**
 * Memory of an app holding many funded accounts: genesis funds N accounts (default 100,000),
 * then blocks of MsgSend txs touch accounts across the whole set. Reports the process RSS.
 *
 * Usage: node --expose-gc dist/bench/accounts-memory.js [--accounts 100000] [--blocks 5] [--block 1000]
 * Target: RSS < 250 MB.
 */
import { CheckTxType } from "../abci/application.js";
import { createBankChain, signedSend } from "./bank-chain.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const accounts = arg("accounts", 100_000);
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

const t0 = performance.now();
const chain = createBankChain({ accounts });
try {
  const genesisMs = performance.now() - t0;
  const afterGenesis = sample();
  // Spread senders over the whole account set: a prime stride visits far-apart accounts.
  const stride = 7919;
  const sequences = new Map<number, bigint>();
  for (let b = 0; b < blocks; b++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < blockSize; i++) {
      const from = ((b * blockSize + i) * stride) % accounts;
      const seq = sequences.get(from) ?? 0n;
      sequences.set(from, seq + 1n);
      txs.push(signedSend(chain, from, (from + 1) % accounts, seq));
    }
    for (const tx of txs) chain.app.checkTx({ tx, type: CheckTxType.New });
    const r = chain.runBlock(txs);
    if (r.failed > 0) throw new Error(`${r.failed} txs failed`);
    sample();
  }
  const end = sample();
  const result = {
    accounts,
    blocks,
    block_size: blockSize,
    genesis_and_first_commit_ms: Math.round(genesisMs),
    rss_after_genesis_mb: mb(afterGenesis),
    rss_end_mb: mb(end),
    rss_peak_sampled_mb: mb(peak),
    heap_used_mb: mb(process.memoryUsage().heapUsed),
    target_rss_mb: 250,
    pass: mb(end) < 250,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  chain.cleanup();
}
