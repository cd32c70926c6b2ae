/**
 * The inference node finds its assigned requests behind more than one page of ASSIGNED requests
 * (issue 14): the real poq keeper and `Requests` query handler over a real SQLite store.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../app/context.js";
import { createStateStore, type StateStore } from "../app/store/state.js";
import { formatAccountAddress } from "../app/modules/auth/address.js";
import { createPoqKeeper } from "../app/modules/poq/keeper.js";
import { MAX_SCANNED, createPoqQueries } from "../app/modules/poq/queries.js";
import { RequestStatus, type RequestRecord, type RequestView } from "../app/modules/poq/state.js";
import { PoqQueryPath } from "../app/modules/poq/types/query-paths.js";
import { assignedToNode, type RequestsPage } from "./chain-query.js";
import { requestRecord } from "../test/request-record.js";

const addr = (n: number): string => formatAccountAddress(new Uint8Array(20).fill(n));
const requester = addr(1);
const busy = addr(2);
const me = addr(3);

function assigned(id: number, node: string, responded = "0"): RequestRecord {
  return requestRecord(id, {
    requester,
    prompt: "p",
    fee: { denom: "upoq", amount: "1000" },
    status: RequestStatus.Assigned,
    node,
    created_height: "1",
    assigned_height: "2",
    responded_height: responded,
    response_deadline: "30",
    assigned_nodes: [node],
  });
}

let dir: string;
let state: StateStore;
const keeper = createPoqKeeper();
const queries = createPoqQueries(keeper, { list: () => [] });
let calls = 0;
/** One page, as `queryRequests` gets it over RPC: the query handler's JSON. */
const page: RequestsPage = async (filter) => {
  calls++;
  const ctx = createContext({
    store: state.committedView(),
    chainId: "t",
    blockHeight: 3n,
    blockTimeNanos: 0n,
  });
  const out = queries[PoqQueryPath.Requests]!(ctx, new TextEncoder().encode(JSON.stringify(filter)));
  const res = JSON.parse(new TextDecoder().decode(out as Uint8Array)) as {
    requests: RequestView[];
    pagination: { next_key: string | null };
  };
  return { requests: res.requests, nextKey: res.pagination.next_key };
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-assigned-pages-"));
  state = createStateStore({ path: join(dir, "app.db") });
  const ctx = { store: state.deliver };
  // 2,500 ASSIGNED requests of a busy node first, then three of ours (one answered in this block).
  for (let id = 1; id <= 2_500; id++) keeper.setRequest(ctx, assigned(id, busy));
  keeper.setRequest(ctx, assigned(2_501, me));
  keeper.setRequest(ctx, assigned(2_502, me, "3"));
  keeper.setRequest(ctx, assigned(2_503, me));
  state.commit(3n);
});
after(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("inference node: its assigned requests behind other nodes' (next_key)", () => {
  it("the first page holds none of them, only a next_key", async () => {
    const first = await page({ node: me, status: "ASSIGNED", limit: 100, answers: "true" });
    assert.deepEqual(first.requests, []);
    assert.equal(first.nextKey, String(1 + MAX_SCANNED));
  });

  it("follows next_key to the end and finds the unanswered ones", async () => {
    calls = 0;
    const mine = await assignedToNode(page, me);
    assert.deepEqual(
      mine.map((r) => r.id),
      ["2501", "2503"],
    );
    assert.equal(calls, Math.ceil(2_503 / MAX_SCANNED));
  });
});
