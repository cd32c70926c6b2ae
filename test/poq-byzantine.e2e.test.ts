/**
 * Byzantine validators, 4 real CometBFT validators and 4 app processes on loopback: 0 is honest (the
 * real evaluator model); 1 sends, by height, garbage bytes, an extension one byte over the cap, or
 * its previous height's extension again; 2 reveals scores that do not match its commitments; 3
 * changes its commitment instead of revealing and then reveals the changed score. Shows: the chain
 * never halts (blocks keep coming while the requests are scored), every request is finalized with
 * the honest validator's score, no mismatching reveal is ever recorded, the nodes agree on the app
 * hash, and supply is conserved. Ports 26900-26939.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cometRpc } from "../network/comet-process.js";
import {
  appLogLines,
  assertSupplyConserved,
  getRequest,
  registerNodeMsg,
  requestMsg,
  responseMsg,
  send,
  startPoqWorld,
  validatorsByCons,
  waitFinal,
  type PoqWorld,
} from "./poq-world.js";

const MODEL = "llama-3-8b-instruct";
const FEE = 1_000_000n;

const QA = [
  {
    prompt: "Why is the sky blue?",
    answer:
      "Short blue wavelengths of sunlight are scattered by the gas molecules of the atmosphere much more than red ones (Rayleigh scattering), so blue light reaches our eyes from every direction of the sky.",
  },
  {
    prompt: "How does photosynthesis work in plants?",
    answer:
      "Plants capture sunlight with chlorophyll in their chloroplasts and use that energy to turn carbon dioxide and water into glucose. Oxygen is released as a by-product.",
  },
];

interface Status {
  sync_info: { latest_block_height: string; latest_app_hash: string };
}
interface Block {
  block: { header: { app_hash: string } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PoQ with Byzantine vote extensions", { timeout: 240_000 }, () => {
  let world: PoqWorld;
  const genesisSupply = 4n * 1_000_000_000n + 2n * 1_000_000_000_000n;

  before(async () => {
    world = await startPoqWorld({
      chainId: "poq-e2e-byz",
      basePort: 26900,
      behaviours: ["honest", "bad-extension", "mismatch-reveal", "recommit"],
      // Only the honest validator's reveals can count, so let one reveal finalize at the deadline:
      // what matters here is what the Byzantine entries do (nothing), not the quorum rules.
      params: { committeeSize: 4, minReveals: 1, deadlineQuorumBp: 2500 },
      actors: ["requester", "node"],
    });
  });

  after(async () => {
    await world?.stop();
  });

  it("keeps making blocks and ending requests; bad extensions and reveals change nothing", async () => {
    const requester = world.actor("requester");
    const node = world.actor("node");
    const [, badExtension, mismatch, recommit] = world.cons as [string, string, string, string];

    // Heights seen every 500 ms while the test runs: the longest wait for a new block.
    let watching = true;
    let longestStallMs = 0;
    const watcher = (async () => {
      let last = 0n;
      let since = Date.now();
      while (watching) {
        const s = await cometRpc<Status>(world.net.rpcUrl(0), "/status").catch(() => undefined);
        const h = BigInt(s?.sync_info.latest_block_height ?? "0");
        if (h > last) {
          last = h;
          since = Date.now();
        }
        longestStallMs = Math.max(longestStallMs, Date.now() - since);
        await sleep(500);
      }
    })();

    await send(node, [registerNodeMsg(node.address, MODEL, 10_000_000n)]);
    const ids: bigint[] = [];
    for (const q of QA) {
      const {
        ids: [id],
      } = await send(requester, [requestMsg(requester.address, MODEL, q.prompt, FEE, 0)]);
      // Assigned in its own block or a later one: answer once the chain says whose it is.
      for (let i = 0; (await getRequest(world, id!)).status !== "ASSIGNED"; i++) {
        assert.ok(i < 100, `request ${id} never assigned`);
        await sleep(200);
      }
      await send(node, [responseMsg(node.address, id!, q.answer)]);
      ids.push(id!);
    }
    const final = await waitFinal(world, ids, 150_000);
    watching = false;
    await watcher;
    console.log(
      JSON.stringify({
        longest_stall_ms: longestStallMs,
        requests: [...final.values()].map((r) => ({
          id: r.id,
          status: r.status,
          quality: r.quality?.score,
          scores: r.quality?.scores.map((s) => [s.validator.slice(-6), s.score]),
        })),
      }),
    );

    assert.ok(longestStallMs < 20_000, `the chain stalled for ${longestStallMs} ms`);
    for (const r of final.values()) {
      assert.equal(r.status, "FINALIZED", `request ${r.id}`);
      assert.ok(
        r.quality!.scores.some((s) => s.validator === world.cons[0]),
        "the honest reveal counted",
      );
      assert.ok(r.quality!.score >= 5000, `a good answer scored ${r.quality!.score}`);
      const revealed = (r.quality?.scores ?? []).map((s) => s.validator);
      // Neither a reveal that does not match its commitment nor one of a changed commitment counts.
      assert.ok(!revealed.includes(mismatch), `a mismatching reveal counted for ${r.id}`);
      assert.ok(!revealed.includes(recommit), `a reveal of a changed commitment counted for ${r.id}`);
    }

    // Each Byzantine behaviour actually ran.
    const kinds = new Set(appLogLines(world, 1, "sending a bad vote extension").map((l) => l["kind"]));
    assert.deepEqual([...kinds].sort(), ["garbage", "oversized", "replayed"]);
    assert.ok(appLogLines(world, 2, "revealing scores that do not match the commitments").length > 0);
    assert.ok(appLogLines(world, 3, "changing a commitment instead of revealing").length > 0);

    // The deviators gained no reveal; the honest validator's trust is the highest.
    const trust = await validatorsByCons(world);
    for (const v of [mismatch, recommit]) assert.equal(trust.get(v)!.revealed, "0", v);
    const honestTrust = trust.get(world.cons[0]!)!.trust_bp;
    for (const v of [badExtension, mismatch, recommit]) assert.ok(trust.get(v)!.trust_bp <= honestTrust, v);

    // Every node has the same block (and app hash) at a height they all have.
    const heights = await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        BigInt((await cometRpc<Status>(world.net.rpcUrl(i), "/status")).sync_info.latest_block_height),
      ),
    );
    const common = heights.reduce((m, h) => (h < m ? h : m));
    const hashes = await Promise.all(
      [0, 1, 2, 3].map(
        async (i) =>
          (await cometRpc<Block>(world.net.rpcUrl(i), `/block?height=${common}`)).block.header.app_hash,
      ),
    );
    assert.equal(new Set(hashes).size, 1, `app hashes at ${common}: ${hashes.join(", ")}`);
    await assertSupplyConserved(world, genesisSupply);
  });
});
