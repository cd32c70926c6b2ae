/**
 * `poq bench store`: the state store under growth and key grinding (issue 14 part B, review M6/M7).
 *
 * 1. Growth: a steady block (new finished-request-sized entries plus updates of hot keys) hashed
 *    and committed on states of 0 to `--entries` extra entries: hashing time and trie reads per
 *    block should stay flat.
 * 2. Grinding: `--ground` balance keys (addresses an attacker sends dust to) ground into the
 *    bucket of the hottest key, the fee collector's balance (about 65,536 sha256 per key, as the
 *    attacker pays; `bench/grind.ts` runs the Go grinder of `bench/grind/`). Then a block that
 *    changes only the hot key, and a normal block of 2,000 changes including it: trie reads and
 *    hashing time with and without the ground keys. Layout 1 re-read and re-hashed every entry of
 *    the bucket (ground keys + 1); layout 2 reads the nodes on the hot key's path.
 * 3. Queries: `--requests` finished requests of one requester, then a `Requests` query whose
 *    filter matches none (status EXPIRED): one page reads at most 1,000 candidates.
 *
 * Usage: node dist/bench/store-scale.js [--entries 100000] [--ground 1000] [--requests 100000]
 * Reports figures only (JSON); the load average is part of the output.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { createContext } from "../app/context.js";
import { BUCKET_BITS, bucketOf, sha256 } from "../app/store/merkle.js";
import { createStateStore, type StateStore } from "../app/store/state.js";
import { formatAccountAddress, moduleAddress, parseAccountAddress } from "../app/modules/auth/address.js";
import { BASE_DENOM } from "../app/modules/bank/coins.js";
import { balanceKey } from "../app/modules/bank/keys.js";
import { createPoqKeeper } from "../app/modules/poq/keeper.js";
import { createPoqQueries } from "../app/modules/poq/queries.js";
import { RequestStatus, type RequestRecord } from "../app/modules/poq/state.js";
import { PoqQueryPath } from "../app/modules/poq/types/query-paths.js";
import { grindAddresses } from "./grind.js";
import { positive } from "./options.js";
import { requestRecord } from "../test/request-record.js";

export interface StoreBenchOptions {
  entries?: number;
  ground?: number;
  requests?: number;
  /** Growth steps measured (default 4: 0, 1/3, 2/3 and all of `entries`). */
  steps?: number;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** About the size of a finished request record with a short prompt and answer. */
const VALUE = new Uint8Array(700).fill(0x61);
const BLOCK_NEW = 500;
const BLOCK_UPDATES = 1_500;
/** Blocks measured per point (median); odd. */
const BLOCKS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Hashing (workingHash) and Commit of `blocks` blocks made by `fill`: median ms and trie reads. */
function measureBlocks(
  state: StateStore,
  height: { h: bigint },
  fill: (block: number) => void,
): { hash_ms: number; hash_cpu_ms: number; commit_ms: number; trie_reads: number; trie_db_reads: number } {
  const hash: number[] = [];
  const cpu: number[] = [];
  const commit: number[] = [];
  const reads: number[] = [];
  const dbReads: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    fill(b);
    const c = process.cpuUsage();
    let t = performance.now();
    state.workingHash();
    hash.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    reads.push(state.hashReads);
    dbReads.push(state.hashDbReads);
    t = performance.now();
    state.commit(++height.h);
    commit.push(performance.now() - t);
  }
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    hash_ms: r2(median(hash)),
    hash_cpu_ms: r2(median(cpu)),
    commit_ms: r2(median(commit)),
    trie_reads: median(reads),
    trie_db_reads: median(dbReads),
  };
}

function growth(dir: string, entries: number, steps: number) {
  const state = createStateStore({ path: join(dir, "growth", "app.db") });
  const height = { h: 0n };
  let written = 0;
  let fresh = 0;
  const out = [];
  for (let step = 0; step < steps; step++) {
    const target = Math.round((entries * step) / Math.max(1, steps - 1));
    while (written < target) {
      const end = Math.min(target, written + 20_000);
      for (; written < end; written++) state.deliver.set(enc(`finished/${written}`), VALUE);
      state.commit(++height.h);
    }
    const m = measureBlocks(state, height, (b) => {
      for (let i = 0; i < BLOCK_NEW; i++) state.deliver.set(enc(`new/${fresh++}`), VALUE);
      for (let i = 0; i < BLOCK_UPDATES; i++) state.deliver.set(enc(`hot/${i}`), enc(`${b}`));
    });
    out.push({ state_entries: written + fresh, ...m });
  }
  state.close();
  const base = out[0] ?? { hash_ms: 1, hash_cpu_ms: 1 };
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return out.map((o) => ({
    ...o,
    hash_vs_first: r2(o.hash_ms / base.hash_ms),
    hash_cpu_vs_first: r2(o.hash_cpu_ms / base.hash_cpu_ms),
  }));
}

/** A block of the grinding run: the hot key only, or a normal block that also changes it. */
type GrindBlock = "hot_only" | "normal";

function grinding(dir: string, ground: number) {
  // The hottest key of a chain: the fee collector's balance, changed by every block with a fee.
  const hot = balanceKey(parseAccountAddress(moduleAddress("fee_collector")), BASE_DENOM);
  const hotPath = sha256(hot);
  const bucket = bucketOf(hot);
  // What an attacker controls: the 20 address bytes of balance keys it creates by sending dust.
  const shape = balanceKey(new Uint8Array(20), BASE_DENOM);
  const at = shape.length - BASE_DENOM.length - 20;
  const grind = grindAddresses(
    { prefix: shape.subarray(0, at), suffix: shape.subarray(at + 20), path: hotPath, bits: BUCKET_BITS },
    ground,
  );
  const keys = grind.addresses.map((a) => balanceKey(a, BASE_DENOM));
  for (const k of keys) {
    if (bucketOf(k) !== bucket) throw new Error("a ground key is not in the hot key's bucket");
  }
  const run = (name: string, withGround: boolean) => {
    const state = createStateStore({ path: join(dir, name, "app.db") });
    const height = { h: 0n };
    for (let i = 0; i < 50_000; i++) state.deliver.set(enc(`background/${i}`), VALUE);
    if (withGround) for (const k of keys) state.deliver.set(k, enc("1"));
    state.deliver.set(hot, enc("0"));
    state.commit(++height.h);
    const depth = BUCKET_BITS + state.prove(hot).proof.trieSiblings.length;
    let fresh = 0;
    let n = 0;
    const blocks: Record<GrindBlock, ReturnType<typeof measureBlocks>> = {
      hot_only: measureBlocks(state, height, () => state.deliver.set(hot, enc(String(++n)))),
      normal: measureBlocks(state, height, (b) => {
        for (let i = 0; i < BLOCK_NEW; i++) state.deliver.set(enc(`new/${fresh++}`), VALUE);
        for (let i = 0; i < BLOCK_UPDATES - 1; i++)
          state.deliver.set(enc(`background/${(b * BLOCK_UPDATES + i) % 50_000}`), enc(`${b}`));
        state.deliver.set(hot, enc(String(++n)));
      }),
    };
    state.close();
    return { hot_key_path_depth: depth, ...blocks };
  };
  const clean = run("clean", false);
  const dirty = run("ground", true);
  const ratio = (a: number, b: number): number => Math.round((a / Math.max(b, 1e-9)) * 100) / 100;
  const ratios = (k: GrindBlock) => ({
    trie_reads: ratio(dirty[k].trie_reads, clean[k].trie_reads),
    hash_ms: ratio(dirty[k].hash_ms, clean[k].hash_ms),
  });
  return {
    hot_key: Buffer.from(hot).toString("hex"),
    ground_keys: ground,
    grinder: grind.grinder,
    sha256_tried: grind.tried,
    grind_s: grind.seconds,
    max_shared_path_bits: grind.max_shared_bits,
    without_ground: clean,
    with_ground: dirty,
    with_vs_without: { hot_only: ratios("hot_only"), normal: ratios("normal") },
    normal_block_changes: BLOCK_NEW + BLOCK_UPDATES,
    layout1_entries_rehashed_by_the_hot_key: ground + 1,
  };
}

function request(id: number, requester: string): RequestRecord {
  return requestRecord(id, {
    requester,
    prompt: "p".repeat(200),
    max_tokens: 64,
    fee: { denom: "upoq", amount: "1000" },
    status: RequestStatus.Finalized,
    node: requester,
    response: "r".repeat(400),
    assigned_nodes: [requester],
  });
}

function queries(dir: string, requests: number) {
  const state = createStateStore({ path: join(dir, "queries", "app.db") });
  const keeper = createPoqKeeper();
  const handlers = createPoqQueries(keeper, { list: () => [] });
  const alice = formatAccountAddress(new Uint8Array(20).fill(1));
  let h = 0n;
  for (let id = 1; id <= requests; id++) {
    keeper.setRequest({ store: state.deliver }, request(id, alice));
    if (id % 20_000 === 0) state.commit(++h);
  }
  state.commit(++h);
  const ms: number[] = [];
  let page: { requests: unknown[]; pagination: { next_key: string | null } } = {
    requests: [],
    pagination: { next_key: null },
  };
  for (let i = 0; i < 5; i++) {
    const ctx = createContext({
      store: state.committedView(),
      chainId: "b",
      blockHeight: h,
      blockTimeNanos: 0n,
    });
    const t = performance.now();
    const body = enc(JSON.stringify({ requester: alice, status: "EXPIRED" }));
    const out = handlers[PoqQueryPath.Requests]?.(ctx, body) as Uint8Array;
    ms.push(performance.now() - t);
    page = JSON.parse(new TextDecoder().decode(out)) as typeof page;
  }
  state.close();
  return {
    finished_requests: requests,
    non_matching_query_ms: Math.round(median(ms) * 100) / 100,
    matches: page.requests.length,
    next_key: page.pagination.next_key,
  };
}

/**
 * Runs the three measurements in this process.
 *
 * @example
 * const r = runStoreBench({ entries: 30000, ground: 100, requests: 10000 });
 */
export function runStoreBench(opts: StoreBenchOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "poq-bench-store-"));
  try {
    const load = loadavg()[0] ?? 0;
    const result = {
      growth: growth(dir, opts.entries ?? 100_000, opts.steps ?? 4),
      grinding: grinding(dir, opts.ground ?? 1_000),
      queries: queries(dir, opts.requests ?? 100_000),
      load_average_1m_start: Math.round(load * 100) / 100,
      load_average_1m_end: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    };
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchStoreCommand(): Command {
  return new Command("store")
    .description("state store: block hashing as state grows, a key-grinding attacker, bounded queries")
    .option("--entries <n>", "extra state entries the growth reaches", positive("entries"), 100_000)
    .option("--steps <n>", "growth steps measured", positive("steps"), 4)
    .option(
      "--ground <n>",
      "keys ground into the hot key's bucket (~65,536 sha256 each)",
      positive("ground"),
      1_000,
    )
    .option("--requests <n>", "finished requests behind the filtered query", positive("requests"), 100_000)
    .action((o: StoreBenchOptions) => {
      process.stdout.write(`${JSON.stringify(runStoreBench(o), null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchStoreCommand().parseAsync(process.argv);
}
