import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Evaluator } from "./evaluator.js";
import { createScoringQueue, type ScoredItem } from "./queue.js";
import { createWorkerEvaluator } from "./worker-evaluator.js";

let ev: Evaluator;
before(async () => {
  // The queue's mechanics, on the bi-encoder: the default judge scores this general explanation of
  // vaccines at only about 1800 (a known miss, models/README.md), which says nothing about the queue.
  ev = await createWorkerEvaluator({ modelId: "all-minilm-l6-v2-3layer", threads: 1, maxBatch: 4 });
});
after(async () => {
  await ev.close();
});

const PROMPT = "How do vaccines work?";
const GOOD =
  "A vaccine shows the immune system a harmless piece of a germ, so the body makes antibodies and memory cells. " +
  "If the real germ arrives later, the immune system recognises it and responds quickly.";

test("queue: enqueue and takeReady never block; results arrive in the background", async () => {
  const q = createScoringQueue(ev, { maxBatch: 4 });
  for (let i = 0; i < 10; i++) assert.equal(q.enqueue(`r${i}`, PROMPT, i % 2 === 0 ? GOOD : PROMPT), true);
  assert.equal(q.enqueue("r0", PROMPT, GOOD), false, "a duplicate id is refused");
  assert.deepEqual(q.takeReady(), [], "nothing is ready synchronously");
  // The event loop stays free while the worker thread scores: timers keep firing before the last
  // result is in (a behaviour, not a timing bound: on a loaded machine every step is slower).
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await q.idle();
  clearInterval(timer);
  assert.ok(ticks > 0, "no timer fired while ten pairs were scored");
  const ready: ScoredItem[] = q.takeReady();
  assert.equal(ready.length, 10);
  assert.equal(q.pending(), 0);
  const byId = new Map(ready.map((r) => [r.id, r]));
  const good = byId.get("r0");
  const echo = byId.get("r1");
  assert.ok(good && "score" in good && echo && "score" in echo);
  assert.ok(good.score > 5000 && echo.score < 1000, `${good.score} / ${echo.score}`);
  assert.equal(await ev.score(PROMPT, GOOD), good.score, "same score as a direct call");
  await q.close();
  assert.equal(q.enqueue("late", PROMPT, GOOD), false);
});

test("queue: one bad pair becomes one error entry and the rest are scored", async () => {
  const q = createScoringQueue(ev, { maxBatch: 8 });
  q.enqueue("ok-1", PROMPT, GOOD);
  q.enqueue("bad", "", GOOD);
  q.enqueue("ok-2", PROMPT, "Vaccines train the immune system with a harmless part of a germ.");
  await q.idle();
  const ready = q.takeReady();
  const bad = ready.find((r) => r.id === "bad");
  assert.ok(bad && "error" in bad && /prompt is empty/.test(bad.error));
  assert.equal(ready.filter((r) => "score" in r).length, 2);
  await q.close();
});
