import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import {
  BlockIdFlag,
  CheckTxType,
  type FinalizeBlockRequest,
  type InitChainRequest,
} from "../abci/application.js";
import { createApp, type PoqApp } from "./app.js";
import { createCoreModules } from "./core-modules.js";
import { GenesisError } from "./errors.js";
import { decodeProof } from "./store/proof.js";
import { verifyProof } from "./store/proof.js";
import { referenceRoot } from "./store/reference-root.js";
import { msgSendAny, signDirect, testKey } from "../test/raw-signer.js";

const CHAIN = "poq-test-1";
const alice = testKey("alice");
const bob = testKey("bob");
const operator = testKey("operator");
const valPubKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

let dir: string;
let n = 0;
function newApp(path = join(dir, `app${n++}.db`)): PoqApp {
  const core = createCoreModules();
  return createApp({ dbPath: path, modules: core.modules, ante: core.ante, chainId: CHAIN });
}

function genesis(appState: unknown = defaultAppState()): InitChainRequest {
  return {
    timeNanos: 1_700_000_000_000_000_000n,
    chainId: CHAIN,
    validators: [{ pubKeyEd25519: valPubKey, power: 10n }],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  };
}

function defaultAppState(): Record<string, unknown> {
  return {
    bank: { balances: [{ address: alice.address, coins: [{ denom: "upoq", amount: "1000000" }] }] },
    validators: {
      validators: [
        { pub_key: Buffer.from(valPubKey).toString("base64"), operator: operator.address, moniker: "v0" },
      ],
    },
  };
}

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

/** alice's account number after genesis (module accounts are numbered first). */
let aliceNumber = 0n;

/** alice → bob sends, sequences from `seq`. */
function sends(count: number, seq: bigint, amount = 10n): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    signDirect({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNumber,
      sequence: seq + BigInt(i),
      messages: [msgSendAny(alice.address, bob.address, amount)],
    }),
  );
}

function balance(app: PoqApp, address: string): bigint {
  const r = app.query({
    path: "/cosmos.bank.v1beta1.Query/Balance",
    data: QueryBalanceRequest.encode({ address, denom: "upoq" }).finish(),
    height: 0n,
    prove: false,
  });
  assert.equal(r.code, 0, r.log);
  return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0");
}

const attr = (
  events: { type: string; attributes: { key: string; value: string }[] }[],
  type: string,
  key: string,
) =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-app-"));
  const core = createCoreModules();
  const app = createApp({ dbPath: join(dir, "numbers.db"), modules: core.modules, ante: core.ante });
  app.initChain(genesis());
  const account = core.auth.keeper.getAccount({ store: app.state.deliver }, alice.address);
  assert.ok(account);
  aliceNumber = account.accountNumber;
  app.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("base app", () => {
  it("Info reports height 0 and an empty hash, then exactly what Commit persisted", () => {
    const app = newApp();
    assert.deepEqual(
      app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }).lastBlockHeight,
      0n,
    );
    assert.equal(
      app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }).lastBlockAppHash.length,
      0,
    );
    const init = app.initChain(genesis());
    assert.equal(init.appHash.length, 32);
    const fin = app.finalizeBlock(block(1n, []));
    app.commit();
    const info = app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockHeight, 1n);
    assert.equal(hex(info.lastBlockAppHash), hex(fin.appHash));
    app.close();
  });

  it("executes a MsgSend with SDK data and events, and a failing message keeps fee and sequence", () => {
    const app = newApp();
    app.initChain(genesis());
    const [ok] = sends(1, 0n, 100n);
    const tooMuch = sends(1, 1n, 10_000_000n)[0];
    const garbage = Uint8Array.of(1, 2, 3);
    const fin = app.finalizeBlock(block(1n, [ok!, tooMuch!, garbage]));
    assert.equal(fin.txResults.length, 3, "one result per tx");
    const [r0, r1, r2] = fin.txResults;
    assert.equal(r0?.code, 0, r0?.log);
    const data = TxMsgData.decode(r0!.data);
    assert.equal(data.msgResponses[0]?.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
    assert.deepEqual(attr(r0!.events, "message", "action"), ["/cosmos.bank.v1beta1.MsgSend"]);
    assert.ok(attr(r0!.events, "message", "sender").includes(alice.address));
    assert.deepEqual(attr(r0!.events, "message", "module"), ["bank"]);
    assert.deepEqual(attr(r0!.events, "tx", "fee"), ["5000upoq"]);
    assert.deepEqual(attr(r0!.events, "tx", "acc_seq"), [`${alice.address}/0`]);
    // The fee transfer (to fee_collector) comes first, then the message's own transfer.
    assert.equal(attr(r0!.events, "transfer", "recipient").at(-1), bob.address);
    assert.deepEqual(attr(r0!.events, "transfer", "msg_index"), ["0"]);
    assert.ok(r0!.events.every((e) => e.attributes.every((a) => a.index)));
    assert.ok(r0!.gasUsed > 0n && r0!.gasUsed <= r0!.gasWanted);

    assert.equal(r1?.code, 5, r1?.log);
    assert.equal(r1?.codespace, "sdk");
    assert.match(r1!.log, /failed to execute message; message index: 0: .*insufficient funds/);
    assert.deepEqual(attr(r1!.events, "tx", "acc_seq"), [`${alice.address}/1`], "ante events stay");
    assert.equal(attr(r1!.events, "transfer", "msg_index").length, 0, "no message events");
    assert.equal(r1?.data.length, 0);

    assert.equal(r2?.code, 2);
    assert.equal(r2?.codespace, "sdk");
    app.commit();
    // alice paid two fees and one send; bob got only the first send.
    assert.equal(balance(app, alice.address), 1_000_000n - 5000n * 2n - 100n);
    assert.equal(balance(app, bob.address), 100n);
    // The failed tx consumed sequence 1: the next valid tx uses 2.
    const next = app.finalizeBlock(block(2n, sends(1, 2n)));
    assert.equal(next.txResults[0]?.code, 0, next.txResults[0]?.log);
    app.commit();
    app.close();
  });

  it("two apps fed the same blocks agree on every app hash (golden vector)", () => {
    const hashes = [newApp(), newApp()].map((app) => {
      const out = [hex(app.initChain(genesis()).appHash)];
      out.push(hex(app.finalizeBlock(block(1n, sends(3, 0n))).appHash));
      app.commit();
      out.push(hex(app.finalizeBlock(block(2n, [...sends(2, 3n), Uint8Array.of(0)])).appHash));
      app.commit();
      // The incremental hash agrees with the app hash of the whole state computed from scratch.
      const entries = [...app.state.committedView().iterate(new Uint8Array(0))].map(([key, value]) => ({
        key,
        value,
      }));
      assert.equal(hex(referenceRoot(entries)), out[2]);
      app.close();
      return out;
    });
    assert.deepEqual(hashes[0], hashes[1]);
    assert.deepEqual(hashes[0], GOLDEN_HASHES);
  });

  it("a crash between FinalizeBlock and Commit loses the block; replaying it gives the same app hash", () => {
    const path = join(dir, "crash.db");
    const app = newApp(path);
    app.initChain(genesis());
    const h1 = app.finalizeBlock(block(1n, sends(1, 0n))).appHash;
    app.commit();
    const b2 = block(2n, sends(2, 1n));
    const h2 = app.finalizeBlock(b2).appHash;
    app.close(); // crash: no Commit

    const again = newApp(path);
    const info = again.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockHeight, 1n);
    assert.equal(hex(info.lastBlockAppHash), hex(h1));
    assert.equal(hex(again.finalizeBlock(b2).appHash), hex(h2));
    again.commit();
    assert.equal(balance(again, bob.address), 30n);
    again.close();
  });

  it("CometBFT restarted before Commit replays FinalizeBlock to the live app: the block runs again, same hash", () => {
    const app = newApp();
    app.initChain(genesis());
    app.finalizeBlock(block(1n, sends(1, 0n)));
    app.commit();
    const b2 = block(2n, sends(2, 1n));
    const h2 = app.finalizeBlock(b2).appHash;
    // No Commit: the same block again, as a restarted CometBFT sends it.
    const replayed = app.finalizeBlock(b2);
    assert.equal(hex(replayed.appHash), hex(h2));
    assert.deepEqual(
      replayed.txResults.map((r) => r.code),
      [0, 0],
      "the sends run again from the committed state, not on top of the first run",
    );
    assert.throws(() => app.finalizeBlock(block(3n, [])), /awaits Commit/, "another height still refused");
    app.commit();
    assert.equal(balance(app, bob.address), 30n, "each send counted once");
    app.close();
  });

  it("a crash before block 1 is committed: Info says 0, InitChain runs again and replaces genesis", () => {
    const path = join(dir, "genesis-crash.db");
    const first = newApp(path);
    const h0 = first.initChain(genesis()).appHash;
    first.close();
    const again = newApp(path);
    const info = again.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockHeight, 0n);
    assert.equal(info.lastBlockAppHash.length, 0);
    assert.equal(
      hex(again.initChain(genesis()).appHash),
      hex(h0),
      "same genesis, same hash, nothing doubled",
    );
    assert.equal(again.finalizeBlock(block(1n, sends(1, 0n))).txResults[0]?.code, 0);
    again.commit();
    assert.equal(balance(again, alice.address), 1_000_000n - 5000n - 10n);
    again.close();
  });

  it("CheckTx runs the ante on the check state only, caches signatures, and advances sequences", () => {
    const app = newApp();
    app.initChain(genesis());
    app.finalizeBlock(block(1n, []));
    app.commit();
    const [t0, t1] = sends(2, 0n);
    const c0 = app.checkTx({ tx: t0!, type: CheckTxType.New });
    assert.equal(c0.code, 0, c0.log);
    assert.ok(c0.gasUsed > 0n);
    assert.equal(app.checkTx({ tx: t0!, type: CheckTxType.New }).code, 32, "same sequence again");
    assert.equal(app.checkTx({ tx: t1!, type: CheckTxType.New }).code, 0);
    assert.equal(balance(app, alice.address), 1_000_000n, "committed state untouched");
    assert.equal(app.state.getCommitted(new Uint8Array(0)), undefined);
    const bad = Uint8Array.from(sends(1, 2n)[0]!);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    assert.equal(app.checkTx({ tx: bad, type: CheckTxType.New }).code, 4, "bad signature");
    // FinalizeBlock sees the committed state: both txs run, verified once in CheckTx.
    const fin = app.finalizeBlock(block(2n, [t0!, t1!]));
    assert.deepEqual(
      fin.txResults.map((r) => r.code),
      [0, 0],
    );
    app.commit();
    // After Commit the check state is the new state: sequence 2 is next.
    assert.equal(app.checkTx({ tx: sends(1, 2n)[0]!, type: CheckTxType.Recheck }).code, 0);
    app.close();
  });

  it("queries: height > 0, unknown path code 6, NotFound accounts, Simulate, proofs, validators", () => {
    const app = newApp();
    app.initChain(genesis());
    const fin = app.finalizeBlock(block(1n, []));
    app.commit();
    const q = (path: string, data: Uint8Array, prove = false) => app.query({ path, data, height: 0n, prove });

    const unknown = q("/nope.v1.Query/Nothing", new Uint8Array(0));
    assert.equal(unknown.code, 6);
    assert.equal(unknown.codespace, "sdk");
    assert.equal(unknown.height, 1n);

    const missing = q(
      "/cosmos.auth.v1beta1.Query/Account",
      QueryAccountRequest.encode({ address: bob.address }).finish(),
    );
    assert.notEqual(missing.code, 0);
    assert.match(missing.log, /rpc error: code = NotFound/);

    const unsigned = signDirect({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNumber,
      sequence: 0n,
      messages: [msgSendAny(alice.address, bob.address, 1n)],
      fee: { amount: 0n, gasLimit: 0n },
      unsigned: true,
    });
    const sim = q(
      "/cosmos.tx.v1beta1.Service/Simulate",
      SimulateRequest.encode({ txBytes: unsigned }).finish(),
    );
    assert.equal(sim.code, 0, `${sim.codespace}/${sim.code}: ${sim.log}`);
    const simRes = SimulateResponse.decode(sim.value);
    assert.ok((simRes.gasInfo?.gasUsed ?? 0n) > 10_000n);
    assert.equal(simRes.result?.msgResponses[0]?.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
    assert.equal(balance(app, bob.address), 0n, "simulation writes nothing");
    assert.equal(
      app.checkTx({ tx: sends(1, 0n)[0]!, type: CheckTxType.New }).code,
      0,
      "nor advances sequences",
    );

    const key = new TextEncoder().encode("baseapp/chain_id");
    const proved = q("/store/state/key", key, true);
    assert.equal(new TextDecoder().decode(proved.value), CHAIN);
    const op = proved.proofOps?.ops[0];
    assert.ok(op);
    assert.ok(verifyProof(fin.appHash, key, proved.value, decodeProof(op.data)));

    const vals = q(
      "/cosmos.staking.v1beta1.Query/Validators",
      QueryValidatorsRequest.encode({ status: "" }).finish(),
    );
    assert.equal(vals.code, 0, vals.log);
    const v = QueryValidatorsResponse.decode(vals.value).validators;
    assert.equal(v.length, 1);
    assert.equal(v[0]?.tokens, "10000000");
    assert.equal(v[0]?.description.moniker, "v0");
    assert.match(v[0]?.operatorAddress ?? "", /^poqvaloper1/);
    app.close();
  });

  it("InitChain refuses invalid genesis with the module, field and reason", () => {
    const app = newApp();
    const bad = defaultAppState();
    bad.bank = { balances: [{ address: alice.address, coins: [{ denom: "upoq", amount: "-5" }] }] };
    assert.throws(
      () => app.initChain(genesis(bad)),
      (err: unknown) => {
        assert.ok(err instanceof GenesisError);
        assert.match(err.message, /app_state\.bank\.balances\[0\]\.coins\[0\]\.amount/);
        return true;
      },
    );
    assert.throws(() => app.initChain(genesis({ bnak: {} })), /no module named "bnak"/);
    const unknownKey = defaultAppState();
    unknownKey.validators = {
      validators: [{ pub_key: Buffer.alloc(32, 9).toString("base64"), operator: operator.address }],
    };
    assert.throws(() => app.initChain(genesis(unknownKey)), /not a validator in CometBFT's genesis/);
    app.close();
  });

  it("max_gas (review L2): ProcessProposal refuses a block asking for more; FinalizeBlock runs txs only within it", () => {
    const app = newApp();
    // Each send asks for 200,000 gas (and uses less); the big one asks for 500,000.
    app.initChain({ ...genesis(), consensusParams: { block: { maxBytes: 22_020_096n, maxGas: 600_000n } } });
    const big = signDirect({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNumber,
      sequence: 3n,
      messages: [msgSendAny(alice.address, bob.address, 10n)],
      fee: { amount: 5000n, gasLimit: 500_000n },
    });
    const txs = [...sends(3, 0n), big];
    const lastCommit = { round: 0, votes: [] };
    const { decidedLastCommit: _d, ...over } = block(1n, txs);
    assert.equal(app.processProposal({ ...over, proposedLastCommit: lastCommit }).status, 2, "1.1M > 600k");
    const { decidedLastCommit: _e, ...within } = block(1n, sends(3, 0n));
    assert.equal(app.processProposal({ ...within, proposedLastCommit: lastCommit }).status, 1, "600k");
    // A block decided anyway (a Byzantine majority) still stops at the meter: the big one never runs.
    const res = app.finalizeBlock(block(1n, txs));
    assert.deepEqual(
      res.txResults.map((r) => r.code),
      [0, 0, 0, 11],
    );
    assert.match(res.txResults[3]!.log, /out of block gas/);
    assert.equal(res.txResults[3]!.gasUsed, 0n);
    app.commit();
    assert.equal(balance(app, bob.address), 30n, "three sends ran");
    app.close();
  });

  it("PrepareProposal keeps txs within max_tx_bytes; ProcessProposal and vote extensions accept", () => {
    const app = newApp();
    app.initChain(genesis());
    const txs = [new Uint8Array(40), new Uint8Array(40), new Uint8Array(40)];
    const real = sends(3, 0n);
    const commit = { round: 0, votes: [] };
    const prep = app.prepareProposal({
      maxTxBytes: BigInt(real[0]!.length + real[1]!.length + 10),
      txs: real,
      localLastCommit: commit,
      misbehavior: [],
      height: 1n,
      timeNanos: 0n,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    assert.equal((prep as { txs: Uint8Array[] }).txs.length, 2);
    // Proposed txs must pass the stateless checks (these zero bytes do not); real ones do.
    const { decidedLastCommit: _d, ...rest } = block(1n, sends(2, 0n));
    const proc = app.processProposal({
      ...rest,
      proposedLastCommit: {
        round: 0,
        votes: [{ validator: { address: new Uint8Array(20), power: 1n }, blockIdFlag: BlockIdFlag.Commit }],
      },
    });
    assert.equal((proc as { status: number }).status, 1);
    const garbage = app.processProposal({ ...rest, txs, proposedLastCommit: { round: 0, votes: [] } });
    assert.equal((garbage as { status: number }).status, 2);
    app.close();
  });

  it("ante in proposals (issue 14): ProcessProposal refuses a tx the ante handler refuses in block order; PrepareProposal drops it", () => {
    const app = newApp();
    app.initChain(genesis());
    const lastCommit = { round: 0, votes: [] };
    const good = sends(2, 0n);
    const replay = sends(1, 0n)[0]!; // sequence 0 again
    const unfunded = signDirect({
      key: bob,
      chainId: CHAIN,
      accountNumber: 0n,
      sequence: 0n,
      messages: [msgSendAny(bob.address, alice.address, 1n)],
    });
    const cheap = signDirect({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNumber,
      sequence: 2n,
      messages: [msgSendAny(alice.address, bob.address, 1n)],
      fee: { amount: 1n, gasLimit: 200_000n },
    });
    const status = (txs: Uint8Array[]): number => {
      const { decidedLastCommit: _d, ...req } = block(1n, txs);
      return app.processProposal({ ...req, proposedLastCommit: lastCommit }).status;
    };
    assert.equal(status(good), 1);
    assert.equal(status([...good, replay]), 2, "a sequence used twice in the block");
    assert.equal(status([good[1]!, good[0]!]), 2, "sequences out of order");
    assert.equal(status([unfunded]), 2, "a sender without an account");
    assert.equal(status([...good, cheap]), 2, "a fee under min_gas_price");
    assert.equal(status(good), 1, "the checks ran on a scratch state: nothing was kept");
    const prep = app.prepareProposal({
      maxTxBytes: 1n << 20n,
      txs: [good[0]!, replay, unfunded, good[1]!, cheap],
      localLastCommit: lastCommit,
      misbehavior: [],
      height: 1n,
      timeNanos: block(1n, []).timeNanos,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    assert.deepEqual(prep.txs.map(hex), good.map(hex), "only what the ante accepts, in order");
    const res = app.finalizeBlock(block(1n, prep.txs));
    assert.deepEqual(
      res.txResults.map((r) => r.code),
      [0, 0],
    );
    app.commit();
    assert.equal(balance(app, bob.address), 20n);
    app.close();
  });
});

/**
 * App hashes after InitChain, block 1 and block 2 of the golden test. Any change to the state
 * layout, the genesis defaults, gas costs or fee handling moves them: that is a consensus change,
 * so update them only on purpose (and say so in the commit).
 */
const GOLDEN_HASHES = [
  "6d2cf41064e309b61cdd115837d2f80a547158218bc3eeb3bc990826281d0ddd",
  "8fe413d33a6d233791e5fbdc3aeb9890588f64a7edab3037559da36da9f2cd2d",
  "e01093f6750616b7b95001cf0a05f796642bd9a38e846149c265c3b92dbb4136",
];
