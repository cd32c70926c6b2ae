import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { bundledModelsDir } from "./manifest.js";
import { loadTokenizer, wellFormed } from "./tokenize.js";

const tok = loadTokenizer(join(bundledModelsDir(), "all-minilm-l6-v2", "tokenizer.json"));
const CLS = 101;
const SEP = 102;

test("single text: [CLS] text [SEP], lowercased WordPiece from tokenizer.json", () => {
  const e = tok.encodeSingle("Hello world", 16);
  assert.deepEqual(e.ids, [CLS, 7592, 2088, SEP]);
  assert.deepEqual(e.typeIds, [0, 0, 0, 0]);
});

test("single text: the tail is cut, special tokens kept", () => {
  const long = Array.from({ length: 100 }, (_, i) => `word${i}`).join(" ");
  const e = tok.encodeSingle(long, 10);
  assert.equal(e.ids.length, 10);
  assert.equal(e.ids[0], CLS);
  assert.equal(e.ids[9], SEP);
  assert.deepEqual(e.ids.slice(1, 4), tok.encodeSingle(long, 512).ids.slice(1, 4), "the head is kept");
});

test("pair: [CLS] prompt [SEP] response [SEP] with token types 0 then 1", () => {
  const e = tok.encodePair("hello", "world", 16);
  assert.deepEqual(e.ids, [CLS, 7592, SEP, 2088, SEP]);
  assert.deepEqual(e.typeIds, [0, 0, 0, 1, 1]);
});

test("pair truncation: a long response keeps the room, the prompt keeps at most a quarter (its head)", () => {
  const prompt = Array.from({ length: 60 }, () => "question").join(" ");
  const response = Array.from({ length: 200 }, () => "answer").join(" ");
  const e = tok.encodePair(prompt, response, 64);
  assert.equal(e.ids.length, 64);
  const promptTokens = e.typeIds.filter((t) => t === 0).length - 2; // minus [CLS] and the middle [SEP]
  assert.equal(promptTokens, Math.floor((64 - 3) / 4));
  assert.equal(e.ids[e.ids.length - 1], SEP);
});

test("pair truncation: a short response leaves the rest of the budget to the prompt", () => {
  const prompt = Array.from({ length: 60 }, () => "question").join(" ");
  const e = tok.encodePair(prompt, "yes", 64);
  assert.equal(e.ids.length, 64);
  assert.equal(e.typeIds.filter((t) => t === 1).length, 2); // "yes" and the final [SEP]
});

test("lone surrogates become U+FFFD; 1 MB input is cut before tokenizing", () => {
  assert.equal(wellFormed("a\ud800b\udc00c\ud83d\ude00"), "a\ufffdb\ufffdc\ud83d\ude00");
  const t0 = Date.now();
  const e = tok.encodeSingle("word ".repeat(250_000), 256);
  assert.equal(e.ids.length, 256);
  assert.ok(Date.now() - t0 < 2000);
});
