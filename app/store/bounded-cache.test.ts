import { test } from "node:test";
import assert from "node:assert/strict";
import { BoundedCache } from "./bounded-cache.js";

test("holds at most its budget, keeps what is used again, drops the old generation whole", () => {
  const cache = new BoundedCache<number>(6);
  for (let i = 0; i < 100; i++) {
    cache.set(`k${i}`, i);
    assert.equal(cache.get("hot"), i === 0 ? undefined : 0, `hot after ${i} inserts`);
    if (i === 0) cache.set("hot", 0);
    assert.ok(cache.size <= 6, `${cache.size} entries`);
  }
  // The newest entry is cached; an entry not used since it was inserted went with its generation.
  assert.equal(cache.get("k99"), 99);
  assert.equal(cache.get("k90"), undefined);
  cache.delete("hot");
  assert.equal(cache.has("hot"), false);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.throws(() => new BoundedCache<number>(1), RangeError);
});

test("a byte budget counts each entry's weight, and replace changes it where it is", () => {
  const weigh = (_k: string, v: string): number => v.length;
  const cache = new BoundedCache<string>(20, weigh);
  cache.set("a", "x".repeat(4));
  cache.set("b", "x".repeat(4));
  assert.equal(cache.size, 2, "8 of the young generation's 10");
  assert.equal(cache.replace("a", "y".repeat(2)), true);
  cache.set("c", "x".repeat(3)); // 9: still young
  assert.equal(cache.get("a"), "yy");
  cache.set("d", "x".repeat(1)); // 10: the young generation is full and becomes the old one
  cache.set("e", "x".repeat(9));
  assert.deepEqual(
    ["a", "b", "c", "d", "e"].map((k) => cache.has(k)),
    [true, true, true, true, true],
  );
  assert.equal(cache.replace("b", "z"), true, "an old entry is replaced in the old generation");
  assert.equal(cache.replace("missing", "z"), false);
  assert.equal(cache.has("missing"), false, "replace adds nothing");
  cache.set("f", "x".repeat(2)); // young reaches 11: it becomes the old one, a-d go
  assert.deepEqual(
    ["a", "b", "c", "d", "e", "f"].map((k) => cache.has(k)),
    [false, false, false, false, true, true],
  );
});
