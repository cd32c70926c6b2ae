/**
 * `poq bench prune`: state size of finished requests before and after pruning (issue 14), and the
 * cost of the blocks that prune them.
 *
 * `--requests` finished single-answer requests (a `--prompt-bytes` prompt, a `--response-bytes`
 * answer, a four-seat quality and payout, as the chain writes them) are stored through the real
 * keeper on a real state store and committed; then blocks run the real pruning of EndBlock
 * (`pruneFinishedRequests`, at most 200 records a block) until none is left. Reported: the bytes of
 * every `poq/` entry (keys and values, what the app hash commits to) before and after, per request,
 * and per pruning block the median time of pruning, hashing and commit.
 *
 * Usage: node dist/bench/prune-size.js [--requests 10000] [--prompt-bytes 1000] [--response-bytes 3000]
 * Reports figures only (JSON); the load average is part of the output.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { createContext } from "../app/context.js";
import { createStateStore, type StateStore } from "../app/store/state.js";
import { formatAccountAddress } from "../app/modules/auth/address.js";
import { consAddress, RequestStatus, toBytes, type RequestRecord } from "../app/modules/poq/state.js";
import { decodeRequestRecord } from "../app/modules/poq/kept-record.js";
import { requestKey } from "../app/modules/poq/keys.js";
import { createPoqKeeper } from "../app/modules/poq/keeper.js";
import { defaultPoqParams } from "../app/modules/poq/params.js";
import { MAX_PRUNED_RECORDS_PER_BLOCK, pruneFinishedRequests } from "../app/modules/poq/prune.js";
import { positive } from "./options.js";
import { requestRecord } from "../test/request-record.js";

export interface PruneBenchOptions {
  requests?: number;
  promptBytes?: number;
  responseBytes?: number;
}

const addr = (n: number): string => formatAccountAddress(new Uint8Array(20).fill(n));
const cons = (n: number): string => consAddress(new Uint8Array(20).fill(n));

function finished(id: number, prompt: string, response: string): RequestRecord {
  const seats = [1, 2, 3, 4];
  return requestRecord(id, {
    requester: addr(200 + (id % 50)),
    model: "llama-3-8b-instruct",
    prompt,
    max_tokens: 512,
    fee: { denom: "upoq", amount: "1000000" },
    min_quality: 0,
    status: RequestStatus.Finalized,
    node: addr(100 + (id % 20)),
    response,
    created_height: "1",
    assigned_height: "2",
    responded_height: "3",
    finalized_height: "6",
    response_deadline: "22",
    commit_deadline: "6",
    reveal_deadline: "9",
    assigned_nodes: [addr(100 + (id % 20))],
    committee: seats.map((v) => ({ validator: cons(v), power: "1" })),
    quality: {
      score: 7718,
      scores: seats.map((v) => ({ validator: cons(v), score: 7718, power: "6842" })),
      revealed_power: "4",
      committee_power: "4",
    },
    payout: {
      node: "617440",
      validators: seats.map((v) => ({ validator: cons(v), operator: addr(v), amount: "50000" })),
      refund: "182560",
      slashed: "0",
    },
  });
}

/** Bytes of every `poq/` entry (key + value) in the committed state, and of the request records alone. */
function poqBytes(state: StateStore): { all: number; requests: number; entries: number } {
  let all = 0;
  let requests = 0;
  let entries = 0;
  const prefix = new TextEncoder().encode("poq/");
  for (const [k, v] of state.committedView().iterate(prefix)) {
    all += k.length + v.length;
    entries++;
    if (k[prefix.length] === 0x02) requests += k.length + v.length;
  }
  return { all, requests, entries };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.floor(s.length / 2)] ?? 0) * 100) / 100;
}

/**
 * Runs the benchmark.
 *
 * @example
 * const r = runPruneBench({ requests: 10000 });
 */
export function runPruneBench(opts: PruneBenchOptions = {}) {
  const n = opts.requests ?? 10_000;
  const prompt = "p".repeat(opts.promptBytes ?? 1_000);
  const response = "r".repeat(opts.responseBytes ?? 3_000);
  const dir = mkdtempSync(join(tmpdir(), "poq-bench-prune-"));
  const state = createStateStore({ path: join(dir, "app.db") });
  try {
    const load = loadavg()[0] ?? 0;
    const keeper = createPoqKeeper();
    const params = { ...defaultPoqParams(), requestRetentionBlocks: 1n };
    let height = 6n;
    for (let id = 1; id <= n; id++) {
      keeper.setRequest({ store: state.deliver }, finished(id, prompt, response));
      if (id % 1_000 === 0 || id === n) state.commit(height++);
    }
    const before = poqBytes(state);
    const prune: number[] = [];
    const hash: number[] = [];
    const commit: number[] = [];
    let pruned = 0;
    for (;;) {
      const ctx = createContext({
        store: state.deliver,
        chainId: "b",
        blockHeight: height,
        blockTimeNanos: 0n,
      });
      let t = performance.now();
      const count = pruneFinishedRequests(ctx, { keeper }, params);
      if (count === 0) break;
      prune.push(performance.now() - t);
      t = performance.now();
      state.workingHash();
      hash.push(performance.now() - t);
      t = performance.now();
      state.commit(height++);
      commit.push(performance.now() - t);
      pruned += count;
    }
    const after = poqBytes(state);
    // One kept record: as stored (compact) and as the JSON it decodes to (what it was stored as before).
    const stored = state.committedView().get(requestKey(1n))!;
    const kept = { stored_bytes: stored.length, json_bytes: toBytes(decodeRequestRecord(stored)).length };
    const per = (b: number): number => Math.round(b / n);
    return {
      requests: n,
      prompt_bytes: prompt.length,
      response_bytes: response.length,
      before: { ...before, bytes_per_request: per(before.all) },
      after: { ...after, bytes_per_request: per(after.all), record_bytes_per_request: per(after.requests) },
      kept_record: kept,
      per_10000_requests_mb: {
        before: Math.round(((before.all / n) * 10_000) / 1e4) / 100,
        after: Math.round(((after.all / n) * 10_000) / 1e4) / 100,
      },
      pruned,
      pruning_blocks: prune.length,
      cap_per_block: MAX_PRUNED_RECORDS_PER_BLOCK,
      per_pruning_block_ms: { prune: median(prune), hash: median(hash), commit: median(commit) },
      load_average_1m_start: Math.round(load * 100) / 100,
      load_average_1m_end: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    };
  } finally {
    state.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchPruneCommand(): Command {
  return new Command("prune")
    .description("state size of finished requests before and after pruning, and the pruning blocks' cost")
    .option("--requests <n>", "finished requests", positive("requests"), 10_000)
    .option("--prompt-bytes <n>", "bytes of each prompt", positive("prompt-bytes"), 1_000)
    .option("--response-bytes <n>", "bytes of each answer", positive("response-bytes"), 3_000)
    .action((o: PruneBenchOptions) => {
      process.stdout.write(`${JSON.stringify(runPruneBench(o), null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchPruneCommand().parseAsync(process.argv);
}
