/**
 * Issue 13 end to end on 4 real CometBFT validators: a free-request flood is rejected and costs the
 * node nothing; a node that stays offline for 20 blocks with requests in flight is jailed, loses one
 * fee-sized penalty (into the `poq_pool`, never to the requester), has its other requests handed on,
 * and takes requests again after MsgUnjailNode; supply is conserved throughout. Ports 26800-26899.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { moduleAddress } from "../app/modules/auth/address.js";
import type { NodeRecord, RequestRecord } from "../app/modules/poq/state.js";
import { PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import {
  assertSupplyConserved,
  poqQuery,
  readBank,
  requestMsg,
  send,
  startPoqWorld,
  TX_FEE,
  waitAssigned,
  type PoqWorld,
} from "./poq-world.js";

const MODEL = "llama-3-8b-instruct";
const STAKE = 10_000_000n;
const MIN_FEE = 20_000n;

describe("incentives: free floods, an offline node, jail and unjail", { timeout: 240_000 }, () => {
  let world: PoqWorld;
  const genesisSupply = 4n * 1_000_000_000n + 3n * 1_000_000_000_000n;

  before(async () => {
    world = await startPoqWorld({
      chainId: "poq-e2e-incentives",
      basePort: 26800,
      behaviours: ["honest", "honest", "honest", "honest"],
      actors: ["requester", "node", "backup"],
      timeoutCommit: "200ms",
    });
  });

  after(async () => {
    await world?.stop();
  });

  const nodeOf = async (address: string): Promise<NodeRecord> =>
    (await poqQuery<{ node: NodeRecord }>(world, "/poq.v1.Query/Node", { address })).node;
  const requestOf = async (id: bigint): Promise<RequestRecord> =>
    (await poqQuery<{ request: RequestRecord }>(world, "/poq.v1.Query/Request", { id: id.toString() }))
      .request;

  it("rejects a free flood at no cost to nodes; jails an offline node for one bounded penalty; unjails", async () => {
    const [requester, node, backup] = ["requester", "node", "backup"].map((n) => world.actor(n)) as [
      (typeof world.actors)[string],
      (typeof world.actors)[string],
      (typeof world.actors)[string],
    ];
    const register = (operator: string, maxInFlight: number) => ({
      typeUrl: PoqTypeUrl.RegisterNode,
      value: {
        operator,
        models: [MODEL],
        stake: { denom: "upoq", amount: STAKE.toString() },
        moniker: "n",
        minFee: { denom: "upoq", amount: MIN_FEE.toString() },
        maxInFlight,
      },
    });
    await send(node, [register(node.address, 4)]);

    // 1. A flood of free (and under-priced) requests is rejected in the block: nothing is assigned.
    for (const fee of [0n, 999n, MIN_FEE - 1n]) {
      const res = await requester.client.signAndBroadcast(
        requester.address,
        Array.from({ length: 10 }, () =>
          requestMsg(requester.address, MODEL, "Why is the sky blue?", fee, 0),
        ),
        TX_FEE,
      );
      assert.notEqual(res.code, 0, `fee ${fee} accepted`);
    }
    const afterFlood = await nodeOf(node.address);
    assert.equal(afterFlood.assigned, "0");
    assert.equal(afterFlood.stake.amount, STAKE.toString(), "the flood cost the node nothing");

    // 2. Requests at its price: four fill its in-flight limit, the rest wait. It never answers.
    const { ids, height } = await send(
      requester,
      Array.from({ length: 6 }, (_, i) => requestMsg(requester.address, MODEL, `Question ${i}?`, MIN_FEE, 0)),
    );
    // Nodes are drawn in a later block from the beacon: wait for the four the node has room for.
    const first = await waitAssigned(world, ids, 4);
    assert.equal(first.filter((r) => r.status === "ASSIGNED").length, 4);
    assert.equal(first.filter((r) => r.status === "PENDING").length, 2);
    // A second node registers while the first is offline.
    await send(backup, [register(backup.address, 32)]);

    // 3. Twenty blocks later the deadline passes: one penalty of one fee, jailed, requests handed on.
    for (;;) {
      const n = await nodeOf(node.address);
      if (n.jailed) break;
      const h = await requester.client.getHeight();
      assert.ok(h < height + 40, "not jailed 40 blocks after assignment");
      await sleep(300);
    }
    const jailed = await nodeOf(node.address);
    assert.equal(
      jailed.slashed,
      MIN_FEE.toString(),
      "one penalty the size of one fee, not 5% of stake per request",
    );
    assert.equal(jailed.stake.amount, (STAKE - MIN_FEE).toString());
    assert.equal(jailed.in_flight, "0");
    const handedOn = await Promise.all(ids.map(requestOf));
    assert.ok(
      handedOn.every((r) => r.node !== node.address || r.status !== "ASSIGNED"),
      "nothing stays assigned to the jailed node",
    );
    const pool = await readBank(world, [moduleAddress("poq_pool"), requester.address]);
    assert.equal(pool.balances.get(moduleAddress("poq_pool")), MIN_FEE, "the penalty went to the pool");

    // 4. MsgUnjailNode (its stake is still above the minimum): the node is eligible again.
    const res = await node.client.signAndBroadcast(
      node.address,
      [{ typeUrl: PoqTypeUrl.UnjailNode, value: { operator: node.address } }],
      TX_FEE,
    );
    assert.equal(res.code, 0, res.rawLog);
    assert.equal((await nodeOf(node.address)).jailed, false);
    await assertSupplyConserved(world, genesisSupply);
  });
});
