/**
 * Proof of Quality end to end, 4 real CometBFT validators and 4 app processes on loopback:
 * validators 0 and 1 are honest (the real evaluator model), 2 never reveals, 3 reports 10000 for
 * everything. The test plays two inference nodes with CosmJS: one answers well, one lazily (empty,
 * off-topic, echo). Shows: the good node is scored high, FINALIZED and paid, with every validator's
 * score in the request query; the lazy node is scored low, not paid, slashed into the pool and
 * jailed, and the requester refunded; the non-revealer earns nothing and loses trust; the booster does not move consensus and
 * earns nothing when it deviates; supply is conserved; 3 blocks after they finish, requests lose their
 * texts from state and REST and the CLI read them back from the tx index. Ports 26400-26499.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { RequestRecord, RequestView } from "../app/modules/poq/state.js";
import { queryRequest, queryRequestsWithTexts } from "../inference/chain-query.js";
import { startRestServer } from "../rest/server.js";
import {
  assertSupplyConserved,
  poqQuery,
  readBank,
  registerNodeMsg,
  requestMsg,
  responseMsg,
  waitAssigned,
  send,
  startPoqWorld,
  TX_FEE_AMOUNT,
  validatorsByCons,
  waitFinal,
  type Actor,
  type PoqWorld,
} from "./poq-world.js";

const GOOD_MODEL = "llama-3-8b-instruct";
const LAZY_MODEL = "mixtral-8x7b-instruct";
const FEE = 1_000_000n;
const STAKE = 10_000_000n;
const MIN_QUALITY = 5000;
const TOLERANCE = 1500; // default agreement_tolerance_bp

const GOOD = [
  {
    prompt: "How does photosynthesis work in plants?",
    answer:
      "Plants capture sunlight with chlorophyll in their chloroplasts and use that energy to turn carbon dioxide and water into glucose. Oxygen is released as a by-product. The light reactions make ATP and NADPH, and the Calvin cycle uses them to fix carbon into sugar.",
  },
  {
    prompt: "Why is the sky blue?",
    answer:
      "Sunlight contains all visible colours, and when it passes through the atmosphere the short blue wavelengths are scattered by gas molecules much more strongly than red ones. This Rayleigh scattering sends blue light toward our eyes from every direction of the sky.",
  },
];
const LAZY = [
  { kind: "empty", prompt: "What causes the seasons on Earth?", answer: "" },
  {
    kind: "off-topic",
    prompt: "Why is the sky blue?",
    answer:
      "Rinse one cup of rice until the water runs clear, then put it in a pot with about one and a half cups of water and a pinch of salt. Bring it to a boil, cover, and turn the heat to low for 15 minutes.",
  },
  {
    kind: "echo",
    prompt: "How does a vaccine train the immune system?",
    answer: "How does a vaccine train the immune system?",
  },
];

describe("PoQ with honest, never-revealing and boosting validators", { timeout: 240_000 }, () => {
  let world: PoqWorld;
  let genesisSupply: bigint;

  before(async () => {
    world = await startPoqWorld({
      chainId: "poq-e2e-1",
      basePort: 26400,
      behaviours: ["honest", "honest", "never-reveal", "boost"],
      // Everyone sits on every committee, so each behaviour is seen on every request. Finished
      // requests lose their texts from state 3 blocks later (issue 14), read back from the tx index.
      params: { committeeSize: 4, requestRetentionBlocks: 3n },
      actors: ["requester", "good", "lazy"],
    });
    genesisSupply = 4n * 1_000_000_000n + 3n * 1_000_000_000_000n;
  });

  after(async () => {
    await world?.stop();
  });

  it("scores, pays, refunds and updates trust as the protocol says", async () => {
    const [requester, good, lazy] = ["requester", "good", "lazy"].map((n) => world.actor(n)) as [
      Actor,
      Actor,
      Actor,
    ];
    const [h0, h1, silent, booster] = world.cons as [string, string, string, string];
    await assertSupplyConserved(world, genesisSupply);
    const watched = [
      requester.address,
      good.address,
      lazy.address,
      ...world.net.operators.map((o) => o.address),
    ];
    const start = await readBank(world, watched);

    await Promise.all([
      send(good, [registerNodeMsg(good.address, GOOD_MODEL, STAKE)]),
      send(lazy, [registerNodeMsg(lazy.address, LAZY_MODEL, STAKE)]),
    ]);
    const { ids } = await send(requester, [
      ...GOOD.map((g) => requestMsg(requester.address, GOOD_MODEL, g.prompt, FEE, MIN_QUALITY)),
      ...LAZY.map((l) => requestMsg(requester.address, LAZY_MODEL, l.prompt, FEE, MIN_QUALITY)),
    ]);
    assert.equal(ids.length, 5);
    const goodIds = ids.slice(0, 2);
    const lazyIds = ids.slice(2);
    await waitAssigned(world, ids);
    await Promise.all([
      send(
        good,
        goodIds.map((id, i) => responseMsg(good.address, id, GOOD[i]!.answer)),
      ),
      send(
        lazy,
        lazyIds.map((id, i) => responseMsg(lazy.address, id, LAZY[i]!.answer)),
      ),
    ]);
    const final = await waitFinal(world, ids);
    const req = (id: bigint): RequestRecord => final.get(id)!;
    const scoreOf = (r: RequestRecord, v: string): number | undefined =>
      r.quality?.scores.find((s) => s.validator === v)?.score;
    const paidTo = (r: RequestRecord, v: string): bigint =>
      BigInt(r.payout?.validators.find((p) => p.validator === v)?.amount ?? "0");
    const report = ids.map((id) => {
      const r = req(id);
      return {
        id: r.id,
        status: r.status,
        blocks: Number(BigInt(r.finalized_height) - BigInt(r.responded_height)),
        quality: r.quality?.score,
        scores: r.quality?.scores.map((s) => s.score),
        payout: r.payout,
      };
    });
    console.log(JSON.stringify(report));

    for (const id of ids) {
      const r = req(id);
      assert.equal(r.status, "FINALIZED", `request ${id}`);
      assert.ok(
        r.committee.some((c) => c.validator === silent),
        "the silent validator sat on it",
      );
      const q = r.quality!.score;
      // Every revealed score is visible in the request query.
      assert.deepEqual(r.quality!.scores.map((s) => s.validator).sort(), [h0, h1, booster].sort());
      // The honest validators run the same model and agree exactly; the booster cannot pull the
      // median away from them (it holds a third of the revealed power).
      assert.equal(scoreOf(r, h0), scoreOf(r, h1));
      assert.equal(q, scoreOf(r, h0), "consensus is the honest score");
      assert.equal(scoreOf(r, booster), 10000);
      // The silent validator committed (it sat on the committee) but never revealed: no score, no pay.
      assert.equal(scoreOf(r, silent), undefined);
      assert.equal(paidTo(r, silent), 0n);
      // Validator part (20%) shared by the agreeing members; the booster only when within tolerance.
      // Weighted by trust (review M2): the two honest validators always hold the same trust.
      const agreeing = [h0, h1, ...(10000 - q <= TOLERANCE ? [booster] : [])];
      assert.equal(paidTo(r, h0), paidTo(r, h1));
      const shared = agreeing.reduce((s, v) => s + paidTo(r, v), 0n);
      assert.ok(
        shared <= (FEE * 2000n) / 10000n && shared >= (FEE * 2000n) / 10000n - 3n,
        `shared ${shared}`,
      );
      for (const v of agreeing) assert.ok(paidTo(r, v) > 0n);
      if (!agreeing.includes(booster)) assert.equal(paidTo(r, booster), 0n);
      const validatorsPaid = r.payout!.validators.reduce((s, p) => s + BigInt(p.amount), 0n);
      assert.equal(
        BigInt(r.payout!.node) + validatorsPaid + BigInt(r.payout!.refund),
        FEE,
        "fee split exactly",
      );
    }

    // 1. The good node: scored high, paid by quality (80% x quality).
    for (const id of goodIds) {
      const r = req(id);
      assert.equal(r.node, good.address);
      assert.ok(r.quality!.score >= 7000, `good answer scored ${r.quality!.score}`);
      assert.equal(BigInt(r.payout!.node), (((FEE * 8000n) / 10000n) * BigInt(r.quality!.score)) / 10000n);
      assert.equal(r.payout!.slashed, "0");
    }
    // 2. The lazy node: scored low, not paid, slashed, the requester refunded all but the validators' part.
    for (const id of lazyIds) {
      const r = req(id);
      assert.equal(r.node, lazy.address);
      assert.ok(r.quality!.score < 2000, `lazy answer scored ${r.quality!.score}`);
      assert.equal(r.payout!.node, "0");
      // Below the quality floor the node pays half the fee into the pool, not a share of its stake.
      assert.equal(BigInt(r.payout!.slashed), FEE / 2n, "below the quality floor the node is slashed");
      assert.equal(paidTo(r, booster), 0n, "boosting a lazy answer earns nothing");
    }
    const sum = (f: (r: RequestRecord) => bigint): bigint => ids.reduce((s, id) => s + f(req(id)), 0n);
    const end = await readBank(world, watched);
    const delta = (a: string): bigint => end.balances.get(a)! - start.balances.get(a)!;
    assert.equal(
      delta(requester.address),
      -TX_FEE_AMOUNT - 5n * FEE + sum((r) => BigInt(r.payout!.refund)),
      "requester: fees escrowed and refunds back; slashes never go to the requester",
    );
    assert.equal(
      delta(good.address),
      -STAKE - 2n * TX_FEE_AMOUNT + sum((r) => (r.node === good.address ? BigInt(r.payout!.node) : 0n)),
    );
    assert.equal(delta(lazy.address), -STAKE - 2n * TX_FEE_AMOUNT, "the lazy node earned nothing");
    world.net.operators.forEach((o, i) => {
      const earned = sum((r) => paidTo(r, world.cons[i]!));
      assert.equal(delta(o.address), earned, `operator of validator ${i}`);
    });
    assert.equal(delta(world.net.operators[2]!.address), 0n, "the silent validator earned nothing");

    // 3 and 4: trust. Honest validators gain; the silent one loses (misses); the booster loses (deviations).
    const trust = await validatorsByCons(world);
    const t = (v: string) => trust.get(v)!;
    console.log(JSON.stringify([...trust.values()]));
    for (const v of [h0, h1]) {
      assert.equal(t(v).revealed, "5");
      assert.equal(t(v).missed, "0");
      assert.ok(t(v).trust_bp > 5000, `honest trust ${t(v).trust_bp}`);
    }
    assert.equal(t(silent).revealed, "0");
    assert.ok(Number(t(silent).committees) >= 3);
    assert.equal(t(silent).missed, t(silent).committees, "it missed every committee it sat on");
    assert.ok(t(silent).trust_bp < 5000, `silent trust ${t(silent).trust_bp}`);
    assert.ok(BigInt(t(silent).excluded_until) > 0n, "repeated misses take it out of committees");
    assert.ok(Number(t(booster).deviated) >= 3, "the booster deviated on the lazy answers");
    assert.ok(t(booster).trust_bp < t(h0).trust_bp);
    const nodes = await Promise.all(
      [good, lazy].map((n) =>
        poqQuery<{ node: { stake: { amount: string }; slashes: string } }>(world, "/poq.v1.Query/Node", {
          address: n.address,
        }),
      ),
    );
    assert.equal(nodes[0]!.node.stake.amount, STAKE.toString());
    assert.equal(nodes[1]!.node.slashes, "3");
    assert.equal(BigInt(nodes[1]!.node.stake.amount), STAKE - sum((r) => BigInt(r.payout!.slashed)));

    // 7. Supply: nothing created or lost; the escrow holds exactly the node stakes now.
    await assertSupplyConserved(world, genesisSupply);

    // 8. Pruned (issue 14): 3 blocks after it finished, a request's prompt and answer left state
    // (the query keeps their sha256); REST and the CLI's query read them back from the tx index.
    const id = goodIds[0]!;
    let stored = await getStored(id);
    for (let i = 0; i < 60 && stored.pruned_height === undefined; i++) {
      await sleep(500);
      stored = await getStored(id);
    }
    assert.ok(stored.pruned_height !== undefined, "pruned after request_retention_blocks");
    assert.ok(BigInt(stored.pruned_height) >= BigInt(stored.finalized_height) + 3n);
    assert.equal(stored.prompt, "", "the prompt is no longer in state");
    assert.equal(stored.response, "");
    assert.equal(stored.quality?.score, req(id).quality!.score, "the scores stay");
    assert.deepEqual(stored.payout, req(id).payout, "the payouts stay");
    const rest = await startRestServer({ rpcUrl: world.net.rpcUrl(0), listen: "127.0.0.1:0" });
    try {
      const res = await fetch(`${rest.url}/poq/v1/requests/${id}`);
      assert.equal(res.status, 200);
      const shown = ((await res.json()) as { request: RequestView }).request;
      assert.equal(shown.prompt, GOOD[0]!.prompt, "REST shows the prompt from the tx index");
      assert.equal(shown.response, GOOD[0]!.answer, "and the answer");
      assert.equal(shown.responses[0]!.response, GOOD[0]!.answer);
      assert.equal(shown.pruned_height, stored.pruned_height);
      // The list route restores the pruned requests of its page the same way.
      const listed = await fetch(
        `${rest.url}/poq/v1/requests?requester=${stored.requester}&pagination.limit=200`,
      );
      assert.equal(listed.status, 200);
      const inList = ((await listed.json()) as { requests: RequestView[] }).requests.find(
        (r) => r.id === id.toString(),
      );
      assert.equal(inList?.prompt, GOOD[0]!.prompt, "the list shows the prompt from the tx index");
      assert.equal(inList?.response, GOOD[0]!.answer);
    } finally {
      await rest.close();
    }
    const cli = await queryRequest(world.net.rpcUrl(0), id); // what `poq query request` prints
    assert.equal(cli?.prompt, GOOD[0]!.prompt);
    assert.equal(cli?.response, GOOD[0]!.answer);
    const cliList = await queryRequestsWithTexts(world.net.rpcUrl(0), {
      requester: stored.requester,
      limit: 200,
    });
    const cliListed = cliList.requests.find((r) => r.id === id.toString()); // `poq query requests`
    assert.equal(cliListed?.prompt, GOOD[0]!.prompt);
    assert.equal(cliListed?.response, GOOD[0]!.answer);
  });

  const getStored = (id: bigint): Promise<RequestView> =>
    poqQuery<{ request: RequestView }>(world, "/poq.v1.Query/Request", { id: id.toString() }).then(
      (r) => r.request,
    );
});
