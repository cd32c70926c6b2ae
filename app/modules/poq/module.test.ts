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
import { voteExtensionSignBytes } from "./extended-commit.js";
import type { LocalScore } from "./extension-planner.js";
import { paramJsonKey } from "./keeper.js";
import { createPoqModule, type PoqModule } from "./module.js";
import { defaultPoqParams } from "./params.js";
import {
  MsgRegisterNode,
  MsgRequestInference,
  MsgRequestInferenceResponse,
  MsgSubmitResponse,
  MsgUnjailNode,
  PoqTypeUrl,
} from "./types/msgs.js";

const CHAIN = "poq-test-1";
const DENOM = "upoq";
const acct = (n: number) => formatAccountAddress(new Uint8Array(20).fill(n));
const REQUESTER = acct(1);
const NODE = acct(2);
const NODE2 = acct(3);
const keys = [11, 12, 13, 14].map((n) => nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(n)));
const operators = [21, 22, 23, 24].map(acct);

function setup(overrides: Partial<ReturnType<typeof defaultPoqParams>> = {}) {
  const store = new LayeredStore({ get: () => undefined, page: () => [] });
  const accounts = createAccountKeeper({ moduleAccounts: { poq: [], poq_pool: [] } });
  const bank = createBankKeeper({ accounts });
  const validators = createValidatorsKeeper();
  const poq = createPoqModule({ bank, validators });
  let height = 0n;
  const ctx = (): Context =>
    createContext({ store, chainId: CHAIN, blockHeight: height, blockTimeNanos: 0n });
  const g = ctx();
  for (const [addr, amount] of [
    [REQUESTER, 10_000_000n],
    [NODE, 10_000_000n],
    [NODE2, 10_000_000n],
  ] as const) {
    bank.setBalance(g, addr, { denom: DENOM, amount });
  }
  bank.setSupply(g, { denom: DENOM, amount: 30_000_000n });
  keys.forEach((k, i) =>
    validators.set(g, {
      address: consensusAddress(k.publicKey),
      pubKey: k.publicKey,
      power: 10n,
      operator: operators[i]!,
      moniker: `v${i}`,
    }),
  );
  poq.initGenesis?.(
    g,
    { params: { ...jsonParams(overrides) } },
    { chainId: CHAIN, initialHeight: 1n, validators: [] },
  );
  const supply = () => bank.getSupply(ctx(), DENOM).amount;
  const balance = (a: string) => bank.getBalance(ctx(), a, DENOM).amount;
  const total = () =>
    [REQUESTER, NODE, NODE2, moduleAddress("poq"), moduleAddress("poq_pool"), ...operators].reduce(
      (s, a) => s + balance(a),
      0n,
    );
  /** Moves to height `h` and runs the module's BeginBlock there (no previous app hash). */
  const beginBlock = (h: bigint): void => {
    height = h;
    poq.beginBlock?.(ctx(), { height: h, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
  };
  /** EndBlock with a ready beacon mixed first (as a healthy block's injected commit does). */
  const endBlock = (): void => {
    mixReadyBeacon(ctx(), poq.keeper);
    poq.endBlock?.(ctx(), { height, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
  };
  return {
    poq,
    ctx,
    setHeight: (h: bigint) => (height = h),
    beginBlock,
    endBlock,
    supply,
    balance,
    total,
    validators,
  };
}

function jsonParams(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [paramJsonKey(k), typeof v === "bigint" ? v.toString() : v]),
  );
}

function deliver(poq: PoqModule, ctx: Context, typeUrl: string, value: Uint8Array) {
  const d = poq.msgs.find((m) => m.typeUrl === typeUrl)!;
  d.validateBasic(value);
  return d.handler(ctx, { typeUrl, value } satisfies AnyMsg);
}

/** Signs each validator's extension for `height` and returns the commit plus the block's last commit. */
function signCommit(exts: Uint8Array[], height: bigint): { commit: ExtendedCommitInfo; last: CommitInfo } {
  const votes = keys.map((k, i) => {
    const ext = exts[i] ?? new Uint8Array();
    return {
      validator: { address: consensusAddress(k.publicKey), power: 10n },
      voteExtension: ext,
      extensionSignature: nacl.sign.detached(voteExtensionSignBytes(ext, height, 0, CHAIN), k.secretKey),
      blockIdFlag: BlockIdFlag.Commit,
    };
  });
  return {
    commit: { round: 0, votes },
    last: { round: 0, votes: votes.map((v) => ({ validator: v.validator, blockIdFlag: v.blockIdFlag })) },
  };
}

describe("poq module (in-process chain of blocks)", () => {
  it("register → request → response → committee → commit → reveal → FINALIZED in 3 blocks, supply conserved", () => {
    const env = setup();
    const { poq } = env;
    env.setHeight(1n);
    const stake = { denom: DENOM, amount: "2000000" };
    poq.beginBlock?.(env.ctx(), {
      height: 1n,
      timeNanos: 0n,
      proposerAddress: new Uint8Array(20),
      lastAppHash: new Uint8Array(32).fill(9),
    });
    deliver(
      poq,
      env.ctx(),
      PoqTypeUrl.RegisterNode,
      MsgRegisterNode.encode({ operator: NODE, models: ["llama"], stake, moniker: "n" }).finish(),
    );
    const res = deliver(
      poq,
      env.ctx(),
      PoqTypeUrl.RequestInference,
      MsgRequestInference.encode({
        requester: REQUESTER,
        model: "llama",
        prompt: "2+2?",
        maxTokens: 16,
        fee: { denom: DENOM, amount: "1000" },
        minQuality: 5000,
      }).finish(),
    );
    const { requestId, node } = MsgRequestInferenceResponse.decode(res.response.value);
    assert.equal(node, "", "no node before a beacon of a later block exists");
    env.endBlock();
    assert.equal(poq.keeper.getRequest(env.ctx(), requestId)!.status, "PENDING");
    env.beginBlock(2n);
    env.endBlock();
    assert.equal(poq.keeper.getRequest(env.ctx(), requestId)!.node, NODE);
    assert.equal(poq.keeper.getRequest(env.ctx(), requestId)!.assigned_height, "2");

    // a non-assigned node is rejected with a registered code
    const wrong = MsgSubmitResponse.encode({ node: REQUESTER, requestId, response: "x" }).finish();
    assert.throws(
      () => deliver(poq, env.ctx(), PoqTypeUrl.SubmitResponse, wrong),
      (e: unknown) => e instanceof ChainError && e.codespace === "poq" && e.code === 9,
    );

    const R = 3n;
    env.setHeight(R);
    poq.beginBlock?.(env.ctx(), {
      height: R,
      timeNanos: 0n,
      proposerAddress: new Uint8Array(20),
      lastAppHash: new Uint8Array(32).fill(8),
    });
    deliver(
      poq,
      env.ctx(),
      PoqTypeUrl.SubmitResponse,
      MsgSubmitResponse.encode({ node: NODE, requestId, response: "4" }).finish(),
    );
    poq.endBlock?.(env.ctx(), { height: R, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
    const req = poq.keeper.getRequest(env.ctx(), requestId)!;
    assert.equal(req.status, "SCORING");
    assert.equal(req.committee.length, 0, "the committee comes from the next block's beacon");

    // Every validator scored in the background; committee members put scores into their extensions.
    const scores = new Map<number, LocalScore>(
      keys.map((_, i) => [i, { score: [8000, 8200, 7900, 8100][i]!, salt: new Uint8Array(32).fill(i + 1) }]),
    );
    let previous: ExtendedCommitInfo | undefined;
    for (let h = R + 1n; h <= R + 4n; h++) {
      env.setHeight(h);
      const ctx = env.ctx();
      poq.beginBlock?.(ctx, {
        height: h,
        timeNanos: 0n,
        proposerAddress: new Uint8Array(20),
        lastAppHash: new Uint8Array(32).fill(Number(h)),
      });
      const txs: Uint8Array[] = [];
      if (previous) {
        const { last } = signCommit(
          previous.votes.map((v) => v.voteExtension),
          h - 1n,
        );
        const tx = poq.prepareInjectedCommit({ height: h, enableHeight: 1n, localLastCommit: previous })!;
        txs.push(tx);
        poq.verifyInjectedCommit(ctx, { txs, height: h, enableHeight: 1n, chainId: CHAIN, lastCommit: last });
        poq.applyInjectedCommit(ctx, tx);
      }
      poq.endBlock?.(ctx, { height: h, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
      // ExtendVote at h (state after block h), with the block's injected commit in flight
      const exts = keys.map((k, i) =>
        poq.extendVote(env.ctx(), {
          validator: consensusAddress(k.publicKey),
          height: h,
          scores: new Map([[requestId, scores.get(i)!]]),
          txs,
        }),
      );
      exts.forEach((e) => assert.ok(poq.verifyVoteExtension(env.ctx(), e)));
      previous = signCommit(exts, h).commit;
    }
    const done = poq.keeper.getRequest(env.ctx(), requestId)!;
    assert.equal(done.status, "FINALIZED", JSON.stringify(done));
    assert.equal(BigInt(done.finalized_height) - R, 3n);
    assert.equal(done.committee.length, 4, "committee_size 5 seats all 4 validators");
    assert.ok(done.quality!.score >= 7900 && done.quality!.score <= 8200);
    assert.equal(env.supply(), 30_000_000n);
    assert.equal(env.total(), 30_000_000n);
    assert.ok(BigInt(done.payout!.node) > 0n);
    assert.equal(env.balance(moduleAddress("poq")), 2_000_000n); // only the stake is left in escrow
  });

  it("rejects a forged injected commit", () => {
    const env = setup();
    const { commit, last } = signCommit([Uint8Array.of()], 4n);
    commit.votes[0]!.extensionSignature = new Uint8Array(64).fill(1);
    const tx = env.poq.prepareInjectedCommit({ height: 5n, enableHeight: 1n, localLastCommit: commit })!;
    assert.throws(
      () =>
        env.poq.verifyInjectedCommit(env.ctx(), {
          txs: [tx],
          height: 5n,
          enableHeight: 1n,
          chainId: CHAIN,
          lastCommit: last,
        }),
      (e: unknown) => e instanceof ChainError && e.code === 19,
    );
    assert.throws(
      () =>
        env.poq.verifyInjectedCommit(env.ctx(), {
          txs: [],
          height: 5n,
          enableHeight: 1n,
          chainId: CHAIN,
          lastCommit: last,
        }),
      ChainError,
    );
  });

  it("keeps a request waiting while no node has room, then expires and refunds it", () => {
    const env = setup({ requestTtl: 3n, responseTimeout: 10n });
    const { poq } = env;
    env.beginBlock(1n);
    deliver(poq, env.ctx(), PoqTypeUrl.RegisterNode, registerMsg(NODE, { maxInFlight: 1 }));
    deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg("m", 1000n));
    deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg("m", 1000n));
    env.endBlock();
    env.beginBlock(2n);
    env.endBlock();
    assert.equal(poq.keeper.getRequest(env.ctx(), 1n)!.node, NODE);
    assert.equal(poq.keeper.getRequest(env.ctx(), 2n)!.status, "PENDING", "the node is full");
    assert.equal(poq.keeper.getNode(env.ctx(), NODE)!.in_flight, "1");
    assert.equal(env.balance(REQUESTER), 10_000_000n - 2000n);
    for (let h = 3n; h <= 4n; h++) {
      env.beginBlock(h);
      env.endBlock();
    }
    assert.equal(poq.keeper.getRequest(env.ctx(), 2n)!.status, "EXPIRED");
    assert.equal(poq.keeper.getRequest(env.ctx(), 1n)!.status, "ASSIGNED");
    assert.equal(env.balance(REQUESTER), 10_000_000n - 1000n);
    assert.equal(env.total(), 30_000_000n);
  });

  it("assigns only from a ready beacon of a later block; without one a request waits, then expires", () => {
    const env = setup({ requestTtl: 4n, responseTimeout: 10n });
    const { poq } = env;
    const get = (id: bigint) => poq.keeper.getRequest(env.ctx(), id)!;
    /** A block whose injected commit carried reveals of `revealers` of 4 equal validators. */
    const block = (h: bigint, revealers: number, txs = () => {}) => {
      env.beginBlock(h);
      txs();
      mixReadyBeacon(env.ctx(), poq.keeper, revealers);
      poq.endBlock?.(env.ctx(), { height: h, timeNanos: 0n, proposerAddress: new Uint8Array(20) });
    };
    env.beginBlock(1n);
    deliver(poq, env.ctx(), PoqTypeUrl.RegisterNode, registerMsg(NODE));
    deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg("m", 1000n));
    block(2n, 0); // no reveals at all (the beacon still moves, predictably)
    block(3n, 1); // a quarter of the power: not more than a third, one validator could have chosen it
    assert.equal(get(1n).status, "PENDING");
    // Half of the power revealed: ready; request 2 is included in this very block.
    block(4n, 2, () => deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg("m", 1000n)));
    assert.equal(get(1n).status, "ASSIGNED");
    assert.equal(get(1n).assigned_height, "4");
    assert.equal(get(1n).response_deadline, "14", "the deadline counts from the assignment");
    assert.equal(get(2n).status, "PENDING", "never from the beacon of its own block");
    for (let h = 5n; h <= 7n; h++) block(h, 1);
    assert.equal(get(2n).status, "PENDING", "waits block by block");
    const before = env.balance(REQUESTER);
    block(8n, 0);
    assert.equal(get(2n).status, "EXPIRED", "bounded by request_ttl");
    assert.equal(env.balance(REQUESTER), before + 1000n, "refunded");
    assert.equal(env.total(), 30_000_000n);
  });

  it("rejects at once a request no active node takes: unknown model, fee under every min_fee (C1, M4)", () => {
    const env = setup();
    const { poq } = env;
    env.beginBlock(1n);
    deliver(poq, env.ctx(), PoqTypeUrl.RegisterNode, registerMsg(NODE, { minFee: 5000n }));
    for (const [model, fee] of [
      ["none", 10_000n],
      ["m", 4999n],
    ] as const) {
      assert.throws(
        () => deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg(model, fee)),
        (e: unknown) => e instanceof ChainError && e.codespace === "poq" && e.code === 41,
      );
    }
    assert.equal(poq.keeper.getNode(env.ctx(), NODE)!.min_fee.amount, "5000");
    const ok = deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg("m", 5000n));
    const { requestId } = MsgRequestInferenceResponse.decode(ok.response.value);
    env.endBlock();
    env.beginBlock(2n);
    env.endBlock();
    assert.equal(poq.keeper.getRequest(env.ctx(), requestId)!.node, NODE);
  });

  it("charges a missed deadline one fee-sized penalty into the pool, jails, hands on, unjails (C1, H5)", () => {
    const env = setup({ responseTimeout: 2n });
    const { poq } = env;
    env.beginBlock(1n);
    deliver(poq, env.ctx(), PoqTypeUrl.RegisterNode, registerMsg(NODE));
    // 20 requests in flight on one node whose backend is down (the old rule took 5% of the whole
    // stake per request, to the requester: 64% of it here, and a profit for the requester).
    for (let i = 0; i < 20; i++) deliver(poq, env.ctx(), PoqTypeUrl.RequestInference, requestMsg("m", 5000n));
    env.endBlock();
    env.beginBlock(2n);
    env.endBlock();
    assert.equal(poq.keeper.getNode(env.ctx(), NODE)!.in_flight, "20");
    deliver(poq, env.ctx(), PoqTypeUrl.RegisterNode, registerMsg(NODE2));
    const requesterBefore = env.balance(REQUESTER);
    for (let h = 3n; h <= 4n; h++) {
      env.beginBlock(h);
      env.endBlock();
    }
    const n = poq.keeper.getNode(env.ctx(), NODE)!;
    assert.equal(n.jailed, true);
    assert.equal(n.stake.amount, String(1_000_000 - 5000), "one penalty, the size of one fee");
    assert.equal(n.in_flight, "0");
    assert.equal(env.balance(moduleAddress("poq_pool")), 5000n, "slashed coins go to the pool");
    assert.equal(env.balance(REQUESTER), requesterBefore, "never to the requester");
    for (let id = 1n; id <= 20n; id++) {
      const r = poq.keeper.getRequest(env.ctx(), id)!;
      assert.equal(r.status, "ASSIGNED");
      assert.equal(r.node, NODE2, `request ${id} handed on`);
    }
    assert.equal(poq.keeper.getNode(env.ctx(), NODE2)!.in_flight, "20");
    // Jailed: no new assignments to it even though it has more stake than NODE2 has room.
    const late = MsgSubmitResponse.encode({ node: NODE, requestId: 1n, response: "x" }).finish();
    assert.throws(
      () => deliver(poq, env.ctx(), PoqTypeUrl.SubmitResponse, late),
      (e: unknown) => e instanceof ChainError && e.code === 9,
    );
    const unjail = MsgUnjailNode.encode({ operator: NODE }).finish();
    assert.throws(
      () => deliver(poq, env.ctx(), PoqTypeUrl.UnjailNode, unjail),
      (e: unknown) => e instanceof ChainError && e.code === 12,
      "below the minimum stake it must top up first",
    );
    deliver(poq, env.ctx(), PoqTypeUrl.RegisterNode, registerMsg(NODE, { stake: 5000n }));
    assert.equal(poq.keeper.getNode(env.ctx(), NODE)!.jailed, true, "re-registering does not unjail");
    deliver(poq, env.ctx(), PoqTypeUrl.UnjailNode, unjail);
    assert.equal(poq.keeper.getNode(env.ctx(), NODE)!.jailed, false);
    assert.throws(
      () => deliver(poq, env.ctx(), PoqTypeUrl.UnjailNode, unjail),
      (e: unknown) => e instanceof ChainError && e.code === 24,
    );
    assert.equal(env.total(), 30_000_000n);
    assert.equal(env.supply(), 30_000_000n);
  });
});

function registerMsg(
  operator: string,
  o: { minFee?: bigint; maxInFlight?: number; stake?: bigint } = {},
): Uint8Array {
  return MsgRegisterNode.encode({
    operator,
    models: ["m"],
    stake: { denom: DENOM, amount: (o.stake ?? 1_000_000n).toString() },
    moniker: "",
    ...(o.minFee !== undefined ? { minFee: { denom: DENOM, amount: o.minFee.toString() } } : {}),
    ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
  }).finish();
}

function requestMsg(model: string, fee: bigint): Uint8Array {
  return MsgRequestInference.encode({
    requester: REQUESTER,
    model,
    prompt: "p",
    maxTokens: 0,
    fee: { denom: DENOM, amount: fee.toString() },
    minQuality: 0,
  }).finish();
}
