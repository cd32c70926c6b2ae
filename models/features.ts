/**
 * Cheap deterministic text features ("lazy-v1") that catch what a similarity model cannot: an
 * embedding of the echoed prompt is as close to the prompt as can be, a shuffled good answer ("word
 * salad") embeds almost like the answer, and a truncated answer is still on topic. Each feature is a
 * factor in [0, 1] that multiplies the model's semantic score; all are pure functions of the text.
 *
 * - `length`: very short answers carry less. `min(1, 0.5 + 0.5 * words / 20)`.
 * - `echo`: share of the response's word trigrams (words for responses under 3 words) that also occur
 *   in the prompt. Up to 0.3 is normal restating; at 0.8 and above the answer is a copy.
 *   `1 - 0.95 * clamp((copy - 0.3) / 0.5)`.
 * - `fluency`: word-order violations that fluent English almost never has: an article or possessive
 *   followed by a function word or a sentence end ("the of", "a and", "the."), a preposition followed by
 *   a conjunction, auxiliary or sentence end, a conjunction followed by a conjunction, a doubled word,
 *   a lowercase word right after a sentence end, a capitalised function word inside a sentence
 *   followed by a lowercase word. ("to" is left out: "to be" is an infinitive, not a preposition.)
 *   Rate = violations per word pair; `clamp(1 - (rate - 0.01) / 0.05, 0.05, 1)`.
 * - `ending`: an answer that stops mid-sentence (last character not a sentence end, bracket, quote,
 *   or a list/code line) gets 0.55.
 * Only the first 64 KiB of each text is examined, so megabyte inputs cost the same as long ones.
 */

/** The factors, each in [0, 1], and their product. */
export interface LazyFeatures {
  readonly words: number;
  readonly length: number;
  readonly echo: number;
  readonly fluency: number;
  readonly ending: number;
  readonly factor: number;
}

const MAX_CHARS = 64 * 1024;
const ARTICLES = new Set(["the", "a", "an", "their", "our", "your", "my", "its"]);
const PREPOSITIONS = new Set(
  "of in on at by for with from into onto about over under between through during without within upon among".split(
    " ",
  ),
);
const CONJUNCTIONS = new Set(["and", "or", "but", "nor"]);
const AUXILIARIES = new Set(
  "is are was were be been being am has have had does did will would can could should may might must shall".split(
    " ",
  ),
);
const FUNCTION_WORDS = new Set([...ARTICLES, ...PREPOSITIONS, ...CONJUNCTIONS, ...AUXILIARIES]);
const ALLOWED_DOUBLES = new Set(["that", "had", "very", "bye", "ha", "no"]);

function clamp(x: number, lo = 0, hi = 1): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Lowercase words (letters, digits, apostrophes) of a text. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}']*/gu) ?? [];
}

function trigrams(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 < words.length; i++) out.push(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return out;
}

/** Share of the response copied from the prompt (0 = nothing, 1 = all of it). */
export function copyShare(prompt: string, response: string): number {
  const r = wordsOf(response);
  const p = wordsOf(prompt);
  if (r.length === 0) return 0;
  if (r.length < 3) {
    const ps = new Set(p);
    return r.filter((w) => ps.has(w)).length / r.length;
  }
  const pt = new Set(trigrams(p));
  const rt = trigrams(r);
  return rt.filter((t) => pt.has(t)).length / rt.length;
}

const ENDS_SENTENCE = /[.!?…。！？]["'”’)\]*_`]*$/;
const ABBREVIATION = /^(e\.g|i\.e|etc|vs|mr|mrs|dr|st|no|fig|approx)\.$/i;

/** A token without surrounding punctuation, lowercased ("by-product." → "by-product"). */
function bareWord(token: string): string {
  return token.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

/** Word-order violations per word pair (see the module comment). */
export function saladRate(text: string): number {
  const tokens = text.split(/\s+/).filter((t) => /[\p{L}\p{N}]/u.test(t));
  if (tokens.length < 4) return 0;
  let violations = 0;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const cur = tokens[i] ?? "";
    const next = tokens[i + 1] ?? "";
    const curWord = bareWord(cur);
    const nextWord = bareWord(next);
    const curEnds = ENDS_SENTENCE.test(cur) && !ABBREVIATION.test(cur);
    const curBare = /[\p{L}\p{N}]$/u.test(cur);
    if (ARTICLES.has(curWord) && (!curBare || FUNCTION_WORDS.has(nextWord))) violations++;
    else if (
      PREPOSITIONS.has(curWord) &&
      (curEnds || CONJUNCTIONS.has(nextWord) || AUXILIARIES.has(nextWord))
    )
      violations++;
    else if (CONJUNCTIONS.has(curWord) && curBare && CONJUNCTIONS.has(nextWord)) violations++;
    if (curBare && curWord === nextWord && !ALLOWED_DOUBLES.has(curWord)) violations++;
    if (curEnds && /^["'(“‘]?\p{Ll}/u.test(next)) violations++;
    const nextCapitalFunction =
      /^\p{Lu}\p{Ll}*$/u.test(next.replace(/[^\p{L}]/gu, "")) && FUNCTION_WORDS.has(nextWord);
    // Title case ("in The Lean Startup") is allowed: only a capitalised function word followed by a
    // lowercase word counts.
    const after = tokens[i + 2] ?? "";
    if (!curEnds && !/[:;"“]$/.test(cur) && nextCapitalFunction && /^\p{Ll}/u.test(after)) violations++;
  }
  return violations / (tokens.length - 1);
}

/** Whether the response stops in the middle of a sentence. */
export function endsMidSentence(text: string): boolean {
  const t = text.trimEnd();
  if (t === "") return false;
  if (/[.!?…。！？:)\]}"'”’*`>]$/.test(t)) return false;
  const lastLine = t.slice(t.lastIndexOf("\n") + 1).trim();
  if (/^([-*+]|\d+[.)]|#{1,6})\s/.test(lastLine)) return false;
  const fences = t.match(/```/g)?.length ?? 0;
  return fences % 2 === 0;
}

/**
 * Computes the lazy-answer factors of one (prompt, response) pair.
 *
 * @example
 * lazyFeatures("What is 2+2?", "What is 2+2?").echo; // 0.05: the prompt echoed
 */
export function lazyFeatures(prompt: string, response: string): LazyFeatures {
  const p = prompt.slice(0, MAX_CHARS);
  const r = response.slice(0, MAX_CHARS);
  const words = wordsOf(r).length;
  const length = clamp(0.5 + (0.5 * words) / 20);
  const echo = 1 - 0.95 * clamp((copyShare(p, r) - 0.3) / 0.5);
  const fluency = clamp(1 - (saladRate(r) - 0.01) / 0.05, 0.05, 1);
  const ending = endsMidSentence(response.length > MAX_CHARS ? response.slice(-1024) : r) ? 0.55 : 1;
  return { words, length, echo, fluency, ending, factor: words === 0 ? 0 : length * echo * fluency * ending };
}

/** Question words and other words too common to say what a prompt is about. */
const QUESTION_WORDS = new Set(
  "what which who whom whose when where why how this that these those there here it they them you me i we do not no yes please tell explain give name".split(
    " ",
  ),
);

/** A crude stem: lower case, common English endings cut, so "plants" meets "plant". */
function stem(word: string): string {
  return word.replace(/(ing|ed|es|s|ly)$/u, "");
}

/** Whether the response uses at least one content word (by stem, 2+ letters: "ls") of the prompt. */
export function sharesTopic(prompt: string, response: string): boolean {
  const content = (t: string) =>
    wordsOf(t)
      .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ""))
      .filter((w) => w.length >= 2 && !FUNCTION_WORDS.has(w) && !QUESTION_WORDS.has(w))
      .map(stem);
  const p = new Set(content(prompt));
  return p.size === 0 || content(response).some((w) => p.has(w));
}

/**
 * The text features used with a trained judge (`features: "judge-v1"`). The judge itself learned that
 * "4" answers "What is 2+2?" and that a vague sentence does not, and issue 11 asks that concise answers
 * are not punished, so the length factor of {@link lazyFeatures} is dropped; the echo factor only acts
 * on a near-copy of the prompt (a short answer restates the question: "Paris is the capital of
 * France." shares three of its four word trigrams with "What is the capital of France?"); word salad counts
 * as before; the truncation factor (0.3 here, not 0.55: without the length factor a cut answer lost
 * too little) only for answers of 4 words or more (a bare "Paris" or "100 °C" is an answer,
 * not a sentence cut off). And a topic factor, 0.2 for an answer of 25 words or more that uses none of
 * the prompt's content words: the judge's weakest case on general questions is a long, fluent answer to
 * another question (a recipe for "Why is the sky blue?"), which shares no word with the prompt; shorter
 * answers ("4", "Paris.", a one-line definition that does not repeat the term) are left to the judge.
 *
 * @example
 * judgeFeatures("What is 2+2?", "4").factor; // 1
 */
export function judgeFeatures(prompt: string, response: string): LazyFeatures {
  const f = lazyFeatures(prompt, response);
  const p = prompt.slice(0, MAX_CHARS);
  const r = response.slice(0, MAX_CHARS);
  const echo = 1 - 0.95 * clamp((copyShare(p, r) - 0.85) / 0.15);
  const ending = f.words < 4 || f.ending === 1 ? 1 : 0.3;
  const topic = f.words >= 25 && !sharesTopic(p, r) ? 0.2 : 1;
  return {
    ...f,
    length: 1,
    echo,
    ending,
    factor: f.words === 0 ? 0 : echo * f.fluency * ending * topic,
  };
}
