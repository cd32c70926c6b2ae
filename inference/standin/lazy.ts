/**
 * Lazy answers for the devnet's lazy inference nodes, each a transformation of the stand-in's bundled
 * data, so that `poq devnet --lazy-nodes N --lazy-kind K` shows how the incentives treat each kind:
 *
 * - `wrong`: a fluent, confident answer to a different bundled question (what a node that does not
 *   run the model but replays stored text returns); a single-answer judge may like its fluency, its
 *   honest peers disagree with it;
 * - `template`: polite filler that answers nothing;
 * - `keyword`: the prompt's own words strung together (keyword stuffing);
 * - `short`: the first few words of the right answer (a truncated, cheap generation).
 */
import { STANDIN_QA, type StandinQa } from "./qa-data.js";

export const LAZY_KINDS = ["wrong", "template", "keyword", "short"] as const;
export type LazyKind = (typeof LAZY_KINDS)[number];

const TEMPLATES = [
  "That is a great question. There are many factors to consider, and the answer depends on the context and on your specific situation.",
  "Thank you for asking. This is a complex topic with many different aspects, and it is best to keep an open mind.",
  "I'm sorry, but I can't help with that request right now.",
];

const STOP = new Set([
  "the",
  "a",
  "an",
  "is",
  "are",
  "of",
  "to",
  "in",
  "on",
  "and",
  "what",
  "why",
  "how",
  "do",
  "does",
  "i",
]);
const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** A stable small hash of the prompt, so a lazy node answers the same prompt the same way. */
function promptHash(prompt: string): number {
  let h = 0;
  for (const ch of prompt) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/** Index of the bundled question sharing the most words with `prompt` (-1: none shares any). */
function closest(prompt: string, qa: readonly StandinQa[]): number {
  const asked = new Set(words(prompt));
  let best = -1;
  let bestShared = 0;
  qa.forEach((row, i) => {
    const shared = words(row.prompt).filter((w) => asked.has(w)).length;
    if (shared > bestShared) {
      best = i;
      bestShared = shared;
    }
  });
  return best;
}

/**
 * The lazy answer of `kind` to `prompt`, given the right answer (`right`, the stand-in's).
 *
 * @example
 * lazyAnswer("short", "Why is the sky blue?", "Sunlight contains all visible colours, ..."); // "Sunlight contains all visible colours,"
 */
export function lazyAnswer(
  kind: LazyKind,
  prompt: string,
  right: string,
  qa: readonly StandinQa[] = STANDIN_QA,
): string {
  const h = promptHash(prompt);
  switch (kind) {
    case "template":
      return TEMPLATES[h % TEMPLATES.length] as string;
    case "keyword": {
      const keys = [...new Set(words(prompt).filter((w) => !STOP.has(w)))];
      return `${keys.join(" ")} ${keys.slice().reverse().join(" ")}`.trim() || "keywords";
    }
    case "short":
      return right.split(/\s+/).slice(0, 5).join(" ");
    case "wrong": {
      // Another bundled question's answer, chosen away from the right one.
      const at = closest(prompt, qa);
      const offset = 1 + (h % Math.max(1, qa.length - 1));
      const other = qa[(Math.max(at, 0) + offset) % qa.length];
      return other && other.answer !== right ? other.answer : (TEMPLATES[0] as string);
    }
  }
}
