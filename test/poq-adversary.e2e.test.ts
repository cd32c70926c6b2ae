/**
 * Proof of Quality end to end against adversarial validators, 4 real CometBFT validators and 4 app
 * processes on loopback: 0 honest (real model), 1 reports random scores, 2 proposes blocks with a
 * forged injected commit (and scores honestly with the real model), 3 copies the reveals it sees on
 * chain. Quorum is set to the whole committee so that requests stay open until the reveal deadline,
 * giving the copier reveals to copy. Shows: the forger's blocks are rejected and the chain goes on;
 * the copier never gets a reveal in; the random scorer does not move consensus and is paid only when
 * it lands within the tolerance; supply is conserved. Ports 26500-26599.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RequestRecord } from "../app/modules/poq/state.js";
import { cometRpc } from "../network/comet-process.js";
import {
  appLogLines,
  assertSupplyConserved,
  registerNodeMsg,
  requestMsg,
  responseMsg,
  waitAssigned,
  send,
  startPoqWorld,
  validatorsByCons,
  waitFinal,
  type PoqWorld,
} from "./poq-world.js";

const MODEL = "llama-3-8b-instruct";
const FEE = 1_000_000n;
const TOLERANCE = 1500;

const QA = [
  {
    prompt: "How does photosynthesis work in plants?",
    answer:
      "Plants capture sunlight with chlorophyll in their chloroplasts and use that energy to turn carbon dioxide and water into glucose. Oxygen is released as a by-product.",
  },
  {
    prompt: "Why is the sky blue?",
    answer:
      "Short blue wavelengths of sunlight are scattered by the gas molecules of the atmosphere much more than red ones (Rayleigh scattering), so blue light reaches our eyes from every direction of the sky.",
  },
  { prompt: "What causes the seasons on Earth?", answer: "" },
];

interface BlockHeader {
  block: { header: { height: string; proposer_address: string } };
}

describe("PoQ with a forging proposer, a copier and a random scorer", { timeout: 240_000 }, () => {
  let world: PoqWorld;
  const genesisSupply = 4n * 1_000_000_000n + 2n * 1_000_000_000_000n;

  before(async () => {
    world = await startPoqWorld({
      chainId: "poq-e2e-2",
      basePort: 26500,
      behaviours: ["honest", "random", "forge-commit", "copy"],
      params: { committeeSize: 4, quorumBp: 10000 },
      actors: ["requester", "node"],
    });
  });

  after(async () => {
    await world?.stop();
  });

  it("rejects forged blocks, keeps copies out, and the random scorer cannot move consensus", async () => {
    const requester = world.actor("requester");
    const node = world.actor("node");
    const [honest, random, forger, copier] = world.cons as [string, string, string, string];
    await assertSupplyConserved(world, genesisSupply);
    // Block 1 carries no injected commit (extensions start at height 1), so nothing to forge there.
    const startHeight = 2n;

    await send(node, [registerNodeMsg(node.address, MODEL, 10_000_000n)]);
    const { ids } = await send(
      requester,
      QA.map((q) => requestMsg(requester.address, MODEL, q.prompt, FEE, 5000)),
    );
    await waitAssigned(world, ids);
    await send(
      node,
      ids.map((id, i) => responseMsg(node.address, id, QA[i]!.answer)),
    );
    const final = await waitFinal(world, ids, 120_000);
    const req = (id: bigint): RequestRecord => final.get(id)!;
    const scoreOf = (r: RequestRecord, v: string): number | undefined =>
      r.quality?.scores.find((s) => s.validator === v)?.score;
    const paidTo = (r: RequestRecord, v: string): bigint =>
      BigInt(r.payout?.validators.find((p) => p.validator === v)?.amount ?? "0");
    console.log(
      JSON.stringify(
        ids.map((id) => ({
          id: String(id),
          status: req(id).status,
          quality: req(id).quality?.score,
          scores: req(id).quality?.scores,
          payout: req(id).payout,
        })),
      ),
    );

    for (const id of ids) {
      const r = req(id);
      assert.equal(r.status, "FINALIZED", `request ${id}`);
      // The copier never reveals, so the full-committee quorum is never met: final at the deadline
      // with 3/4 of the power.
      assert.equal(r.finalized_height, r.reveal_deadline);
      assert.deepEqual(r.quality!.scores.map((s) => s.validator).sort(), [honest, random, forger].sort());
      // 6. The copier cannot get a reveal in.
      assert.equal(scoreOf(r, copier), undefined, "a copied reveal counted");
      assert.equal(paidTo(r, copier), 0n);
      // 4. The honest model's score is consensus whatever the random validator says.
      assert.equal(scoreOf(r, honest), scoreOf(r, forger), "both model runs agree");
      assert.equal(r.quality!.score, scoreOf(r, honest));
      const randomScore = scoreOf(r, random)!;
      const randomAgrees = Math.abs(randomScore - r.quality!.score) <= TOLERANCE;
      assert.equal(paidTo(r, random) > 0n, randomAgrees, `random scored ${randomScore}`);
    }
    assert.ok(req(ids[0]!).quality!.score >= 7000);
    assert.ok(req(ids[2]!).quality!.score < 2000, "the empty answer scores low");

    // 6. The copier saw the reveals on chain and kept their median, too late to commit.
    const copied = appLogLines(world, 3, "copied");
    assert.ok(copied.length > 0, "the copier found reveals to copy");
    const trust = await validatorsByCons(world);
    assert.equal(trust.get(copier)!.revealed, "0");
    assert.equal(trust.get(copier)!.missed, trust.get(copier)!.committees);
    assert.ok(trust.get(copier)!.trust_bp < trust.get(honest)!.trust_bp);

    // 5. The forger proposed forged commits; the others rejected them; no block of the forger was
    // committed, and the chain kept going through those heights.
    const forged = appLogLines(world, 2, "forging the injected commit");
    assert.ok(forged.length > 0, "the forger got to propose");
    const rejections = [0, 1, 3].reduce((s, i) => s + appLogLines(world, i, "rejecting proposal").length, 0);
    assert.ok(rejections >= forged.length, `${rejections} rejections for ${forged.length} forgeries`);
    const endHeight = await world.net.waitForHeight(BigInt(String(forged.at(-1)!["height"])) + 1n);
    for (let h = startHeight; h <= endHeight; h++) {
      const { block } = await cometRpc<BlockHeader>(world.net.rpcUrl(0), `/block?height=${h}`);
      assert.notEqual(block.header.proposer_address, world.hex[2], `block ${h} was the forger's`);
    }
    console.log(
      JSON.stringify({ forged: forged.length, rejections, heights: [startHeight, endHeight].map(String) }),
    );

    // 7. Supply conserved.
    await assertSupplyConserved(world, genesisSupply);
  });
});
