/**
 * FinalizeBlock throughput on one core: bank MsgSend txs, signed by distinct senders, first
 * checked by CheckTx (which verifies each signature once and caches the outcome, as on a real
 * node), then executed by FinalizeBlock + Commit in blocks.
 *
 * Usage: node dist/bench/finalize-block.js [--txs 6000] [--block 2000] [--senders 2000]
 * Target: FinalizeBlock >= 3,000 tx/s.
 */
import { loadavg } from "node:os";
import { CheckTxType } from "../abci/application.js";
import { createBankChain, signedSend } from "./bank-chain.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const total = arg("txs", 6000);
const blockSize = arg("block", 2000);
const senders = Math.min(arg("senders", 2000), total);

const chain = createBankChain({ accounts: senders + 1, senders });
try {
  const tSign = performance.now();
  const txs: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    const from = i % senders;
    txs.push(signedSend(chain, from, senders, BigInt(Math.floor(i / senders))));
  }
  const signMs = performance.now() - tSign;

  const tCheck = performance.now();
  for (const tx of txs) {
    const r = chain.app.checkTx({ tx, type: CheckTxType.New });
    if (r.code !== 0) throw new Error(`CheckTx rejected a bench tx: ${r.log}`);
  }
  const checkMs = performance.now() - tCheck;

  let finalizeMs = 0;
  let finalizeCpuMs = 0;
  let commitMs = 0;
  let commitCpuMs = 0;
  for (let i = 0; i < txs.length; i += blockSize) {
    const r = chain.runBlock(txs.slice(i, i + blockSize));
    if (r.failed > 0) throw new Error(`${r.failed} txs failed in FinalizeBlock`);
    finalizeMs += r.finalizeMs;
    finalizeCpuMs += r.finalizeCpuMs;
    commitMs += r.commitMs;
    commitCpuMs += r.commitCpuMs;
  }
  const rate = (ms: number): number => Math.round((total * 1000) / ms);
  const result = {
    txs: total,
    block_size: blockSize,
    senders,
    sign_ms: Math.round(signMs),
    check_tx_per_s: rate(checkMs),
    finalize_block_tx_per_s: rate(finalizeMs),
    finalize_block_tx_per_cpu_s: rate(finalizeCpuMs),
    finalize_and_commit_tx_per_s: rate(finalizeMs + commitMs),
    finalize_and_commit_tx_per_cpu_s: rate(finalizeCpuMs + commitCpuMs),
    commit_ms_per_block: Math.round(commitMs / Math.ceil(total / blockSize)),
    load_average_1m: Number(loadavg()[0]?.toFixed(1)),
    target_tx_per_s: 3000,
    pass: rate(finalizeMs) >= 3000,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  chain.cleanup();
}
