import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../../context.js";
import { createStateStore, type StateStore } from "../../store/state.js";
import { formatAccountAddress } from "../auth/address.js";
import { createPoqKeeper } from "./keeper.js";
import { MAX_SCANNED, createPoqQueries } from "./queries.js";
import { RequestStatus, type RequestRecord } from "./state.js";
import { PoqQueryPath } from "./types/query-paths.js";
import { requestRecord } from "../../../test/request-record.js";

const addr = (n: number): string => formatAccountAddress(new Uint8Array(20).fill(n));
const alice = addr(1);
const bob = addr(2);
const nodeA = addr(3);
const nodeB = addr(4);

function request(id: number, requester: string, status: RequestStatus, node: string): RequestRecord {
  return requestRecord(id, { requester, prompt: "p", status, node, assigned_nodes: node ? [node] : [] });
}

let dir: string;
let state: StateStore;
const keeper = createPoqKeeper();
const queries = createPoqQueries(keeper, { list: () => [] });
type Page = { requests: { id: string; status: string }[]; pagination: { next_key: string | null } };
const query = (body: object): Page => {
  const ctx = createContext({
    store: state.committedView(),
    chainId: "t",
    blockHeight: 1n,
    blockTimeNanos: 0n,
  });
  const out = queries[PoqQueryPath.Requests]!(ctx, new TextEncoder().encode(JSON.stringify(body)));
  return JSON.parse(new TextDecoder().decode(out as Uint8Array)) as Page;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-queries-"));
  state = createStateStore({ path: join(dir, "app.db") });
  const ctx = { store: state.deliver };
  // 2,500 finished requests of alice served by node A, then a few open ones of bob on node B.
  for (let id = 1; id <= 2_500; id++)
    keeper.setRequest(ctx, request(id, alice, RequestStatus.Finalized, nodeA));
  for (let id = 2_501; id <= 2_505; id++) {
    keeper.setRequest(ctx, request(id, bob, RequestStatus.Pending, ""));
    keeper.setRequest(ctx, request(id, bob, RequestStatus.Assigned, nodeB));
  }
  state.commit(1n);
});
after(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Requests query over indexes (review M7)", () => {
  it("finds the few open requests behind thousands of finished ones through the status and node indexes", () => {
    const assigned = query({ status: "ASSIGNED" });
    assert.deepEqual(
      assigned.requests.map((r) => r.id),
      ["2501", "2502", "2503", "2504", "2505"],
    );
    assert.equal(assigned.pagination.next_key, null);
    assert.equal(query({ status: "PENDING" }).requests.length, 0, "the old status left the index");
    const byNode = query({ node: nodeB });
    assert.equal(byNode.requests.length, 5);
    assert.equal(byNode.pagination.next_key, null);
    assert.equal(query({ requester: bob, limit: 2 }).pagination.next_key, "2503");
  });

  it("a filter that matches nothing reads a bounded number of rows and says where to go on", () => {
    // alice's 2,500 requests are all FINALIZED: none is EXPIRED, and the page stops after MAX_SCANNED reads.
    const first = query({ requester: alice, status: "EXPIRED" });
    assert.equal(first.requests.length, 0);
    assert.equal(first.pagination.next_key, String(1 + MAX_SCANNED));
    let key: string | null = first.pagination.next_key;
    let pages = 1;
    while (key !== null) {
      key = query({ requester: alice, status: "EXPIRED", key }).pagination.next_key;
      pages++;
    }
    assert.equal(pages, Math.ceil(2_500 / MAX_SCANNED));
  });

  it("an unknown requester or an address that does not parse gives an empty page at once", () => {
    assert.deepEqual(query({ requester: addr(9) }), { requests: [], pagination: { next_key: null } });
    assert.deepEqual(query({ node: "nobody" }), { requests: [], pagination: { next_key: null } });
  });
});
