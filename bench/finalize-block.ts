/**
 * `poq bench finalize`: FinalizeBlock throughput on one core. Bank MsgSend txs, signed by distinct
 * senders, are first checked by CheckTx (which verifies each signature once and caches the
 * outcome, as on a real node), then executed by FinalizeBlock + Commit in blocks.
 *
 * Usage: node dist/bench/finalize-block.js [--txs 6000] [--block 2000] [--senders 2000] [--profile out.cpuprofile]
 * Target: FinalizeBlock >= 3,000 tx/s (per CPU-second, so that a shared machine does not skew it).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { CheckTxType } from "../abci/application.js";
import { createBankChain, signedSend } from "./bank-chain.js";
import { positive } from "./options.js";

/** Options of {@link runFinalizeBench}. */
export interface FinalizeBenchOptions {
  /** Transactions in all (default 6000). */
  txs?: number;
  /** Transactions per block (default 2000). */
  block?: number;
  /** Distinct signing accounts (default 2000). */
  senders?: number;
  /** Write a V8 CPU profile of the FinalizeBlock + Commit phase only to this file. */
  profile?: string;
}

/** The figures: rates in transactions per second (wall) or per CPU-second. */
export interface FinalizeBenchResult {
  txs: number;
  block_size: number;
  senders: number;
  sign_ms: number;
  check_tx_per_s: number;
  finalize_block_tx_per_s: number;
  finalize_block_tx_per_cpu_s: number;
  finalize_and_commit_tx_per_s: number;
  finalize_and_commit_tx_per_cpu_s: number;
  commit_ms_per_block: number;
  load_average_1m: number;
  target_tx_per_s: 3000;
  /** FinalizeBlock per CPU-second reaches the target. */
  pass: boolean;
}

/**
 * Runs the benchmark in this process.
 *
 * @example
 * const r = await runFinalizeBench({ txs: 4000, block: 2000, senders: 2000 });
 * console.log(r.finalize_block_tx_per_cpu_s);
 */
export async function runFinalizeBench(opts: FinalizeBenchOptions = {}): Promise<FinalizeBenchResult> {
  const total = opts.txs ?? 6000;
  const blockSize = opts.block ?? 2000;
  const senders = Math.min(opts.senders ?? 2000, total);
  const chain = createBankChain({ accounts: senders + 1, senders });
  try {
    const tSign = performance.now();
    const txs: Uint8Array[] = [];
    for (let i = 0; i < total; i++) {
      txs.push(signedSend(chain, i % senders, senders, BigInt(Math.floor(i / senders))));
    }
    const signMs = performance.now() - tSign;

    const tCheck = performance.now();
    for (const tx of txs) {
      const r = chain.app.checkTx({ tx, type: CheckTxType.New });
      if (r.code !== 0) throw new Error(`CheckTx rejected a bench tx: ${r.log}`);
    }
    const checkMs = performance.now() - tCheck;

    const session = opts.profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    const sum = { finalizeMs: 0, finalizeCpuMs: 0, commitMs: 0, commitCpuMs: 0 };
    for (let i = 0; i < txs.length; i += blockSize) {
      const r = chain.runBlock(txs.slice(i, i + blockSize));
      if (r.failed > 0) throw new Error(`${r.failed} txs failed in FinalizeBlock`);
      sum.finalizeMs += r.finalizeMs;
      sum.finalizeCpuMs += r.finalizeCpuMs;
      sum.commitMs += r.commitMs;
      sum.commitCpuMs += r.commitCpuMs;
    }
    if (session && opts.profile) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(opts.profile, JSON.stringify(profile));
      session.disconnect();
    }
    const rate = (ms: number): number => Math.round((total * 1000) / ms);
    return {
      txs: total,
      block_size: blockSize,
      senders,
      sign_ms: Math.round(signMs),
      check_tx_per_s: rate(checkMs),
      finalize_block_tx_per_s: rate(sum.finalizeMs),
      finalize_block_tx_per_cpu_s: rate(sum.finalizeCpuMs),
      finalize_and_commit_tx_per_s: rate(sum.finalizeMs + sum.commitMs),
      finalize_and_commit_tx_per_cpu_s: rate(sum.finalizeCpuMs + sum.commitCpuMs),
      commit_ms_per_block: Math.round(sum.commitMs / Math.ceil(total / blockSize)),
      load_average_1m: Number(loadavg()[0]?.toFixed(1)),
      target_tx_per_s: 3000,
      pass: rate(sum.finalizeCpuMs) >= 3000,
    };
  } finally {
    chain.cleanup();
  }
}

/**
 * The `finalize` command of `poq bench`.
 *
 * @example
 * program.addCommand(benchFinalizeCommand());
 */
export function benchFinalizeCommand(): Command {
  return new Command("finalize")
    .description("FinalizeBlock throughput of bank sends on one core, in process (target >= 3,000 tx/s)")
    .option("--txs <n>", "transactions in all", positive("txs"), 6000)
    .option("--block <n>", "transactions per block", positive("block"), 2000)
    .option("--senders <n>", "distinct signing accounts", positive("senders"), 2000)
    .option("--profile <file>", "write a CPU profile of FinalizeBlock + Commit")
    .action(async (o: FinalizeBenchOptions) => {
      const r = await runFinalizeBench(o);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchFinalizeCommand().parseAsync(process.argv);
}
