/**
 * Issue 14 / review L4: the scorer follows this validator's open seats (the chain's seat index), so a
 * pass costs what it sits on, not every request since the oldest one still open.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LayeredStore } from "../app/store/layered.js";
import type { KVStore } from "../app/types.js";
import { createAccountKeeper } from "../app/modules/auth/keeper.js";
import { formatAccountAddress } from "../app/modules/auth/address.js";
import { createBankKeeper } from "../app/modules/bank/keeper.js";
import { createValidatorsKeeper } from "../app/modules/validators/keeper.js";
import { createPoqModule } from "../app/modules/poq/module.js";
import { consAddress, type RequestRecord } from "../app/modules/poq/state.js";
import { createScorer } from "./scorer.js";
import { requestRecord } from "../test/request-record.js";

const quiet = { info: () => undefined, error: () => undefined };

/** Counts the keys a pass reads (point reads and iterated entries) on the way to the real store. */
function counting(store: KVStore): { store: KVStore; reads: () => number } {
  let reads = 0;
  return {
    reads: () => reads,
    store: {
      get: (k) => (reads++, store.get(k)),
      has: (k) => (reads++, store.has(k)),
      set: (k, v) => store.set(k, v),
      delete: (k) => store.delete(k),
      *iterate(prefix, opts) {
        for (const e of store.iterate(prefix, opts)) {
          reads++;
          yield e;
        }
      },
    },
  };
}

describe("validator scorer (review L4, issue 14)", () => {
  it("reads its open seats, not every request since the oldest open one, and drops closed ones", () => {
    const home = mkdtempSync(join(tmpdir(), "poq-scorer-"));
    const store = new LayeredStore({ get: () => undefined, page: () => [] });
    const accounts = createAccountKeeper({ moduleAccounts: { poq: [], poq_pool: [] } });
    const poq = createPoqModule({
      bank: createBankKeeper({ accounts }),
      validators: createValidatorsKeeper(),
    });
    const ctx = { store };
    const me = new Uint8Array(20).fill(0x42);
    const who = formatAccountAddress(new Uint8Array(20).fill(1));
    const record = (id: number, status: RequestRecord["status"]): RequestRecord =>
      requestRecord(id, {
        requester: who,
        prompt: "p".repeat(500),
        max_tokens: 8,
        fee: { denom: "upoq", amount: "1000" },
        status,
        node: who,
        response: "r".repeat(500),
        created_height: "1",
        assigned_height: "1",
        responded_height: "1",
        response_deadline: "20",
        commit_deadline: "10",
        reveal_deadline: "12",
        assigned_nodes: [who],
        committee: status === "SCORING" ? [{ validator: consAddress(me), power: "1" }] : [],
      });
    // The oldest request never closes (it waits for a node); 2,000 after it are finished.
    poq.keeper.setRequest(ctx, record(1, "PENDING"));
    for (let id = 2; id <= 2001; id++) poq.keeper.setRequest(ctx, record(id, "FINALIZED"));
    poq.keeper.setRequest(ctx, record(2002, "SCORING"));
    poq.keeper.openSeatsFor(ctx, 2002n, [me]);
    const scorer = createScorer({
      home,
      poq,
      validatorAddress: me,
      queue: undefined,
      behaviour: "boost",
      logger: quiet,
    });
    try {
      for (let pass = 0; pass < 3; pass++) {
        const view = counting(store);
        scorer.onCommit(view.store);
        assert.ok(view.reads() < 50, `pass ${pass} read ${view.reads()} keys`);
      }
      assert.deepEqual([...scorer.ready().keys()], [2002n]);
      assert.equal(scorer.ready().get(2002n)?.score, 10000);
      // The request closes: its seat goes, and so does the score (here and on disk).
      poq.keeper.setRequest(ctx, record(2002, "FINALIZED"));
      poq.keeper.clearScores(ctx, 2002n, [me]);
      scorer.onCommit(store);
      assert.equal(scorer.ready().size, 0);
    } finally {
      scorer.close();
    }
    const reopened = createScorer({ home, poq, validatorAddress: me, queue: undefined, logger: quiet });
    try {
      assert.equal(reopened.ready().size, 0, "the closed request's score is gone from scorer.db too");
    } finally {
      reopened.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
