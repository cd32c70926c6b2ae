import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_MODEL_ID, resolveModelDir } from "./manifest.js";
import { createScoringQueue } from "./queue.js";
import { createSleepingEvaluator, type ClosableScorer } from "./sleeping-evaluator.js";
import { createWorkerEvaluator } from "./worker-evaluator.js";
import type { ScorePair } from "./evaluator.js";

const modelDir = resolveModelDir(DEFAULT_MODEL_ID);
const PAIRS: ScorePair[] = [
  { prompt: "What is the capital of France?", response: "Paris is the capital of France." },
  { prompt: "What is the capital of France?", response: "The capital of France is Berlin." },
  { prompt: "What is 2+2?", response: "2 + 2 = 4.", peers: ["4", "It is 5."] },
];

/** A loader of real worker-thread sessions that counts its loads and the sessions still open. */
function countingLoader(dir = modelDir): {
  load: () => Promise<ClosableScorer>;
  loads: number;
  open: number;
} {
  const c = {
    loads: 0,
    open: 0,
    load: async (): Promise<ClosableScorer> => {
      c.loads++;
      const ev = await createWorkerEvaluator({ modelDir: dir, threads: 1 });
      c.open++;
      return {
        scoreBatch: (p) => ev.scoreBatch(p),
        close: async () => {
          await ev.close();
          c.open--;
        },
      };
    },
  };
  return c;
}

test("loads on the first batch, sleeps after idleMs, and wakes with the same scores", async () => {
  const loader = countingLoader();
  const events: string[] = [];
  const ev = createSleepingEvaluator({ load: loader.load, idleMs: 300, onChange: (e) => events.push(e) });
  try {
    assert.equal(ev.awake, false);
    assert.equal(loader.loads, 0, "nothing is loaded before there is something to score");
    const first = await ev.scoreBatch(PAIRS);
    assert.equal(ev.awake, true);
    assert.equal(loader.loads, 1);
    // A second batch inside the idle window reuses the sessions.
    assert.deepEqual(await ev.scoreBatch(PAIRS), first);
    assert.equal(loader.loads, 1);
    await sleep(1200);
    assert.equal(ev.awake, false, "asleep after idleMs without a batch");
    assert.equal(loader.open, 0, "the sessions were closed");
    const again = await ev.scoreBatch(PAIRS);
    assert.deepEqual(again, first, "a reload scores exactly as before");
    assert.equal(loader.loads, 2);
    assert.deepEqual(events, ["loaded", "asleep", "loaded"]);
    const direct = await createWorkerEvaluator({ modelDir, threads: 1 });
    try {
      assert.deepEqual(await direct.scoreBatch(PAIRS), first, "the same scores as sessions loaded directly");
    } finally {
      await direct.close();
    }
  } finally {
    await ev.close();
  }
  assert.equal(loader.open, 0);
  await assert.rejects(ev.scoreBatch(PAIRS), /closed/);
});

test("does not sleep while a batch is in flight, and idleMs 0 never sleeps", async () => {
  const loader = countingLoader();
  const ev = createSleepingEvaluator({ load: loader.load, idleMs: 0 });
  try {
    const queue = createScoringQueue(ev, { maxBatch: 2 });
    for (let i = 0; i < 6; i++) queue.enqueue(`r${i}`, PAIRS[i % 3]!.prompt, PAIRS[i % 3]!.response);
    await queue.idle();
    const ready = queue.takeReady();
    assert.equal(ready.length, 6);
    assert.ok(ready.every((r) => "score" in r));
    await sleep(500);
    assert.equal(ev.awake, true);
    assert.equal(loader.loads, 1, "one load for every batch");
  } finally {
    await ev.close();
  }
  assert.equal(loader.open, 0);
});

test("a failed load fails its batch and the next batch tries again", async () => {
  const bad = countingLoader("/nonexistent/model-dir");
  const ev = createSleepingEvaluator({ load: bad.load, idleMs: 100 });
  try {
    await assert.rejects(ev.scoreBatch(PAIRS));
    await assert.rejects(ev.scoreBatch(PAIRS));
    assert.equal(bad.loads, 2, "a failed load is not cached");
    assert.equal(ev.awake, false);
  } finally {
    await ev.close();
  }
});

test("warm() loads ahead of the first batch and holds the sessions for another idleMs", async () => {
  const loader = countingLoader();
  const ev = createSleepingEvaluator({ load: loader.load, idleMs: 600 });
  try {
    ev.warm();
    for (let i = 0; i < 100 && !ev.awake; i++) await sleep(50);
    assert.equal(ev.awake, true, "loaded without a batch");
    await sleep(400);
    ev.warm(); // still work in flight: the idle time starts again
    await sleep(400);
    assert.equal(ev.awake, true, "warm() restarted the idle time");
    await ev.scoreBatch(PAIRS);
    assert.equal(loader.loads, 1, "the batch used the sessions warm() loaded");
    await sleep(1500);
    assert.equal(ev.awake, false);
    assert.equal(loader.open, 0);
  } finally {
    await ev.close();
  }
});
