/**
 * The secp256k1 backend only changes speed: the same blocks (valid sends, forged and high-S
 * signatures, a wrong account number, a replayed sequence) give the same results and app hashes
 * whichever backend verified them, in CheckTx and in FinalizeBlock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CheckTxType } from "../../abci/application.js";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { blockRequest, createBankChain, signedSend, type BankChain } from "../../bench/bank-chain.js";
import { signDirect, msgSendAny } from "../../test/raw-signer.js";
import { BENCH_CHAIN_ID } from "../../bench/bank-chain.js";
import { secp256k1Backend, secp256k1Backends, useSecp256k1Backend } from "./signature.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SENDERS = 8;

/** The tx with its signature's s replaced by n - s: the high-S twin of a valid signature. */
function highS(tx: Uint8Array): Uint8Array {
  const raw = TxRaw.decode(tx);
  const sig = raw.signatures[0] as Uint8Array;
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
  const twin = Uint8Array.from([
    ...sig.subarray(0, 32),
    ...Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"),
  ]);
  return TxRaw.encode({ ...raw, signatures: [twin] }).finish();
}

/** The tx with one signature byte flipped. */
function forged(tx: Uint8Array): Uint8Array {
  const raw = TxRaw.decode(tx);
  const sig = Uint8Array.from(raw.signatures[0] as Uint8Array);
  sig[5] = (sig[5] ?? 0) ^ 0x40;
  return TxRaw.encode({ ...raw, signatures: [sig] }).finish();
}

/** Three blocks of mixed transactions, made with the chain's keys (the same bytes for every run). */
function blocks(chain: BankChain): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let seq = 0n; seq < 3n; seq++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < SENDERS; i++) txs.push(signedSend(chain, i, (i + 1) % SENDERS, seq));
    const key = chain.keys[0];
    if (!key) throw new Error("no key");
    txs.push(
      highS(signedSend(chain, 1, 2, seq + 1n)),
      forged(signedSend(chain, 2, 3, seq + 1n)),
      // Right key, wrong account number: the sign bytes differ, so the signature fails.
      signDirect({
        key,
        chainId: BENCH_CHAIN_ID,
        accountNumber: 999n,
        sequence: seq + 1n,
        messages: [msgSendAny(key.address, chain.addresses[5] as string, 1n)],
      }),
      // A replay of the first send of the block: its sequence is spent by then.
      txs[0] as Uint8Array,
    );
    out.push(txs);
  }
  return out;
}

interface Run {
  checkCodes: number[][];
  deliverCodes: number[][];
  appHashes: string[];
}

function runWith(
  backend: ReturnType<typeof secp256k1Backend>,
  txBlocks?: Uint8Array[][],
): { run: Run; txBlocks: Uint8Array[][] } {
  useSecp256k1Backend(backend);
  const chain = createBankChain({ accounts: 2 * SENDERS, senders: SENDERS });
  try {
    const bl = txBlocks ?? blocks(chain);
    const run: Run = { checkCodes: [], deliverCodes: [], appHashes: [] };
    for (const txs of bl) {
      // CheckTx first for the odd blocks (the signature cache then skips FinalizeBlock's checks),
      // not at all for the others (FinalizeBlock verifies every signature itself).
      if (run.appHashes.length % 2 === 1) {
        run.checkCodes.push(txs.map((tx) => chain.app.checkTx({ tx, type: CheckTxType.New }).code));
      }
      chain.height += 1n;
      const res = chain.app.finalizeBlock(blockRequest(chain.height, txs));
      chain.app.commit();
      run.deliverCodes.push(res.txResults.map((r) => r.code));
      run.appHashes.push(Buffer.from(res.appHash).toString("hex"));
    }
    return { run, txBlocks: bl };
  } finally {
    chain.cleanup();
  }
}

test("the same blocks give the same results and app hashes with every secp256k1 backend", () => {
  const before = secp256k1Backend();
  try {
    const backends = secp256k1Backends();
    assert.ok(backends.length >= 2, `at least two backends to compare (${backends.join(", ")})`);
    const first = runWith(backends[0] as ReturnType<typeof secp256k1Backend>);
    const { run } = first;
    // The blocks do what they are meant to: 8 sends pass, the four bad ones fail, in every block.
    for (const codes of run.deliverCodes) {
      assert.deepEqual(codes.slice(0, SENDERS), new Array<number>(SENDERS).fill(0));
      assert.ok(
        codes.slice(SENDERS).every((c) => c !== 0),
        `bad transactions refused: ${codes.join(",")}`,
      );
    }
    assert.equal(new Set(run.appHashes).size, run.appHashes.length, "each block changes the state");
    for (const b of backends.slice(1)) {
      const other = runWith(b, first.txBlocks).run;
      assert.deepEqual(other, run, `backend ${b} against ${backends[0]}`);
    }
  } finally {
    useSecp256k1Backend(before);
  }
});
