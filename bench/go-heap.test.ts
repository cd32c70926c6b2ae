import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { BinaryWriter } from "cosmjs-types/binary";
import { BLOCK_CACHE_BOUND_BYTES, boundedBytes, goHeapParts, parseHeapProfile } from "./go-heap.js";
import { judgeSoak, type SoakRecord, type SoakSample } from "./soak.js";

const GL = "github.com/syndtr/goleveldb/leveldb/";
const CB = "github.com/cometbft/cometbft/";

/**
 * A Go heap profile as `runtime/pprof` writes it (profile.proto): four sample types, each sample's
 * locations innermost first, each location's lines (an inlined call gives two lines), gzipped.
 */
function profile(samples: { stack: string[][]; inuse: number }[]): Uint8Array {
  const strings = ["", "alloc_objects", "count", "alloc_space", "bytes", "inuse_objects", "inuse_space"];
  const str = (s: string): number => {
    const i = strings.indexOf(s);
    return i >= 0 ? i : strings.push(s) - 1;
  };
  const w = new BinaryWriter();
  for (const [type, unit] of [
    ["alloc_objects", "count"],
    ["alloc_space", "bytes"],
    ["inuse_objects", "count"],
    ["inuse_space", "bytes"],
  ] as const) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32(1 << 3).int64(str(type));
    w.uint32(2 << 3).int64(str(unit));
    w.ldelim();
  }
  const functions = new Map<string, number>();
  const locations: number[][] = [];
  for (const s of samples) {
    const ids = s.stack.map((lines) => {
      locations.push(
        lines.map((name) => {
          if (!functions.has(name)) functions.set(name, functions.size + 1);
          return functions.get(name)!;
        }),
      );
      return locations.length;
    });
    w.uint32((2 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).fork(); // packed location ids
    for (const id of ids) w.uint64(id);
    w.ldelim();
    w.uint32((2 << 3) | 2).fork(); // packed values
    for (const v of [1, s.inuse * 3, 1, s.inuse]) w.int64(v);
    w.ldelim();
    w.ldelim();
  }
  locations.forEach((fns, i) => {
    w.uint32((4 << 3) | 2).fork();
    w.uint32(1 << 3).uint64(i + 1);
    for (const fn of fns) {
      w.uint32((4 << 3) | 2).fork();
      w.uint32(1 << 3).uint64(fn);
      w.uint32(2 << 3).int64(10);
      w.ldelim();
    }
    w.ldelim();
  });
  for (const [name, id] of functions) {
    w.uint32((5 << 3) | 2).fork();
    w.uint32(1 << 3).uint64(id);
    w.uint32(2 << 3).int64(str(name));
    w.ldelim();
  }
  for (const s of strings) w.uint32((6 << 3) | 2).string(s);
  return gzipSync(w.finish());
}

const cachedRead = (caller: string): string[][] => [
  [`${GL}util.(*BufferPool).Get`],
  [`${GL}table.(*Reader).readRawBlock`],
  [`${GL}table.(*Reader).readBlock`],
  [`${GL}table.(*Reader).readBlockCached.func1`],
  [`${GL}cache.(*Cache).Get`],
  [`${GL}table.(*Reader).readBlockCached`],
  [`${GL}.(*DB).get`],
  ["github.com/cometbft/cometbft-db.(*GoLevelDB).Get"],
  [caller],
];

test("a heap profile splits into goleveldb's block caches per database, its other parts, the mempool's cache and the rest", () => {
  const samples = parseHeapProfile(
    profile([
      { stack: cachedRead(`${CB}state/txindex/kv.(*TxIndex).Get`), inuse: 3_000_000 },
      { stack: cachedRead(`${CB}store.(*BlockStore).LoadBlockMeta`), inuse: 500_000 },
      { stack: cachedRead(`${CB}state.dbStore.LoadValidators`), inuse: 200_000 },
      // an inlined frame: two lines in one location
      { stack: [[`${GL}memdb.New`, `${GL}.(*DB).newMem`], [`${CB}state.dbStore.Save`]], inuse: 4_194_304 },
      {
        stack: [[`${GL}util.(*BufferPool).Get`], [`${GL}table.NewWriter`], [`${GL}.(*tOps).create`]],
        inuse: 2_097_152,
      },
      { stack: [["container/list.(*List).insertValue"], [`${CB}mempool.(*LRUTxCache).Push`]], inuse: 70_000 },
      {
        stack: [["context.WithDeadlineCause"], [`${CB}rpc/core.(*Environment).Subscribe.func1`]],
        inuse: 90_000,
      },
      { stack: [["compress/flate.NewWriter"], ["runtime/pprof.writeHeapInternal"]], inuse: 1_100_000 },
      { stack: [["runtime.malg"]], inuse: 0 },
    ]),
  );
  assert.equal(samples.length, 9);
  assert.deepEqual(samples[3]!.stack, [`${GL}memdb.New`, `${GL}.(*DB).newMem`, `${CB}state.dbStore.Save`]);
  const parts = goHeapParts(samples);
  assert.deepEqual(parts.block_cache, { tx_index: 3_000_000, blockstore: 500_000, state: 200_000 });
  assert.equal(parts.memtables, 4_194_304);
  assert.equal(parts.pooled_buffers, 2_097_152);
  assert.equal(parts.mempool_cache, 70_000);
  assert.equal(parts.rest, 90_000, "a subscription's contexts are not a bounded cache");
  assert.equal(parts.profiler, 1_100_000);
  assert.equal(
    parts.total,
    3_000_000 + 500_000 + 200_000 + 4_194_304 + 2_097_152 + 70_000 + 90_000 + 1_100_000,
  );
  assert.equal(boundedBytes(parts), parts.total - parts.rest - parts.profiler);
});

test("a profile that is not a heap profile is refused", () => {
  const w = new BinaryWriter();
  w.uint32((6 << 3) | 2).string("");
  assert.throws(() => parseHeapProfile(w.finish()), /not a Go heap profile/);
});

/** Samples every minute for an hour: CometBFT's caches grow 20 -> 40 MB, its RSS with twice that. */
function run(rest: (t: number) => number, cacheMb = (t: number) => 2 + (t / 3600) * 8): SoakRecord {
  const samples: SoakSample[] = [];
  for (let t = 60; t <= 3600; t += 60) {
    const caches = [cacheMb(t), cacheMb(t), cacheMb(t) / 2];
    const bounded = 16 + caches.reduce((a, b) => a + b, 0);
    samples.push({
      t_s: t,
      height: t,
      block_ms: 650,
      committed_txs: t,
      app_rss_mb: [200, 200, 200, 200],
      cometbft_rss_mb: [0, 1, 2, 3].map(() => 30 + 2 * (bounded + rest(t))),
      cometbft_live_heap_mb: [0, 1, 2, 3].map(() => Math.round(bounded + rest(t))),
      app_live_heap_mb: [18, 18, 18, 18],
      cometbft_heap: [0, 1, 2, 3].map(() => ({
        rest: rest(t),
        bounded,
        caches: bounded - 16, // the block caches; 16 MB of memtables
        block_cache: { tx_index: caches[0]!, blockstore: caches[1]!, state: caches[2]! },
      })),
      bench_rss_mb: 150,
    });
  }
  const none = { acknowledged: 1, committed: 1, committed_failed: 0, resubmitted: 0, lost: 0, refused: 0 };
  return {
    minutes_run: 60,
    samples,
    load: { sends: none, requests: { ...none, finalized: 1, final_other: 0, open: 0 } },
    restarts: [0, 0, 0, 0],
  };
}

test("soak verdict: caches filling under their bound with the rest flat is flat; the whole heap is reported, not judged", () => {
  const r = judgeSoak(run(() => 6));
  assert.ok((r.drift_pct.cometbft_live_heap ?? 0) > 25, "the whole live heap grows");
  assert.ok(r.drift_pct.cometbft_rss > 15, "so does the whole RSS");
  assert.equal(r.drift_pct.cometbft_heap_rest, 0);
  assert.equal(r.drift_pct.cometbft_rss_less_caches, 0);
  assert.ok(!r.judged.includes("cometbft_rss") && r.judged.includes("cometbft_heap_rest"));
  assert.equal(r.block_cache_max_mb, 10);
  assert.equal(r.flat, true);
});

test("soak verdict: a growing heap outside the caches, or a cache past its bound, is not flat", () => {
  const leaking = judgeSoak(run((t) => 6 + (t / 3600) * 6));
  assert.ok((leaking.drift_pct.cometbft_heap_rest ?? 0) > 25);
  assert.equal(leaking.flat, false);
  const bound = BLOCK_CACHE_BOUND_BYTES / 1048576;
  const unbounded = judgeSoak(
    run(
      () => 6,
      (t) => (t / 3600) * (bound + 1),
    ),
  );
  assert.equal(unbounded.drift_pct.cometbft_heap_rest, 0);
  assert.equal(unbounded.flat, false, "a block cache over its bound");
});

test("soak verdict: without heap profiles CometBFT's whole RSS and live heap are judged", () => {
  const rec = run(() => 6);
  for (const s of rec.samples) delete s.cometbft_heap;
  const r = judgeSoak(rec);
  assert.ok(r.judged.includes("cometbft_rss") && r.judged.includes("cometbft_live_heap"));
  assert.equal(r.drift_pct.cometbft_heap_rest, undefined);
  assert.equal(r.flat, false);
});
