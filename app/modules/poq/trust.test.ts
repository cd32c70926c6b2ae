import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultPoqParams } from "./params.js";
import { isExcluded, newTrustRecord, recordCommittee, recordMiss, recordReveal } from "./trust.js";

const p = defaultPoqParams();

describe("trust", () => {
  it("rises on close agreement, less near the tolerance bound, and stays under the ceiling", () => {
    const r0 = newTrustRecord(p);
    const exact = recordReveal(r0, 0, p);
    const edge = recordReveal(r0, p.agreementToleranceBp - 10, p);
    assert.ok(exact.trustBp > edge.trustBp, `${exact.trustBp} vs ${edge.trustBp}`);
    assert.ok(edge.trustBp >= r0.trustBp);
    let r = r0;
    for (let i = 0; i < 500; i++) r = recordReveal(r, 0, p);
    assert.ok(r.trustBp <= p.trustCeilingBp);
    assert.equal(r.revealed, 500n);
  });
  it("an attacker sitting just inside the bound gains almost nothing (no saturation into a mean)", () => {
    let honest = newTrustRecord(p);
    let edgy = newTrustRecord(p);
    for (let i = 0; i < 20; i++) {
      honest = recordReveal(honest, 50, p);
      edgy = recordReveal(edgy, p.agreementToleranceBp, p);
    }
    assert.equal(edgy.trustBp, p.trustInitialBp);
    assert.ok(honest.trustBp > p.trustInitialBp + 2000);
  });
  it("falls on deviation and misses, never below the floor", () => {
    const r0 = newTrustRecord(p);
    const dev = recordReveal(r0, p.agreementToleranceBp + 1, p);
    assert.ok(dev.trustBp < r0.trustBp);
    assert.equal(dev.deviated, 1n);
    let r = r0;
    for (let i = 0; i < 100; i++) r = recordMiss(r, BigInt(i), p);
    assert.equal(r.trustBp, p.trustFloorBp);
    assert.equal(r.missed, 100n);
  });
  it("one miss costs more than one agreement earns", () => {
    const r0 = newTrustRecord(p);
    const up = recordReveal(r0, 0, p).trustBp - r0.trustBp;
    const down = r0.trustBp - recordMiss(r0, 1n, p).trustBp;
    assert.ok(down > up);
  });
  it("excludes after consecutive misses for the exclusion window; a reveal resets the streak", () => {
    let r = recordCommittee(newTrustRecord(p));
    assert.equal(r.committees, 1n);
    r = recordMiss(r, 10n, p);
    r = recordMiss(r, 11n, p);
    r = recordReveal(r, 0, p);
    assert.equal(r.consecutiveMisses, 0);
    r = recordMiss(r, 12n, p);
    r = recordMiss(r, 13n, p);
    assert.equal(isExcluded(r, 14n), false);
    r = recordMiss(r, 14n, p);
    assert.equal(r.excludedUntil, 14n + p.exclusionBlocks);
    assert.equal(isExcluded(r, 15n), true);
    assert.equal(isExcluded(r, 14n + p.exclusionBlocks), true);
    assert.equal(isExcluded(r, 15n + p.exclusionBlocks), false);
  });
});
