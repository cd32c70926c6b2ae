/**
 * `poq bench soak --minutes 30` (not in CI): the fault bench's devnet (4 validators, stand-in backend,
 * inference nodes) under its steady load of bank sends and inference requests for a while, sampling
 * every `--sample-seconds` each validator's application and CometBFT resident memory, the bench
 * process's own (REST, inference nodes, load), and the mean block time of the interval. Prints a
 * table and a verdict: flat when, after `--warmup-minutes` (start-up: SQLite's page cache and the
 * committed-state read cache filling), the mean of the last third is within `--tolerance` percent of
 * the mean of the first third, for the largest application RSS, the block time, the application's
 * live V8 heap and CometBFT's memory outside its bounded caches, and when no goleveldb block cache
 * exceeds its bound. Drift from the first sample on is reported beside it. Exits 1 when not flat or a
 * tx was lost.
 *
 * CometBFT's memory is read from a heap profile of each node at each sample (bench/go-heap.ts): its
 * goleveldb databases' block caches (8 MiB each) fill for hours as the databases grow and are read,
 * so its RSS and live heap as a whole rise for that long without anything leaking. The verdict reads
 * the heap outside those caches (and the memtables, pooled buffers and the mempool's tx cache, also
 * bounded), the RSS less twice what the filling caches hold (the block caches and the mempool's tx
 * cache: Go lets its heap grow to twice what is live between collections), and checks each block
 * cache against BLOCK_CACHE_BOUND_BYTES; the whole RSS and live heap are reported beside them.
 * bench/RESULTS.md has the profiles this rests on.
 *
 * Usage: nice -n 5 node dist/bench/soak.js [--minutes 30] [--sample-seconds 30] [--tolerance 25]
 * (the soak sets CometBFT's GODEBUG to gctrace=1,memprofilerate=16384 unless given: its collections
 * give the live heap column, and the finer sampling a steady split of each profile.)
 * Ports 27500-27533 and 27590 (`--base-port`, `--rest-port`; each node's pprof at its p2p port + 3).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { blockTimeMs, maxHeight, rssMb, table } from "./fault-checks.js";
import { startFaultNet } from "./fault-net.js";
import { portsFor, pprofPort } from "../network/comet-home.js";
import { BLOCK_CACHE_BOUND_BYTES, boundedBytes, goHeapParts, parseHeapProfile } from "./go-heap.js";
import { startLoad, type LoadFigures } from "./fault-load.js";
import { exitOnSignal, positive } from "./options.js";

export interface SoakOptions {
  minutes?: number;
  sampleSeconds?: number;
  /** Allowed drift of the last third against the first third, in percent. Default 25. */
  tolerance?: number;
  /** Samples in the first minutes are left out of the verdict (caches fill). Default 10. */
  warmupMinutes?: number;
  basePort?: number;
  restPort?: number;
  /**
   * Save each CometBFT's Go heap profile here after the first sample and at the end
   * (`v<i>-<t>s.pb.gz`; compare with `go tool pprof -top -diff_base FIRST LAST`), and a V8 heap
   * snapshot of the last validator's application at the end (`Heap.*.heapsnapshot`, for Chrome
   * DevTools' Memory tab).
   */
  heapProfiles?: string;
  /** With `heapProfiles`: also save CometBFT's heap profiles every this many minutes. */
  profileEveryMinutes?: number;
  say?: (line: string) => void;
}

export interface SoakSample {
  t_s: number;
  height: number;
  /** Mean block time over the interval since the previous sample. */
  block_ms: number;
  committed_txs: number;
  app_rss_mb: (number | undefined)[];
  cometbft_rss_mb: (number | undefined)[];
  /**
   * CometBFT's live Go heap after its last garbage collection, per validator, when the soak runs with
   * `GODEBUG=gctrace=1` (CometBFT then logs each collection to its cometbft.log): tells a growing heap
   * (something kept) from a resident size that only follows the runtime's and LevelDB's caches.
   */
  cometbft_live_heap_mb: (number | undefined)[];
  /**
   * Each application's live V8 heap after its last full collection (the soak starts them with
   * `--trace-gc`): a heap that keeps growing is something kept; a flat one under a rising RSS is
   * the allocator's and the caches' pages.
   */
  app_live_heap_mb?: (number | undefined)[];
  /**
   * Each CometBFT's heap profile split (bench/go-heap.ts): what its bounded caches hold (goleveldb's
   * block caches, memtables and pooled buffers, the mempool's cache) and the rest, in MB.
   */
  cometbft_heap?: (CometHeapMb | undefined)[];
  bench_rss_mb: number;
}

export interface CometHeapMb {
  /** In use outside the bounded caches. */
  rest: number;
  /** In the bounded caches together. */
  bounded: number;
  /** In the caches that fill as the chain grows: goleveldb's block caches and the mempool's tx cache. */
  caches: number;
  /** goleveldb's block cache per database. */
  block_cache: Record<string, number>;
}

export interface Drift {
  app_rss: number;
  cometbft_rss: number;
  block_ms: number;
  app_live_heap?: number;
  cometbft_live_heap?: number;
  /** CometBFT's heap outside its bounded caches (from heap profiles). */
  cometbft_heap_rest?: number;
  /**
   * CometBFT's RSS less twice what its filling caches hold (goleveldb's block caches, the mempool's tx
   * cache; Go lets the heap grow to twice what is live before it collects).
   */
  cometbft_rss_less_caches?: number;
}

export interface SoakResult {
  minutes_run: number;
  samples: SoakSample[];
  /** Last third against first third after the warm-up: what the verdict reads. */
  drift_pct: Drift;
  /** The same from the second sample on, warm-up included (for comparison). */
  drift_from_start_pct: Drift;
  warmup_minutes: number;
  /** The drifts the verdict reads (the others are reported only). */
  judged: (keyof Drift)[];
  /** The largest block cache of any database of any CometBFT in any sample, MB, and its bound. */
  block_cache_max_mb?: number;
  block_cache_bound_mb?: number;
  flat: boolean;
  load: LoadFigures;
  restarts: number[];
}

/** The last `bytes` of a log file as text; undefined when it cannot be read. */
function logTailText(logFile: string, bytes = 256 * 1024): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(logFile, "r");
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, bytes));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString("utf8");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The live heap after the last collection in a Go gctrace log ("gc N @t: ..., A->B->C MB, D MB goal"). */
export function liveHeapMb(logFile: string): number | undefined {
  const all = [...(logTailText(logFile) ?? "").matchAll(/ (\d+)->(\d+)->(\d+) MB, \d+ MB goal/g)];
  const last = all[all.length - 1];
  return last ? Number(last[3]) : undefined;
}

/**
 * The live V8 heap after the last full collection in a Node `--trace-gc --trace-gc-ignore-scavenger`
 * log ("[pid:isolate] t ms: Mark-Compact A (B) -> C (D) MB, ..."): the main thread's, taken as the
 * isolate with the largest heap (the scoring workers' isolates log too, with a few MB each).
 */
export function v8LiveHeapMb(logFile: string): number | undefined {
  const last = new Map<string, number>();
  const pattern =
    /\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/g;
  // The application logs much more than CometBFT, and a quiet heap collects rarely: a longer tail.
  for (const m of (logTailText(logFile, 4 * 1024 * 1024) ?? "").matchAll(pattern))
    last.set(m[1]!, Number(m[2]));
  return last.size === 0 ? undefined : Math.round(Math.max(...last.values()));
}

const maxOf = (xs: (number | undefined)[]): number =>
  Math.max(0, ...xs.filter((x): x is number => x !== undefined));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Percent change of the last third's mean over the first third's. */
function drift(xs: number[]): number {
  const third = Math.max(1, Math.floor(xs.length / 3));
  const first = mean(xs.slice(0, third));
  const last = mean(xs.slice(-third));
  return first === 0 ? 0 : Math.round(((last - first) / first) * 1000) / 10;
}

/** What a run recorded, before the verdict. */
export type SoakRecord = Pick<SoakResult, "minutes_run" | "samples" | "load" | "restarts">;

/**
 * The verdict on a run's samples (see the file's head). Also re-judges a saved run with other
 * options (`poq bench soak --judge RUN.json --warmup-minutes 15`).
 */
export function judgeSoak(
  run: SoakRecord,
  o: Pick<SoakOptions, "tolerance" | "warmupMinutes"> = {},
): SoakResult {
  const { samples, load } = run;
  const warmupMinutes = o.warmupMinutes ?? 10;
  const driftOf = (kept: SoakSample[]): Drift => {
    const appHeaps = kept.map((s) => maxOf(s.app_live_heap_mb ?? []));
    const cometHeaps = kept.map((s) => maxOf(s.cometbft_live_heap_mb));
    const split = kept.every((s) => (s.cometbft_heap ?? []).some((h) => h !== undefined));
    const restHeaps = kept.map((s) => maxOf((s.cometbft_heap ?? []).map((h) => h?.rest)));
    const rssLess = kept.map((s) =>
      maxOf(
        s.cometbft_rss_mb.map((rss, i) => {
          const h = s.cometbft_heap?.[i];
          return rss === undefined || h === undefined ? undefined : rss - 2 * h.caches;
        }),
      ),
    );
    return {
      app_rss: drift(kept.map((s) => maxOf(s.app_rss_mb))),
      cometbft_rss: drift(kept.map((s) => maxOf(s.cometbft_rss_mb))),
      block_ms: drift(kept.map((s) => s.block_ms)),
      ...(appHeaps.every((x) => x > 0) ? { app_live_heap: drift(appHeaps) } : {}),
      ...(cometHeaps.every((x) => x > 0) ? { cometbft_live_heap: drift(cometHeaps) } : {}),
      ...(split ? { cometbft_heap_rest: drift(restHeaps), cometbft_rss_less_caches: drift(rssLess) } : {}),
    };
  };
  const afterWarmup = samples.filter((s) => s.t_s >= warmupMinutes * 60);
  // The first sample includes start-up; a run shorter than its warm-up is judged from the second on.
  const judgedSamples = afterWarmup.length >= 3 ? afterWarmup : samples.slice(1);
  const driftPct = driftOf(judgedSamples);
  const tol = o.tolerance ?? 25;
  // With heap profiles, CometBFT is judged by what is outside its bounded caches, and the caches by
  // their bound; without them, by its RSS and live heap as a whole.
  const split = driftPct.cometbft_heap_rest !== undefined;
  const judged = (Object.keys(driftPct) as (keyof Drift)[]).filter(
    (k) => !split || (k !== "cometbft_rss" && k !== "cometbft_live_heap"),
  );
  const cacheMb = samples.flatMap((s) =>
    (s.cometbft_heap ?? []).flatMap((h) => Object.values(h?.block_cache ?? {})),
  );
  const boundMb = BLOCK_CACHE_BOUND_BYTES / 1048576;
  const cacheMax = cacheMb.length > 0 ? Math.max(...cacheMb) : undefined;
  const flat =
    judged.every((k) => Math.abs(driftPct[k] ?? 0) <= tol) && (cacheMax === undefined || cacheMax <= boundMb);
  return {
    ...run,
    drift_pct: driftPct,
    drift_from_start_pct: driftOf(samples.slice(1)),
    warmup_minutes: judgedSamples === afterWarmup ? warmupMinutes : 0,
    judged,
    ...(cacheMax !== undefined ? { block_cache_max_mb: cacheMax, block_cache_bound_mb: boundMb } : {}),
    flat: flat && load.sends.lost + load.requests.lost === 0,
  };
}

/** One figure of each CometBFT's heap split, `a/b/c/d`. */
const heapsText = (s: SoakSample, pick: (h: CometHeapMb) => number): string =>
  (s.cometbft_heap ?? []).map((h) => (h ? pick(h) : "-")).join("/") || "-";

/** Runs the soak and returns its samples and verdict. */
export async function runSoak(o: SoakOptions = {}): Promise<SoakResult> {
  const say = o.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const minutes = o.minutes ?? 30;
  const every = (o.sampleSeconds ?? 30) * 1000;
  const basePort = o.basePort ?? 27500;
  // CometBFT logs its collections (the live heap column) and samples its heap finely enough
  // (one allocation per 16 KiB instead of 512 KiB) for the split of each profile to be steady.
  const godebug = (process.env.GODEBUG ?? "").split(",").filter((x) => x !== "");
  for (const [key, value] of [
    ["gctrace", "1"],
    ["memprofilerate", "16384"],
  ] as const)
    if (!godebug.some((x) => x.startsWith(`${key}=`))) godebug.push(`${key}=${value}`);
  process.env.GODEBUG = godebug.join(",");
  const fn = await startFaultNet({
    chainId: "poq-soak-1",
    basePort,
    restPort: o.restPort ?? 27590,
    say,
    pprof: true,
    appNodeFlags: [
      "--trace-gc",
      "--trace-gc-ignore-scavenger",
      ...(o.heapProfiles ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${o.heapProfiles}`] : []),
    ],
  });
  /** Each CometBFT's heap split; the profiles are also saved under `heapProfiles` when `save`. */
  const cometHeaps = async (t: number, save: boolean): Promise<(CometHeapMb | undefined)[]> => {
    const out: (CometHeapMb | undefined)[] = [];
    for (let i = 0; i < fn.devnet.network.nodes.length; i++) {
      const url = `http://127.0.0.1:${pprofPort(portsFor(basePort, i))}/debug/pprof/heap`;
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      const bytes = res?.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
      if (!bytes) {
        out.push(undefined);
        continue;
      }
      if (save && o.heapProfiles) {
        mkdirSync(o.heapProfiles, { recursive: true });
        const file = join(o.heapProfiles, `v${i}-${t}s.pb.gz`);
        writeFileSync(file, bytes);
        say(`heap profile of validator ${i}: ${file}`);
      }
      const parts = goHeapParts(parseHeapProfile(bytes));
      const mb = (b: number) => Math.round(b / 104857.6) / 10;
      out.push({
        rest: mb(parts.rest),
        bounded: mb(boundedBytes(parts)),
        caches: mb(Object.values(parts.block_cache).reduce((a, b) => a + b, 0) + parts.mempool_cache),
        block_cache: Object.fromEntries(Object.entries(parts.block_cache).map(([db, b]) => [db, mb(b)])),
      });
    }
    return out;
  };
  // A V8 snapshot pauses its process for seconds and needs about its heap again, which stays
  // resident: one validator, at the end only, so that no sample is disturbed.
  const snapshotApp = (): void => {
    const nodes = fn.devnet.network.nodes;
    const last = nodes[nodes.length - 1]?.app;
    if (o.heapProfiles && last?.running) {
      process.kill(last.pid, "SIGUSR2");
      say(`V8 heap snapshot of validator ${nodes.length - 1}'s application requested into ${o.heapProfiles}`);
    }
  };
  try {
    const { devnet, rpcUrls } = fn;
    const net = devnet.network;
    const account = (name: string) => devnet.accounts.find((a) => a.name === name)!;
    const load = await startLoad({
      chainId: devnet.chainId,
      rpcUrls,
      sender: account("alice"),
      receiver: account("carol").address,
      requester: account("bob"),
      model: devnet.model,
    });
    const t0 = Date.now();
    const samples: SoakSample[] = [];
    let prevHeight = await maxHeight(rpcUrls);
    let prevTime = await blockTimeMs(rpcUrls[0]!, prevHeight);
    while (Date.now() - t0 < minutes * 60_000) {
      await sleep(Math.min(every, minutes * 60_000 - (Date.now() - t0)));
      const height = await maxHeight(rpcUrls);
      const time = await blockTimeMs(rpcUrls[0]!, height).catch(() => prevTime);
      const s: SoakSample = {
        t_s: Math.round((Date.now() - t0) / 1000),
        height: Number(height),
        block_ms: height > prevHeight ? Math.round((time - prevTime) / Number(height - prevHeight)) : 0,
        committed_txs: load.committed,
        app_rss_mb: net.nodes.map((n) => rssMb(n.app?.pid)),
        cometbft_rss_mb: net.nodes.map((n) => rssMb(n.comet?.pid)),
        cometbft_live_heap_mb: net.nodes.map((n) => liveHeapMb(join(n.home, "cometbft.log"))),
        app_live_heap_mb: net.nodes.map((n) => v8LiveHeapMb(join(n.home, "app.log"))),
        bench_rss_mb: Math.round(process.memoryUsage().rss / 1048576),
      };
      // Profiles are saved after the first sample, every `profileEveryMinutes` and at the end.
      const profEvery = (o.profileEveryMinutes ?? 0) * 60;
      const prevT = samples[samples.length - 1]?.t_s ?? 0;
      const save =
        samples.length === 0 ||
        Date.now() - t0 >= minutes * 60_000 ||
        (profEvery > 0 && Math.floor(s.t_s / profEvery) > Math.floor(prevT / profEvery));
      s.cometbft_heap = await cometHeaps(s.t_s, save);
      samples.push(s);
      say(
        `soak ${s.t_s} s: height ${s.height}, block ${s.block_ms} ms, app RSS ${s.app_rss_mb.join("/")} MB, ` +
          `CometBFT RSS ${s.cometbft_rss_mb.join("/")} MB (live Go heap ${s.cometbft_live_heap_mb.map((x) => x ?? "-").join("/")} MB; ` +
          `outside bounded caches ${heapsText(s, (h) => h.rest)} MB, in them ${heapsText(s, (h) => h.bounded)} MB), ` +
          `app live V8 heap ${(s.app_live_heap_mb ?? []).map((x) => x ?? "-").join("/")} MB, ` +
          `bench ${s.bench_rss_mb} MB, ${s.committed_txs} txs`,
      );
      prevHeight = height;
      prevTime = time;
    }
    snapshotApp();
    if (o.heapProfiles) await sleep(15_000); // the snapshot is written before the network stops
    const figures = await load.stop(60_000);
    return judgeSoak(
      {
        minutes_run: Math.round((Date.now() - t0) / 6000) / 10,
        samples,
        load: figures,
        restarts: [...fn.restarts],
      },
      o,
    );
  } finally {
    await fn.stop();
  }
}

/** The samples as a text table, with the verdict. */
export function soakTable(r: SoakResult): string {
  const rows: (string | number)[][] = [
    [
      "t (s)",
      "height",
      "block ms",
      "txs",
      "app RSS MB v0/v1/v2/v3",
      "CometBFT RSS MB",
      "CometBFT live heap MB",
      "outside caches MB",
      "in caches MB",
      "app live heap MB",
      "bench MB",
    ],
  ];
  for (const s of r.samples)
    rows.push([
      s.t_s,
      s.height,
      s.block_ms,
      s.committed_txs,
      s.app_rss_mb.map((x) => x ?? "-").join("/"),
      s.cometbft_rss_mb.map((x) => x ?? "-").join("/"),
      s.cometbft_live_heap_mb.map((x) => x ?? "-").join("/"),
      heapsText(s, (h) => h.rest),
      heapsText(s, (h) => h.bounded),
      (s.app_live_heap_mb ?? []).map((x) => x ?? "-").join("/") || "-",
      s.bench_rss_mb,
    ]);
  const show = (d: Drift): string =>
    `app RSS ${d.app_rss}%, CometBFT RSS ${d.cometbft_rss}%, block time ${d.block_ms}%` +
    (d.app_live_heap !== undefined ? `, app live heap ${d.app_live_heap}%` : "") +
    (d.cometbft_live_heap !== undefined ? `, CometBFT live heap ${d.cometbft_live_heap}%` : "") +
    (d.cometbft_heap_rest !== undefined
      ? `, CometBFT heap outside its bounded caches ${d.cometbft_heap_rest}%` +
        `, CometBFT RSS less twice its filling caches ${d.cometbft_rss_less_caches}%`
      : "");
  return (
    `${table(rows)}\n\nran ${r.minutes_run} min; drift last third vs first third after ${r.warmup_minutes} min ` +
    `of warm-up: ${show(r.drift_pct)} (from the start: ${show(r.drift_from_start_pct)})` +
    `; judged: ${r.judged.join(", ")}` +
    (r.block_cache_max_mb !== undefined
      ? `; largest goleveldb block cache ${r.block_cache_max_mb} MB (bound ${r.block_cache_bound_mb} MB)`
      : "") +
    `; lost txs ${r.load.sends.lost + r.load.requests.lost}; ` +
    `verdict: ${r.flat ? "FLAT" : "NOT FLAT"}`
  );
}

/**
 * The `soak` command of `poq bench`.
 *
 * @example
 * program.addCommand(benchSoakCommand()); // poq bench soak --minutes 30
 */
/** The last JSON line of a run's output. */
function savedRun(file: string): SoakRecord {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "{}") as SoakRecord;
}

export function benchSoakCommand(): Command {
  return new Command("soak")
    .description("devnet under steady load for --minutes: memory and block time sampled, flat or not")
    .option("--minutes <n>", "how long to run", positive("minutes"), 30)
    .option("--sample-seconds <n>", "seconds between samples", positive("sample-seconds"), 30)
    .option("--tolerance <pct>", "allowed drift, percent", positive("tolerance"), 25)
    .option(
      "--warmup-minutes <n>",
      "minutes left out of the verdict while caches fill",
      positive("warmup-minutes"),
      10,
    )
    .option("--base-port <port>", "first of the validators' loopback ports", positive("base-port"), 27500)
    .option("--rest-port <port>", "REST port", positive("rest-port"), 27590)
    .option(
      "--heap-profiles <dir>",
      "save each CometBFT's Go heap profile after the first sample and at the end",
    )
    .option(
      "--profile-every-minutes <n>",
      "with --heap-profiles: also every this many minutes",
      positive("profile-every-minutes"),
    )
    .option("--judge <file>", "judge a saved run (the JSON line a run prints last) instead of running")
    .action(async (opts: SoakOptions & { judge?: string }) => {
      exitOnSignal();
      const r = opts.judge ? judgeSoak(savedRun(opts.judge), opts) : await runSoak(opts);
      process.stdout.write(`${soakTable(r)}\n\n${JSON.stringify(r)}\n`);
      if (!r.flat) process.exitCode = 1;
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchSoakCommand().parseAsync(process.argv);
}
