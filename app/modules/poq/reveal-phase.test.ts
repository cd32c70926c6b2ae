import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KVStore } from "../../types.js";
import { createPoqKeeper } from "./keeper.js";
import { revealPhaseOpen } from "./scoring.js";
import { consAddress, type RequestRecord } from "./state.js";

/** A plain in-memory store: the rule only reads and writes commitments by key. */
function memoryStore(): KVStore {
  const m = new Map<string, Uint8Array>();
  const k = (key: Uint8Array) => Buffer.from(key).toString("hex");
  return {
    get: (key) => m.get(k(key)),
    has: (key) => m.has(k(key)),
    set: (key, value) => void m.set(k(key), value),
    delete: (key) => void m.delete(k(key)),
    iterate: () => [],
  };
}

const seatAddress = (i: number) => new Uint8Array(20).fill(i + 1);

describe("the reveal phase opens after the commit window, or once every seat committed earlier", () => {
  const keeper = createPoqKeeper();
  const ctx = { store: memoryStore() };
  const req = {
    id: "7",
    commit_deadline: "13",
    committee: [0, 1, 2].map((i) => ({ validator: consAddress(seatAddress(i)), power: "1" })),
  } as RequestRecord;
  const commit = (i: number, height: bigint) =>
    keeper.setCommitment(ctx, 7n, seatAddress(i), { commitment: "00", height: height.toString() });

  it("stays closed while a seat has not committed (it could still copy a reveal)", () => {
    commit(0, 11n);
    commit(1, 11n);
    assert.equal(revealPhaseOpen(ctx, keeper, req, 12n), false);
    assert.equal(revealPhaseOpen(ctx, keeper, req, 13n), false);
    assert.equal(revealPhaseOpen(ctx, keeper, req, 14n), true, "after the commit deadline");
  });

  it("does not count a commitment that lands in the same block", () => {
    commit(2, 12n);
    assert.equal(revealPhaseOpen(ctx, keeper, req, 12n), false);
    assert.equal(revealPhaseOpen(ctx, keeper, req, 13n), true, "every seat committed before 13");
  });

  it("never opens early for a committee not drawn yet", () => {
    assert.equal(revealPhaseOpen(ctx, keeper, { ...req, committee: [] }, 12n), false);
  });
});
