import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesKey, createLastBytesMemo, createStringMemo, withMemosPaused } from "./memo.js";

test("string memo computes once per input, keeps what is used again, recomputes after eviction", () => {
  const calls: string[] = [];
  const len = createStringMemo(4, (s: string) => {
    calls.push(s);
    return s.length;
  });
  assert.equal(len("ab"), 2);
  assert.equal(len("ab"), 2);
  assert.deepEqual(calls, ["ab"]);
  // Two generations of at most 2 entries: "ab", used again after every new input, stays.
  for (const s of ["abc", "ab", "x", "ab", "abc", "ab", "x"]) len(s);
  assert.deepEqual(calls, ["ab", "abc", "x", "abc", "x"]);
});

test("string memo does not keep failures: a throwing input throws every time", () => {
  let calls = 0;
  const parse = createStringMemo(10, (s: string) => {
    calls++;
    if (s === "bad") throw new RangeError("bad input");
    return s;
  });
  assert.throws(() => parse("bad"), RangeError);
  assert.throws(() => parse("bad"), RangeError);
  assert.equal(calls, 2);
  assert.throws(() => createStringMemo(1, (s: string) => s), RangeError);
});

test("last-bytes memo decodes again only when the bytes change, and freezes what it returns", () => {
  let decodes = 0;
  const decode = createLastBytesMemo((raw: Uint8Array) => {
    decodes++;
    return { first: raw[0], nested: { list: [raw.length] } };
  });
  const a = decode(Uint8Array.of(1, 2));
  assert.equal(decode(Uint8Array.of(1, 2)), a);
  assert.equal(decodes, 1);
  const b = decode(Uint8Array.of(3));
  assert.equal(b.first, 3);
  assert.equal(decodes, 2);
  assert.throws(() => {
    (a.nested.list as number[]).push(9);
  }, TypeError);
});

test("the memo compares stored bytes by value, not by the caller's buffer", () => {
  let decodes = 0;
  const decode = createLastBytesMemo((raw: Uint8Array) => {
    decodes++;
    return { v: raw[0] };
  });
  const raw = Uint8Array.of(5);
  assert.equal(decode(raw).v, 5);
  raw[0] = 6; // the caller reuses its buffer with other bytes
  assert.equal(decode(raw).v, 6);
  assert.equal(decodes, 2);
});

test("bytesKey is one latin1 character per byte, distinct for distinct bytes", () => {
  assert.equal(bytesKey(Uint8Array.of(0x61, 0xff)), "a\u00ff");
  assert.notEqual(bytesKey(Uint8Array.of(1, 0)), bytesKey(Uint8Array.of(1)));
  assert.equal(bytesKey(Uint8Array.of(9, 1, 2).subarray(1)), "\u0001\u0002");
});

test("withMemosPaused serves hits but adds no entries, and memos add again afterwards", () => {
  const calls: string[] = [];
  const len = createStringMemo(8, (s: string) => {
    calls.push(s);
    return s.length;
  });
  len("kept");
  const inside = withMemosPaused(() => [len("kept"), len("new"), len("new")]);
  assert.deepEqual(inside, [4, 3, 3]);
  assert.deepEqual(calls, ["kept", "new", "new"]);
  // A throw inside still ends the pause.
  assert.throws(() =>
    withMemosPaused(() => {
      throw new Error("boom");
    }),
  );
  len("new");
  len("new");
  assert.deepEqual(calls, ["kept", "new", "new", "new"]);
});
