/**
 * Issue 10 ("heavy when idle"): a block with no transaction and nothing in flight changes no state, so
 * its app hash repeats and CometBFT (`create_empty_blocks_interval`) stops making a block every
 * `timeout_commit`; a transaction or open work makes every block mix the beacon again, and a request
 * is still assigned in the block after its own.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createPoqBenchChain,
  registerNodeMsg,
  requestInferenceMsg,
  type PoqBenchChain,
} from "../../../test/poq-app-chain.js";
import { msgSendAny, testKey } from "../../../test/raw-signer.js";
import type { RequestRecord } from "./state.js";

const requester = testKey("idle-requester");
const node = testKey("idle-node");
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

const request = (chain: PoqBenchChain, model: string): Uint8Array =>
  chain.signed(requester, [requestInferenceMsg(requester.address, model, "What is 2+2?", 1000n)]);
const registerTx = (chain: PoqBenchChain): Uint8Array =>
  chain.signed(node, [registerNodeMsg(node.address, ["m"], 5_000_000n)]);

function world() {
  const chain = createPoqBenchChain({
    validators: 4,
    accounts: [requester, node],
    params: { responseTimeout: "3", maxReassignments: 0 },
  });
  const appHash = () => hex(chain.app.state.lastAppHash);
  const view = () => ({ store: chain.app.state.committedView() });
  const keeper = chain.modules.poq.keeper;
  /** Runs a block and says whether it changed the app hash. */
  const changes = (txs: Uint8Array[] = []): boolean => {
    const before = appHash();
    const r = chain.runBlock(txs);
    assert.deepEqual(r.failed, []);
    return appHash() !== before;
  };
  return { chain, changes, keeper, view };
}

describe("an idle chain rests (issue 10)", () => {
  it("empty blocks with nothing in flight leave the app hash as it was", () => {
    const w = world();
    try {
      w.changes();
      const idle = Array.from({ length: 5 }, () => w.changes());
      assert.deepEqual(idle, [false, false, false, false, false]);
      // Any transaction wakes it: its block mixes the beacon (recording the commitments whose reveals
      // make the next block's beacon ready).
      assert.equal(
        w.changes([w.chain.signed(requester, [msgSendAny(requester.address, node.address, 1n)])]),
        true,
      );
      assert.equal(w.keeper.beacon(w.view()).height, w.chain.height.toString());
      // Its fee is allocated in the next block's BeginBlock (distribution, as the SDK), which CometBFT
      // makes anyway since the app hash just changed; after that nothing is in flight.
      assert.equal(w.changes(), true, "the next block distributes the send's fee");
      assert.equal(w.changes(), false, "a send leaves nothing in flight after its fee is distributed");
    } finally {
      w.chain.cleanup();
    }
  });

  it("an open request keeps every block moving until it closes, then the chain rests again", () => {
    const w = world();
    try {
      w.changes([registerTx(w.chain)]);
      w.changes();
      assert.equal(w.changes([request(w.chain, "m")]), true);
      const status = () => (w.keeper.getRequest(w.view(), 1n) as RequestRecord).status;
      // The node never answers: assigned, its deadline missed (slashed, jailed), the fee refunded.
      const moving: boolean[] = [];
      while (["PENDING", "ASSIGNED"].includes(status()) && moving.length < 20) moving.push(w.changes());
      assert.equal(status(), "EXPIRED");
      assert.ok(moving.length >= 4, `open for ${moving.length} blocks`);
      assert.ok(moving.every(Boolean), `every block while it was open changed state: ${moving.join(",")}`);
      assert.deepEqual([w.changes(), w.changes()], [false, false]);
    } finally {
      w.chain.cleanup();
    }
  });

  it("a request after a rest is assigned in the next block, as on a busy chain", () => {
    const w = world();
    try {
      w.changes([registerTx(w.chain)]);
      w.changes();
      assert.deepEqual([w.changes(), w.changes(), w.changes()], [false, false, false]);
      w.changes([request(w.chain, "m")]);
      const req = () => w.keeper.getRequest(w.view(), 1n) as RequestRecord;
      assert.equal(req().status, "PENDING");
      assert.equal(w.changes(), true);
      assert.equal(req().status, "ASSIGNED");
      assert.equal(req().node, node.address);
      // Its response deadline is open work: the blocks go on.
      assert.deepEqual([w.changes(), w.changes()], [true, true]);
    } finally {
      w.chain.cleanup();
    }
  });
});
