import assert from "node:assert/strict";
import { test } from "node:test";
import { copyShare, endsMidSentence, judgeFeatures, lazyFeatures, saladRate } from "./features.js";

const ANSWER =
  "Plants capture sunlight with chlorophyll in their chloroplasts and use that energy to turn carbon dioxide " +
  "and water into glucose. Oxygen is released as a by-product. The Calvin cycle fixes carbon into sugar, " +
  "as described in The Botany Book by its authors.";

test("echo: a copied prompt is caught, a normal restatement is not", () => {
  const p = "How do plants turn sunlight into sugar?";
  assert.equal(copyShare(p, p), 1);
  assert.ok(lazyFeatures(p, p).echo < 0.1);
  assert.equal(lazyFeatures(p, ANSWER).echo, 1);
});

test("fluency: shuffled words are caught, fluent text (titles, by-products, 'to be') is not", () => {
  assert.equal(saladRate(ANSWER), 0);
  assert.equal(saladRate("It has to be done, and it needs to be done today."), 0);
  const words = ANSWER.split(" ");
  const salad = words.map((_, i) => words[(i * 5 + 3) % words.length]).join(" ");
  assert.ok(saladRate(salad) > 0.05, `salad rate ${saladRate(salad)}`);
  assert.ok(lazyFeatures("q?", salad).fluency < 0.5);
});

test("ending: mid-sentence stops are caught; lists, code and quotes are fine", () => {
  assert.equal(endsMidSentence("Plants capture sunlight with chlorophyll and"), true);
  assert.equal(endsMidSentence("Plants capture sunlight."), false);
  assert.equal(endsMidSentence("Steps:\n- rinse the rice\n- boil it"), false);
  assert.equal(endsMidSentence("Use this:\n```js\nconst x = 1\n```"), false);
  assert.equal(endsMidSentence('He said "yes"'), false);
});

test("length and empty: an empty answer has factor 0; short answers are damped, not zeroed", () => {
  assert.equal(lazyFeatures("q?", "").factor, 0);
  assert.equal(lazyFeatures("q?", "  ...  ").factor, 0);
  const short = lazyFeatures("What is 2+2?", "Four.");
  assert.ok(short.length >= 0.5 && short.length < 1);
  assert.equal(lazyFeatures("q?", ANSWER).length, 1);
});

test("judge-v1 features: no length penalty, echo only for a near-copy, no truncation penalty for a bare answer", () => {
  assert.equal(judgeFeatures("What is 2+2?", "4").factor, 1);
  assert.equal(judgeFeatures("What is the capital of France?", "Paris is the capital of France.").factor, 1);
  assert.ok(judgeFeatures("What is the capital of France?", "What is the capital of France?").factor < 0.1);
  assert.ok(judgeFeatures("Why?", "Because the light is scattered by the molecules of the").ending < 1);
  assert.equal(judgeFeatures("Why?", "").factor, 0);
});
