import { describe, it, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../../context.js";
import { createStateStore, type StateStore } from "../../store/state.js";
import { formatAccountAddress } from "../auth/address.js";
import { createPoqKeeper } from "./keeper.js";
import { finishedRequestsPrefix } from "./keys.js";
import { defaultPoqParams } from "./params.js";
import { MAX_PRUNED_RECORDS_PER_BLOCK, pruneFinishedRequests } from "./prune.js";
import { createPoqQueries } from "./queries.js";
import { RequestStatus, type RequestRecord } from "./state.js";
import { PoqQueryPath } from "./types/query-paths.js";
import { requestRecord } from "../../../test/request-record.js";

const addr = (n: number): string => formatAccountAddress(new Uint8Array(20).fill(n));
const alice = addr(1);
const nodeA = addr(3);
const nodeB = addr(4);
const sha = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");
const RETENTION = 10n;
const params = { ...defaultPoqParams(), requestRetentionBlocks: RETENTION };

function request(
  id: number,
  status: RequestStatus,
  finished: number,
  extra: Partial<RequestRecord> = {},
): RequestRecord {
  return requestRecord(id, {
    requester: alice,
    prompt: `prompt of ${id}: ${"x".repeat(2000)}`,
    fee: { denom: "upoq", amount: "1000" },
    status,
    node: nodeA,
    response: status === RequestStatus.Expired ? "" : `answer to ${id}: ${"y".repeat(8000)}`,
    created_height: "1",
    assigned_height: "2",
    responded_height: "3",
    finalized_height: String(finished),
    assigned_nodes: [nodeA],
    quality:
      status === RequestStatus.Finalized
        ? { score: 8000, scores: [], revealed_power: "1", committee_power: "1" }
        : null,
    payout: { node: "640", validators: [], refund: "360", slashed: "0" },
    ...extra,
  });
}

let dir: string;
let state: StateStore;
const keeper = createPoqKeeper();

/** Runs the pruning of EndBlock at `height` on the deliver state and commits it. */
function endBlock(height: bigint): { pruned: number; events: string[] } {
  const ctx = createContext({ store: state.deliver, chainId: "t", blockHeight: height, blockTimeNanos: 0n });
  const pruned = pruneFinishedRequests(ctx, { keeper }, params);
  state.commit(height);
  return { pruned, events: ctx.events.map((e) => `${e.type}:${e.attributes[0]!.value}`) };
}
const view = () => ({ store: state.committedView() });
const get = (id: number): RequestRecord => keeper.getRequest(view(), BigInt(id))!;
const finishedLeft = (): number => [...state.committedView().iterate(finishedRequestsPrefix())].length;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-prune-"));
  state = createStateStore({ path: join(dir, "app.db") });
});
afterEach(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("pruning finished requests (issue 14)", () => {
  it("keeps a finished request whole for the retention window, then drops only its texts, keeping their hashes", () => {
    const ctx = { store: state.deliver };
    const open = request(1, RequestStatus.Assigned, 0, { response: "" });
    keeper.setRequest(ctx, open);
    const done = request(2, RequestStatus.Pending, 0);
    keeper.setRequest(ctx, done);
    keeper.setRequest(ctx, { ...done, status: RequestStatus.Finalized, finalized_height: "5" });
    const expired = request(3, RequestStatus.Expired, 6);
    keeper.setRequest(ctx, expired);
    state.commit(6n);
    assert.equal(finishedLeft(), 2, "the finished index holds the two finished requests, not the open one");

    assert.equal(endBlock(14n).pruned, 0, "5 + 10 > 14: still within the window");
    assert.equal(get(2).prompt, done.prompt);
    const at15 = endBlock(15n);
    assert.equal(at15.pruned, 1);
    assert.deepEqual(at15.events, ["poq_request_pruned:2"]);

    const pruned = get(2);
    const before = { ...done, status: RequestStatus.Finalized, finalized_height: "5" };
    assert.deepEqual(pruned, {
      ...before,
      prompt: "",
      response: "",
      pruned_height: "15",
      prompt_sha256: sha(done.prompt),
      response_sha256: sha(done.response),
    });
    assert.ok(JSON.stringify(pruned).length < 1_000, "what stays is small");
    assert.equal(get(3).prompt, expired.prompt, "request 3 finished at 6: pruned at 16");
    endBlock(16n);
    assert.equal(get(3).prompt, "");
    assert.equal(get(3).response_sha256, "", "an expired request had no answer to hash");
    assert.equal(get(1).prompt, open.prompt, "an open request is never pruned");
    assert.equal(finishedLeft(), 0);
    // Queries still list the pruned request by status and requester (its indexes stay).
    const queries = createPoqQueries(keeper, { list: () => [] });
    const qctx = createContext({
      store: state.committedView(),
      chainId: "t",
      blockHeight: 16n,
      blockTimeNanos: 0n,
    });
    const page = JSON.parse(
      new TextDecoder().decode(
        queries[PoqQueryPath.Requests]!(
          qctx,
          new TextEncoder().encode(JSON.stringify({ status: "FINALIZED" })),
        ) as Uint8Array,
      ),
    ) as { requests: RequestRecord[] };
    assert.deepEqual(
      page.requests.map((r) => [r.id, r.pruned_height]),
      [["2", "15"]],
    );
  });

  it("prunes at most the per-block cap, oldest finished first, and drains a backlog over the next blocks", () => {
    const ctx = { store: state.deliver };
    const n = 2 * MAX_PRUNED_RECORDS_PER_BLOCK + 50;
    // Written in descending id order with heights going down: pruning follows the finish height.
    for (let i = n; i >= 1; i--) keeper.setRequest(ctx, request(i, RequestStatus.Finalized, 100 + (n - i)));
    state.commit(100n + BigInt(n));
    const height = 100n + BigInt(n) + RETENTION; // everything is due
    const first = endBlock(height);
    assert.equal(first.pruned, MAX_PRUNED_RECORDS_PER_BLOCK);
    // The oldest finished are the highest ids here.
    assert.equal(get(n).prompt, "");
    assert.equal(get(n - MAX_PRUNED_RECORDS_PER_BLOCK + 1).prompt, "");
    assert.notEqual(get(n - MAX_PRUNED_RECORDS_PER_BLOCK).prompt, "");
    assert.equal(endBlock(height + 1n).pruned, MAX_PRUNED_RECORDS_PER_BLOCK);
    assert.equal(endBlock(height + 2n).pruned, 50);
    assert.equal(endBlock(height + 3n).pruned, 0);
    for (let i = 1; i <= n; i++) assert.equal(get(i).prompt, "", `request ${i}`);
    assert.equal(finishedLeft(), 0);
  });

  it("prunes a replicated request with its answers in the same block; answers never enter the index", () => {
    const ctx = { store: state.deliver };
    const parent = request(10, RequestStatus.Scoring, 0, {
      replicas: 2,
      response_ids: ["11", "12"],
      assigned_nodes: [nodeA, nodeB],
    });
    keeper.setRequest(ctx, parent);
    const answers = [11, 12].map((id, i) =>
      request(id, RequestStatus.Finalized, 20, {
        parent: "10",
        prompt: parent.prompt, // an answer record is the request's, spread
        response_ids: [],
        node: i === 0 ? nodeA : nodeB,
        assigned_nodes: [i === 0 ? nodeA : nodeB],
        response: `answer ${id}`,
      }),
    );
    for (const a of answers) keeper.setRequest(ctx, a);
    state.commit(20n);
    assert.equal(finishedLeft(), 0, "a finished answer waits for its request");
    keeper.setRequest(
      { store: state.deliver },
      { ...parent, status: RequestStatus.Finalized, finalized_height: "21", response: "answer 11" },
    );
    state.commit(21n);
    assert.equal(finishedLeft(), 1);
    assert.equal(endBlock(31n).pruned, 3, "the request and its two answers");
    for (const a of answers) {
      const r = get(Number(a.id));
      assert.equal(r.response, "");
      assert.equal(r.response_sha256, sha(a.response));
      assert.equal(r.prompt_sha256, sha(parent.prompt));
      assert.equal(r.pruned_height, "31");
    }
    assert.equal(get(10).response_sha256, sha("answer 11"));
  });

  it("a lower retention set by governance applies to requests already finished, in index order", () => {
    const ctx = { store: state.deliver };
    for (let i = 1; i <= 3; i++) keeper.setRequest(ctx, request(i, RequestStatus.Finalized, i));
    state.commit(3n);
    const c = createContext({ store: state.deliver, chainId: "t", blockHeight: 5n, blockTimeNanos: 0n });
    assert.equal(pruneFinishedRequests(c, { keeper }, { ...params, requestRetentionBlocks: 3n }), 2);
    state.commit(5n);
    assert.equal(get(1).pruned_height, "5");
    assert.equal(get(2).pruned_height, "5");
    assert.equal(get(3).pruned_height, undefined);
  });
});
