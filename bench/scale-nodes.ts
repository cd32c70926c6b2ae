/**
 * Block time as state grows (issue 14): the validator's real app in process
 * (test/poq-app-chain.ts, 4 validators, real vote extensions) under a steady request load, measured
 * in these windows:
 *
 * - A: a small chain (8 serving nodes, nothing finished but the load's own first requests);
 * - B: after `--nodes` more node records were registered for other models and half of them
 *   unregistered and unbonded (their records deleted at the end of unbonding), all through real txs;
 * - C: after about half of `--finished` finished requests were added (see "Fill");
 * - D: after `--finished` finished requests in all;
 * - A2 and D2: then a new chain (as A, warmed up the same) and the grown one run in turn, a block of
 *   one, a block of the other, `--window` blocks each. A and D are measured minutes apart, and on a
 *   shared VM a window's CPU moves by a quarter between runs with the machine; A2 and D2 see the same
 *   machine and the same V8 heap, so D2 / A2 is the growth of the chain alone.
 * - A3 and D3: the same two chains in turns of 10 blocks each. Block by block, each chain starts
 *   every block with the caches (SQLite's page cache, the trie page cache, the CPU's) holding the
 *   other chain's data, which costs the grown chain, with the larger working set, the more; a node
 *   runs one chain. Turns of 10 blocks still cancel the drift.
 * - A4 and D4: a new chain in a child process of its own (warmed up the same) and the grown one,
 *   `--window` blocks each at the same time, one core each. Each process holds one chain, as a node
 *   does: in A2/D2 and A3/D3 the two chains share one V8 heap, and a garbage collection of both
 *   is paid by whichever chain's block triggers it (the grown chain, which allocates more, the
 *   more often). Running at the same time still cancels the drift.
 * - A5 and D5: the same two processes in turns of 10 blocks, one at a time. At the same time, the
 *   two processes share the machine's memory bandwidth and caches, and each one's garbage collector
 *   threads take CPU from the other; in turns, each block runs alone, as a node's block does.
 *   All four ratios are reported.
 *
 * The load: `--rate` requests per block for the served model; each serving node answers what it was
 * assigned in the next block, and every validator scores what it sits on (seat index), so requests
 * go the whole way to FINALIZED, and the chain prunes the finished requests that fall due
 * (`request_retention_blocks` = `--retention`).
 *
 * Fill (between windows, not measured): the load finishes `--rate` requests a block, so 100,000
 * would take 10,000 blocks. Instead, finished requests are written in bulk through the real keeper
 * (`setRequest`: the record and every request index, as EndBlock writes a request that finished) into
 * the deliver state of real blocks (`--fill-per-block` a block, each block a real FinalizeBlock and
 * Commit under the same load). Each filled request is a copy of a request the load finalized (same
 * committee, scores and payout shape; its own id from the request counter, one of 1,000 requesters,
 * one of the serving nodes, texts of the load's size), backdated: finished heights spread evenly over
 * the 2 x `--retention` blocks before the fill, so about half are older than the retention window
 * and are written already pruned (as `prune.ts` leaves them: texts dropped, hashes kept, off the
 * finished index), and the rest wait in the finished index and fall due in later blocks (about
 * fill / (2 x retention) a block, each fill, pruned by the real EndBlock). Their escrow is settled:
 * the module account holds nothing for a finished request; the bank balances and node counters of
 * the payouts are not replayed (a handful of accounts, no size). The chain starts at height
 * 3 x `--retention` (InitChain's initial height) so that backdated heights stay positive.
 *
 * Reported per window: FinalizeBlock CPU and wall ms (mean, p50, p90), of which the app hash
 * (`workingHash`, wall and CPU ms), Commit wall and CPU ms, the entries, buckets and trie nodes a
 * block's hash touched, the KB Commit wrote and read through system calls, the garbage collection
 * pauses of FinalizeBlock and Commit, records pruned per block, and the means of B, C and D over
 * A's and of D2 to D5 over A2 to A5's (target within 1.2). On a loaded machine compare CPU: a
 * niced process waits for a core, and its wall times measure the others' load. The windows run in
 * the order A, B, C, D, A4/D4, A5/D5, A2/D2, A3/D3: the grown chain's process holds no second
 * chain until A2.
 *
 * Usage: node dist/bench/scale-nodes.js [--nodes 10000] [--finished 100000] [--rate 10] [--window 30]
 *   [--retention 10000] [--fill-per-block 2000] [--cpu-prof-dir .cache/scale-prof] [--store-layout 6]
 *   [--no-hot-pages]
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GCProfiler } from "node:v8";
import { sha256 } from "@noble/hashes/sha2.js";
import { Command, Option } from "commander";
import type { AnyMsg } from "../app/types.js";
import { formatAccountAddress } from "../app/modules/auth/address.js";
import { CONTINUED_LAYOUTS } from "../app/store/layouts.js";
import { DEFAULT_HOT_PAGE_POLICY } from "../app/store/hot-pages.js";
import { MsgSubmitResponse, MsgUnregisterNode, PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import { prunedRecord } from "../app/modules/poq/prune.js";
import { RequestStatus, type RequestRecord } from "../app/modules/poq/state.js";
import { PoqEvent } from "../app/modules/poq/events.js";
import { testKey, type TestKey } from "../test/raw-signer.js";
import {
  createPoqBenchChain,
  registerNodeMsg,
  requestInferenceMsg,
  type BlockResult,
} from "../test/poq-app-chain.js";
import { positive } from "./options.js";
import { percentile } from "./stats.js";

const MODEL = "llama-3-8b-instruct";
const SERVING = 8;
const FILL_REQUESTERS = 1_000;
/** Blocks a chain runs at a time in windows A3 and D3. */
const STINT = 10;
/** Blocks run before a chain's first window (see {@link runScaleNodesBench}). */
const WARM_UP_BLOCKS = 40;

export interface ScaleNodesBenchOptions {
  /** Node records registered for other models between windows A and B (half then unbonded). */
  nodes: number;
  /** Finished requests in all before window D (half of them before window C). */
  finished: number;
  /** Requests per block. */
  rate: number;
  /** Blocks per measured window. */
  window: number;
  /** `request_retention_blocks` of the chain. */
  retention: number;
  /** Finished requests written per fill block. */
  fillPerBlock: number;
  /** Write a CPU profile of each measured window (`window-N.cpuprofile`) into this folder. */
  cpuProfDir?: string;
  /** The store layout of both chains (default: a new chain's), to compare layouts. */
  storeLayout?: number;
  /**
   * Whether the chains' stores move the page rows blocks rewrite block after block to `trie_hot`
   * (`app/store/hot-pages.ts`; default true): false keeps them all in `trie_pages`, to compare.
   */
  hotPages?: boolean;
  /** Internal: run as windows A4 and A5's child process (a new chain that runs blocks when told). */
  newChainChild?: boolean;
}

interface Spread {
  mean: number;
  p50: number;
  p90: number;
}

export interface ScaleWindow {
  label: string;
  height: string;
  nodeRecords: number;
  finishedRequests: number;
  prunedRequests: number;
  blocks: number;
  finalizeCpuMs: Spread;
  /** Wall ms of FinalizeBlock (with Commit's wall, the app's part of the block time). */
  finalizeMs: Spread;
  /** Wall ms of the app hash at the end of FinalizeBlock (part of it). */
  hashMs: Spread;
  /** CPU ms of the same. */
  hashCpuMs: Spread;
  commitMs: Spread;
  commitCpuMs: Spread;
  /** State writes a block persists (sets and deletes), mean. */
  writesPerBlock: number;
  /** Buckets those writes fall in (a trie walk each), mean. */
  bucketsPerBlock: number;
  /** Trie nodes the app hash read a block, and of them those read from SQLite, means. */
  trieReadsPerBlock: number;
  trieDbReadsPerBlock: number;
  /**
   * KB a block's Commit wrote and read through system calls (SQLite: the WAL, checkpoints into the
   * database file, pages its cache missed), means; from /proc/self/io, 0 where there is none.
   */
  commitWriteKbPerBlock: number;
  commitReadKbPerBlock: number;
  /** Garbage collection pauses per block in FinalizeBlock and Commit (main thread), ms. */
  gcMsPerBlock: number;
  /** The SQLite database and its WAL, MB, at the end of the window. */
  dbMb: number;
  /** V8 heap in use at the end of the window, MB. */
  heapMb: number;
  prunedPerBlock: number;
  loadavg1: number;
}

const msg = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl, value });
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: r3(s.reduce((t, x) => t + x, 0) / s.length),
    p50: r3(percentile(s, 50)),
    p90: r3(percentile(s, 90)),
  };
}

/** Bytes this process has read and written through system calls so far (Linux), or zeros. */
function ioBytes(): { read: number; written: number } {
  if (!existsSync("/proc/self/io")) return { read: 0, written: 0 };
  const field = (text: string, name: string): number =>
    Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  const text = readFileSync("/proc/self/io", "latin1");
  return { read: field(text, "rchar"), written: field(text, "wchar") };
}

/**
 * A chain under the bench's steady load (in process, 4 validators, 8 serving nodes registered):
 * its load block, the fill, and the summary of a window of its blocks, pushed to `windows`. The
 * caller owns it and calls `chain.cleanup()`.
 */
function scaleChain(o: ScaleNodesBenchOptions, windows: ScaleWindow[]) {
  const serving = Array.from({ length: SERVING }, (_, i) => testKey(`scale-serving-${i}`));
  const sybils = Array.from({ length: o.nodes }, (_, i) => testKey(`scale-sybil-${i}`));
  const requester = testKey("scale-requester");
  const retention = BigInt(o.retention);
  const chain = createPoqBenchChain({
    validators: 4,
    accounts: [requester, ...serving, ...sybils],
    params: { defaultMaxInFlight: 1000, requestRetentionBlocks: retention.toString() },
    initialHeight: 3n * retention,
    ...(o.storeLayout !== undefined ? { storeLayout: o.storeLayout } : {}),
    ...(o.hotPages === false ? { hotPages: { ...DEFAULT_HOT_PAGE_POLICY, maxHot: 0 } } : {}),
  });
  // The app hash of a block is computed at the end of FinalizeBlock: time it there.
  const state = chain.app.state;
  const workingHash = state.workingHash.bind(state);
  let hashMs = 0;
  let hashCpuMs = 0;
  let writes = 0;
  let buckets = 0;
  let trieReads = 0;
  let trieDbReads = 0;
  state.workingHash = () => {
    const c = process.cpuUsage();
    const t = performance.now();
    const h = workingHash();
    hashMs += performance.now() - t;
    const d = process.cpuUsage(c);
    hashCpuMs += (d.user + d.system) / 1000;
    writes = state.hashWrites;
    buckets = state.hashBucketCount;
    trieReads = state.hashReads;
    trieDbReads = state.hashDbReads;
    return h;
  };
  // What Commit writes and reads: SQLite's work for the block, checkpoints included.
  const commit = state.commit.bind(state);
  let commitWritten = 0;
  let commitRead = 0;
  state.commit = (height) => {
    const before = ioBytes();
    const root = commit(height);
    const after = ioBytes();
    commitWritten = after.written - before.written;
    commitRead = after.read - before.read;
    return root;
  };
  const dbMb = (): number => {
    const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);
    return r3((size(state.path) + size(`${state.path}-wal`)) / 1e6);
  };
  const view = () => ({ store: state.committedView() });
  /** Runs `fn` under the V8 CPU profiler when `--cpu-prof-dir` is set (the same thread's inspector). */
  const profiled = <T>(name: string, fn: () => T): T => {
    const dir = o.cpuProfDir;
    if (!dir) return fn();
    const session = new Session();
    session.connect();
    const post = (method: string): unknown => {
      let out: unknown;
      let failed: Error | null = null;
      session.post(method, (err, res) => {
        failed = err;
        out = res;
      });
      if (failed) throw failed;
      return out;
    };
    post("Profiler.enable");
    post("Profiler.start");
    try {
      return fn();
    } finally {
      const res = post("Profiler.stop") as { profile: object } | undefined;
      session.disconnect();
      if (res) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(res.profile));
      }
    }
  };
  const keeper = chain.modules.poq.keeper;
  const fillRequesters = Array.from({ length: FILL_REQUESTERS }, (_, i) =>
    formatAccountAddress(sha256(new TextEncoder().encode(`scale-fill-requester-${i}`)).subarray(0, 20)),
  );
  let asked = 0;
  let filled = 0;
  let filledPruned = 0;
  let prunedByChain = 0;
  const register = (key: TestKey, model: string) =>
    chain.signed(key, [registerNodeMsg(key.address, [model], 2_000_000n, { moniker: "scale" })]);
  chain.runBlock(serving.map((k) => register(k, MODEL)));
  /** One block of the steady load (plus `extra` txs); `before` writes into its deliver state first. */
  const loadBlock = (
    extra: Uint8Array[] = [],
    before?: () => void,
  ): BlockResult & {
    hashMs: number;
    hashCpuMs: number;
    writes: number;
    trieReads: number;
    trieDbReads: number;
    buckets: number;
    commitWritten: number;
    commitRead: number;
    /** Finished requests the chain pruned in this block. */
    pruned: number;
    /** Garbage collection pauses in FinalizeBlock and Commit, ms. */
    gcMs: number;
  } => {
    const txs: Uint8Array[] = [];
    const asks = Array.from({ length: o.rate }, () =>
      requestInferenceMsg(requester.address, MODEL, `question ${asked++}: why is the sky blue?`, 10_000n, {
        maxTokens: 64,
      }),
    );
    txs.push(chain.signed(requester, asks));
    for (const node of serving) {
      const ids = keeper.assignmentsOf(view(), node.address);
      if (ids.length === 0) continue;
      txs.push(
        chain.signed(
          node,
          ids.map((id) =>
            msg(
              PoqTypeUrl.SubmitResponse,
              MsgSubmitResponse.encode({
                node: node.address,
                requestId: id,
                response: `Rayleigh scattering, answer ${id}.`,
              }).finish(),
            ),
          ),
        ),
      );
    }
    before?.();
    hashMs = 0;
    hashCpuMs = 0;
    const gc = new GCProfiler();
    gc.start();
    const r = chain.runBlock([...txs, ...extra]);
    const gcMs = gc.stop().statistics.reduce((ms, e) => ms + e.cost / 1000, 0);
    if (r.failed.length > 0) throw new Error(`failed txs at ${r.height}: ${r.failed.join("; ")}`);
    const pruned = r.events.filter((e) => e.type === PoqEvent.RequestPruned).length;
    prunedByChain += pruned;
    // Every validator scores what it sits on, as its scorer would (the seat index), and forgets
    // the scores of seats that closed (validator/scorer.ts: ExtendVote reads each score's request).
    chain.validators.forEach((v, i) => {
      const open = new Set(keeper.seatsOf(view(), v.address));
      for (const id of [...chain.scores[i]!.keys()]) if (!open.has(id)) chain.scores[i]!.delete(id);
      for (const id of open) {
        if (!chain.scores[i]!.has(id))
          chain.scores[i]!.set(id, {
            score: 8000 + (Number(id) % 5) * 100,
            salt: new Uint8Array(32).fill(i),
          });
      }
    });
    return {
      ...r,
      hashMs,
      hashCpuMs,
      writes,
      buckets,
      trieReads,
      trieDbReads,
      commitWritten,
      commitRead,
      pruned,
      gcMs,
    };
  };
  const countIndex = (status: string): number => {
    let n = 0;
    for (const _ of keeper.requestIdsBy(view(), { by: "status", status }, 0n)) n++;
    return n;
  };
  /** The window of `blocks` (run by the caller). */
  const summarize = (label: string, blocks: ReturnType<typeof loadBlock>[]): ScaleWindow => {
    const w: ScaleWindow = {
      label,
      height: chain.height.toString(),
      nodeRecords: keeper.nodes(view()).length,
      finishedRequests: countIndex(RequestStatus.Finalized),
      prunedRequests: filledPruned + prunedByChain,
      blocks: blocks.length,
      finalizeCpuMs: spread(blocks.map((b) => b.finalizeCpuMs)),
      finalizeMs: spread(blocks.map((b) => b.finalizeMs)),
      hashMs: spread(blocks.map((b) => b.hashMs)),
      hashCpuMs: spread(blocks.map((b) => b.hashCpuMs)),
      commitMs: spread(blocks.map((b) => b.commitMs)),
      commitCpuMs: spread(blocks.map((b) => b.commitCpuMs)),
      writesPerBlock: spread(blocks.map((b) => b.writes)).mean,
      bucketsPerBlock: spread(blocks.map((b) => b.buckets)).mean,
      trieReadsPerBlock: spread(blocks.map((b) => b.trieReads)).mean,
      trieDbReadsPerBlock: spread(blocks.map((b) => b.trieDbReads)).mean,
      commitWriteKbPerBlock: spread(blocks.map((b) => b.commitWritten / 1000)).mean,
      commitReadKbPerBlock: spread(blocks.map((b) => b.commitRead / 1000)).mean,
      gcMsPerBlock: spread(blocks.map((b) => b.gcMs)).mean,
      dbMb: dbMb(),
      heapMb: r3(process.memoryUsage().heapUsed / 1e6),
      prunedPerBlock: r3(blocks.reduce((n, b) => n + b.pruned, 0) / blocks.length),
      loadavg1: r3(loadavg()[0] ?? 0),
    };
    windows.push(w);
    console.log(JSON.stringify(w));
    return w;
  };
  const measure = (label: string): void => {
    summarize(
      label,
      profiled(`window-${windows.length}`, () => Array.from({ length: o.window }, () => loadBlock())),
    );
  };
  /** Template for filled requests: the newest request the load finalized. */
  const template = (): RequestRecord => {
    let last: bigint | undefined;
    for (const id of keeper.requestIdsBy(view(), { by: "status", status: RequestStatus.Finalized }, 0n))
      last = id;
    const t = last === undefined ? undefined : keeper.getRequest(view(), last);
    if (!t || t.pruned_height !== undefined || t.replicas !== 1)
      throw new Error("no finalized request to copy");
    return t;
  };
  /** Writes `count` backdated finished requests, `o.fillPerBlock` per block (see the header). */
  const fill = (count: number): void => {
    const t = template();
    const start = chain.height + 1n; // the first fill block
    const span = 2n * retention;
    const shift = (h: string, by: bigint): string => (h === "0" ? "0" : (BigInt(h) + by).toString());
    for (let done = 0; done < count;) {
      const n = Math.min(o.fillPerBlock, count - done);
      loadBlock([], () => {
        const ctx = { store: state.deliver };
        const height = chain.height + 1n; // this block
        for (let k = 0; k < n; k++, done++) {
          const id = keeper.nextRequestId(ctx);
          const finishedAt = start - span + (BigInt(done) * span) / BigInt(count);
          const by = finishedAt - BigInt(t.finalized_height);
          const node = serving[Number(id % BigInt(SERVING))]!.address;
          const rec: RequestRecord = {
            ...t,
            id: id.toString(),
            requester: fillRequesters[Number(id % BigInt(FILL_REQUESTERS))]!,
            prompt: `question f${id}: why is the sky blue?`,
            node,
            response: `Rayleigh scattering, answer ${id}.`,
            created_height: shift(t.created_height, by),
            assigned_height: shift(t.assigned_height, by),
            responded_height: shift(t.responded_height, by),
            finalized_height: finishedAt.toString(),
            response_deadline: shift(t.response_deadline, by),
            commit_deadline: shift(t.commit_deadline, by),
            reveal_deadline: shift(t.reveal_deadline, by),
            assigned_nodes: [node],
            response_ids: [id.toString()],
          };
          // Older than the retention window: the chain pruned it in block finishedAt + retention.
          const prunedAt = finishedAt + retention;
          if (prunedAt < height) {
            keeper.setRequest(ctx, prunedRecord(rec, prunedAt));
            filledPruned++;
          } else keeper.setRequest(ctx, rec);
        }
      });
    }
    filled += count;
  };
  return {
    loadBlock,
    measure,
    profiled,
    summarize,
    fill,
    countIndex,
    register,
    sybils,
    chain,
    keeper,
    view,
    counts: () => ({ filled, filledPruned, prunedByChain }),
  };
}

/**
 * Runs the bench and returns its windows: A to D on one chain as it grows, then A2 and D2, a new
 * chain and the grown one measured block by block in turn, A3 and D3, the same in turns of
 * {@link STINT} blocks, and A4/D4 and A5/D5 with the new chain in a child process, at the same time
 * and in turns (see the header).
 *
 * @example
 * const windows = runScaleNodesBench({ nodes: 1000, finished: 2000, rate: 10, window: 20, retention: 500, fillPerBlock: 1000 });
 */
export async function runScaleNodesBench(o: ScaleNodesBenchOptions): Promise<ScaleWindow[]> {
  const windows: ScaleWindow[] = [];
  const grown = scaleChain(o, windows);
  try {
    const { loadBlock, measure, fill, countIndex, register, sybils, chain, keeper, view } = grown;
    // Warm-up: the pipeline fills (about 6 blocks deep) and V8 has optimized the block path, so that
    // window A, the baseline, measures steady blocks rather than a cold process.
    for (let i = 0; i < WARM_UP_BLOCKS; i++) loadBlock();
    measure("A: small chain");
    // Grow: node records for other models, in blocks of 250 registrations under the same load.
    for (let i = 0; i < sybils.length; i += 250) {
      loadBlock(sybils.slice(i, i + 250).map((k, j) => register(k, `other-${(i + j) % 50}`)));
    }
    const leaving = sybils.slice(0, Math.floor(sybils.length / 2));
    for (let i = 0; i < leaving.length; i += 250) {
      loadBlock(
        leaving
          .slice(i, i + 250)
          .map((k) =>
            chain.signed(k, [
              msg(PoqTypeUrl.UnregisterNode, MsgUnregisterNode.encode({ operator: k.address }).finish()),
            ]),
          ),
      );
    }
    const unbonding = Number(keeper.getParams(view()).unbondingBlocks);
    for (let i = 0; i <= unbonding; i++) loadBlock();
    measure(`B: +${o.nodes} node records, ${leaving.length} of them unbonded`);
    const half = Math.floor(o.finished / 2);
    fill(Math.max(0, half - countIndex(RequestStatus.Finalized)));
    for (let i = 0; i < 10; i++) loadBlock(); // settle: the fill's last block is not measured
    measure(`C: ${half}+ finished requests`);
    fill(Math.max(0, o.finished - countIndex(RequestStatus.Finalized)));
    for (let i = 0; i < 10; i++) loadBlock();
    measure(`D: ${o.finished}+ finished requests`);
    // The same at the same time, with the new chain in a process of its own.
    const child = await startNewChainChild(o);
    try {
      const a4 = await child.run("A4", o.window, true);
      await a4.sent; // before the grown chain's window starts, which holds this thread until it ends
      const d4 = grown.profiled("window-D4", () => Array.from({ length: o.window }, () => loadBlock()));
      await a4.done;
      windows.push(
        await child.summarize("A4", "A4: new chain in a process of its own, at the same time as D4"),
      );
      console.log(JSON.stringify(windows[windows.length - 1]));
      grown.summarize(`D4: ${o.finished}+ finished requests, at the same time as A4`, d4);
      // Each chain in a process of its own, one at a time, in turns of STINT blocks: no shared heap
      // and no second process on the other core, while the turns still cancel the drift.
      const d5: ReturnType<typeof loadBlock>[] = [];
      while (d5.length < o.window) {
        const turn = Math.min(STINT, o.window - d5.length);
        const theirs = await child.run("A5", turn);
        await theirs.done;
        for (let j = 0; j < turn; j++) d5.push(loadBlock());
      }
      windows.push(
        await child.summarize("A5", `A5: new chain in a process of its own, ${STINT} blocks in turn with D5`),
      );
      console.log(JSON.stringify(windows[windows.length - 1]));
      grown.summarize(`D5: ${o.finished}+ finished requests, ${STINT} blocks in turn with A5`, d5);
    } finally {
      child.kill();
    }
    // The same comparison at the same time: a new chain, warmed up, and the grown one take turns
    // block by block, so that both windows see the same machine (its load, its clock) and the same
    // V8 heap. Windows measured minutes apart differ by a quarter on a shared VM.
    const fresh = scaleChain({ ...o, nodes: 0 }, windows);
    try {
      for (let i = 0; i < WARM_UP_BLOCKS; i++) fresh.loadBlock();
      /** `o.window` blocks of each chain: `stint` blocks of the new one, then `stint` of the grown one. */
      const inTurns = (stint: number) => {
        const a: ReturnType<typeof loadBlock>[] = [];
        const d: ReturnType<typeof loadBlock>[] = [];
        while (a.length < o.window) {
          for (let j = 0; j < stint && a.length < o.window; j++) a.push(fresh.loadBlock());
          for (let j = 0; j < stint && d.length < o.window; j++) d.push(loadBlock());
        }
        return { a, d };
      };
      const byBlock = inTurns(1);
      fresh.summarize("A2: new chain, in turn with D2", byBlock.a);
      grown.summarize(`D2: ${o.finished}+ finished requests, in turn with A2`, byBlock.d);
      // The same, in turns of STINT blocks: each chain's caches (SQLite's, the trie pages', the
      // CPU's) are warm for most of its blocks, as in a node that runs one chain, while the turns
      // still cancel the machine's drift.
      const byStint = inTurns(STINT);
      fresh.summarize(`A3: new chain, ${STINT} blocks in turn with D3`, byStint.a);
      grown.summarize(`D3: ${o.finished}+ finished requests, ${STINT} blocks in turn with A3`, byStint.d);
    } finally {
      fresh.chain.cleanup();
    }
    const appCpu = (w: ScaleWindow): number => w.finalizeCpuMs.mean + w.commitCpuMs.mean;
    const appWall = (w: ScaleWindow): number => w.finalizeMs.mean + w.commitMs.mean;
    const compare = (w: ScaleWindow, base: ScaleWindow): void =>
      console.log(
        `${w.label}: FinalizeBlock CPU mean ${r3(w.finalizeCpuMs.mean / base.finalizeCpuMs.mean)} x ${base.label.split(":")[0]}, ` +
          `hash CPU ${r3(w.hashCpuMs.mean / base.hashCpuMs.mean)} x, Commit CPU ${r3(w.commitCpuMs.mean / base.commitCpuMs.mean)} x, ` +
          `FinalizeBlock + Commit CPU ${r3(appCpu(w) / appCpu(base))} x, wall ${r3(appWall(w) / appWall(base))} x`,
      );
    for (const w of windows.slice(1, 4)) compare(w, windows[0]!);
    compare(windows[5]!, windows[4]!);
    compare(windows[7]!, windows[6]!);
    compare(windows[9]!, windows[8]!);
    compare(windows[11]!, windows[10]!);
    console.log(JSON.stringify(grown.counts()));
    return windows;
  } finally {
    grown.chain.cleanup();
  }
}

/** What the new chain's child process sends: ready when warm, each turn's end, a window's summary. */
type ChildMessage = { ready: true } | { ran: number } | { window: ScaleWindow };
/** What the parent asks of it: `blocks` more blocks of window `name`, or that window's summary. */
type ParentMessage = { name: string; blocks: number; profile: boolean } | { name: string; summarize: string };

/**
 * Forks this bench as the new chain's child process (windows A4 and A5) and waits until its chain is
 * warmed up. `run` starts `blocks` blocks of a window there and resolves when they are done;
 * `summarize` returns the window's summary.
 */
async function startNewChainChild(o: ScaleNodesBenchOptions): Promise<{
  run: (
    name: string,
    blocks: number,
    profile?: boolean,
  ) => Promise<{ sent: Promise<void>; done: Promise<void> }>;
  summarize: (name: string, label: string) => Promise<ScaleWindow>;
  kill: () => void;
}> {
  const args = ["--new-chain-child", "--window", String(o.window), "--rate", String(o.rate)];
  args.push("--retention", String(o.retention));
  if (o.cpuProfDir) args.push("--cpu-prof-dir", o.cpuProfDir);
  if (o.storeLayout !== undefined) args.push("--store-layout", String(o.storeLayout));
  if (o.hotPages === false) args.push("--no-hot-pages");
  const child = fork(fileURLToPath(import.meta.url), args, { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const messages: ChildMessage[] = [];
  const waiters: (() => void)[] = [];
  child.on("message", (m: ChildMessage) => {
    messages.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  let exited: Error | undefined;
  child.on("exit", (code) => {
    exited = new Error(`the new chain's process exited (code ${code}) before its last window`);
    waiters.splice(0).forEach((w) => w());
  });
  /** The next message of its kind, taken off the queue. */
  const next = async <T extends ChildMessage>(is: (m: ChildMessage) => m is T): Promise<T> => {
    for (;;) {
      const i = messages.findIndex(is);
      if (i >= 0) return messages.splice(i, 1)[0] as T;
      if (exited) throw exited;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const send = (m: ParentMessage) =>
    new Promise<void>((resolve, reject) => child.send(m, (err) => (err ? reject(err) : resolve())));
  await next((m): m is { ready: true } => "ready" in m);
  return {
    run: async (name, blocks, profile = false) => {
      const sent = send({ name, blocks, profile });
      return { sent, done: next((m): m is { ran: number } => "ran" in m).then(() => undefined) };
    },
    summarize: async (name, label) => {
      await send({ name, summarize: label });
      return (await next((m): m is { window: ScaleWindow } => "window" in m)).window;
    },
    kill: () => child.kill(),
  };
}

/**
 * The new chain's child process (windows A4 and A5): a new chain, warmed up, that runs the blocks
 * the parent asks for, window by window, and sends each window's summary when asked.
 */
async function runNewChainChild(o: ScaleNodesBenchOptions): Promise<void> {
  const windows: ScaleWindow[] = [];
  const fresh = scaleChain({ ...o, nodes: 0 }, windows);
  const blocksOf = new Map<string, ReturnType<typeof fresh.loadBlock>[]>();
  try {
    for (let i = 0; i < WARM_UP_BLOCKS; i++) fresh.loadBlock();
    const reply = (m: ChildMessage) =>
      new Promise<void>((resolve) => process.send?.(m satisfies ChildMessage, () => resolve()));
    const queue: ParentMessage[] = [];
    let wake: (() => void) | undefined;
    let parentGone = false;
    process.on("message", (m: ParentMessage) => {
      queue.push(m);
      wake?.();
    });
    process.once("disconnect", () => {
      parentGone = true;
      wake?.();
    });
    await reply({ ready: true });
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (parentGone) return;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const blocks = blocksOf.get(m.name) ?? [];
      blocksOf.set(m.name, blocks);
      if ("blocks" in m) {
        const run = () => Array.from({ length: m.blocks }, () => fresh.loadBlock());
        blocks.push(...(m.profile ? fresh.profiled(`window-${m.name}`, run) : run()));
        await reply({ ran: m.blocks });
      } else {
        await reply({ window: fresh.summarize(m.summarize, blocks) });
      }
    }
  } finally {
    fresh.chain.cleanup();
  }
}

/** `poq bench scale-nodes`. */
export function benchScaleNodesCommand(): Command {
  return new Command("scale-nodes")
    .description(
      "block time at a steady request load as node records and finished requests grow to 100,000 (issue 14)",
    )
    .option("--nodes <n>", "node records added for other models (half unbonded)", positive("nodes"), 10_000)
    .option("--finished <n>", "finished requests before the last window", positive("finished"), 100_000)
    .option("--rate <n>", "requests per block", positive("rate"), 10)
    .option("--window <n>", "blocks per measured window", positive("window"), 30)
    .option("--retention <n>", "request_retention_blocks", positive("retention"), 10_000)
    .option("--cpu-prof-dir <dir>", "write a CPU profile of each measured window there")
    .option(
      "--store-layout <n>",
      `store layout of both chains (${CONTINUED_LAYOUTS.join(", ")}; default: a new chain's)`,
      positive("store-layout"),
    )
    .option("--no-hot-pages", "keep every trie page row in trie_pages (to compare with the default)")
    .option(
      "--fill-per-block <n>",
      "finished requests written per fill block",
      positive("fill-per-block"),
      2_000,
    )
    .addOption(new Option("--new-chain-child").hideHelp())
    .action(async (o: ScaleNodesBenchOptions) => {
      if (o.newChainChild) await runNewChainChild(o);
      else await runScaleNodesBench(o);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void benchScaleNodesCommand().parseAsync(process.argv);
}
