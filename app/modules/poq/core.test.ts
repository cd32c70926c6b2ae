import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import { assignNode, pickWeighted } from "./assignment.js";
import { selectCommittee } from "./committee.js";
import { decideFinality } from "./finality.js";
import { seatMedian, weightedMedian } from "./median.js";
import { defaultPoqParams, validatePoqParams, InvalidParamsError } from "./params.js";
import { deriveSeed, drawBelow } from "./seed.js";
import { toHex } from "./types/wire.js";

const addr = (n: number): Uint8Array => new Uint8Array(20).fill(n);

describe("params", () => {
  it("accepts the defaults and rejects inconsistent values", () => {
    validatePoqParams(defaultPoqParams());
    const bad = [
      { quorumBp: 12000 },
      { nodeShareBp: 9000, validatorShareBp: 2000 },
      { committeeSize: 0 },
      { commitWindow: 0n },
      { deadlineQuorumBp: 7000, quorumBp: 6000 },
      { trustInitialBp: 100 },
      { evaluatorModelSha256: "xyz" },
      { denom: "1bad" },
      { minNodeStake: -1n },
      { maxReassignments: -1 },
    ];
    for (const b of bad) {
      assert.throws(
        () => validatePoqParams({ ...defaultPoqParams(), ...b }),
        InvalidParamsError,
        JSON.stringify(b, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
      );
    }
    validatePoqParams({ ...defaultPoqParams(), evaluatorModelSha256: "a".repeat(64) });
  });
});

describe("seed", () => {
  it("depends on every input and is stable", () => {
    const h = sha256(new Uint8Array([1]));
    const s = deriveSeed("assign", h, 7n, 0);
    assert.equal(toHex(s), toHex(deriveSeed("assign", h, 7n, 0)));
    assert.notEqual(toHex(s), toHex(deriveSeed("committee", h, 7n, 0)));
    assert.notEqual(toHex(s), toHex(deriveSeed("assign", h, 8n, 0)));
    assert.notEqual(toHex(s), toHex(deriveSeed("assign", h, 7n, 1)));
    assert.notEqual(toHex(s), toHex(deriveSeed("assign", new Uint8Array(), 7n, 0)));
  });
  it("draws below the bound", () => {
    const s = deriveSeed("assign", new Uint8Array(32), 1n, 0);
    for (let i = 0; i < 200; i++) {
      const r = drawBelow(s, i, 7n);
      assert.ok(r >= 0n && r < 7n);
    }
    assert.throws(() => drawBelow(s, 0, 0n), RangeError);
  });
});

describe("assignment", () => {
  const nodes = [
    { key: "poq1c", weight: 1_000_000n },
    { key: "poq1a", weight: 3_000_000n },
    { key: "poq1b", weight: 0n },
  ];
  it("never picks a zero-weight node and is order independent", () => {
    for (let id = 1n; id < 300n; id++) {
      const seed = deriveSeed("assign", new Uint8Array(32), id, 0);
      const a = pickWeighted(seed, nodes);
      const b = pickWeighted(seed, [...nodes].reverse());
      assert.equal(a?.key, b?.key);
      assert.notEqual(a?.key, "poq1b");
    }
  });
  it("is weighted by stake", () => {
    let countA = 0;
    for (let id = 1n; id <= 2000n; id++) {
      if (pickWeighted(deriveSeed("assign", new Uint8Array(32), id, 0), nodes)?.key === "poq1a") countA++;
    }
    // expected 1500 of 2000; a wide band keeps the test exact-deterministic and meaningful
    assert.ok(countA > 1350 && countA < 1650, `got ${countA}`);
  });
  it("returns undefined without an eligible node and honours min stake and exclusions", () => {
    const seed = deriveSeed("assign", new Uint8Array(32), 1n, 0);
    assert.equal(pickWeighted(seed, []), undefined);
    assert.equal(pickWeighted(seed, [{ key: "x", weight: 0n }]), undefined);
    assert.equal(assignNode({ seed, nodes, minStake: 2_000_000n }), "poq1a");
    assert.equal(assignNode({ seed, nodes, minStake: 1n, exclude: ["poq1a"] }), "poq1c");
    assert.equal(assignNode({ seed, nodes, minStake: 5_000_000n }), undefined);
  });
  it("rejects duplicate keys", () => {
    const seed = deriveSeed("assign", new Uint8Array(32), 1n, 0);
    assert.throws(
      () =>
        pickWeighted(seed, [
          { key: "a", weight: 1n },
          { key: "a", weight: 2n },
        ]),
      RangeError,
    );
  });
});

describe("committee", () => {
  const validators = [1, 2, 3, 4, 5].map((n) => ({ address: addr(n), power: BigInt(n * 10) }));
  it("picks distinct members, sorted by address, bounded by size", () => {
    for (let id = 1n; id < 100n; id++) {
      const seed = deriveSeed("committee", new Uint8Array(32), id, 0);
      const c = selectCommittee({ seed, validators, size: 3 });
      assert.equal(c.length, 3);
      const hexes = c.map((m) => toHex(m.address));
      assert.equal(new Set(hexes).size, 3);
      assert.deepEqual(hexes, [...hexes].sort());
      assert.deepEqual(selectCommittee({ seed, validators: [...validators].reverse(), size: 3 }), c);
    }
  });
  it("takes everyone when the size is at least the eligible count", () => {
    const seed = deriveSeed("committee", new Uint8Array(32), 1n, 0);
    assert.equal(selectCommittee({ seed, validators, size: 5 }).length, 5);
    assert.equal(selectCommittee({ seed, validators, size: 50 }).length, 5);
    const one = selectCommittee({ seed, validators: [validators[0]!], size: 3 });
    assert.deepEqual(one, [{ address: addr(1), power: 10n }]);
  });
  it("skips excluded and zero-power validators", () => {
    const seed = deriveSeed("committee", new Uint8Array(32), 1n, 0);
    const withZero = [...validators, { address: addr(9), power: 0n }];
    for (let i = 0; i < 50; i++) {
      const c = selectCommittee({
        seed: deriveSeed("committee", seed, BigInt(i), 0),
        validators: withZero,
        size: 3,
        isExcluded: (a) => a[0] === 5,
      });
      assert.ok(c.every((m) => m.address[0] !== 5 && m.address[0] !== 9));
    }
    assert.deepEqual(selectCommittee({ seed, validators, size: 3, isExcluded: () => true }), []);
  });
  it("favours stake", () => {
    let big = 0;
    for (let id = 1n; id <= 1000n; id++) {
      const c = selectCommittee({
        seed: deriveSeed("committee", new Uint8Array(32), id, 0),
        validators,
        size: 1,
      });
      if (c[0]?.address[0] === 5) big++;
    }
    assert.ok(big > 250 && big < 420, `got ${big}`); // expected 1000 * 50/150 = 333
  });
});

describe("weighted median", () => {
  const s = (v: number, score: number, power: bigint) => ({ validator: addr(v), score, power });
  it("is the lower weighted median", () => {
    assert.equal(weightedMedian([s(1, 100, 1n), s(2, 9000, 1n)]), 100);
    assert.equal(weightedMedian([s(1, 100, 1n), s(2, 5000, 1n), s(3, 9000, 1n)]), 5000);
    assert.equal(weightedMedian([s(1, 100, 1n), s(2, 9000, 3n)]), 9000);
    assert.equal(weightedMedian([s(1, 100, 3n), s(2, 9000, 1n)]), 100);
    assert.equal(weightedMedian([s(1, 7000, 5n)]), 7000);
    assert.equal(weightedMedian([s(3, 6000, 2n), s(1, 6000, 2n), s(2, 1000, 1n)]), 6000);
  });
  it("is undefined without power and ignores zero power", () => {
    assert.equal(weightedMedian([]), undefined);
    assert.equal(weightedMedian([s(1, 100, 0n)]), undefined);
    assert.equal(weightedMedian([s(1, 100, 0n), s(2, 8000, 1n)]), 8000);
  });
  it("cannot be moved outside the honest range by a minority", () => {
    const honest = [s(1, 7000, 10n), s(2, 7200, 10n), s(3, 7100, 10n)];
    for (const evil of [0, 10000]) {
      const m = weightedMedian([...honest, s(4, evil, 29n)])!;
      assert.ok(m >= 7000 && m <= 7200, `median ${m}`);
    }
  });
  it("does not depend on input order", () => {
    const xs = [s(1, 10, 3n), s(2, 50, 1n), s(3, 30, 2n), s(4, 50, 2n)];
    assert.equal(weightedMedian(xs), weightedMedian([...xs].reverse()));
  });
});

describe("finality (review H1: no seat, nor two, decides a score)", () => {
  // Seats weigh 1 each: powers are seat counts.
  const at = (seats: number, reveals: number, height = 10n) =>
    decideFinality({
      committeePower: BigInt(seats),
      revealedPower: BigInt(reveals),
      seats,
      reveals,
      height,
      revealDeadline: 15n,
      quorumBp: 6666,
      deadlineQuorumBp: 5000,
      minReveals: 3,
    });
  it("never finalizes on two reveals of three seats (the old rule did, at once)", () => {
    assert.equal(at(3, 2), "pending");
    assert.equal(at(3, 2, 15n), "unscored");
    assert.equal(at(3, 3), "final");
  });
  it("finalizes a committee of five early at four reveals, at the deadline with three", () => {
    assert.equal(at(5, 4), "final");
    assert.equal(at(5, 3), "pending");
    assert.equal(at(5, 3, 15n), "final");
    assert.equal(at(5, 2, 15n), "unscored");
    assert.equal(at(5, 0, 16n), "unscored");
  });
  it("needs all seats of a smaller committee", () => {
    assert.equal(at(1, 1), "final");
    assert.equal(at(2, 1, 15n), "unscored");
    assert.equal(at(2, 2), "final");
    assert.equal(at(0, 0, 15n), "unscored");
    assert.equal(at(0, 0), "pending");
  });
});

describe("seat median", () => {
  it("gives an exact half of the seats only half the way (the lower median gave them all of it)", () => {
    assert.equal(
      weightedMedian([9000, 9000, 0, 0].map((score, i) => ({ validator: addr(i), score, power: 1n }))),
      0,
    );
    assert.equal(seatMedian([9000, 9000, 0, 0]), 4500);
    assert.equal(seatMedian([9000, 8800, 0]), 8800, "a minority cannot move it out of the majority's range");
    assert.equal(seatMedian([9000, 8800, 10000, 0, 0]), 8800);
    assert.equal(seatMedian([]), undefined);
  });
});
