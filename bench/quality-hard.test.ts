import assert from "node:assert/strict";
import { test } from "node:test";
import { auc, CHEAT_KINDS, loadHardSet, reportMode } from "./quality-hard.js";

test("auc: Mann-Whitney with ties counted one half", () => {
  assert.equal(auc([3, 4], [1, 2]), 1);
  assert.equal(auc([1, 2], [3, 4]), 0);
  assert.equal(auc([1, 2], [1, 2]), 0.5);
  assert.equal(auc([2], [1, 2, 3]), 0.5);
  assert.ok(Number.isNaN(auc([], [1])));
});

test("hard quality set: >= 300 test prompts, split by prompt, every cheat and positive kind present", () => {
  const test_ = loadHardSet("test");
  const dev = loadHardSet("dev");
  assert.ok(test_.length >= 300, `${test_.length} test prompts`);
  const devPrompts = new Set(dev.map((i) => i.prompt));
  assert.equal(test_.filter((i) => devPrompts.has(i.prompt)).length, 0, "a prompt in two splits");
  const cheats = new Set(test_.flatMap((i) => Object.keys(i.cheats)));
  for (const k of CHEAT_KINDS) assert.ok(cheats.has(k), `no ${k} cheats`);
  const positives = new Set(test_.flatMap((i) => Object.keys(i.honest)));
  for (const k of ["full", "concise", "paraphrase", "code", "list", "language"])
    assert.ok(positives.has(k), `no ${k} answers`);
});

test("reportMode: the lowest honest answer per prompt (>= 3 honest) and the minority below every honest one", () => {
  const r = reportMode({
    honest: {},
    cheats: {},
    byPrompt: [
      { honest: [9000, 8000, 7600], cheats: { wrong: [7000], contradiction: [100] } },
      { honest: [9900, 3000, 8800], cheats: { wrong: [5000] } },
      { honest: [9000, 9000], cheats: { contradiction: [9500] } },
    ],
  });
  assert.equal(r.lowestHonest.prompts, 2);
  assert.equal(r.lowestHonest.p10, 3000);
  assert.equal(r.lowestHonest.allHigh, 0.5);
  assert.equal(r.belowHonest, 2 / 4);
});
