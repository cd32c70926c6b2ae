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

/** Scores of one mode: honest answers by positive kind, cheats by cheat kind. */
export interface ModeScores {
  readonly honest: Record<string, number[]>;
  readonly cheats: Record<string, number[]>;
}

/** The figures of one mode. */
export interface ModeReport {
  /** AUC of all honest answers against each cheat kind. */
  readonly aucByCheat: Record<string, number>;
  /** AUC of each positive kind against all cheats (are concise, code, list... above the cheats?). */
  readonly aucByPositive: Record<string, number>;
  /** Median score per kind (graded pay). */
  readonly median: Record<string, number>;
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
  const where: Array<{ honest: boolean; kind: string }> = [];
  for (const it of items) {
    for (const [kind, text] of Object.entries(it.honest)) {
      pairs.push({ prompt: it.prompt, response: text, ...(peers ? { peers: honestPeers(it, kind) } : {}) });
      where.push({ honest: true, kind });
    }
    for (const [kind, texts] of Object.entries(it.cheats)) {
      for (const text of texts) {
        pairs.push({ prompt: it.prompt, response: text, ...(peers ? { peers: honestPeers(it, null) } : {}) });
        where.push({ honest: false, kind });
      }
    }
  }
  const scores: number[] = [];
  for (let i = 0; i < pairs.length; i += 256) scores.push(...(await ev.scoreBatch(pairs.slice(i, i + 256))));
  const out: ModeScores = { honest: {}, cheats: {} };
  where.forEach((w, i) => {
    const bucket = w.honest ? out.honest : out.cheats;
    (bucket[w.kind] ??= []).push(scores[i] as number);
  });
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
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
  return { aucByCheat, aucByPositive, median: med };
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
  return lines.join("\n");
}
