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
import { decodedTxBytes, passesStatelessChecks, type TxRunnerDeps } from "./tx-runner.js";

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
  const each = 2 * (txs[0] as Uint8Array).length;
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
  const deps = runner(1000);
  const big = send(0n, "x".repeat(2000));
  assert.equal(passesStatelessChecks(deps, big), true);
  assert.equal(decodedTxBytes(deps), 0);
});
