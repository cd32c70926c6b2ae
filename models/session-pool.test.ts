import assert from "node:assert/strict";
import { test } from "node:test";
import { EvaluatorError } from "./errors.js";
import { createEvaluator, type ScorePair } from "./evaluator.js";
import { DEFAULT_MODEL_ID, loadManifest, manifestFile, resolveModelDir } from "./manifest.js";
import { openSession } from "./session.js";
import { openSessionPool } from "./session-pool.js";
import { loadTokenizer } from "./tokenize.js";
import { createWorkerEvaluator } from "./worker-evaluator.js";

const dir = resolveModelDir(DEFAULT_MODEL_ID);
const manifest = loadManifest(dir);
const modelFile = manifestFile(dir, manifest, "model");
const tok = loadTokenizer(manifestFile(dir, manifest, "tokenizer"));
const SKY = "Why is the sky blue?";
const GOOD =
  "Sunlight is scattered by the molecules of the air, and short blue wavelengths scatter much more than red ones.";

/** Pairs of several lengths, some with peers, so that batches differ in size and padding. */
function pairs(): ScorePair[] {
  const long = Array.from({ length: 12 }, (_, i) => `${i + 1}. ${GOOD}`).join(" ");
  return [
    { prompt: SKY, response: GOOD },
    { prompt: SKY, response: long },
    { prompt: SKY, response: "Blue." },
    { prompt: SKY, response: "Because the ocean reflects onto it.", peers: [GOOD, "Rayleigh scattering."] },
    { prompt: "What is 2+2?", response: "4" },
    { prompt: "What is 2+2?", response: "2 + 2 = 4.", peers: ["4", "It is 5."] },
    { prompt: "What is the capital of France?", response: "Paris is the capital of France." },
    { prompt: SKY, response: `${long} ${long}` },
    { prompt: SKY, response: "" },
  ];
}

test("each session of a pool gives the same rows, bit for bit, as the in-thread session", async () => {
  const one = tok.encodePair(SKY, GOOD, manifest.maxTokens);
  const long = tok.encodePair(SKY, `${GOOD} ${GOOD} ${GOOD}`, manifest.maxTokens);
  const alone = await openSession(modelFile, { threads: 1 });
  const pool = await openSessionPool(modelFile, { threads: 1, sessions: 2 });
  try {
    const [ref] = await alone.run([one], "logits", tok.padId);
    // Handed over together, the two batches run on the two sessions at once (one each).
    const runs = await Promise.all([
      pool.run([one], "logits", tok.padId),
      pool.run([one], "logits", tok.padId),
      pool.run([long, one], "logits", tok.padId),
    ]);
    assert.equal(pool.outputNames.includes("logits"), true);
    for (const rows of runs) {
      const row = rows.at(-1) as Float32Array;
      assert.deepEqual([...row], [...(ref as Float32Array)]);
    }
  } finally {
    await pool.release();
    await alone.release();
  }
});

test("scores and raw logits do not depend on the number of sessions (single and peer mode)", async () => {
  const one = await createEvaluator({ threads: 1, sessions: 1 });
  const two = await createEvaluator({ threads: 1, sessions: 2, maxBatch: 2 });
  const three = await createWorkerEvaluator({ threads: 1, sessions: 3, maxBatch: 1 });
  try {
    assert.equal(two.sessions, 2);
    assert.equal(three.sessions, 3);
    const ref = await one.explainBatch(pairs());
    assert.deepEqual(await two.explainBatch(pairs()), ref);
    assert.deepEqual(await three.explainBatch(pairs()), ref);
    // Reversed order: other batches, other sessions; the same details per pair.
    assert.deepEqual(await two.explainBatch(pairs().reverse()), [...ref].reverse());
    assert.ok((ref[0]?.score ?? 0) > (ref[2]?.score ?? 0), "a full answer above a one-word one");
  } finally {
    await Promise.all([one.close(), two.close(), three.close()]);
  }
});

test("a pool refuses bad options, a model it cannot load, and work after release", async () => {
  await assert.rejects(openSessionPool(modelFile, { threads: 1, sessions: 0 }), EvaluatorError);
  await assert.rejects(createEvaluator({ sessions: 1.5 }), /sessions must be an integer/);
  await assert.rejects(
    openSessionPool(manifestFile(dir, manifest, "tokenizer"), { threads: 1, sessions: 2 }),
    (e: unknown) => e instanceof EvaluatorError && /cannot load/.test(e.message),
  );
  const pool = await openSessionPool(modelFile, { threads: 1, sessions: 2 });
  await pool.release();
  await assert.rejects(
    pool.run([tok.encodePair(SKY, GOOD, manifest.maxTokens)], "logits", tok.padId),
    /closed/,
  );
});
