/**
 * Tokenization through `@huggingface/tokenizers` (reads the model's own `tokenizer.json`), with the
 * truncation PoQ needs done here, at the token level, so it is the same for every tokenizer.
 *
 * Truncation rule (documented in the README of models/):
 * - A single text keeps its first `maxTokens - specials` tokens (the tail is cut).
 * - A (prompt, response) pair keeps the head of both. When both do not fit, the prompt keeps at most a
 *   quarter of the budget (its head says what was asked) and the response gets the rest, its tail cut.
 *   The response is what is being judged and lazy answers show themselves in their opening, so the
 *   response keeps as much room as possible; cutting its tail never helps a lazy answer because the
 *   length and truncation features look at the full text.
 * Before tokenizing, text is made well formed (lone UTF-16 surrogates become U+FFFD) and cut to
 * `maxTokens * 16` characters, which bounds the work for megabyte inputs without changing the tokens kept.
 */
import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import { EvaluatorError } from "./errors.js";

/** Token ids and segment ids of one sequence, special tokens included. */
export interface EncodedSequence {
  readonly ids: number[];
  readonly typeIds: number[];
}

/** A tokenizer that builds model inputs for single texts and pairs with the truncation rule above. */
export interface PairTokenizer {
  encodeSingle(text: string, maxTokens: number): EncodedSequence;
  encodePair(prompt: string, response: string, maxTokens: number): EncodedSequence;
  /**
   * `[CLS] prompt [SEP] peer [SEP] response [SEP]` (peer mode of a cross-encoder judge): the prompt keeps
   * at most a quarter of the budget, then peer and response share the rest, each keeping at least half of
   * it when both do not fit; types are 0 up to the peer's [SEP], 1 after. The same rule as
   * scripts/train-quality.py encode_triple.
   */
  encodeTriple(prompt: string, peer: string, response: string, maxTokens: number): EncodedSequence;
  /** Tokens of a text without special tokens (for counting). */
  countTokens(text: string): number;
  readonly padId: number;
}

interface Template {
  readonly single: { prefix: number[]; suffix: number[] };
  readonly pair: { prefix: number[]; middle: number[]; suffix: number[]; typeA: number; typeB: number };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates with U+FFFD so every tokenizer sees valid Unicode. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

function indexOfRun(hay: readonly number[], run: readonly number[], from: number): number {
  outer: for (let i = from; i + run.length <= hay.length; i++) {
    for (let j = 0; j < run.length; j++) if (hay[i + j] !== run[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Learns where a tokenizer puts its special tokens ([CLS] a [SEP] b [SEP] for BERT, <s> a </s></s> b </s>
 * for RoBERTa) by encoding a probe, so that truncation can work on the bare token ids.
 */
function probeTemplate(tok: Tokenizer): Template {
  const a = tok.encode("alpha", { add_special_tokens: false }).ids;
  const b = tok.encode("omega", { add_special_tokens: false }).ids;
  const single = tok.encode("alpha", { add_special_tokens: true }).ids;
  const pair = tok.encode("alpha", {
    text_pair: "omega",
    add_special_tokens: true,
    return_token_type_ids: true,
  });
  const sa = indexOfRun(single, a, 0);
  const pa = indexOfRun(pair.ids, a, 0);
  const pb = pa < 0 ? -1 : indexOfRun(pair.ids, b, pa + a.length);
  if (sa < 0 || pa < 0 || pb < 0)
    throw new EvaluatorError("cannot find the special-token template of this tokenizer");
  return {
    single: { prefix: single.slice(0, sa), suffix: single.slice(sa + a.length) },
    pair: {
      prefix: pair.ids.slice(0, pa),
      middle: pair.ids.slice(pa + a.length, pb),
      suffix: pair.ids.slice(pb + b.length),
      typeA: pair.token_type_ids[pa] ?? 0,
      typeB: pair.token_type_ids[pb] ?? 0,
    },
  };
}

/**
 * Loads `tokenizer.json` (and `tokenizer_config.json` beside it when present).
 *
 * @example
 * const tok = loadTokenizer("models/all-minilm-l6-v2/tokenizer.json");
 * tok.encodeSingle("Hello world", 256).ids; // [101, 7592, 2088, 102]
 */
export function loadTokenizer(path: string): PairTokenizer {
  let json: object;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as object;
  } catch (cause) {
    throw new EvaluatorError(`cannot read tokenizer ${path}`, { cause });
  }
  let config: object = {};
  try {
    config = JSON.parse(
      readFileSync(path.replace(/tokenizer\.json$/, "tokenizer_config.json"), "utf8"),
    ) as object;
  } catch {
    config = {};
  }
  const tok = new Tokenizer(json, config);
  const template = probeTemplate(tok);
  const padding = (json as { padding?: { pad_id?: number } | null }).padding;
  const padId = padding?.pad_id ?? tok.token_to_id("[PAD]") ?? tok.token_to_id("<pad>") ?? 0;

  const bare = (text: string, maxTokens: number): number[] =>
    tok.encode(wellFormed(text.slice(0, maxTokens * 16)), { add_special_tokens: false }).ids;

  return {
    padId,
    countTokens: (text) => bare(text, 1 << 20).length,
    encodeSingle(text, maxTokens) {
      const { prefix, suffix } = template.single;
      const room = Math.max(1, maxTokens - prefix.length - suffix.length);
      const ids = [...prefix, ...bare(text, room).slice(0, room), ...suffix];
      return { ids, typeIds: ids.map(() => 0) };
    },
    encodePair(prompt, response, maxTokens) {
      const { prefix, middle, suffix, typeA, typeB } = template.pair;
      const room = Math.max(2, maxTokens - prefix.length - middle.length - suffix.length);
      let a = bare(prompt, room);
      const b = bare(response, room);
      a = a.slice(0, Math.max(Math.floor(room / 4), room - b.length));
      const bKept = b.slice(0, room - a.length);
      const first = [...prefix, ...a, ...middle];
      const second = [...bKept, ...suffix];
      return {
        ids: [...first, ...second],
        typeIds: [...first.map(() => typeA), ...second.map(() => typeB)],
      };
    },
    encodeTriple(prompt, peer, response, maxTokens) {
      const { prefix, middle, suffix, typeA, typeB } = template.pair;
      const room = Math.max(3, maxTokens - prefix.length - 2 * middle.length - suffix.length);
      const p = bare(prompt, room).slice(0, Math.floor(room / 4));
      const rest = room - p.length;
      let q = bare(peer, rest);
      const r = bare(response, rest);
      q = q.slice(0, Math.max(Math.floor(rest / 2), rest - r.length));
      const first = [...prefix, ...p, ...middle, ...q, ...middle];
      const second = [...r.slice(0, rest - q.length), ...suffix];
      return {
        ids: [...first, ...second],
        typeIds: [...first.map(() => typeA), ...second.map(() => typeB)],
      };
    },
  };
}
