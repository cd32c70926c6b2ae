/**
 * `poq bench evaluator`: latency, throughput, load time and memory of the quality evaluator, and its
 * ROC AUC on the quality dev set next to the word-overlap baseline.
 */
import { cpus, loadavg } from "node:os";
import { Command } from "commander";
import { DEFAULT_BATCH_TOKENS } from "../models/batching.js";
import { createEvaluator, type Evaluator, type ScorePair } from "../models/evaluator.js";
import { loadTokenizer } from "../models/tokenize.js";
import { manifestFile, resolveModelDir, loadManifest, DEFAULT_MODEL_ID } from "../models/manifest.js";
import { aucByVariant, loadDevSet, wordOverlapScore } from "../test/fixtures/quality/devset.js";
import {
  calibrate,
  formatHardReport,
  loadHardSet,
  reportMode,
  scoreHardSet,
  type Calibration,
  type ModeReport,
} from "./quality-hard.js";
import { percentile } from "./stats.js";

/** Options of {@link runEvaluatorBench}. */
export interface EvaluatorBenchOptions {
  readonly modelId?: string;
  readonly modelDir?: string;
  /** Timed single-pair runs (default 50). */
  readonly iterations?: number;
  /** Pairs scored for the throughput figure (default 128). */
  readonly throughputPairs?: number;
  /** Tokens of the single pair, prompt and response together (default 256). */
  readonly pairTokens?: number;
  /** Also score the dev set and report AUC (default true). */
  readonly quality?: boolean;
}

/** Wall and CPU time percentiles of a timed series, in milliseconds. */
export interface LatencyFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * Median CPU time of this process per call. With one intra-op thread it is what an idle core takes;
   * on a shared machine the wall time also includes waiting for a core (see `loadAverage`).
   */
  readonly cpuP50Ms: number;
  readonly iterations: number;
}

/** The figures. Times in milliseconds. */
export interface EvaluatorBenchResult {
  readonly model: string;
  readonly loadMs: number;
  readonly pairTokens: number;
  readonly singleThread: LatencyFigures;
  /** One thread, one dev-set good pair at a time (typical lengths), when `quality` ran. */
  readonly devSetSingleThread?: LatencyFigures & { readonly meanTokens: number };
  /** 1-minute load average and core count when the bench started: contention makes wall times noisy. */
  readonly loadAverage: number;
  readonly cores: number;
  /**
   * Throughput on 2 cores as validators score: two single-thread sessions in parallel (worker threads,
   * the default of a validator on 2 cores), and for comparison one session with 2 intra-op threads.
   */
  readonly batched: {
    readonly threads: 2;
    readonly sessions: 2;
    readonly maxBatch: number;
    readonly maxBatchTokens: number;
    readonly pairs: number;
    /** Median of `rounds` (a busy neighbour can slow one round). */
    readonly pairsPerSecond: number;
    readonly rounds: readonly number[];
    /** Throughput on the dev set's pairs (typical lengths, shared prompts), when `quality` ran. */
    readonly devSetPairsPerSecond?: number;
    /** The same pairs on one session with 2 intra-op threads (the former default): median of rounds. */
    readonly intraOpPairsPerSecond: number;
    readonly intraOpRounds: readonly number[];
  };
  readonly rssMb: number;
  readonly auc?: { readonly model: Record<string, number>; readonly wordOverlap: Record<string, number> };
}

/** Rounds of the throughput figure; the median is reported. */
const THROUGHPUT_ROUNDS = 3;

/** Pairs per second of `rounds` runs of `pairs` through `ev`, after one warm-up batch. */
async function throughput(ev: Evaluator, pairs: readonly ScorePair[], warm: number, rounds: number) {
  await ev.scoreBatch(pairs.slice(0, warm));
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = performance.now();
    await ev.scoreBatch(pairs);
    out.push(pairs.length / ((performance.now() - s) / 1000));
  }
  return {
    rounds: out,
    median: percentile(
      [...out].sort((a, b) => a - b),
      50,
    ),
  };
}

/** Times `run` once per item (after `warm` untimed calls), wall and process CPU time. */
async function timeCalls<T>(items: readonly T[], warm: number, run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < warm && items.length > 0; i++) await run(items[i % items.length] as T);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const item of items) {
    const c = process.cpuUsage();
    const s = performance.now();
    await run(item);
    wall.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    p50Ms: percentile(wall, 50),
    p99Ms: percentile(wall, 99),
    cpuP50Ms: percentile(cpu, 50),
    iterations: items.length,
  };
}

/** A (prompt, response) pair of about `tokens` tokens, a quarter of them prompt. */
function pairOfTokens(tokens: number, modelDir: string): ScorePair {
  const tok = loadTokenizer(manifestFile(modelDir, loadManifest(modelDir), "tokenizer"));
  const sentence =
    "Sunlight is scattered by the molecules of the air, and the short blue wavelengths scatter far more than red ones. ";
  const grow = (budget: number) => {
    let text = "";
    while (tok.countTokens(text + sentence) <= budget) text += sentence;
    return text.trim();
  };
  return {
    prompt: grow(Math.floor(tokens / 4) - 2) || "Why is the sky blue?",
    response: grow(tokens - Math.floor(tokens / 4) - 2),
  };
}

/**
 * Runs the benchmark in this process: throughput on two sessions (and RSS) first, then latency on one
 * thread, then throughput on one session with two threads, for comparison.
 *
 * @example
 * const r = await runEvaluatorBench({ iterations: 20 });
 * console.log(r.singleThread.p50Ms, r.batched.pairsPerSecond);
 */
export async function runEvaluatorBench(opts: EvaluatorBenchOptions = {}): Promise<EvaluatorBenchResult> {
  const modelDir = opts.modelDir ?? resolveModelDir(opts.modelId ?? DEFAULT_MODEL_ID);
  const iterations = opts.iterations ?? 50;
  const pairTokens = opts.pairTokens ?? 256;
  const pair = pairOfTokens(pairTokens, modelDir);

  const loadAverage = loadavg()[0] ?? 0;
  // Two sessions first, so that the process's RSS is theirs (what a validator's evaluator holds).
  const maxBatch = 16;
  const n = opts.throughputPairs ?? 128;
  // Distinct responses so that the bi-encoder cannot reuse embeddings.
  const pairs = Array.from({ length: n }, (_, i) => ({
    prompt: pair.prompt,
    response: `${i}. ${pair.response}`,
  }));
  const two = await createEvaluator({ modelDir, threads: 1, sessions: 2, maxBatch });
  let parallel: Awaited<ReturnType<typeof throughput>>;
  let auc: EvaluatorBenchResult["auc"];
  let devSetPairsPerSecond: number | undefined;
  let rssMb: number;
  try {
    parallel = await throughput(two, pairs, maxBatch, THROUGHPUT_ROUNDS);
    if (opts.quality !== false) {
      const dev = loadDevSet();
      const ds = performance.now();
      const scores = await two.scoreBatch(dev.map((e) => ({ prompt: e.prompt, response: e.response })));
      devSetPairsPerSecond = dev.length / ((performance.now() - ds) / 1000);
      auc = {
        model: aucByVariant(dev, scores),
        wordOverlap: aucByVariant(
          dev,
          dev.map((e) => wordOverlapScore(e.prompt, e.response)),
        ),
      };
    }
    // A validator's scoring sessions: both loaded, a batch's activations allocated in each.
    rssMb = process.memoryUsage().rss / 2 ** 20;
  } finally {
    await two.close();
  }
  const t0 = performance.now();
  const one = await createEvaluator({ modelDir, threads: 1, maxBatch: 16 });
  const loadMs = performance.now() - t0;
  let singleThread: LatencyFigures;
  let devSetSingleThread: EvaluatorBenchResult["devSetSingleThread"];
  try {
    singleThread = await timeCalls(
      Array.from({ length: iterations }, () => pair),
      3,
      (p) => one.score(p.prompt, p.response),
    );
    if (opts.quality !== false) {
      const good = loadDevSet().filter((e) => e.variant === "good");
      const tok = loadTokenizer(manifestFile(modelDir, loadManifest(modelDir), "tokenizer"));
      const tokens = good.map((e) => tok.countTokens(e.prompt) + tok.countTokens(e.response) + 4);
      devSetSingleThread = {
        ...(await timeCalls(good, 3, (e) => one.score(e.prompt, e.response))),
        meanTokens: tokens.reduce((a, b) => a + b, 0) / Math.max(1, tokens.length),
      };
    }
  } finally {
    await one.close();
  }

  const intra = await createEvaluator({ modelDir, threads: 2, maxBatch });
  let intraOp: Awaited<ReturnType<typeof throughput>>;
  try {
    intraOp = await throughput(intra, pairs, maxBatch, THROUGHPUT_ROUNDS);
  } finally {
    await intra.close();
  }
  return {
    model: loadManifest(modelDir).id,
    loadMs,
    pairTokens,
    singleThread,
    ...(devSetSingleThread ? { devSetSingleThread } : {}),
    loadAverage,
    cores: cpus().length,
    batched: {
      threads: 2,
      sessions: 2,
      maxBatch,
      maxBatchTokens: DEFAULT_BATCH_TOKENS,
      pairs: n,
      pairsPerSecond: parallel.median,
      rounds: parallel.rounds,
      ...(devSetPairsPerSecond !== undefined ? { devSetPairsPerSecond } : {}),
      intraOpPairsPerSecond: intraOp.median,
      intraOpRounds: intraOp.rounds,
    },
    rssMb,
    ...(auc ? { auc } : {}),
  };
}

/**
 * The hard quality set in single and in peer mode (two threads).
 *
 * @example
 * const r = await runHardQualityBench({ split: "test" });
 * r.single.aucByCheat.keyword; // 0.97
 */
export async function runHardQualityBench(opts: {
  readonly modelId?: string;
  readonly modelDir?: string;
  readonly split: "dev" | "test";
}): Promise<{
  model: string;
  split: string;
  prompts: number;
  single: ModeReport;
  peer: ModeReport;
  text: string;
}> {
  const modelDir = opts.modelDir ?? resolveModelDir(opts.modelId ?? DEFAULT_MODEL_ID);
  const items = loadHardSet(opts.split);
  const ev = await createEvaluator({ modelDir, threads: 1, sessions: 2, maxBatch: 16 });
  try {
    const single = reportMode(await scoreHardSet(ev, items, false));
    const peer = reportMode(await scoreHardSet(ev, items, true));
    const text = `model ${ev.manifest.id}\n` + formatHardReport(opts.split, items.length, single, peer);
    return { model: ev.manifest.id, split: opts.split, prompts: items.length, single, peer, text };
  } finally {
    await ev.close();
  }
}

function formatCalibration(model: string, c: Calibration): string {
  const head = (name: string, h: Calibration["single"]) =>
    `${name}: honest median ${h.honestMedian.toFixed(2)}, cheat median ${h.cheatMedian.toFixed(2)}, ` +
    `honest p25 ${h.honestP25.toFixed(2)} -> offset ${h.offset.toFixed(1)}, temperature ${h.temperature.toFixed(1)}`;
  return [
    `model ${model}, dev split (calibration recipe, models/README.md)`,
    head("quality head", c.single),
    head("agreement head", c.peer),
  ].join("\n");
}

function formatResult(r: EvaluatorBenchResult): string {
  const lines = [
    `model ${r.model}   (load average ${r.loadAverage.toFixed(1)} on ${r.cores} cores: wall times include waiting for a core)`,
    `load                 ${r.loadMs.toFixed(0)} ms            (target <= 2000)`,
    `single pair (${r.pairTokens} tok) p50 ${r.singleThread.p50Ms.toFixed(1)} ms  p99 ${r.singleThread.p99Ms.toFixed(1)} ms  cpu p50 ${r.singleThread.cpuP50Ms.toFixed(1)} ms  (1 thread, target p50 <= 30)`,
    ...(r.devSetSingleThread
      ? [
          `dev-set pair (~${r.devSetSingleThread.meanTokens.toFixed(0)} tok) p50 ${r.devSetSingleThread.p50Ms.toFixed(1)} ms  p99 ${r.devSetSingleThread.p99Ms.toFixed(1)} ms  cpu p50 ${r.devSetSingleThread.cpuP50Ms.toFixed(1)} ms  (1 thread)`,
        ]
      : []),
    `batched, 2 cores     ${r.batched.pairsPerSecond.toFixed(1)} pairs/s      (2 sessions x 1 thread, batch <= ${r.batched.maxBatch} and <= ${r.batched.maxBatchTokens} tokens, median of ${r.batched.rounds.map((x) => x.toFixed(0)).join(", ")}; target >= 60)`,
    `  1 session x 2 threads ${r.batched.intraOpPairsPerSecond.toFixed(1)} pairs/s   (median of ${r.batched.intraOpRounds.map((x) => x.toFixed(0)).join(", ")})`,
    ...(r.batched.devSetPairsPerSecond !== undefined
      ? [`batched, dev-set pairs ${r.batched.devSetPairsPerSecond.toFixed(1)} pairs/s`]
      : []),
    `rss                  ${r.rssMb.toFixed(0)} MB            (2 sessions loaded; target <= 400)`,
  ];
  if (r.auc) {
    lines.push("ROC AUC, good vs lazy   model   word-overlap");
    for (const k of Object.keys(r.auc.model)) {
      lines.push(
        `  ${k.padEnd(20)} ${(r.auc.model[k] ?? 0).toFixed(3)}   ${(r.auc.wordOverlap[k] ?? 0).toFixed(3)}`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The `evaluator` subcommand of `poq bench`.
 *
 * @example
 * await benchEvaluatorCommand().parseAsync(["--iterations", "20"], { from: "user" });
 */
export function benchEvaluatorCommand(): Command {
  return new Command("evaluator")
    .description(
      "evaluator latency (1 thread), batched throughput (2 sessions), load time, RSS and dev-set AUC",
    )
    .option("--model <id>", "model id", DEFAULT_MODEL_ID)
    .option("--model-dir <dir>", "a model directory (wins over --model)")
    .option("--iterations <n>", "timed single-pair runs", (v) => Number.parseInt(v, 10), 50)
    .option("--pairs <n>", "pairs for the throughput figure", (v) => Number.parseInt(v, 10), 128)
    .option("--json", "print JSON")
    .option("--quality", "only the hard quality set: AUC per cheat kind, single and peer mode")
    .option("--split <name>", "hard-set split for --quality: test or dev", "test")
    .option(
      "--calibrate",
      "only the judge's calibration on the dev split: logit medians and the offset/temperature the recipe gives",
    )
    .action(async function (this: Command) {
      const o = this.opts<{
        model: string;
        modelDir?: string;
        iterations: number;
        pairs: number;
        json?: boolean;
        quality?: boolean;
        calibrate?: boolean;
        split: string;
      }>();
      const json = o.json === true || this.optsWithGlobals<{ output?: string }>().output === "json";
      if (o.calibrate === true) {
        const modelDir = o.modelDir ?? resolveModelDir(o.model);
        const ev = await createEvaluator({ modelDir, threads: 1, sessions: 2, maxBatch: 16 });
        try {
          const c = await calibrate(ev, loadHardSet("dev"));
          process.stdout.write(
            (json ? JSON.stringify(c, null, 2) : formatCalibration(ev.manifest.id, c)) + "\n",
          );
        } finally {
          await ev.close();
        }
        return;
      }
      if (o.quality === true) {
        if (o.split !== "test" && o.split !== "dev") throw new Error("--split must be test or dev");
        const r = await runHardQualityBench({
          modelId: o.model,
          split: o.split,
          ...(o.modelDir !== undefined ? { modelDir: o.modelDir } : {}),
        });
        process.stdout.write((json ? JSON.stringify(r, null, 2) : r.text) + "\n");
        return;
      }
      const r = await runEvaluatorBench({
        modelId: o.model,
        iterations: o.iterations,
        throughputPairs: o.pairs,
        ...(o.modelDir !== undefined ? { modelDir: o.modelDir } : {}),
      });
      process.stdout.write((json ? JSON.stringify(r, null, 2) : formatResult(r)) + "\n");
    });
}
