/**
 * How closely a smaller evaluator follows a reference one: Spearman rank correlation of their raw
 * outputs (cosines or logits) over the dev set's pairs plus cross pairs (each prompt with three other
 * prompts' good answers), and each model's ROC AUC of the raw output alone (no text features).
 *
 * This is how the layers of the default model were chosen (models/README.md): among the 3-layer
 * subsets of all-MiniLM-L6-v2, the one whose cosines rank pairs most like the full model's. The
 * criterion uses no good/lazy labels, so the choice is not tuned to the AUC the dev set reports.
 * It also prints the two dev-set quantiles a bi-encoder manifest's `low`/`high` are rounded from: the
 * off-topic answers' 95th-percentile cosine and the good answers' 5th-percentile cosine.
 *
 * Usage: node dist/bench/model-agreement.js --reference models/all-minilm-l6-v2 DIR [DIR ...]
 */
import { createEvaluator, type ScorePair } from "../models/evaluator.js";
import { aucByVariant, loadDevSet, type Variant } from "../test/fixtures/quality/devset.js";
import { percentile } from "./stats.js";

/** Ranks with ties averaged (1-based). */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]!.v === order[s]!.v) e++;
    for (let k = s; k <= e; k++) out[order[k]!.i] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation of two equally long series.
 *
 * @example
 * spearman([1, 2, 3], [10, 20, 30]); // 1
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    const x = ra[i]! - mean;
    const y = rb[i]! - mean;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return num / Math.sqrt(da * db);
}

/** The pairs compared: every dev-set pair, then each prompt with the good answers of the next three prompts. */
export function agreementPairs(): ScorePair[] {
  const dev = loadDevSet();
  const good = dev.filter((e) => e.variant === "good");
  const cross = good.flatMap((e, i) =>
    [1, 2, 3].map((k) => ({ prompt: e.prompt, response: good[(i + k) % good.length]!.response })),
  );
  return [...dev.map((e) => ({ prompt: e.prompt, response: e.response })), ...cross];
}

async function rawOutputs(modelDir: string, pairs: readonly ScorePair[]): Promise<number[]> {
  const ev = await createEvaluator({ modelDir, threads: 2 });
  try {
    return (await ev.explainBatch(pairs)).map((d) => d.raw);
  } finally {
    await ev.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--reference");
  if (at < 0 || args[at + 1] === undefined || args.length < 3) {
    process.stderr.write("usage: node dist/bench/model-agreement.js --reference DIR DIR [DIR ...]\n");
    process.exit(2);
  }
  const reference = args[at + 1]!;
  const others = args.filter((_, i) => i !== at && i !== at + 1);
  const pairs = agreementPairs();
  const dev = loadDevSet();
  const ref = await rawOutputs(reference, pairs);
  for (const dir of [reference, ...others]) {
    const raw = dir === reference ? ref : await rawOutputs(dir, pairs);
    const auc = aucByVariant(dev, raw.slice(0, dev.length));
    const of = (variant: Variant) =>
      raw
        .slice(0, dev.length)
        .filter((_, i) => dev[i]!.variant === variant)
        .sort((a, b) => a - b);
    process.stdout.write(
      JSON.stringify({
        model: dir,
        spearman: Number(spearman(ref, raw).toFixed(4)),
        rawAuc: Object.fromEntries(Object.entries(auc).map(([k, v]) => [k, Number(v.toFixed(3))])),
        offTopicP95: Number(percentile(of("off-topic"), 95).toFixed(3)),
        goodP5: Number(percentile(of("good"), 5).toFixed(3)),
        pairs: pairs.length,
      }) + "\n",
    );
  }
}

if (process.argv[1]?.endsWith("model-agreement.js")) await main();
