/**
 * Shared set-up of the in-process app benchmarks: a real app (SQLite in a temporary folder, the
 * core modules, the real ante handler) whose genesis funds N accounts, and signed MsgSend txs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FinalizeBlockRequest, InitChainRequest } from "../abci/application.js";
import { createApp, type PoqApp } from "../app/app.js";
import { createCoreModules } from "../app/core-modules.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bech32Encode } from "../app/modules/auth/bech32.js";
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
  /** Keys of the accounts that sign (the first `senders` funded accounts). */
  keys: TestKey[];
  /** Account number of each key, aligned with `keys`. */
  accountNumbers: bigint[];
  /** Addresses of every funded account: the senders first, then receive-only accounts. */
  addresses: string[];
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

export interface BankChainOptions {
  /** Funded accounts in genesis. */
  accounts: number;
  /** How many of them have keys and sign (the first ones); default all. */
  senders?: number;
  funds?: bigint;
  /** Folder of the database; a temporary one (removed by cleanup) when absent. */
  dir?: string;
  /** Open an existing chain in `dir` (made earlier with the same options) instead of a new genesis. */
  reopen?: boolean;
}

/**
 * `count` receive-only addresses, `sha256("<label>-<i>")[:20]`: they need no key, since any 20 bytes
 * make an address (and skip ~0.3 ms of EC math each).
 *
 * @example
 * receiveOnlyAddresses("bench-receiver", 1000);
 */
export function receiveOnlyAddresses(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    bech32Encode("poq", sha256(new TextEncoder().encode(`${label}-${i}`)).subarray(0, 20)),
  );
}

/** Addresses of the funded accounts: the senders' keys first, then receive-only accounts. */
function benchAccounts(accounts: number, senders: number): { keys: TestKey[]; addresses: string[] } {
  const keys = Array.from({ length: senders }, (_, i) => testKey(`bench-${i}`));
  const addresses = [
    ...keys.map((k) => k.address),
    ...receiveOnlyAddresses("bench-receiver", accounts - senders),
  ];
  return { keys, addresses };
}

/**
 * The genesis `app_state` bytes funding each address, as CometBFT would hand them to InitChain.
 * A function of its own so that the intermediate objects are garbage before InitChain runs (the
 * memory benchmark measures the app, not this set-up).
 */
function appStateBytes(addresses: readonly string[], funds: bigint): Uint8Array {
  const amount = funds.toString();
  const balances = addresses
    .map((address) => ({ address, coins: [{ denom: "upoq", amount }] }))
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  return new TextEncoder().encode(JSON.stringify({ bank: { balances } }));
}

/**
 * The `app_state` of {@link createBankChain}'s genesis with these options, for a process that only
 * runs InitChain ({@link runBankGenesis}).
 */
export function bankChainAppState(
  opts: Pick<BankChainOptions, "accounts" | "senders" | "funds">,
): Uint8Array {
  const senders = Math.min(opts.senders ?? opts.accounts, opts.accounts);
  return appStateBytes(benchAccounts(opts.accounts, senders).addresses, opts.funds ?? 1_000_000_000n);
}

/** The InitChain request of the bench chain. */
function initChainRequest(bytes: Uint8Array): InitChainRequest {
  return {
    timeNanos: 1_700_000_000_000_000_000n,
    chainId: BENCH_CHAIN_ID,
    validators: [{ pubKeyEd25519: new Uint8Array(32).fill(7), power: 10n }],
    appStateBytes: bytes,
    initialHeight: 1n,
  };
}

/** The app of the bench chain, its database in `dir`. */
function openBankApp(dir: string): { app: PoqApp; core: ReturnType<typeof createCoreModules> } {
  const core = createCoreModules();
  const app = createApp({
    dbPath: join(dir, "app.db"),
    modules: core.modules,
    ante: core.ante,
    chainId: BENCH_CHAIN_ID,
  });
  return { app, core };
}

/**
 * What a node's application does with a genesis and nothing else: InitChain with `appStateBytes`
 * and block 1 committed, in `dir`; then closed. The same state as {@link createBankChain} makes, so
 * `createBankChain({ dir, reopen: true, ... })` opens it. Holds no keys or address lists of its own
 * (the memory benchmark's genesis process measures the app, not the bench's set-up).
 */
export function runBankGenesis(dir: string, bytes: Uint8Array): void {
  const { app } = openBankApp(dir);
  try {
    app.initChain(initChainRequest(bytes));
    app.finalizeBlock(blockRequest(1n, []));
    app.commit();
  } finally {
    app.close();
  }
}

/**
 * Creates the app, funds `accounts` accounts in genesis (the first `senders` with keys) and
 * commits block 1; or, with `reopen`, opens such a chain again (as a restarted node does).
 *
 * @example
 * const chain = createBankChain({ accounts: 1000 });
 */
export function createBankChain(opts: BankChainOptions): BankChain {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "poq-bench-"));
  const { app, core } = openBankApp(dir);
  const senders = Math.min(opts.senders ?? opts.accounts, opts.accounts);
  const { keys, addresses } = benchAccounts(opts.accounts, senders);
  if (!opts.reopen) app.initChain(initChainRequest(appStateBytes(addresses, opts.funds ?? 1_000_000_000n)));
  const accountNumbers = keys.map((k) => {
    const acc = core.auth.keeper.getAccount({ store: app.state.committedView() }, k.address);
    if (!acc) throw new Error(`genesis did not create ${k.address}`);
    return acc.accountNumber;
  });
  const chain: BankChain = {
    app,
    keys,
    accountNumbers,
    addresses,
    height: app.state.lastHeight,
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
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (!opts.reopen) chain.runBlock([]);
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
  const dest = chain.addresses[to];
  const accountNumber = chain.accountNumbers[from];
  if (!key || !dest || accountNumber === undefined) throw new RangeError(`no account ${from} or ${to}`);
  return signDirect({
    key,
    chainId: BENCH_CHAIN_ID,
    accountNumber,
    sequence,
    messages: [msgSendAny(key.address, dest, 1n)],
  });
}
