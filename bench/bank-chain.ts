/**
 * Shared set-up of the in-process app benchmarks: a real app (SQLite in a temporary folder, the
 * core modules, the real ante handler) whose genesis funds N accounts, and signed MsgSend txs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FinalizeBlockRequest } from "../abci/application.js";
import { createApp, type PoqApp } from "../app/app.js";
import { createCoreModules } from "../app/core-modules.js";
import { msgSendAny, signDirect, testKey, type TestKey } from "../test/raw-signer.js";

export const BENCH_CHAIN_ID = "poq-bench-1";

export interface BlockTiming {
  finalizeMs: number;
  finalizeCpuMs: number;
  commitMs: number;
  commitCpuMs: number;
  failed: number;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

export interface BankChain {
  app: PoqApp;
  keys: TestKey[];
  /** Account number of each key, aligned with `keys`. */
  accountNumbers: bigint[];
  height: bigint;
  /**
   * Finalizes and commits a block. Returns wall-clock and CPU milliseconds of each step: on a
   * shared machine the CPU time is what the step would take on an idle core.
   */
  runBlock(txs: Uint8Array[]): BlockTiming;
  cleanup(): void;
}

/** A block request at `height` with `txs`. */
export function blockRequest(height: bigint, txs: Uint8Array[]): FinalizeBlockRequest {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height,
    timeNanos: 1_700_000_000_000_000_000n + height * 1_000_000_000n,
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}

/**
 * Creates the app, funds `accounts` keys in genesis and commits block 1.
 *
 * @example
 * const chain = createBankChain({ accounts: 1000 });
 */
export function createBankChain(opts: { accounts: number; funds?: bigint }): BankChain {
  const dir = mkdtempSync(join(tmpdir(), "poq-bench-"));
  const core = createCoreModules();
  const app = createApp({
    dbPath: join(dir, "app.db"),
    modules: core.modules,
    ante: core.ante,
    chainId: BENCH_CHAIN_ID,
  });
  const keys = Array.from({ length: opts.accounts }, (_, i) => testKey(`bench-${i}`));
  const amount = (opts.funds ?? 1_000_000_000n).toString();
  const balances = keys
    .map((k) => ({ address: k.address, coins: [{ denom: "upoq", amount }] }))
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  app.initChain({
    timeNanos: 1_700_000_000_000_000_000n,
    chainId: BENCH_CHAIN_ID,
    validators: [{ pubKeyEd25519: new Uint8Array(32).fill(7), power: 10n }],
    appStateBytes: new TextEncoder().encode(JSON.stringify({ bank: { balances } })),
    initialHeight: 1n,
  });
  const accountNumbers = keys.map((k) => {
    const acc = core.auth.keeper.getAccount({ store: app.state.deliver }, k.address);
    if (!acc) throw new Error(`genesis did not create ${k.address}`);
    return acc.accountNumber;
  });
  const chain: BankChain = {
    app,
    keys,
    accountNumbers,
    height: 0n,
    runBlock(txs) {
      chain.height += 1n;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = app.finalizeBlock(blockRequest(chain.height, txs));
      const t1 = performance.now();
      const finalizeCpuMs = cpuMs(c0);
      const c1 = process.cpuUsage();
      app.commit();
      const t2 = performance.now();
      return {
        finalizeMs: t1 - t0,
        finalizeCpuMs,
        commitMs: t2 - t1,
        commitCpuMs: cpuMs(c1),
        failed: res.txResults.filter((r) => r.code !== 0).length,
      };
    },
    cleanup() {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  chain.runBlock([]);
  return chain;
}

/**
 * A signed MsgSend of 1upoq from key `from` (at `sequence`) to key `to`.
 *
 * @example
 * const tx = signedSend(chain, 0, 1, 0n);
 */
export function signedSend(chain: BankChain, from: number, to: number, sequence: bigint): Uint8Array {
  const key = chain.keys[from];
  const dest = chain.keys[to];
  const accountNumber = chain.accountNumbers[from];
  if (!key || !dest || accountNumber === undefined) throw new RangeError(`no account ${from} or ${to}`);
  return signDirect({
    key,
    chainId: BENCH_CHAIN_ID,
    accountNumber,
    sequence,
    messages: [msgSendAny(key.address, dest.address, 1n)],
  });
}
