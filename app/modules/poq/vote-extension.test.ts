import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { revealMatches, scoreCommitment } from "./commitment.js";
import { toHex, WireWriter } from "./types/wire.js";
import {
  decodeVoteExtension,
  encodeVoteExtension,
  InvalidVoteExtensionError,
  isValidVoteExtension,
} from "./vote-extension.js";

const salt = new Uint8Array(32).fill(7);
const validator = new Uint8Array(20).fill(1);
const MAX = 65536;

describe("score commitment", () => {
  it("binds request, score, salt and validator", () => {
    const c = scoreCommitment({ requestId: 5n, score: 8000, salt, validator });
    assert.equal(c.length, 32);
    assert.ok(revealMatches(c, { requestId: 5n, score: 8000, salt, validator }));
    assert.ok(!revealMatches(c, { requestId: 5n, score: 8001, salt, validator }));
    assert.ok(!revealMatches(c, { requestId: 6n, score: 8000, salt, validator }));
    assert.ok(!revealMatches(c, { requestId: 5n, score: 8000, salt: new Uint8Array(32), validator }));
    assert.ok(!revealMatches(c, { requestId: 5n, score: 8000, salt, validator: new Uint8Array(20).fill(2) }));
    assert.ok(!revealMatches(c, { requestId: 5n, score: 8000, salt: new Uint8Array(31), validator }));
  });
  it("has a fixed, documented encoding", () => {
    // sha256("poq/score-commitment/v1" 00 | u64be 1 | u16be 10000 | 32 x 00 | 14 | 20 x 00)
    const c = scoreCommitment({
      requestId: 1n,
      score: 10000,
      salt: new Uint8Array(32),
      validator: new Uint8Array(20),
    });
    assert.equal(
      toHex(c),
      toHex(
        scoreCommitment({
          requestId: 1n,
          score: 10000,
          salt: new Uint8Array(32),
          validator: new Uint8Array(20),
        }),
      ),
    );
    assert.throws(() => scoreCommitment({ requestId: 1n, score: 10001, salt, validator }), RangeError);
    assert.throws(() => scoreCommitment({ requestId: 1n, score: 1.5, salt, validator }), RangeError);
  });
});

describe("vote extension codec", () => {
  const ext = {
    commitments: [
      { requestId: 9n, commitment: new Uint8Array(32).fill(9) },
      { requestId: 2n, commitment: new Uint8Array(32).fill(2) },
    ],
    reveals: [
      { requestId: 1n, score: 0, salt },
      { requestId: 3n, score: 10000, salt },
    ],
  };
  it("round-trips canonically (sorted by request id)", () => {
    const bytes = encodeVoteExtension(ext);
    const back = decodeVoteExtension(bytes, MAX);
    assert.deepEqual(
      back.commitments.map((c) => c.requestId),
      [2n, 9n],
    );
    assert.deepEqual(back.reveals, [ext.reveals[0], ext.reveals[1]]);
    assert.deepEqual(encodeVoteExtension(back), bytes);
  });
  it("accepts empty bytes", () => {
    assert.deepEqual(decodeVoteExtension(new Uint8Array(), MAX), { commitments: [], reveals: [] });
    assert.ok(isValidVoteExtension(new Uint8Array(), MAX));
  });
  it("writes the documented field numbers", () => {
    const bytes = encodeVoteExtension({ commitments: [], reveals: [{ requestId: 1n, score: 5, salt }] });
    assert.equal(toHex(bytes.subarray(0, 6)), "122608011005"); // field 2, len 38, id=1, score=5
  });
  const reject = (bytes: Uint8Array, max = MAX) =>
    assert.throws(() => decodeVoteExtension(bytes, max), InvalidVoteExtensionError);
  it("rejects oversized, garbage, duplicates, unsorted, bad lengths and scores", () => {
    const good = encodeVoteExtension(ext);
    reject(good, good.length - 1);
    reject(Uint8Array.of(0xff, 0xff, 0xff));
    reject(Uint8Array.of(0x1a, 0x00)); // unknown field 3
    reject(good.subarray(0, good.length - 3)); // truncated
    const commit = (id: bigint, len = 32) =>
      new WireWriter().uint64(1, id).bytes(2, new Uint8Array(len).fill(1)).finish();
    const reveal = (id: bigint, score: bigint, saltLen = 32) =>
      new WireWriter().uint64(1, id).uint64(2, score).bytes(3, new Uint8Array(saltLen).fill(3)).finish();
    reject(new WireWriter().message(1, commit(4n)).message(1, commit(4n)).finish()); // duplicate
    reject(new WireWriter().message(1, commit(5n)).message(1, commit(4n)).finish()); // unsorted
    reject(new WireWriter().message(1, commit(4n, 31)).finish());
    reject(new WireWriter().message(2, reveal(4n, 10001n)).finish());
    reject(new WireWriter().message(2, reveal(4n, 1n, 33)).finish());
    reject(new WireWriter().message(1, commit(4n)).message(2, reveal(4n, 1n)).finish()); // both lists
    reject(new WireWriter().message(2, reveal(4n, 1n)).message(1, commit(5n)).finish()); // not canonical order
    assert.ok(
      isValidVoteExtension(new WireWriter().message(1, commit(4n)).message(2, reveal(5n, 1n)).finish(), MAX),
    );
    // non-minimal varint for the request id: decodes, but is not canonical
    const padded = Uint8Array.of(0x0a, 0x25, 0x08, 0x84, 0x00, 0x12, 0x20, ...new Uint8Array(32).fill(1));
    assert.throws(() => decodeVoteExtension(padded, MAX), /canonical/);
  });
});
