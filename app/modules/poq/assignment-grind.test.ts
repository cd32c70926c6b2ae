/**
 * Issue 13 / review H3, assignment: a requester (by timing) or a proposer (by ordering) must not be
 * able to choose which node serves a request. Both attacks run on the real app (test/poq-app-chain.ts:
 * every module, real vote extensions with beacon secrets) with four nodes of equal stake, aiming at
 * one target node. Each attacker predicts from everything public after the last block: the previous
 * app hash (the seed assignment used before it was deferred) and the latest beacon. Against the old
 * rule (node drawn in the request's own transaction from sha256(previous app hash) and the request id)
 * the requester hits its target every time and the proposer about 2 times in 3; against deferred
 * assignment both land on the target at about its stake share (a quarter).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  createPoqBenchChain,
  registerNodeMsg,
  requestInferenceMsg,
  type PoqBenchChain,
} from "../../../test/poq-app-chain.js";
import { testKey, type TestKey } from "../../../test/raw-signer.js";
import { drawNode } from "./eligibility.js";
import { deriveSeed } from "./seed.js";
import type { RequestRecord } from "./state.js";
import { fromHex } from "./types/wire.js";

const MODEL = "m";
const FEE = 1000n;
const nodes = [0, 1, 2, 3].map((i) => testKey(`grind-node-${i}`));
const victim = testKey("grind-requester");
const attacker = testKey("grind-attacker");
const TARGET = nodes[2]!.address;

const requestTx = (chain: PoqBenchChain, from: TestKey, prompt: string): Uint8Array =>
  chain.signed(from, [requestInferenceMsg(from.address, MODEL, prompt, FEE)]);

function world() {
  const chain = createPoqBenchChain({
    validators: 4,
    accounts: [...nodes, victim, attacker],
    // Nobody answers here: deadlines far away and room for every request, so that no node is
    // jailed or full and the draw alone decides.
    params: {
      responseTimeout: "10000",
      unbondingBlocks: "20000",
      defaultMaxInFlight: 1000,
      requestTtl: "10000",
    },
  });
  chain.runBlock(nodes.map((n) => chain.signed(n, [registerNodeMsg(n.address, [MODEL], 5_000_000n)])));
  // One request nobody answers keeps a deadline open, so every block mixes the beacon (an idle chain's
  // blocks change nothing: app/modules/poq/scoring.ts) and the attacker sees new seeds each block.
  chain.runBlock([requestTx(chain, victim, "an open request keeps the chain busy")]);
  const view = () => ({ store: chain.app.state.committedView() });
  const keeper = chain.modules.poq.keeper;
  let nextId = 2n;
  /**
   * The node the attacker expects request `id`, included in the next block, to get, from what is
   * public now: the old rule (sha256 of the app hash the next block will carry) or the latest beacon.
   */
  const predict = (id: bigint, source: "app hash" | "beacon"): string | undefined => {
    const seedSource =
      source === "app hash" ? sha256(chain.app.state.lastAppHash) : fromHex(keeper.beacon(view()).value);
    return drawNode(view(), { keeper }, keeper.getParams(view()), {
      model: MODEL,
      feeShare: FEE,
      seed: deriveSeed("assign", seedSource, id, 0),
    });
  };
  const run = (txs: Uint8Array[], sent: number): bigint[] => {
    const r = chain.runBlock(txs);
    assert.deepEqual(r.failed, []);
    const ids = Array.from({ length: sent }, (_, i) => nextId + BigInt(i));
    nextId += BigInt(sent);
    return ids;
  };
  /** Runs empty blocks until nothing waits, then each request's node. */
  const nodesOf = (ids: readonly bigint[]): string[] => {
    const get = (id: bigint) => keeper.getRequest(view(), id) as RequestRecord;
    for (let i = 0; i < 5 && ids.some((id) => get(id).status === "PENDING"); i++) chain.runBlock([]);
    return ids.map((id) => get(id).node);
  };
  return { chain, predict, run, nodesOf, next: () => nextId };
}

const share = (got: readonly string[]): number => got.filter((n) => n === TARGET).length / got.length;
/**
 * The most a share of n draws at chance (the target's stake share, 1/4) reaches short of a 3-sigma
 * fluke: the bound depends on how many requests the attacker found to aim, which depends on the draws.
 */
const chanceBound = (n: number): number => 0.25 + 3 * Math.sqrt((0.25 * 0.75) / n);

describe("assignment cannot be ground (review H3, issue 13)", () => {
  it("a requester that sends only when its request would go to its target gets the target at chance", () => {
    const w = world();
    try {
      const byAppHash: bigint[] = [];
      const byBeacon: bigint[] = [];
      for (let b = 0; b < 60; b++) {
        const txs: Uint8Array[] = [];
        const want: ("app hash" | "beacon")[] = [];
        for (const source of ["app hash", "beacon"] as const) {
          if (w.predict(w.next() + BigInt(txs.length), source) !== TARGET) continue;
          txs.push(requestTx(w.chain, attacker, `aimed by ${source} ${b}`));
          want.push(source);
        }
        const ids = w.run(txs, txs.length);
        ids.forEach((id, i) => (want[i] === "app hash" ? byAppHash : byBeacon).push(id));
      }
      const aimedByAppHash = w.nodesOf(byAppHash);
      const aimedByBeacon = w.nodesOf(byBeacon);
      console.log(
        `requester: ${byAppHash.length} aimed by the app hash, ${share(aimedByAppHash)} on target; ` +
          `${byBeacon.length} by the beacon, ${share(aimedByBeacon)} on target (stake share 0.25)`,
      );
      assert.ok(byAppHash.length >= 8 && byBeacon.length >= 8, "the attacker found blocks to aim at");
      // The old rule put every one of them on the target (1.0); chance is 0.25.
      const [h, b] = [chanceBound(aimedByAppHash.length), chanceBound(aimedByBeacon.length)];
      assert.ok(
        share(aimedByAppHash) < h,
        `aimed by the app hash: ${share(aimedByAppHash)} on target (bound ${h})`,
      );
      assert.ok(
        share(aimedByBeacon) < b,
        `aimed by the beacon: ${share(aimedByBeacon)} on target (bound ${b})`,
      );
    } finally {
      w.chain.cleanup();
    }
  });

  it("a proposer that orders its own requests before another's cannot steer that one to a node", () => {
    const w = world();
    try {
      const steered: bigint[] = [];
      for (let b = 0; b < 48; b++) {
        // The proposer puts 0-3 requests of its own first, whichever number makes the other
        // requester's id draw the target under the seed it can see.
        let fillers = 0;
        for (let d = 0; d < 4; d++) {
          if (w.predict(w.next() + BigInt(d), "app hash") === TARGET) {
            fillers = d;
            break;
          }
        }
        const txs = Array.from({ length: fillers }, (_, i) =>
          requestTx(w.chain, attacker, `filler ${b}/${i}`),
        );
        txs.push(requestTx(w.chain, victim, `question ${b}`));
        steered.push(w.run(txs, txs.length).at(-1)!);
      }
      const got = w.nodesOf(steered);
      console.log(`proposer: ${share(got)} of ${got.length} steered requests on target (stake share 0.25)`);
      // The old rule gave the proposer its target in about 1 - (3/4)^4 = 0.68 of the blocks.
      assert.ok(share(got) < 0.45, `${share(got)} on target`);
    } finally {
      w.chain.cleanup();
    }
  });
});
