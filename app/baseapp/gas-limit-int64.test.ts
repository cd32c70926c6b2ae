/**
 * A gas limit of 2^63 or more travels as uint64 in the tx but ABCI reports gas in int64 fields: the
 * response to such a tx must still encode (an encoding throw becomes an ABCI exception, which stops
 * CometBFT), in CheckTx, ProcessProposal and FinalizeBlock alike.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType, ProposalStatus, type FinalizeBlockRequest } from "../../abci/application.js";
import * as codec from "../../abci/codec.js";
import { tendermint } from "../../proto/gen/tendermint.js";
import { createApp, type PoqApp } from "../app.js";
import { createCoreModules } from "../core-modules.js";
import { msgSendAny, signDirect, testKey } from "../../test/raw-signer.js";

import pb = tendermint.abci;

const CHAIN = "poq-gas64-1";
const alice = testKey("alice");
const bob = testKey("bob");
const operator = testKey("operator");
const valPubKey = Uint8Array.from({ length: 32 }, (_, i) => i + 7);

let dir: string;
let app: PoqApp;
let aliceNumber = 0n;

function block(height: bigint, txs: Uint8Array[]): FinalizeBlockRequest {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(Number(height)),
    height,
    timeNanos: 1_700_000_000_000_000_000n + height * 1_000_000_000n,
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}

function tx(sequence: bigint, gasLimit: bigint): Uint8Array {
  return signDirect({
    key: alice,
    chainId: CHAIN,
    accountNumber: aliceNumber,
    sequence,
    messages: [msgSendAny(alice.address, bob.address, 1n)],
    fee: { amount: 5000n, gasLimit },
  });
}

/** What CometBFT would read back: the response as it goes on the wire, decoded again. */
function wire(response: pb.IResponse): pb.Response {
  return pb.Response.decode(codec.encodeResponse(response));
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-gas64-"));
  const core = createCoreModules();
  app = createApp({ dbPath: join(dir, "app.db"), modules: core.modules, ante: core.ante, chainId: CHAIN });
  const appState = {
    bank: { balances: [{ address: alice.address, coins: [{ denom: "upoq", amount: "1000000" }] }] },
    validators: {
      validators: [
        { pub_key: Buffer.from(valPubKey).toString("base64"), operator: operator.address, moniker: "v0" },
      ],
    },
  };
  app.initChain({
    timeNanos: 1_700_000_000_000_000_000n,
    chainId: CHAIN,
    validators: [{ pubKeyEd25519: valPubKey, power: 10n }],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  });
  aliceNumber = core.auth.keeper.getAccount({ store: app.state.deliver }, alice.address)!.accountNumber;
});
after(() => {
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

const HUGE = [2n ** 63n, 2n ** 63n + 1n, 2n ** 64n - 1n];

describe("gas limits beyond int64", () => {
  it("CheckTx rejects them with sdk 18 and a response that encodes", () => {
    for (const gas of HUGE) {
      const r = app.checkTx({ tx: tx(0n, gas), type: CheckTxType.New });
      assert.equal(r.code, 18, `gas ${gas}: ${r.log}`);
      assert.equal(r.codespace, "sdk");
      assert.match(r.log, /invalid gas supplied/);
      const back = wire({ checkTx: codec.fromTxResult(r) }).checkTx;
      assert.equal(back?.code, 18);
    }
    // The largest int64 still reaches the ante handler's own limit (sdk 41), as before.
    const max = app.checkTx({ tx: tx(0n, 2n ** 63n - 1n), type: CheckTxType.New });
    assert.equal(max.code, 41, max.log);
    assert.equal(wire({ checkTx: codec.fromTxResult(max) }).checkTx?.code, 41);
  });

  it("ProcessProposal rejects a block carrying one; FinalizeBlock runs it as a failed tx and goes on", () => {
    const bad = tx(0n, 2n ** 64n - 1n);
    const good = tx(0n, 200_000n);
    const { decidedLastCommit, ...rest } = block(1n, [good, bad]);
    const proposal = { ...rest, proposedLastCommit: decidedLastCommit };
    assert.equal(app.processProposal(proposal).status, ProposalStatus.Reject);
    assert.equal(app.processProposal({ ...proposal, txs: [good] }).status, ProposalStatus.Accept);

    // Decided anyway (a byzantine +2/3): every node must still answer, with one result per tx.
    const fin = app.finalizeBlock(block(1n, [good, bad]));
    assert.deepEqual(
      fin.txResults.map((r) => r.code),
      [0, 18],
    );
    const back = wire({ finalizeBlock: codec.fromFinalizeBlockResponse(fin) }).finalizeBlock;
    assert.equal(back?.txResults?.length, 2);
    app.commit();
    const next = app.finalizeBlock(block(2n, [tx(1n, 200_000n)]));
    assert.equal(next.txResults[0]?.code, 0, next.txResults[0]?.log);
    app.commit();
  });
});
