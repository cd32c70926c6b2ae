/**
 * Issue 14 / review H2: the per-model ready sets (node-index.ts) match the node records after any
 * sequence of writes, draws from them are stake-weighted among the nodes that take a request, dead
 * records are deleted, and a request's cost no longer grows with the node records of other models.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createContext } from "../../context.js";
import { ChainError } from "../../errors.js";
import { createGasMeter } from "../../gas.js";
import { mixReadyBeacon } from "../../../test/poq-beacon-fixture.js";
import { LayeredStore } from "../../store/layered.js";
import type { AnyMsg, Context } from "../../types.js";
import { formatAccountAddress } from "../auth/address.js";
import { createAccountKeeper } from "../auth/keeper.js";
import { createBankKeeper } from "../bank/keeper.js";
import { consensusAddress, createValidatorsKeeper } from "../validators/keeper.js";
import { writeBlockLimits } from "../../baseapp/chain-meta.js";
import { BlockIdFlag } from "../../../abci/application.js";
import { drawNode } from "./eligibility.js";
import { applyInjectedCommit } from "./scoring.js";
import { encodeVoteExtension } from "./vote-extension.js";
import { KeyTag, keyOf } from "./keys.js";
import { createPoqModule, type PoqModule } from "./module.js";
import { isReady, readySet } from "./node-index.js";
import { defaultPoqParams } from "./params.js";
import { deriveSeed } from "./seed.js";
import { consAddress, NodeStatus, type NodeRecord } from "./state.js";
import {
  MsgRegisterNode,
  MsgRequestInference,
  MsgRequestInferenceResponse,
  MsgUnregisterNode,
  PoqTypeUrl,
} from "./types/msgs.js";
import { uintBE } from "./types/wire.js";

const DENOM = "upoq";
const addr = (n: number): string => {
  const b = new Uint8Array(20);
  b.set(uintBE(BigInt(n), 4), 16);
  b[0] = 0x77;
  return formatAccountAddress(b);
};

function setup() {
  const store = new LayeredStore({ get: () => undefined, page: () => [] });
  const accounts = createAccountKeeper({ moduleAccounts: { poq: [], poq_pool: [] } });
  const bank = createBankKeeper({ accounts });
  const validators = createValidatorsKeeper();
  const poq = createPoqModule({ bank, validators });
  let height = 1n;
  const ctx = (gasLimit?: bigint): Context =>
    createContext({
      store,
      chainId: "poq-index-1",
      blockHeight: height,
      blockTimeNanos: 0n,
      ...(gasLimit === undefined ? {} : { gasMeter: createGasMeter(gasLimit) }),
    });
  poq.initGenesis?.(ctx(), { params: {} }, { chainId: "poq-index-1", initialHeight: 1n, validators: [] });
  const block = (h: bigint) => ({ height: h, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
  return {
    poq,
    bank,
    validators,
    ctx,
    store,
    height: () => height,
    beginBlock(h: bigint) {
      height = h;
      poq.beginBlock?.(ctx(), block(h));
    },
    endBlock() {
      mixReadyBeacon(ctx(), poq.keeper);
      poq.endBlock?.(ctx(), block(height));
    },
  };
}

function deliver(poq: PoqModule, ctx: Context, typeUrl: string, value: Uint8Array) {
  const d = poq.msgs.find((m) => m.typeUrl === typeUrl)!;
  d.validateBasic(value);
  return d.handler(ctx, { typeUrl, value } satisfies AnyMsg);
}

function nodeRecord(operator: string, o: Partial<NodeRecord> = {}): NodeRecord {
  const z = "0";
  return {
    operator,
    moniker: "",
    models: ["m"],
    stake: { denom: DENOM, amount: "1000000" },
    status: NodeStatus.Active,
    registered_height: z,
    unbonding_height: z,
    assigned: z,
    served: z,
    scored: z,
    quality_sum: z,
    earnings: z,
    slashed: z,
    slashes: z,
    missed_deadlines: z,
    min_fee: { denom: DENOM, amount: "1" },
    max_in_flight: 0,
    in_flight: z,
    jailed: false,
    ...o,
  };
}

/** A small deterministic generator for the test's own choices. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** Walks a model's ready set by cumulative stake: each member with the length of its interval. */
function walk(ctx: Pick<Context, "store">, model: string): Map<string, bigint> {
  const set = readySet(ctx.store, model);
  const total = set.total();
  const seen = new Map<string, bigint>();
  let r = 0n;
  while (r < total) {
    const m = set.find(r);
    assert.ok(!seen.has(m.operator), `${m.operator} found twice`);
    seen.set(m.operator, m.weight);
    assert.equal(set.find(r + m.weight - 1n).operator, m.operator, "the interval is the member's stake");
    r += m.weight;
  }
  assert.equal(r, total);
  return seen;
}

describe("ready sets of nodes per model (review H2, issue 14)", () => {
  it("match the records after 600 random writes and deletes (joins, stake, jail, load, models, status)", () => {
    const env = setup();
    const { keeper } = env.poq;
    const params = keeper.getParams(env.ctx());
    const rand = lcg(7);
    const models = ["m", "n", "o"];
    const ops = Array.from({ length: 40 }, (_, i) => addr(i + 1));
    for (let step = 0; step < 600; step++) {
      const ctx = env.ctx();
      const op = ops[rand() % ops.length]!;
      const existing = keeper.getNode(ctx, op);
      const kind = rand() % 8;
      if (kind === 0 && existing) keeper.deleteNode(ctx, op);
      else {
        const base = existing ?? nodeRecord(op);
        const ms = models.filter(() => rand() % 2 === 0);
        keeper.setNode(
          ctx,
          nodeRecord(op, {
            ...base,
            models: ms.length > 0 ? ms : ["m"],
            stake: { denom: DENOM, amount: String(500_000 + (rand() % 5) * 700_000) },
            status: rand() % 6 === 0 ? NodeStatus.Unbonding : NodeStatus.Active,
            jailed: rand() % 7 === 0,
            in_flight: String(rand() % 40),
            min_fee: { denom: DENOM, amount: String(1 + (rand() % 3)) },
          }),
        );
      }
      if (step % 25 !== 24) continue;
      const all = ops.flatMap((o) => keeper.getNode(ctx, o) ?? []);
      for (const model of models) {
        const want = new Map(
          all
            .filter((n) => n.models.includes(model) && isReady(n, params))
            .map((n) => [n.operator, BigInt(n.stake.amount)]),
        );
        const got = walk(ctx, model);
        assert.deepEqual(
          [...got.entries()].sort(),
          [...want.entries()].sort(),
          `model ${model} at step ${step}`,
        );
      }
    }
  });

  it("draws by stake among the nodes that take the request, skipping excluded and too expensive ones", () => {
    const env = setup();
    const { keeper } = env.poq;
    const ctx = env.ctx();
    const params = keeper.getParams(ctx);
    const [a, b, c, pricey, excluded] = [1, 2, 3, 4, 5].map(addr) as [string, string, string, string, string];
    keeper.setNode(ctx, nodeRecord(a, { stake: { denom: DENOM, amount: "1000000" } }));
    keeper.setNode(
      ctx,
      nodeRecord(pricey, {
        stake: { denom: DENOM, amount: "20000000" },
        min_fee: { denom: DENOM, amount: "999999" },
      }),
    );
    keeper.setNode(ctx, nodeRecord(b, { stake: { denom: DENOM, amount: "2000000" } }));
    keeper.setNode(ctx, nodeRecord(excluded, { stake: { denom: DENOM, amount: "20000000" } }));
    keeper.setNode(ctx, nodeRecord(c, { stake: { denom: DENOM, amount: "3000000" } }));
    const counts = new Map<string, number>();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const seed = deriveSeed("assign", new Uint8Array(32).fill(3), BigInt(i), 0);
      const got = drawNode(ctx, { keeper }, params, {
        model: "m",
        feeShare: 1000n,
        exclude: [excluded],
        seed,
      });
      assert.ok(got !== undefined);
      counts.set(got, (counts.get(got) ?? 0) + 1);
    }
    assert.equal(counts.get(pricey), undefined, "a node above the fee share is never chosen");
    assert.equal(counts.get(excluded), undefined, "an excluded node is never chosen");
    for (const [op, share] of [
      [a, 1 / 6],
      [b, 2 / 6],
      [c, 3 / 6],
    ] as const) {
      const f = (counts.get(op) ?? 0) / N;
      assert.ok(Math.abs(f - share) < 0.03, `${op}: ${f} vs stake share ${share}`);
    }
  });

  it("deletes a node record when its unbonding ends, and its index entries with it", () => {
    const env = setup();
    const { poq } = env;
    const ops = Array.from({ length: 30 }, (_, i) => addr(100 + i));
    for (const op of ops) env.bank.setBalance(env.ctx(), op, { denom: DENOM, amount: 2_000_000n });
    env.bank.setSupply(env.ctx(), { denom: DENOM, amount: 60_000_000n });
    for (const op of ops) {
      deliver(
        poq,
        env.ctx(),
        PoqTypeUrl.RegisterNode,
        MsgRegisterNode.encode({
          operator: op,
          models: ["m", "n"],
          stake: { denom: DENOM, amount: "1000000" },
          moniker: "x",
        }).finish(),
      );
    }
    assert.equal(walk(env.ctx(), "m").size, 30);
    for (const op of ops)
      deliver(poq, env.ctx(), PoqTypeUrl.UnregisterNode, MsgUnregisterNode.encode({ operator: op }).finish());
    assert.equal(readySet(env.store, "m").total(), 0n, "unbonding nodes take no requests");
    env.beginBlock(1n + poq.keeper.getParams(env.ctx()).unbondingBlocks);
    for (const op of ops) {
      assert.equal(poq.keeper.getNode(env.ctx(), op), undefined, "the record is gone");
      assert.equal(env.bank.getBalance(env.ctx(), op, DENOM).amount, 2_000_000n, "the stake came back");
    }
    assert.equal(poq.keeper.nodes(env.ctx()).length, 0);
    for (const tag of [KeyTag.ReadyMember, KeyTag.ReadySlot, KeyTag.Offer]) {
      assert.deepEqual([...env.store.iterate(keyOf(tag))], [], `no index entries under tag ${tag}`);
    }
    // A later registration starts a new record and joins the set again.
    deliver(
      poq,
      env.ctx(),
      PoqTypeUrl.RegisterNode,
      MsgRegisterNode.encode({
        operator: ops[0]!,
        models: ["m"],
        stake: { denom: DENOM, amount: "1000000" },
        moniker: "x",
      }).finish(),
    );
    assert.deepEqual([...walk(env.ctx(), "m").keys()], [ops[0]]);
  });

  it("a request's gas does not grow with 7,000 node records of other models (was over 50M at 6,500)", () => {
    const env = setup();
    const { poq } = env;
    const { keeper } = poq;
    for (let i = 0; i < 7000; i++) {
      keeper.setNode(
        env.ctx(),
        nodeRecord(addr(1000 + i), { models: [`other-${i % 50}`], moniker: "x".repeat(64) }),
      );
    }
    keeper.setNode(env.ctx(), nodeRecord(addr(1)));
    const requester = addr(2);
    env.bank.setBalance(env.ctx(), requester, { denom: DENOM, amount: 1_000_000_000n });
    env.bank.setSupply(env.ctx(), { denom: DENOM, amount: 1_000_000_000n });
    const request = (model: string, i: number) =>
      MsgRequestInference.encode({
        requester,
        model,
        prompt: `q${i}`,
        maxTokens: 8,
        fee: { denom: DENOM, amount: "1000" },
        minQuality: 0,
      }).finish();
    const ctx = env.ctx(1_000_000n);
    const res = deliver(poq, ctx, PoqTypeUrl.RequestInference, request("m", 0));
    const { requestId } = MsgRequestInferenceResponse.decode(res.response.value);
    console.log(`MsgRequestInference among 7,001 node records: ${ctx.gasMeter.consumed} gas`);
    assert.ok(ctx.gasMeter.consumed < 100_000n, `MsgRequestInference used ${ctx.gasMeter.consumed} gas`);
    // EndBlock assigns it from the model's ready set: its reads do not grow with the others either.
    env.beginBlock(2n);
    const end = env.ctx();
    mixReadyBeacon(end, keeper);
    const before = end.gasMeter.consumed;
    poq.endBlock?.(end, { height: 2n, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
    assert.equal(keeper.getRequest(env.ctx(), requestId)!.node, addr(1));
    console.log(`EndBlock assigning it among 7,001 node records: ${end.gasMeter.consumed - before} gas`);
    assert.ok(
      end.gasMeter.consumed - before < 200_000n,
      `EndBlock read ${end.gasMeter.consumed - before} gas`,
    );
    // A model nobody serves is refused at once, at the same small cost.
    const ctx2 = env.ctx(1_000_000n);
    assert.throws(
      () => deliver(poq, ctx2, PoqTypeUrl.RequestInference, request("nobody", 1)),
      /no active node/,
    );
    assert.ok(ctx2.gasMeter.consumed < 100_000n, `refusal used ${ctx2.gasMeter.consumed} gas`);
    assert.ok(defaultPoqParams().minNodeStake <= 1_000_000n);
  });
});

describe("waiting requests by model (review M4, issue 14)", () => {
  const fund = (env: ReturnType<typeof setup>, who: string) => {
    env.bank.setBalance(env.ctx(), who, { denom: DENOM, amount: 1_000_000_000n });
    env.bank.setSupply(env.ctx(), { denom: DENOM, amount: 2_000_000_000n });
  };
  const ask = (env: ReturnType<typeof setup>, requester: string, model: string, i: number) =>
    MsgRequestInferenceResponse.decode(
      deliver(
        env.poq,
        env.ctx(),
        PoqTypeUrl.RequestInference,
        MsgRequestInference.encode({
          requester,
          model,
          prompt: `question ${i} `.repeat(40),
          maxTokens: 8,
          fee: { denom: DENOM, amount: "1000" },
          minQuality: 0,
        }).finish(),
      ).response.value,
    ).requestId;

  it("are not re-read every block while nothing changes for their model, and move when a node has room", () => {
    const env = setup();
    const { keeper } = env.poq;
    const node = addr(1);
    const requester = addr(2);
    fund(env, requester);
    keeper.setNode(env.ctx(), nodeRecord(node, { max_in_flight: 1 }));
    const ids = Array.from({ length: 60 }, (_, i) => ask(env, requester, "m", i));
    env.endBlock();
    env.beginBlock(2n);
    env.endBlock();
    const status = () => ids.map((id) => keeper.getRequest(env.ctx(), id)!.status);
    assert.deepEqual(status().filter((s) => s === "ASSIGNED").length, 1, "the node has room for one");
    // Quiet blocks: the 59 waiting requests (about 500 bytes each) are not read again.
    for (let h = 3n; h < 6n; h++) {
      env.beginBlock(h);
      const ctx = env.ctx();
      mixReadyBeacon(ctx, keeper);
      const before = ctx.gasMeter.consumed;
      env.poq.endBlock?.(ctx, { height: h, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
      const used = ctx.gasMeter.consumed - before;
      console.log(`quiet EndBlock with 59 waiting requests: ${used} gas`);
      assert.ok(used < 20_000n, `a quiet EndBlock read ${used} gas`);
    }
    // The node finishes its request (here: the record says so): the next EndBlock tries again.
    keeper.setNode(env.ctx(), { ...keeper.getNode(env.ctx(), node)!, in_flight: "0" });
    env.beginBlock(6n);
    env.endBlock();
    assert.equal(status().filter((s) => s === "ASSIGNED").length, 2, "one more assigned");
  });

  it("tries at most a bounded number per block when a big model gains a node, the rest in later blocks", () => {
    const env = setup();
    const { keeper } = env.poq;
    const requester = addr(2);
    fund(env, requester);
    keeper.setNode(env.ctx(), nodeRecord(addr(1), { max_in_flight: 1000, in_flight: "1000" }));
    keeper.setNode(env.ctx(), nodeRecord(addr(3), { max_in_flight: 1 }));
    const ids = Array.from({ length: 450 }, (_, i) => ask(env, requester, "m", i));
    keeper.setNode(env.ctx(), nodeRecord(addr(3), { max_in_flight: 1, in_flight: "1" }));
    env.endBlock();
    // Room for all of them at once: a node of the model frees 1000 places.
    env.beginBlock(2n);
    keeper.setNode(env.ctx(), nodeRecord(addr(1), { max_in_flight: 1000, in_flight: "0" }));
    const assigned = () => ids.filter((id) => keeper.getRequest(env.ctx(), id)!.status === "ASSIGNED").length;
    env.endBlock();
    assert.equal(assigned(), 200, "the first block tries 200");
    env.beginBlock(3n);
    env.endBlock();
    assert.equal(assigned(), 400, "the next block resumes where it stopped");
    env.beginBlock(4n);
    env.endBlock();
    assert.equal(assigned(), 450);
  });

  it("expire at request_ttl with a full refund, and the waiting set is capped with a clear error", () => {
    const env = setup();
    const { keeper } = env.poq;
    const requester = addr(2);
    fund(env, requester);
    keeper.setNode(env.ctx(), nodeRecord(addr(1), { max_in_flight: 1, in_flight: "1" }));
    const id = ask(env, requester, "m", 0);
    const ttl = keeper.getParams(env.ctx()).requestTtl;
    const balance = env.bank.getBalance(env.ctx(), requester, DENOM).amount;
    for (let h = 2n; h <= 1n + ttl; h++) {
      env.beginBlock(h);
      env.endBlock();
      assert.equal(keeper.getRequest(env.ctx(), id)!.status, h < 1n + ttl ? "PENDING" : "EXPIRED");
    }
    assert.equal(env.bank.getBalance(env.ctx(), requester, DENOM).amount, balance + 1000n);
    for (let i = 0; i < 10_000; i++)
      keeper.setPending(env.ctx(), { id: String(1_000_000 + i), model: "x" }, true);
    assert.throws(
      () => ask(env, requester, "m", 1),
      (e: unknown) => e instanceof ChainError && e.code === 26 && /waiting for a node/.test(e.message),
    );
  });
});

describe("vote extension entries are checked against open seats before any parse (review M5, issue 14)", () => {
  it("a stuffed extension naming 300 large finished requests costs bounded reads; seated entries count", () => {
    const env = setup();
    const { keeper } = env.poq;
    const byz = new Uint8Array(20).fill(0xb0);
    const honest = new Uint8Array(20).fill(0xc0);
    const base = {
      requester: addr(2),
      model: "m",
      prompt: "p".repeat(8000),
      max_tokens: 8,
      fee: { denom: DENOM, amount: "1000" },
      min_quality: 0,
      node: addr(1),
      response: "r".repeat(30_000),
      created_height: "1",
      assigned_height: "1",
      responded_height: "1",
      finalized_height: "2",
      response_deadline: "20",
      commit_deadline: "10",
      reveal_deadline: "12",
      assigned_nodes: [addr(1)],
      committee: [],
      quality: null,
      payout: null,
      replicas: 1,
      response_ids: [],
      parent: "0",
      commitment: "",
      committed_height: "0",
      reveal_height: "0",
    };
    for (let id = 1; id <= 300; id++)
      keeper.setRequest(env.ctx(), { ...base, id: String(id), status: "FINALIZED" });
    const open = 1000n;
    keeper.setRequest(env.ctx(), {
      ...base,
      id: open.toString(),
      status: "SCORING",
      committee: [byz, honest].map((v) => ({ validator: consAddress(v), power: "1" })),
    });
    keeper.openSeatsFor(env.ctx(), open, [byz, honest]);
    env.beginBlock(3n);
    const entry = (id: bigint) => ({ requestId: id, commitment: new Uint8Array(32).fill(1) });
    const stuffed = encodeVoteExtension({
      commitments: Array.from({ length: 300 }, (_, i) => entry(BigInt(i + 1))),
      reveals: Array.from({ length: 300 }, (_, i) => ({
        requestId: BigInt(i + 1),
        score: 5000,
        salt: new Uint8Array(32),
      })),
    });
    const vote = (address: Uint8Array, ext: Uint8Array) => ({
      validator: { address, power: 1n },
      voteExtension: ext,
      extensionSignature: new Uint8Array(64),
      blockIdFlag: BlockIdFlag.Commit,
    });
    const ctx = env.ctx();
    const before = ctx.gasMeter.consumed;
    const got = applyInjectedCommit(
      ctx,
      { keeper, bank: env.bank, validators: env.validators },
      {
        round: 0,
        votes: [
          vote(byz, stuffed),
          vote(honest, encodeVoteExtension({ commitments: [entry(open)], reveals: [] })),
        ],
      },
    );
    const used = ctx.gasMeter.consumed - before;
    console.log(`injected commit with a 300-entry stuffed extension: ${used} gas`);
    assert.ok(used < 1_000_000n, `applying it read ${used} gas`);
    assert.equal(got.commitments, 1, "the honest seated commitment counts");
    assert.ok(keeper.getCommitment(env.ctx(), open, honest));
    assert.equal(keeper.openSeats(env.ctx(), honest), 1n);
    keeper.clearScores(env.ctx(), open, [byz, honest]);
    assert.equal(keeper.openSeats(env.ctx(), honest), 0n);
    assert.equal(keeper.hasSeat(env.ctx(), open, byz), false);
  });
});

describe("vote extensions fit the block (review L2, issue 14)", () => {
  it("each validator's extension is capped at its share of half of max_bytes, in ExtendVote and VerifyVoteExtension", () => {
    const env = setup();
    const ctx = env.ctx();
    for (let i = 0; i < 4; i++) {
      const pub = new Uint8Array(32).fill(i + 1);
      env.validators.set(ctx, {
        address: consensusAddress(pub),
        pubKey: pub,
        power: 10n,
        operator: addr(500 + i),
        moniker: `v${i}`,
      });
    }
    const ext = encodeVoteExtension({
      commitments: Array.from({ length: 150 }, (_, i) => ({
        requestId: BigInt(i + 1),
        commitment: new Uint8Array(32).fill(7),
      })),
      reveals: [],
    });
    assert.ok(ext.length > 5000 && ext.length < 65536, `${ext.length} bytes`);
    assert.equal(env.poq.verifyVoteExtension(ctx, ext), true, "within max_vote_extension_bytes");
    // 40,000-byte blocks, 4 validators: 40,000 / 2 / 4 - 256 = 4,744 bytes each.
    writeBlockLimits(ctx.store, { maxBytes: 40_000n, maxGas: -1n });
    assert.equal(env.poq.verifyVoteExtension(ctx, ext), false, "over its share of the block");
    assert.equal(env.poq.verifyVoteExtension(ctx, ext.subarray(0, 0)), true);
  });
});
