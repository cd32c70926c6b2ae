/**
 * The runner keeps decoded transactions for CheckTx, ReCheck, ProcessProposal and FinalizeBlock to
 * reuse, within a byte budget: transactions that decode and then fail the ante cost their sender
 * nothing, so a count of entries would let large ones hold gigabytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCoreModules } from "../core-modules.js";
import { createRouter } from "../router.js";
import { createSigVerificationCache } from "../tx/sig-cache.js";
import { msgSendAny, signDirect, testKey } from "../../test/raw-signer.js";
import { createStateStore } from "../store/state.js";
import {
  DECODED_TX_BYTES_KEPT,
  decodedTxBytes,
  passesStatelessChecks,
  runTx,
  type TxRunnerDeps,
} from "./tx-runner.js";

const alice = testKey("decoded-alice");
const bob = testKey("decoded-bob");
const send = (sequence: bigint, memo = ""): Uint8Array =>
  signDirect({
    key: alice,
    chainId: "poq-decoded-1",
    accountNumber: 0n,
    sequence,
    messages: [msgSendAny(alice.address, bob.address, 1n)],
    memo,
  });

function runner(budget: number): TxRunnerDeps {
  const core = createCoreModules();
  return {
    router: createRouter(core.modules),
    ante: core.ante,
    sigCache: createSigVerificationCache({ maxEntries: 10 }),
    decodedTxBytesKept: budget,
  };
}

test("decoded transactions are kept within a byte budget, oldest out first", () => {
  const txs = Array.from({ length: 6 }, (_, i) => send(BigInt(i)));
  const each = 3 * (txs[0] as Uint8Array).length + 4096;
  const deps = runner(3 * each + each / 2);
  for (const tx of txs) assert.equal(passesStatelessChecks(deps, tx), true);
  assert.ok(decodedTxBytes(deps) <= 3 * each + each / 2, `${decodedTxBytes(deps)} bytes kept`);
  assert.ok(decodedTxBytes(deps) >= 2 * each, "the newest are kept");
  // The same bytes again are a hit: nothing more is kept.
  const before = decodedTxBytes(deps);
  assert.equal(passesStatelessChecks(deps, txs[5] as Uint8Array), true);
  assert.equal(decodedTxBytes(deps), before);
});

test("a transaction larger than the whole budget is decoded but not kept", () => {
  const deps = runner(5000);
  const big = send(0n, "x".repeat(2000));
  assert.equal(passesStatelessChecks(deps, big), true);
  assert.equal(decodedTxBytes(deps), 0);
});

test("a kept decoding counts the heap it costs, not only its bytes", () => {
  // 32 small sends would fit a budget of 64 times their bytes if only bytes counted; with the
  // decoding's cost (several KB each) far fewer are kept.
  const txs = Array.from({ length: 32 }, (_, i) => send(BigInt(i)));
  const deps = runner(64 * (txs[0] as Uint8Array).length);
  for (const tx of txs) assert.equal(passesStatelessChecks(deps, tx), true);
  assert.ok(decodedTxBytes(deps) <= 64 * (txs[0] as Uint8Array).length);
  assert.ok(decodedTxBytes(deps) / (txs[0] as Uint8Array).length > 3, "each entry costs more than its bytes");
});

test("a delivered or refused transaction's decoding is dropped; one that stays in the mempool is kept", () => {
  const deps = runner(DECODED_TX_BYTES_KEPT);
  const state = createStateStore({ path: ":memory:" });
  const good = send(0n);
  const env = { store: state.deliver, chainId: "poq-decoded-1", height: 1n, timeNanos: 0n };
  // Unfunded sender: CheckTx refuses it (insufficient fee funds), and its decoding goes.
  const refused = runTx(deps, env, "check", good);
  assert.notEqual(refused.code, 0);
  assert.equal(decodedTxBytes(deps), 0);
  // A proposal's stateless check keeps it; delivering it in the block drops it.
  assert.equal(passesStatelessChecks(deps, good), true);
  assert.ok(decodedTxBytes(deps) > 0);
  runTx(deps, env, "deliver", good);
  assert.equal(decodedTxBytes(deps), 0);
});
