import assert from "node:assert/strict";
import { test } from "node:test";
import { planBatches } from "./batching.js";

test("a short prompt is not padded to a long response", () => {
  assert.deepEqual(planBatches([190, 60], 16), [[1], [0]]);
  assert.deepEqual(planBatches([190, 60, 62], 16), [[1, 2], [0]]);
});

test("similar lengths share a batch up to maxBatch, every index once, sorted by length", () => {
  const lengths = Array.from({ length: 40 }, (_, i) => 100 + (i % 7));
  const plan = planBatches(lengths, 16);
  assert.deepEqual(
    plan.map((b) => b.length),
    [16, 16, 8],
  );
  assert.deepEqual(
    plan.flat().sort((a, b) => a - b),
    lengths.map((_, i) => i),
  );
  const flat = plan.flat().map((i) => lengths[i] as number);
  assert.deepEqual(
    flat,
    [...flat].sort((a, b) => a - b),
  );
});

test("a few tokens of padding are accepted, more are not", () => {
  assert.deepEqual(planBatches([14, 12, 13, 15], 16), [[1, 2, 0], [3]]);
  assert.deepEqual(planBatches([5, 12, 20], 16), [[0], [1], [2]]);
  assert.deepEqual(planBatches([], 16), []);
});

test("a batch holds at most maxTokens padded token rows, but a long item still gets one", () => {
  assert.deepEqual(planBatches([256, 256, 256, 256, 256], 16, 1024), [[0, 1, 2, 3], [4]]);
  assert.deepEqual(planBatches([256, 256, 256], 16, 512), [[0, 1], [2]]);
  assert.deepEqual(planBatches([300, 20, 20], 16, 256), [[1, 2], [0]]);
  // Short texts still fill a batch up to maxBatch.
  assert.deepEqual(
    planBatches(Array<number>(20).fill(40), 16, 1024).map((b) => b.length),
    [16, 4],
  );
});
