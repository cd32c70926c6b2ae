import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LAZY_KINDS, lazyAnswer } from "./lazy.js";
import { standinAnswer } from "./server.js";

describe("stand-in lazy kinds", () => {
  const prompt = "Why is the sky blue?";
  const right = standinAnswer(prompt);

  it("each kind is a different, stable answer than the right one", () => {
    const seen = new Set<string>();
    for (const kind of LAZY_KINDS) {
      const a = lazyAnswer(kind, prompt, right);
      assert.notEqual(a, right, kind);
      assert.ok(a.length > 0, kind);
      assert.equal(lazyAnswer(kind, prompt, right), a, `${kind} is deterministic`);
      seen.add(a);
    }
    assert.equal(seen.size, LAZY_KINDS.length, "the kinds differ from each other");
  });

  it("wrong is a fluent answer to another bundled question; short and keyword derive from the data", () => {
    const wrong = lazyAnswer("wrong", prompt, right);
    assert.ok(!/scatter/i.test(wrong), wrong);
    assert.ok(wrong.split(/\s+/).length > 15, "fluent: a full bundled answer");
    assert.ok(right.startsWith(lazyAnswer("short", prompt, right)));
    assert.match(lazyAnswer("keyword", prompt, right), /\bsky\b.*\bblue\b/);
  });
});
