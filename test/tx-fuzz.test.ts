/**
 * Mutated transactions against the real application (SQLite state, every module, ABCI calls in
 * CometBFT's order), seeded and bounded so that it runs in CI in seconds:
 *
 * - byte mutations (bit flips, 0x00/0x7f/0x80/0xff bytes, inserts, deletes, truncation, a spliced
 *   slice) and structure-aware ones (every protobuf field reachable in TxRaw, its body, auth info and
 *   messages: a varint set to a 32- or 64-bit extreme, a field dropped, doubled or moved, a length
 *   prefix padded, a string made invalid UTF-8) of properly signed transactions of every message
 *   type, plus signed transactions whose own fields hold those extremes;
 * - into CheckTx: never a throw, a numeric code, the committed app hash untouched, and no mutant of a
 *   signed transaction accepted (one signed tx, one hash);
 * - into blocks (a proposer may propose anything): ProcessProposal rejects the block or FinalizeBlock
 *   runs it, never a throw; supply equals the sum of balances after every block; and a second
 *   application fed the same blocks reaches the same app hash at every height.
 */
import { isInjectedCommitTx } from "../app/modules/poq/extended-commit.js";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CheckTxType } from "../abci/application.js";
import type { AnyMsg, MsgDescriptor } from "../app/types.js";
import { decodeTx } from "../app/tx/decode.js";
import {
  MsgCommitResponse,
  MsgRegisterNode,
  MsgRequestInference,
  MsgSubmitResponse,
  MsgUnjailNode,
  PoqTypeUrl,
} from "../app/modules/poq/types/msgs.js";
import { createPoqBenchChain, POQ_BENCH_CHAIN_ID, type PoqBenchChain } from "./poq-app-chain.js";
import { msgSendAny, signDirect, testKey, type TestKey } from "./raw-signer.js";
import { EXTREMES, mutateBytes, mutateStructure, prng, type Prng } from "./wire-mutator.js";

const alice = testKey("fuzz-alice");
const node = testKey("fuzz-node");

/** Whether a proposer's block with `tx` passes ProcessProposal's stateless check (decodeTx). */
const KNOWN_MESSAGES = new Set<string>([...Object.values(PoqTypeUrl), "/cosmos.bank.v1beta1.MsgSend"]);
function decodes(tx: Uint8Array): boolean {
  try {
    decodeTx(tx, {
      lookupMsg: (url) => (KNOWN_MESSAGES.has(url) ? ({ typeUrl: url } as MsgDescriptor) : undefined),
    });
    return true;
  } catch {
    return false;
  }
}

// ---- the chain ----

const msg = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl, value });

function accountOf(chain: PoqBenchChain, key: TestKey): { accountNumber: bigint; sequence: bigint } {
  const acc = chain.modules.core.auth.keeper.getAccount(
    { store: chain.app.state.committedView() },
    key.address,
  );
  return { accountNumber: acc!.accountNumber, sequence: acc!.sequence };
}

/** Signed transactions of every message type, some with extreme field values and fees. */
function seeds(chain: PoqBenchChain, r: Prng): Uint8Array[] {
  const sign = (key: TestKey, messages: AnyMsg[], fee?: { amount: bigint; gasLimit: bigint }) =>
    signDirect({
      key,
      chainId: POQ_BENCH_CHAIN_ID,
      ...accountOf(chain, key),
      messages,
      ...(fee ? { fee } : {}),
    });
  const huge = (2n ** 256n).toString();
  const u32 = () => Number(r.pick(EXTREMES.filter((x) => x < 2n ** 32n)));
  const request = (over: Partial<MsgRequestInference> = {}) =>
    msg(
      PoqTypeUrl.RequestInference,
      MsgRequestInference.encode({
        requester: alice.address,
        model: "m",
        prompt: "Why is the sky blue?",
        maxTokens: 64,
        fee: { denom: "upoq", amount: "5000" },
        minQuality: 0,
        ...over,
      }).finish(),
    );
  return [
    sign(alice, [msgSendAny(alice.address, node.address, 10n)]),
    sign(alice, [msgSendAny(alice.address, node.address, 10n)], {
      amount: 2_000_000n,
      gasLimit: 2n ** 63n - 1n,
    }),
    sign(alice, [request()]),
    sign(alice, [request({ maxTokens: u32(), minQuality: u32(), replicas: u32() })]),
    sign(alice, [request({ fee: { denom: "upoq", amount: huge } })]),
    sign(alice, [request({ prompt: "x".repeat(70_000) })]),
    sign(node, [
      msg(
        PoqTypeUrl.RegisterNode,
        MsgRegisterNode.encode({
          operator: node.address,
          models: ["m", "m2"],
          stake: { denom: "upoq", amount: huge },
          moniker: "fuzz",
          minFee: { denom: "upoq", amount: "18446744073709551616" },
          maxInFlight: u32(),
        }).finish(),
      ),
    ]),
    sign(node, [
      msg(
        PoqTypeUrl.CommitResponse,
        MsgCommitResponse.encode({
          node: node.address,
          requestId: 2n ** 64n - 1n,
          commitment: new Uint8Array(32),
        }).finish(),
      ),
    ]),
    sign(node, [
      msg(
        PoqTypeUrl.SubmitResponse,
        MsgSubmitResponse.encode({
          node: node.address,
          requestId: 1n,
          response: "Rayleigh.",
          salt: new Uint8Array(32),
        }).finish(),
      ),
    ]),
    sign(node, [msg(PoqTypeUrl.UnjailNode, MsgUnjailNode.encode({ operator: node.address }).finish())]),
  ];
}

function newChain(): PoqBenchChain {
  const chain = createPoqBenchChain({
    validators: 2,
    accounts: [alice, node],
    params: { minRequestFee: "1" },
  });
  const register = chain.signed(node, [
    msg(
      PoqTypeUrl.RegisterNode,
      MsgRegisterNode.encode({
        operator: node.address,
        models: ["m"],
        stake: { denom: "upoq", amount: "1000000" },
        moniker: "",
      }).finish(),
    ),
  ]);
  assert.deepEqual(chain.runBlock([register]).failed, []);
  return chain;
}

const appHash = (chain: PoqBenchChain): string =>
  Buffer.from(
    chain.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }).lastBlockAppHash,
  ).toString("hex");

describe("mutated transactions against the real application", { timeout: 240_000 }, () => {
  it("CheckTx never throws, changes no committed state and accepts no mutant of a signed tx", () => {
    const chain = newChain();
    const r = prng(20261203);
    const originals = seeds(chain, r);
    const before = appHash(chain);
    let rejected = 0;
    const codes = new Map<number, number>();
    for (let n = 0; n < 600; n++) {
      const original = r.pick(originals);
      const mutant = n % 2 === 0 ? mutateBytes(original, r) : mutateStructure(original, r);
      if (Buffer.compare(mutant, original) === 0) continue;
      const res = chain.app.checkTx({ tx: mutant, type: CheckTxType.New });
      assert.equal(typeof res.code, "number");
      codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
      assert.notEqual(
        res.code,
        0,
        `a mutant of a signed tx passed CheckTx: ${Buffer.from(mutant).toString("hex")}`,
      );
      rejected++;
    }
    console.log(
      `CheckTx: ${rejected} mutants rejected, by code ${JSON.stringify([...codes].sort((x, y) => x[0] - y[0]))}`,
    );
    assert.ok(rejected > 500, `${rejected} mutants tried`);
    assert.ok(codes.size >= 4, `rejections of several kinds: ${JSON.stringify([...codes])}`);
    assert.equal(appHash(chain), before, "CheckTx changed the committed state");
    chain.cleanup();
  });

  it("blocks of mutants and extremes: rejected or run, supply conserved, the same app hash on two nodes", () => {
    const a = newChain();
    const b = newChain();
    assert.equal(appHash(a), appHash(b));
    const r = prng(7);
    let ran = 0;
    let refused = 0;
    let delivered = 0;
    let succeeded = 0;
    for (let height = 0; height < 24; height++) {
      const originals = seeds(a, r);
      // Two blocks in three carry only what decodes, proposed as they are by a Byzantine proposer:
      // ProcessProposal refuses any with a tx the ante handler refuses, and a Byzantine majority
      // decides them anyway, so FinalizeBlock runs mutants whose signatures, sequences, fees or
      // messages are wrong. The third carries anything at all through an honest PrepareProposal,
      // which drops what the ante refuses (undecodable bytes included): accepted.
      const onlyDecodable = height % 3 !== 2;
      const txs: Uint8Array[] = [];
      for (let tries = 0; txs.length < 12 && tries < 400; tries++) {
        const original = r.pick(originals);
        const pick = r.int(3);
        const tx =
          pick === 0 ? original : pick === 1 ? mutateStructure(original, r) : mutateBytes(original, r);
        if (!onlyDecodable || decodes(tx)) txs.push(tx);
      }
      const outcomes = [a, b].map((chain, i) => {
        const block = chain.runBlock(txs, { asProposed: onlyDecodable, decideRefused: true });
        if (i === 0) {
          const ordinary = block.txs.filter((tx) => !isInjectedCommitTx(tx)).length;
          delivered += ordinary;
          succeeded += ordinary - block.failed.length;
        }
        assert.ok(!block.refused || onlyDecodable, "an honest proposal is accepted");
        return block.refused ? "refused" : "ran";
      });
      assert.equal(outcomes[0], outcomes[1]);
      if (outcomes[0] === "ran") ran++;
      else refused++;
      for (const chain of [a, b]) {
        const { supply, balances } = chain.supply();
        assert.equal(balances, supply, "supply equals the sum of balances");
      }
      assert.equal(appHash(a), appHash(b), `app hashes differ at block ${height}`);
    }
    console.log(
      `blocks: ${ran} accepted, ${refused} refused by ProcessProposal and decided anyway (${delivered} txs, ${succeeded} succeeded)`,
    );
    assert.ok(ran > 0 && refused > 0, `ran ${ran}, refused ${refused}`);
    a.cleanup();
    b.cleanup();
  });
});
