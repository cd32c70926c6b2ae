import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computePayout, nodeBaseShare } from "./payout.js";
import type { ComputePayoutParams } from "./payout.js";
import { deriveSeed, drawBelow } from "./seed.js";

const addr = (n: number): Uint8Array => new Uint8Array(20).fill(n);
const base: ComputePayoutParams = {
  fee: 1000n,
  quality: 8000,
  qualityFloorBp: 2000,
  nodeShareBp: 8000,
  validatorShareBp: 2000,
  agreementToleranceBp: 1500,
  reveals: [
    { validator: addr(1), score: 8000, power: 10n },
    { validator: addr(2), score: 7500, power: 30n },
    { validator: addr(3), score: 1000, power: 10n },
  ],
};
const total = (p: ReturnType<typeof computePayout>) =>
  p.node + p.refund + p.validators.reduce((s, v) => s + v.amount, 0n);

describe("payout", () => {
  it("pays the node by quality and agreeing validators by stake", () => {
    const p = computePayout(base);
    assert.equal(p.node, 640n); // 1000 * 0.8 * 0.8
    assert.deepEqual(
      p.validators.map((v) => [v.validator[0], v.amount]),
      [
        [1, 50n],
        [2, 150n],
      ],
    );
    assert.deepEqual(p.deviators, [addr(3)]);
    assert.equal(p.refund, 160n);
    assert.equal(total(p), 1000n);
  });
  it("refunds the node part below the floor", () => {
    const q = computePayout({ ...base, quality: 1000 });
    assert.equal(q.node, 0n);
    assert.equal(q.nodePaid, false);
    assert.equal(total(q), 1000n);
  });
  it("pays a scored answer above the floor by quality, whatever min_quality was (review M1)", () => {
    // Old rule: quality 9999 under min_quality 10000 paid the node nothing.
    const p = computePayout({ ...base, quality: 9999 });
    assert.equal(p.node, (800n * 9999n) / 10000n);
    assert.equal(p.nodePaid, true);
  });
  it("handles zero fee, no reveals and everyone deviating", () => {
    const zero = computePayout({ ...base, fee: 0n });
    assert.equal(total(zero), 0n);
    assert.equal(zero.refund, 0n);
    const none = computePayout({ ...base, reveals: [] });
    assert.equal(none.validators.length, 0);
    assert.equal(none.refund, 1000n - 640n);
    const all = computePayout({
      ...base,
      quality: 5000,
      reveals: base.reveals.map((r) => ({ ...r, score: 10000 })),
    });
    assert.equal(all.validators.length, 0);
    assert.equal(all.deviators.length, 3);
    assert.equal(total(all), 1000n);
  });
  it("never creates or loses coins (property over many inputs)", () => {
    const seed = deriveSeed("assign", new Uint8Array(32), 42n, 0);
    let i = 0;
    const rnd = (bound: bigint) => drawBelow(seed, i++, bound);
    for (let k = 0; k < 3000; k++) {
      const nodeShareBp = Number(rnd(10001n));
      const validatorShareBp = Number(rnd(BigInt(10001 - nodeShareBp)));
      const quality = Number(rnd(10001n));
      const n = Number(rnd(7n));
      const reveals = Array.from({ length: n }, (_, j) => ({
        validator: addr(j + 1),
        score: Number(rnd(10001n)),
        power: rnd(1000n),
      }));
      const fee = k % 3 === 0 ? rnd(100n) : rnd(1n << 80n);
      const p = computePayout({
        fee,
        quality,
        qualityFloorBp: Number(rnd(3000n)),
        nodeShareBp,
        validatorShareBp,
        agreementToleranceBp: Number(rnd(3000n)),
        reveals,
      });
      assert.equal(total(p), fee);
      assert.ok(p.node >= 0n && p.refund >= 0n && p.validators.every((v) => v.amount >= 0n));
      assert.ok(p.validators.reduce((s, v) => s + v.amount, 0n) <= (fee * BigInt(validatorShareBp)) / 10000n);
    }
  });
  it("rejects a negative fee", () => {
    assert.throws(() => computePayout({ ...base, fee: -1n }), RangeError);
  });
  it("takes the base share of the node part", () => {
    assert.equal(nodeBaseShare(800n, 5000), 400n);
    assert.equal(nodeBaseShare(7n, 5000), 3n);
  });
});
