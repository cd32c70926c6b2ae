import { describe, it } from "node:test";
import assert from "node:assert/strict";
import nacl from "tweetnacl";
import { BlockIdFlag, type CommitInfo, type ExtendedCommitInfo } from "../../../abci/application.js";
import { createContext } from "../../context.js";
import { ChainError } from "../../errors.js";
import { mixReadyBeacon } from "../../../test/poq-beacon-fixture.js";
import { LayeredStore } from "../../store/layered.js";
import type { AnyMsg, Context } from "../../types.js";
import { formatAccountAddress, moduleAddress } from "../auth/address.js";
import { createAccountKeeper } from "../auth/keeper.js";
import { createBankKeeper } from "../bank/keeper.js";
import { consensusAddress, createValidatorsKeeper } from "../validators/keeper.js";
import { answerCommitment } from "./answer-commitment.js";
import { voteExtensionSignBytes } from "./extended-commit.js";
import type { LocalScore } from "./extension-planner.js";
import { paramJsonKey } from "./keeper.js";
import { createPoqModule } from "./module.js";
import type { PoqParams } from "./params.js";
import { PoqQueryPath } from "./types/query-paths.js";
import {
  MsgCommitResponse,
  MsgRegisterNode,
  MsgRequestInference,
  MsgRequestInferenceResponse,
  MsgSubmitResponse,
  PoqTypeUrl,
} from "./types/msgs.js";

const CHAIN = "poq-test-1";
const DENOM = "upoq";
const acct = (n: number) => formatAccountAddress(new Uint8Array(20).fill(n));
const REQUESTER = acct(1);
const NODES = [acct(2), acct(3), acct(4), acct(5)];
const keys = [11, 12, 13, 14].map((n) => nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(n)));
const operators = [21, 22, 23, 24].map(acct);
const SUPPLY = 10_000_000n * BigInt(1 + NODES.length);

/** A poq module over an in-memory store with 4 validators and 4 funded node accounts. */
function setup(overrides: Partial<PoqParams> = {}) {
  const store = new LayeredStore({ get: () => undefined, page: () => [] });
  const accounts = createAccountKeeper({ moduleAccounts: { poq: [], poq_pool: [] } });
  const bank = createBankKeeper({ accounts });
  const validators = createValidatorsKeeper();
  const poq = createPoqModule({ bank, validators });
  let height = 0n;
  const ctx = (): Context =>
    createContext({ store, chainId: CHAIN, blockHeight: height, blockTimeNanos: 0n });
  const g = ctx();
  for (const addr of [REQUESTER, ...NODES]) bank.setBalance(g, addr, { denom: DENOM, amount: 10_000_000n });
  bank.setSupply(g, { denom: DENOM, amount: SUPPLY });
  keys.forEach((k, i) =>
    validators.set(g, {
      address: consensusAddress(k.publicKey),
      pubKey: k.publicKey,
      power: 10n,
      operator: operators[i]!,
      moniker: `v${i}`,
    }),
  );
  // Small fees keep the arithmetic readable here; the floor itself is tested in module.test.ts.
  const params = Object.fromEntries(
    Object.entries({ minRequestFee: 1n, ...overrides }).map(([k, v]) => [
      paramJsonKey(k),
      typeof v === "bigint" ? v.toString() : v,
    ]),
  );
  poq.initGenesis?.(g, { params }, { chainId: CHAIN, initialHeight: 1n, validators: [] });
  const balance = (a: string) => bank.getBalance(ctx(), a, DENOM).amount;
  const total = () =>
    [REQUESTER, ...NODES, moduleAddress("poq"), moduleAddress("poq_pool"), ...operators].reduce(
      (s, a) => s + balance(a),
      0n,
    );
  const block = (h: bigint) => ({
    height: h,
    timeNanos: 0n,
    proposerAddress: new Uint8Array(20),
    lastAppHash: new Uint8Array(32).fill(Number(h % 256n)),
  });
  const deliver = (typeUrl: string, value: Uint8Array) => {
    const d = poq.msgs.find((m) => m.typeUrl === typeUrl)!;
    d.validateBasic(value);
    return d.handler(ctx(), { typeUrl, value } satisfies AnyMsg);
  };
  const begin = (h: bigint) => {
    height = h;
    poq.beginBlock?.(ctx(), block(h));
  };
  // Every block carries a ready beacon here, so EndBlock assigns what waits (from the next block on).
  const end = () => {
    mixReadyBeacon(ctx(), poq.keeper);
    poq.endBlock?.(ctx(), block(height));
  };
  const get = (id: bigint | string) => poq.keeper.getRequest(ctx(), BigInt(id))!;
  return { poq, ctx, balance, total, deliver, begin, end, get, height: () => height };
}
type Env = ReturnType<typeof setup>;

const query = (env: Env, path: string, body: object): unknown =>
  JSON.parse(
    new TextDecoder().decode(
      env.poq.queries![path]!(env.ctx(), new TextEncoder().encode(JSON.stringify(body))) as Uint8Array,
    ),
  );

const rejects = (f: () => unknown, code: number) =>
  assert.throws(f, (e: unknown) => e instanceof ChainError && e.codespace === "poq" && e.code === code);

function register(env: Env, nodes: readonly string[], model = "llama"): void {
  for (const operator of nodes) {
    env.deliver(
      PoqTypeUrl.RegisterNode,
      MsgRegisterNode.encode({
        operator,
        models: [model],
        stake: { denom: DENOM, amount: "2000000" },
        moniker: "",
      }).finish(),
    );
  }
}

const request = (env: Env, replicas: number, fee = "1000", model = "llama") =>
  MsgRequestInferenceResponse.decode(
    env.deliver(
      PoqTypeUrl.RequestInference,
      MsgRequestInference.encode({
        requester: REQUESTER,
        model,
        prompt: "Capital of Australia?",
        maxTokens: 16,
        fee: { denom: DENOM, amount: fee },
        minQuality: 0,
        replicas,
      }).finish(),
    ).response.value,
  );

const salt = (node: string) => new Uint8Array(32).fill(node.charCodeAt(node.length - 1));
const commitMsg = (requestId: bigint, node: string, response: string) =>
  MsgCommitResponse.encode({
    node,
    requestId,
    commitment: answerCommitment({ requestId, node, salt: salt(node), response }),
  }).finish();
const revealMsg = (requestId: bigint, node: string, response: string, s = salt(node)) =>
  MsgSubmitResponse.encode({ node, requestId, response, salt: s }).finish();

/**
 * Runs blocks from `from` on with every validator scoring each answer as `scoreOf` says (vote
 * extensions signed and injected as the proposer would), until `until` holds or 12 blocks passed.
 */
function scoreBlocks(env: Env, from: bigint, scoreOf: (id: bigint) => number, until: () => boolean): bigint {
  let previous: ExtendedCommitInfo | undefined;
  for (let h = from; h < from + 12n; h++) {
    env.begin(h);
    const txs: Uint8Array[] = [];
    if (previous) {
      const last: CommitInfo = {
        round: 0,
        votes: previous.votes.map((v) => ({ validator: v.validator, blockIdFlag: v.blockIdFlag })),
      };
      const tx = env.poq.prepareInjectedCommit({ height: h, enableHeight: 1n, localLastCommit: previous })!;
      txs.push(tx);
      env.poq.verifyInjectedCommit(env.ctx(), {
        txs,
        height: h,
        enableHeight: 1n,
        chainId: CHAIN,
        lastCommit: last,
      });
      env.poq.applyInjectedCommit(env.ctx(), tx);
    }
    env.end();
    if (until()) return h;
    const scoring = [...env.poq.keeper.requests(env.ctx())].filter((r) => r.status === "SCORING");
    const votes = keys.map((k, i) => {
      const scores = new Map<bigint, LocalScore>(
        scoring.map((r) => [
          BigInt(r.id),
          { score: scoreOf(BigInt(r.id)), salt: new Uint8Array(32).fill(i + 1) },
        ]),
      );
      const ext = env.poq.extendVote(env.ctx(), {
        validator: consensusAddress(k.publicKey),
        height: h,
        scores,
        txs,
      });
      return {
        validator: { address: consensusAddress(k.publicKey), power: 10n },
        voteExtension: ext,
        extensionSignature: nacl.sign.detached(voteExtensionSignBytes(ext, h, 0, CHAIN), k.secretKey),
        blockIdFlag: BlockIdFlag.Commit,
      };
    });
    previous = { round: 0, votes };
  }
  throw new Error("not done within 12 blocks");
}

describe("replicated requests", () => {
  it("assigns k distinct nodes, commits, reveals, scores each answer and settles with the best", () => {
    const env = setup();
    env.begin(1n);
    register(env, NODES.slice(0, 3));
    const { requestId: id, nodes: promised } = request(env, 3, "1000");
    assert.deepEqual(promised ?? [], [], "the transaction promises no node");
    assert.equal(env.get(id).status, "PENDING");
    env.end();
    assert.equal(env.get(id).status, "PENDING", "never assigned in its own block");
    env.begin(2n);
    env.end();
    const res = { nodes: env.get(id).assigned_nodes };
    assert.equal(new Set(res.nodes).size, 3, "distinct nodes");
    const req = env.get(id);
    assert.equal(req.status, "ASSIGNED");
    assert.deepEqual(req.response_ids, [id + 1n, id + 2n, id + 3n].map(String));
    for (const [i, rid] of req.response_ids.entries()) {
      const a = env.get(rid);
      assert.equal(a.parent, id.toString());
      assert.equal(a.node, res.nodes![i]);
      assert.equal(a.fee.amount, "333");
    }
    // Listing shows the request, not its answers; both queries add the answers as `responses`.
    const listed = query(env, PoqQueryPath.Requests, {}) as { requests: { id: string }[] };
    assert.deepEqual(
      listed.requests.map((r) => r.id),
      [id.toString()],
    );
    const mine = query(env, PoqQueryPath.Requests, { node: res.nodes![1], answers: "true" }) as {
      requests: { id: string; node: string }[];
    };
    assert.ok(mine.requests.some((r) => r.id === (id + 2n).toString() && r.node === res.nodes![1]));

    const [n1, n2, n3] = res.nodes!;
    const answers: Record<string, string> = {
      [n1!]: "Canberra.",
      [n2!]: "Canberra is the capital.",
      [n3!]: "Sydney.",
    };
    env.begin(3n);
    rejects(() => env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, NODES[3]!, "x")), 9); // not assigned
    rejects(() => env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n1!, answers[n1!]!)), 45); // not open
    env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, n1!, answers[n1!]!));
    const before = JSON.stringify([...env.poq.keeper.requests(env.ctx())]);
    rejects(() => env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, n1!, "changed")), 43); // second commit
    assert.equal(
      JSON.stringify([...env.poq.keeper.requests(env.ctx())]),
      before,
      "a rejection changes nothing",
    );
    env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, n2!, answers[n2!]!));
    assert.equal(env.get(id).reveal_height, "0");
    env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, n3!, answers[n3!]!));
    rejects(() => env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n1!, answers[n1!]!)), 45); // same block
    env.end();
    assert.equal(
      env.get(id).reveal_height,
      "3",
      "the last commitment opens the reveal phase at the block's end",
    );
    // No answer is on chain before the reveal phase.
    for (const rid of req.response_ids) assert.equal(env.get(rid).response, "");
    const open = query(env, PoqQueryPath.Request, { id: id.toString() }) as {
      request: { responses: { response: string }[] };
    };
    assert.deepEqual(
      open.request.responses.map((r) => r.response),
      ["", "", ""],
    );

    env.begin(4n);
    rejects(() => env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n1!, "Canberra!")), 47); // mismatch
    rejects(
      () => env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n1!, answers[n1!]!, new Uint8Array(32))),
      47,
    );
    rejects(() => env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, NODES[0]!, "x")), 43);
    for (const n of [n1!, n2!, n3!]) env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n, answers[n]!));
    rejects(() => env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n1!, answers[n1!]!)), 11); // twice
    env.end();
    for (const rid of req.response_ids) assert.equal(env.get(rid).status, "SCORING");
    assert.equal(env.get(id).status, "SCORING");

    // The wrong answer scores lowest.
    const score = (rid: bigint) => (env.get(rid).response === "Sydney." ? 1500 : 8000 + Number(rid));
    const done = scoreBlocks(env, 5n, score, () => env.get(id).status === "FINALIZED");
    // The committee is drawn one block later (beacon), but the seats commit with the vote on that
    // block and reveal as soon as all commitments are in: three blocks, as without the beacon.
    assert.ok(done - 4n <= 3n, `last reveal at 4, FINALIZED at ${done}`);
    const final = env.get(id);
    const best = env.get(id + 2n);
    assert.equal(final.node, best.node);
    assert.equal(final.response, "Canberra is the capital.");
    assert.equal(final.quality?.score, best.quality?.score);
    const shown = query(env, PoqQueryPath.Request, { id: id.toString() }) as {
      request: { node: string; responses: { node: string; response: string; quality: unknown }[] };
    };
    assert.equal(shown.request.responses.length, 3);
    assert.ok(shown.request.responses.every((r) => r.response !== "" && r.quality !== null));
    assert.equal(shown.request.node, best.node);
    const paid = req.response_ids.map((rid) => BigInt(env.get(rid).payout!.node));
    const lazy = req.response_ids.findIndex((rid) => env.get(rid).response === "Sydney.");
    assert.ok(
      paid.every((p, i) => i === lazy || p > paid[lazy]!),
      `lazy paid least: ${paid.join(",")}`,
    );
    assert.equal(env.total(), SUPPLY, "supply conserved");
    const stakes = env.poq.keeper.nodes(env.ctx()).reduce((s, n) => s + BigInt(n.stake.amount), 0n);
    assert.equal(env.balance(moduleAddress("poq")), stakes, "only stakes left in escrow");
    assert.ok(BigInt(env.get(id + BigInt(lazy) + 1n).payout!.slashed) > 0n, "below the floor: slashed");
  });

  it("penalises a node that commits and never reveals; the others are still scored and paid", () => {
    const env = setup({ responseTimeout: 3n });
    env.begin(1n);
    register(env, NODES.slice(0, 2));
    const { requestId: id } = request(env, 2, "1001");
    env.end();
    env.begin(2n);
    env.end();
    const [n1, n2] = env.get(id).assigned_nodes;
    env.begin(3n);
    env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, n1!, "four"));
    env.deliver(PoqTypeUrl.CommitResponse, commitMsg(id, n2!, "4"));
    env.end();
    env.begin(4n);
    env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n1!, "four"));
    assert.equal(env.get(id + 1n).status, "ASSIGNED", "scoring waits for the other reveal");
    env.end();
    for (let h = 5n; h <= 6n; h++) {
      env.begin(h);
      env.end();
    }
    env.begin(7n);
    rejects(() => env.deliver(PoqTypeUrl.SubmitResponse, revealMsg(id, n2!, "4")), 11); // expired at 3+3=6
    env.end();
    const silent = env.get(id + 2n);
    assert.equal(silent.status, "EXPIRED");
    assert.ok(BigInt(env.poq.keeper.getNode(env.ctx(), n2!)!.slashed) > 0n, "the silent node is slashed");
    assert.equal(env.get(id + 1n).status, "SCORING");
    scoreBlocks(
      env,
      8n,
      () => 7000,
      () => env.get(id).status === "FINALIZED",
    );
    const final = env.get(id);
    assert.equal(final.node, n1);
    assert.ok(BigInt(env.get(id + 1n).payout!.node) > 0n);
    assert.equal(env.total(), SUPPLY);
  });

  it("expires the answers of nodes that never commit and refunds the request", () => {
    const env = setup({ responseTimeout: 2n });
    env.begin(1n);
    register(env, NODES.slice(0, 2));
    const { requestId: id } = request(env, 2, "1000");
    env.end();
    for (let h = 2n; h <= 4n; h++) {
      env.begin(h);
      env.end();
    }
    assert.equal(env.get(id).status, "EXPIRED");
    assert.equal(env.get(id).payout?.refund, "1000");
    assert.equal(env.total(), SUPPLY);
    // the requester got its fee back; the two penalties went to the pool, never to the requester
    assert.equal(env.balance(REQUESTER), 10_000_000n);
    assert.ok(env.balance(moduleAddress("poq_pool")) > 0n);
  });

  it("replicas 0 and 1 are one answer; max+1, a fee too small and an unserved model are rejected", () => {
    const env = setup({ maxReplicas: 3 });
    env.begin(1n);
    register(env, NODES.slice(0, 2));
    for (const k of [0, 1]) {
      const { requestId: id } = request(env, k);
      const r = env.get(id);
      assert.equal(r.replicas, 1);
      assert.deepEqual(r.response_ids, [id.toString()]);
      assert.equal(r.status, "PENDING");
    }
    rejects(() => request(env, 4), 40);
    rejects(() => request(env, 3, "2"), 5);
    rejects(() => request(env, 2, "100", "nobody-serves-this"), 41);
    rejects(() => env.deliver(PoqTypeUrl.CommitResponse, commitMsg(1n, NODES[0]!, "x")), 42);
    // Fewer eligible nodes than replicas: the request waits, then expires and is refunded.
    const { requestId: waiting, nodes } = request(env, 3, "900");
    assert.deepEqual(nodes ?? [], []);
    assert.equal(env.get(waiting).status, "PENDING");
    env.end();
    const before = env.balance(REQUESTER);
    for (let h = 2n; h <= 102n; h++) {
      env.begin(h);
      env.end();
    }
    assert.equal(env.get(waiting).status, "EXPIRED");
    assert.ok(env.balance(REQUESTER) >= before + 900n);
    assert.equal(env.total(), SUPPLY);
  });

  it("assigns a waiting request once enough nodes registered", () => {
    const env = setup();
    env.begin(1n);
    register(env, NODES.slice(0, 1));
    const { requestId: id } = request(env, 2);
    assert.equal(env.get(id).status, "PENDING");
    register(env, NODES.slice(1, 2));
    env.end();
    env.begin(2n);
    env.end();
    const req = env.get(id);
    assert.equal(req.status, "ASSIGNED");
    assert.deepEqual([...req.assigned_nodes].sort(), NODES.slice(0, 2).sort());
  });
});
