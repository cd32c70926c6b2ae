/**
 * `poq bench evaluator --quality`: ROC AUC of honest answers against each cheat kind of issue 11 on the
 * project's hard quality set (test/fixtures/quality-hard/, built by scripts/build-quality-data.py), in
 * single mode and in peer mode (each answer judged with two honest answers to the same prompt as peers).
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Evaluator, ScorePair } from "../models/evaluator.js";

/** One prompt of the hard set with its honest answers and its cheats, by kind. */
export interface HardItem {
  readonly id: number;
  readonly source: string;
  readonly prompt: string;
  readonly honest: Readonly<Record<string, string>>;
  readonly cheats: Readonly<Record<string, readonly string[]>>;
}

/** The cheat kinds of issue 11, in report order. */
export const CHEAT_KINDS = ["wrong", "contradiction", "keyword", "generic", "neighbour", "shallow"] as const;

/** Reads a split (`dev` or `test`) of the hard set. */
export function loadHardSet(split: "dev" | "test"): HardItem[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(join("dist", "bench")) ? resolve(here, "..", "..") : resolve(here, "..");
  const text = readFileSync(join(root, "test", "fixtures", "quality-hard", `${split}.jsonl`), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as HardItem);
}

/** ROC AUC (Mann-Whitney, ties count one half) of `pos` scores above `neg` scores. */
export function auc(pos: readonly number[], neg: readonly number[]): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  const all = [...pos.map((s) => ({ s, p: 1 })), ...neg.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]?.s === all[i]?.s) j++;
    const mid = (i + j + 1) / 2; // average 1-based rank of the tie group
    for (let k = i; k < j; k++) if (all[k]?.p === 1) rankSum += mid;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** Scores of one mode: honest answers by positive kind, cheats by cheat kind, and both per prompt. */
export interface ModeScores {
  readonly honest: Record<string, number[]>;
  readonly cheats: Record<string, number[]>;
  readonly byPrompt: ReadonlyArray<{ honest: number[]; cheats: Record<string, number[]> }>;
}

/** The figures of one mode. */
export interface ModeReport {
  /** AUC of all honest answers against each cheat kind. */
  readonly aucByCheat: Record<string, number>;
  /** AUC of each positive kind against all cheats (are concise, code, list... above the cheats?). */
  readonly aucByPositive: Record<string, number>;
  /** Median score per kind (graded pay). */
  readonly median: Record<string, number>;
  /**
   * Prompts with three or more honest answers (of different lengths: full, concise, paraphrase...): the
   * lowest honest score of each prompt, its median and 10th percentile, and the share of prompts whose
   * honest answers all score >= 7500 (in peer mode each is judged with two of the others as peers).
   */
  readonly lowestHonest: { prompts: number; median: number; p10: number; allHigh: number };
  /** Share of the wrong and contradicting answers that score below every honest answer of their prompt. */
  readonly belowHonest: number;
}

/** Peers of an answer in peer mode: two honest answers of the same prompt other than itself. */
function honestPeers(item: HardItem, except: string | null): string[] {
  return Object.keys(item.honest)
    .sort()
    .filter((k) => k !== except)
    .slice(0, 2)
    .map((k) => item.honest[k] as string);
}

/** Scores every honest answer and cheat of `items`, alone or with two honest peers each. */
export async function scoreHardSet(
  ev: Evaluator,
  items: readonly HardItem[],
  peers: boolean,
): Promise<ModeScores> {
  const pairs: ScorePair[] = [];
  const where: Array<{ honest: boolean; kind: string; item: number }> = [];
  for (const [item, it] of items.entries()) {
    for (const [kind, text] of Object.entries(it.honest)) {
      pairs.push({ prompt: it.prompt, response: text, ...(peers ? { peers: honestPeers(it, kind) } : {}) });
      where.push({ honest: true, kind, item });
    }
    for (const [kind, texts] of Object.entries(it.cheats)) {
      for (const text of texts) {
        pairs.push({ prompt: it.prompt, response: text, ...(peers ? { peers: honestPeers(it, null) } : {}) });
        where.push({ honest: false, kind, item });
      }
    }
  }
  const scores: number[] = [];
  for (let i = 0; i < pairs.length; i += 256) scores.push(...(await ev.scoreBatch(pairs.slice(i, i + 256))));
  const byPrompt = items.map(() => ({ honest: [] as number[], cheats: {} as Record<string, number[]> }));
  const out: ModeScores = { honest: {}, cheats: {}, byPrompt };
  where.forEach((w, i) => {
    const bucket = w.honest ? out.honest : out.cheats;
    (bucket[w.kind] ??= []).push(scores[i] as number);
    const mine = byPrompt[w.item] as ModeScores["byPrompt"][number];
    if (w.honest) mine.honest.push(scores[i] as number);
    else (mine.cheats[w.kind] ??= []).push(scores[i] as number);
  });
  return out;
}

/** The element at `q` of the sorted values, index floor((n - 1) * q); NaN for none. */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) * q)] as number);
}

/** The lower median (the middle element, or the lower of the two middle ones). */
function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** AUCs and medians of one mode's scores. */
export function reportMode(m: ModeScores): ModeReport {
  const honest = Object.values(m.honest).flat();
  const cheats = Object.values(m.cheats).flat();
  const aucByCheat: Record<string, number> = {};
  for (const k of CHEAT_KINDS) aucByCheat[k] = auc(honest, m.cheats[k] ?? []);
  aucByCheat.all = auc(honest, cheats);
  const aucByPositive: Record<string, number> = {};
  for (const k of Object.keys(m.honest).sort()) aucByPositive[k] = auc(m.honest[k] ?? [], cheats);
  const med: Record<string, number> = {};
  for (const [k, v] of [...Object.entries(m.honest), ...Object.entries(m.cheats)]) med[k] = median(v);
  const lows = m.byPrompt.filter((p) => p.honest.length >= 3).map((p) => Math.min(...p.honest));
  const sorted = [...lows].sort((a, b) => a - b);
  const lowestHonest = {
    prompts: lows.length,
    median: median(lows),
    p10: sorted[Math.floor((sorted.length - 1) / 10)] ?? Number.NaN,
    allHigh: lows.filter((x) => x >= 7500).length / Math.max(1, lows.length),
  };
  let below = 0;
  let minority = 0;
  for (const p of m.byPrompt) {
    for (const s of [...(p.cheats.wrong ?? []), ...(p.cheats.contradiction ?? [])]) {
      minority++;
      if (p.honest.every((h) => s < h)) below++;
    }
  }
  return { aucByCheat, aucByPositive, median: med, lowestHonest, belowHonest: below / Math.max(1, minority) };
}

/** The table `poq bench evaluator --quality` prints. */
export function formatHardReport(
  split: string,
  prompts: number,
  single: ModeReport,
  peer: ModeReport,
): string {
  const f = (x: number | undefined) =>
    x === undefined || Number.isNaN(x) ? "   -  " : x.toFixed(3).padStart(6);
  const m = (x: number | undefined) => (x === undefined ? "    -" : String(x).padStart(5));
  const lines = [
    `hard quality set, ${split} split: ${prompts} prompts (test/fixtures/quality-hard/${split}.jsonl)`,
    "AUC, honest answers vs cheat kind   single   peer (2 honest peers)   median bp single / peer",
  ];
  for (const k of [...CHEAT_KINDS, "all"]) {
    lines.push(
      `  ${k.padEnd(32)} ${f(single.aucByCheat[k])}   ${f(peer.aucByCheat[k])}                ${m(single.median[k])} / ${m(peer.median[k])}`,
    );
  }
  lines.push("AUC, positive kind vs all cheats");
  for (const k of Object.keys(single.aucByPositive)) {
    lines.push(
      `  ${k.padEnd(32)} ${f(single.aucByPositive[k])}   ${f(peer.aucByPositive[k])}                ${m(single.median[k])} / ${m(peer.median[k])}`,
    );
  }
  const low = (r: ModeReport) =>
    `median ${r.lowestHonest.median}, p10 ${r.lowestHonest.p10}, all >= 7500: ${(100 * r.lowestHonest.allHigh).toFixed(0)}%`;
  lines.push(
    `lowest honest answer of each prompt with >= 3 (${single.lowestHonest.prompts} prompts): single ${low(single)}; peer ${low(peer)}`,
    `wrong or contradicting answers below every honest answer of their prompt: single ${(100 * single.belowHonest).toFixed(1)}%, peer ${(100 * peer.belowHonest).toFixed(1)}%`,
  );
  return lines.join("\n");
}

/** The judge's calibration figures on a split: raw logits of each head, and the values the recipe gives. */
export interface Calibration {
  readonly single: HeadCalibration;
  readonly peer: HeadCalibration;
}

/** One head: medians of the honest and the cheat logits, the honest 25th percentile, and the rule's values. */
export interface HeadCalibration {
  readonly honestMedian: number;
  readonly cheatMedian: number;
  readonly honestP25: number;
  /** The midpoint of the two medians, rounded to 0.1. */
  readonly offset: number;
  /** Maps the honest 25th percentile to 0.8: (p25 - offset) / ln 4, rounded to 0.1. */
  readonly temperature: number;
}

function headCalibration(honest: readonly number[], cheats: readonly number[]): HeadCalibration {
  const honestMedian = quantile(honest, 0.5);
  const cheatMedian = quantile(cheats, 0.5);
  const honestP25 = quantile(honest, 0.25);
  const offset = Math.round(((honestMedian + cheatMedian) / 2) * 10) / 10;
  const temperature = Math.round(((honestP25 - offset) / Math.log(4)) * 10) / 10;
  return { honestMedian, cheatMedian, honestP25, offset, temperature };
}

/**
 * The calibration recipe of models/README.md ("Scoring rule of the judge"), run on `items` (the dev split):
 * the quality head's raw logit of every honest answer and cheat, and the agreement head's logit of every
 * honest answer against one other honest answer (agreeing) and of every wrong, contradicting or neighbour
 * answer against one honest answer (disagreeing). The agreement logit is read back from the score detail
 * of a one-peer pair (the inverse of the manifest's sigmoid), so the evaluator is the shipped one.
 *
 * @example
 * const c = await calibrate(ev, loadHardSet("dev"));
 * c.single.offset; // -1
 */
export async function calibrate(ev: Evaluator, items: readonly HardItem[]): Promise<Calibration> {
  const peerScoring = "peer" in ev.manifest.scoring ? ev.manifest.scoring.peer : undefined;
  if (peerScoring === undefined) throw new Error(`${ev.manifest.id} has no peer head to calibrate`);
  const single: ScorePair[] = [];
  const singleHonest: boolean[] = [];
  const peer: ScorePair[] = [];
  const peerHonest: boolean[] = [];
  for (const it of items) {
    const honest = Object.keys(it.honest)
      .sort()
      .map((k) => it.honest[k] as string);
    for (const text of honest) {
      single.push({ prompt: it.prompt, response: text });
      singleHonest.push(true);
    }
    for (const [kind, texts] of Object.entries(it.cheats)) {
      for (const text of texts) {
        single.push({ prompt: it.prompt, response: text });
        singleHonest.push(false);
        if (honest.length > 0 && (kind === "wrong" || kind === "contradiction" || kind === "neighbour")) {
          peer.push({ prompt: it.prompt, response: text, peers: [honest[0] as string] });
          peerHonest.push(false);
        }
      }
    }
    for (let i = 1; i < honest.length; i++) {
      peer.push({ prompt: it.prompt, response: honest[i] as string, peers: [honest[0] as string] });
      peerHonest.push(true);
    }
  }
  const explain = async (pairs: readonly ScorePair[]) => {
    const out = [];
    for (let i = 0; i < pairs.length; i += 256) out.push(...(await ev.explainBatch(pairs.slice(i, i + 256))));
    return out;
  };
  const singleRaw = (await explain(single)).map((d) => d.raw);
  const eps = 1e-7;
  const peerRaw = (await explain(peer)).map((d) => {
    const a = Math.min(1 - eps, Math.max(eps, d.agreement ?? Number.NaN));
    return peerScoring.offset + peerScoring.temperature * Math.log(a / (1 - a));
  });
  const split = (raw: number[], honest: boolean[]) =>
    [raw.filter((_, i) => honest[i]), raw.filter((_, i) => !honest[i])] as const;
  return {
    single: headCalibration(...split(singleRaw, singleHonest)),
    peer: headCalibration(...split(peerRaw, peerHonest)),
  };
}
