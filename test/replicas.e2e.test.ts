/**
 * Replicated requests end to end, 4 real CometBFT validators with the real evaluator, one network for
 * every case (each case uses its own model, so its nodes never get another case's work):
 * - two honest inference nodes and one `wrong` lazy node (real inference nodes against the stand-in)
 *   answer a `replicas = 3` request: every answer is committed, revealed, scored with the others as
 *   peers and paid from its share; the lazy answer scores lowest and is paid least, the best answer is
 *   honest, supply is conserved;
 * - the commit-reveal rules over real transactions: rejections with codes that change nothing, and a
 *   node that never reveals is penalised while the other answer is still scored and paid;
 * - `poq node run` killed between its commitment and its reveal reveals the same answer after a
 *   restart, without asking the backend again;
 * - `replicas` 0, 1, max_replicas + 1 and a fee too small for k shares.
 * Ports 28700-28799 (CometBFT from 28700, stand-ins 28780 and 28781).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { answerCommitment } from "../app/modules/poq/answer-commitment.js";
import type { RequestView } from "../app/modules/poq/state.js";
import { PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import { createKeyring } from "../client/keyring.js";
import { requestInference } from "../client/poq-tx.js";
import { createChatBackend } from "../inference/backend.js";
import { startInferenceNode, type InferenceNode } from "../inference/node.js";
import { standinAnswer, startStandinServer, type StandinServer } from "../inference/standin/server.js";
import {
  appLogLines,
  assertSupplyConserved,
  getRequest,
  poqQuery,
  registerNodeMsg,
  send,
  startPoqWorld,
  TX_FEE,
  type Actor,
  type PoqWorld,
} from "./poq-world.js";
import { waitFor } from "./wait-for.js";

const STAKE = 10_000_000n;
const POQ_BIN = join(process.cwd(), "bin", "poq");
const ACTORS = ["requester", "honest1", "honest2", "lazy", "m1", "m2", "runner", "partner"];
const view = (world: PoqWorld, id: bigint | string) => getRequest(world, BigInt(id)) as Promise<RequestView>;

/** Sends messages with the fixed fee; the result code whether CheckTx or the block rejected them. */
async function codeOf(actor: Actor, msgs: EncodeObject[]): Promise<number> {
  try {
    return (await actor.client.signAndBroadcast(actor.address, msgs, TX_FEE)).code;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "number") return code;
    throw err;
  }
}

const salt = (n: number) => new Uint8Array(32).fill(n);
const commitMsg = (node: string, requestId: bigint, response: string, s: Uint8Array): EncodeObject => ({
  typeUrl: PoqTypeUrl.CommitResponse,
  value: { node, requestId, commitment: answerCommitment({ requestId, node, salt: s, response }) },
});
const revealMsg = (node: string, requestId: bigint, response: string, s: Uint8Array): EncodeObject => ({
  typeUrl: PoqTypeUrl.SubmitResponse,
  value: { node, requestId, response, salt: s },
});

describe("replicated requests", { timeout: 300_000 }, () => {
  let world: PoqWorld;
  /** Sends a request and waits for its nodes (drawn in a later block from the beacon). */
  const ask = async (
    requester: Actor,
    model: string,
    prompt: string,
    replicas: number,
    fee = "300000upoq",
  ) => {
    const sent = await requestInference(
      requester.client,
      requester.address,
      { model, prompt, fee, replicas },
      { fee: TX_FEE },
    );
    const assigned = await waitFor("the request's nodes", async () => {
      const r = await view(world, sent.requestId);
      return r.status !== "PENDING" ? r : undefined;
    });
    assert.ok(Number(assigned.assigned_height) > sent.height, "assigned in a later block than its own");
    return { ...sent, nodes: assigned.assigned_nodes };
  };
  let genesisSupply: bigint;
  let honest: StandinServer;
  let wrong: StandinServer;
  const nodes: InferenceNode[] = [];
  const nodeLog: string[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    world = await startPoqWorld({
      chainId: "poq-replicas-1",
      basePort: 28700,
      behaviours: ["honest", "honest", "honest", "honest"],
      // The commit-reveal test sends five transactions, one after another, between the assignment
      // and the second node's commitment; the default 20-block response timeout (8 s at 400 ms a
      // block) ran out before them once on a loaded CI machine. 40 blocks leave them twice the room
      // (and the silent node's deadline comes 20 blocks later); the unbonding period must outlast a
      // request's exposure, 40 + 2 + 10 + 3 blocks.
      params: { maxReplicas: 5, responseTimeout: 40n, unbondingBlocks: 100n },
      actors: ACTORS,
    });
    genesisSupply = 4n * 1_000_000_000n + BigInt(ACTORS.length) * 1_000_000_000_000n;
    honest = await startStandinServer({ listen: "127.0.0.1:28780" });
    wrong = await startStandinServer({ listen: "127.0.0.1:28781", mode: "lazy", lazyKind: "wrong" });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(nodes.map((n) => n.stop()));
    await honest?.close();
    await wrong?.close();
    await world?.stop();
  });

  it("two honest nodes and a wrong one: each answer scored with the others, the wrong one lowest", async () => {
    const model = "replica-llm";
    const [requester, h1, h2, lazy] = ["requester", "honest1", "honest2", "lazy"].map((n) => world.actor(n));
    await Promise.all([h1!, h2!, lazy!].map((a) => send(a, [registerNodeMsg(a.address, model, STAKE)])));
    for (const [actor, backend] of [
      [h1!, honest],
      [h2!, honest],
      [lazy!, wrong],
    ] as const) {
      nodes.push(
        await startInferenceNode({
          rpcUrl: world.net.rpcUrl(0),
          backend: createChatBackend({ url: backend.url }),
          signer: actor.wallet,
          ledgerFile: join(mkdtempSync(join(tmpdir(), "poq-replica-node-")), "submissions.json"),
          log: (line) => nodeLog.push(`${actor.address.slice(-6)} ${line}`),
        }),
      );
    }
    const began = Date.now();
    const sent = await ask(requester!, model, "Why is the sky blue?", 3);
    assert.deepEqual([...sent.nodes].sort(), [h1!.address, h2!.address, lazy!.address].sort());
    const final = await waitFor("the request to settle", async () => {
      const r = await view(world, sent.requestId);
      return r.status === "FINALIZED" ? r : undefined;
    });
    const elapsed = Date.now() - began;
    const answers = await Promise.all(final.response_ids.map((id) => view(world, id)));
    const lastReveal = answers.reduce(
      (m, a) => (BigInt(a.responded_height) > m ? BigInt(a.responded_height) : m),
      0n,
    );
    const blocks = BigInt(final.finalized_height) - lastReveal;
    const report = answers.map((a) => ({
      id: a.id,
      lazy: a.node === lazy!.address,
      score: a.quality?.score,
      paid: a.payout?.node,
      response: a.response.slice(0, 50),
    }));
    console.log(
      JSON.stringify({ elapsed_ms: elapsed, last_reveal_to_finalized_blocks: Number(blocks), report }),
    );
    // 3 blocks when every validator has scored the answers before its vote on the next block (the
    // unit tests hold the chain to exactly that); one more when scoring is late on a loaded machine.
    // The figure itself is reported above and in bench/RESULTS.md, not asserted as a timing.
    assert.ok(blocks <= 4n, `last reveal at ${lastReveal}, FINALIZED at ${final.finalized_height}`);
    assert.equal(final.responses.length, 3, nodeLog.join("\n"));
    assert.ok(
      final.responses.every((r) => r.status === "FINALIZED"),
      nodeLog.join("\n"),
    );
    assert.ok(final.responses.every((r) => r.status === "FINALIZED" && r.quality !== null));
    const lazyAnswer = answers.find((a) => a.node === lazy!.address)!;
    const others = answers.filter((a) => a.node !== lazy!.address);
    for (const o of others) {
      assert.ok(
        o.quality!.score > lazyAnswer.quality!.score,
        `honest ${o.quality!.score} > lazy ${lazyAnswer.quality!.score}`,
      );
      assert.ok(BigInt(o.payout!.node) > BigInt(lazyAnswer.payout!.node), "the lazy node is paid least");
    }
    assert.notEqual(final.node, lazy!.address, "the best answer is an honest one");
    // Every committee member scored each answer with the two other answers as its peers.
    for (const a of answers) {
      for (const seat of a.committee) {
        const i = world.cons.indexOf(seat.validator);
        const traced = appLogLines(world, i, "scoring with peers").filter((l) => l["answer"] === a.id);
        assert.deepEqual(
          traced.map((l) => l["peers"]),
          [2],
          `validator ${i} on answer ${a.id}`,
        );
      }
    }
    assert.equal(final.response, standinAnswer("Why is the sky blue?"));
    await assertSupplyConserved(world, genesisSupply);
  });

  it("commit-reveal: rejections change nothing; a node that never reveals is penalised, the other paid", async () => {
    const model = "replica-manual";
    const [requester, m1, m2] = ["requester", "m1", "m2"].map((n) => world.actor(n)) as [Actor, Actor, Actor];
    await Promise.all([m1, m2].map((a) => send(a, [registerNodeMsg(a.address, model, STAKE)])));
    const { requestId: id, nodes: assigned } = await ask(requester, model, "What is compound interest?", 2);
    assert.deepEqual([...assigned].sort(), [m1.address, m2.address].sort());
    const answer = "Interest on the principal and on the interest already added, so it snowballs.";
    const snapshot = async () => JSON.stringify(await view(world, id));

    let before = await snapshot();
    assert.equal(
      await codeOf(requester, [commitMsg(requester.address, id, "x", salt(1))]),
      9,
      "not assigned",
    );
    assert.equal(
      await codeOf(m1, [revealMsg(m1.address, id, answer, salt(1))]),
      45,
      "reveal before the phase",
    );
    assert.equal(await snapshot(), before);
    await send(m1, [commitMsg(m1.address, id, answer, salt(1))]);
    before = await snapshot();
    assert.equal(await codeOf(m1, [commitMsg(m1.address, id, "other", salt(2))]), 43, "second commit");
    assert.equal(await snapshot(), before);
    const r0 = await view(world, id);
    assert.ok(
      r0.responses.every((r) => r.response === ""),
      "nothing readable before the reveal phase",
    );
    await send(m2, [commitMsg(m2.address, id, "Sydney.", salt(2))]);
    before = await snapshot();
    assert.equal(
      await codeOf(m1, [revealMsg(m1.address, id, "a different answer", salt(1))]),
      47,
      "mismatch",
    );
    assert.equal(await snapshot(), before);
    await send(m1, [revealMsg(m1.address, id, answer, salt(1))]);
    // m2 never reveals: at the reveal deadline it is penalised and m1's answer is scored alone.
    const final = await waitFor("the request to settle", async () => {
      const r = await view(world, id);
      return r.status === "FINALIZED" ? r : undefined;
    });
    const silent = final.responses.find((r) => r.node === m2.address)!;
    const revealed = final.responses.find((r) => r.node === m1.address)!;
    assert.equal(silent.status, "EXPIRED");
    assert.equal(silent.response, "");
    assert.equal(revealed.status, "FINALIZED");
    assert.ok(BigInt(revealed.payout!.node) > 0n, "the revealing node is paid");
    assert.equal(final.node, m1.address);
    const { node: node2 } = await poqQuery<{ node: { slashed: string; missed_deadlines: string } }>(
      world,
      "/poq.v1.Query/Node",
      { address: m2.address },
    );
    assert.ok(BigInt(node2.slashed) > 0n, "the silent node is slashed");
    assert.equal(node2.missed_deadlines, "1");
    await assertSupplyConserved(world, genesisSupply);
  });

  it("poq node run killed between commit and reveal reveals the same answer after a restart", async () => {
    const model = "replica-restart";
    const [requester, runner, partner] = ["requester", "runner", "partner"].map((n) => world.actor(n)) as [
      Actor,
      Actor,
      Actor,
    ];
    await Promise.all([runner, partner].map((a) => send(a, [registerNodeMsg(a.address, model, STAKE)])));
    const home = mkdtempSync(join(tmpdir(), "poq-replica-run-"));
    await createKeyring({ home, backend: "test" }).recover("runner", runner.wallet.mnemonic);
    const run = () => {
      const child = spawn(
        process.execPath,
        [
          POQ_BIN,
          "--home",
          home,
          "--node",
          world.net.rpcUrl(0),
          "node",
          "run",
          "--backend",
          honest.url,
        ].concat(["--from", "runner", "--keyring-backend", "test"]),
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      children.push(child);
      let log = "";
      child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
      const exited = new Promise<unknown>((r) => child.once("exit", (code, sig) => r(sig ?? code)));
      return { child, exited, log: () => log };
    };
    const prompt = "How do I cook rice on the stove so it is fluffy?";
    const first = run();
    await waitFor("the node to follow blocks", async () =>
      first.log().includes("following") ? true : undefined,
    );
    const callsBefore = honest.calls;
    const { requestId: id } = await ask(requester, model, prompt, 2);
    const mine = async () => (await view(world, id)).responses.find((r) => r.node === runner.address)!;
    const answerId = (await mine()).id;
    await waitFor("the runner's commitment on chain", async () =>
      (await view(world, answerId)).commitment !== "" ? true : undefined,
    );
    first.child.kill("SIGKILL");
    assert.equal(await first.exited, "SIGKILL");
    await send(partner, [commitMsg(partner.address, id, "Boil it.", salt(3))]);
    assert.notEqual((await view(world, id)).reveal_height, "0", "both committed: the reveal phase is open");
    const second = run();
    const revealed = await waitFor("the runner's reveal", async () => {
      const a = await view(world, answerId);
      return a.responded_height !== "0" ? a : undefined;
    });
    second.child.kill("SIGINT");
    await second.exited;
    assert.equal(honest.calls - callsBefore, 1, "the backend was asked once");
    assert.ok(revealed.response.startsWith("Rinse one cup of rice"), revealed.response);
    assert.ok(second.log().includes(`revealing answer ${answerId}`), second.log());
  });

  it("replicas 0 and 1 ask for one answer; max_replicas + 1 and a fee too small for k shares are rejected", async () => {
    const requester = world.actor("requester");
    const msg = (replicas: number, fee: string): EncodeObject => ({
      typeUrl: PoqTypeUrl.RequestInference,
      value: {
        requester: requester.address,
        model: "replica-llm",
        prompt: "What is compound interest?",
        maxTokens: 64,
        fee: { denom: "upoq", amount: fee },
        minQuality: 0,
        replicas,
      },
    });
    assert.equal(await codeOf(requester, [msg(6, "600000")]), 40, "above max_replicas");
    assert.equal(await codeOf(requester, [msg(3, "2")]), 5, "fee too small for 3 shares");
    for (const k of [0, 1]) {
      const { requestId } = await ask(requester, "replica-llm", "What is compound interest?", k);
      const r = await view(world, requestId);
      assert.equal(r.replicas, 1);
      assert.deepEqual(r.response_ids, [r.id]);
      assert.equal(r.responses.length, 1);
    }
  });
});
