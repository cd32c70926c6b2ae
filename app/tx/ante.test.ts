import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { makeSignDoc as makeAminoSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { TxRaw, TxBody, AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  createTxFixture,
  sendMsg,
  signTx,
  testWallets,
  TEST_CHAIN_ID,
  type SignOptions,
  type TestWallets,
  type TxFixture,
} from "../../test/tx-fixture.js";
import { moduleAddress } from "../modules/auth/address.js";
import { FEE_COLLECTOR } from "../modules/auth/keeper.js";
import { decodeTx } from "./decode.js";
import { aminoSignBytes } from "./sign-bytes.js";
import { sigCacheKey } from "./sig-cache.js";

describe("transactions signed by CosmJS wallets", () => {
  let alice: TestWallets;
  let bob: TestWallets;
  let chain: TxFixture;
  let aliceNumber: bigint;

  before(async () => {
    alice = await testWallets(1);
    bob = await testWallets(2);
  });

  beforeEach(() => {
    chain = createTxFixture({ balances: { [alice.address]: 1_000_000n } });
    aliceNumber = chain.auth.keeper.getAccount(chain.ctx(), alice.address)?.accountNumber ?? -1n;
  });

  /** Alice's first transaction (sequence 0): a DIRECT-signed send of `amount` to Bob. */
  const aliceSends = (amount: string, extra: Partial<SignOptions> = {}) =>
    signTx({
      signer: alice.direct,
      from: alice.address,
      messages: [sendMsg(alice.address, bob.address, amount)],
      accountNumber: aliceNumber,
      sequence: 0,
      ...extra,
    });

  const balance = (address: string) => chain.bank.keeper.getBalance(chain.ctx(), address, "upoq").amount;

  it("accepts a DIRECT-signed MsgSend: moves coins, pays the fee, bumps the sequence, sets the key", async () => {
    const bytes = await aliceSends("1000");
    const result = chain.run(bytes);
    assert.equal(result.code, 0, result.log);
    assert.equal(balance(alice.address), 1_000_000n - 1000n - 5000n);
    assert.equal(balance(bob.address), 1000n);
    assert.equal(balance(moduleAddress(FEE_COLLECTOR)), 5000n);
    const account = chain.auth.keeper.getAccount(chain.ctx(), alice.address);
    assert.equal(account?.sequence, 1n);
    assert.deepEqual(account?.pubKey, alice.pubKey);
    assert.ok(chain.auth.keeper.getAccount(chain.ctx(), bob.address), "recipient account created on receipt");
    assert.ok(result.gasUsed > 0n && result.gasUsed <= 200_000n);

    const txAttrs = result.events.filter((e) => e.type === "tx").flatMap((e) => e.attributes);
    const get = (key: string) => txAttrs.find((a) => a.key === key)?.value;
    assert.equal(get("fee"), "5000upoq");
    assert.equal(get("fee_payer"), alice.address);
    assert.equal(get("acc_seq"), `${alice.address}/0`);
    assert.equal(get("signature"), Buffer.from(TxRaw.decode(bytes).signatures[0] ?? []).toString("base64"));
    assert.ok(txAttrs.every((a) => a.index));
  });

  it("accepts a tx signed by an amino-only CosmJS signer (SIGN_MODE_LEGACY_AMINO_JSON)", async () => {
    const bytes = await aliceSends("2500", {
      signer: alice.amino,
      memo: "rent & <utilities>",
      timeoutHeight: 100n,
    });
    const info = AuthInfo.decode(TxRaw.decode(bytes).authInfoBytes);
    assert.equal(info.signerInfos[0]?.modeInfo?.single?.mode, 127);
    const result = chain.run(bytes);
    assert.equal(result.code, 0, result.log);
    assert.equal(balance(bob.address), 2500n);
  });

  it("rebuilds amino sign bytes identical to @cosmjs/amino's serializeSignDoc", async () => {
    const bytes = await signTx({
      signer: alice.amino,
      from: alice.address,
      messages: [sendMsg(alice.address, bob.address, "7")],
      memo: 'a&b<c>d \u2028 "quoted" ünïcode',
      fee: { amount: [{ denom: "upoq", amount: "6000" }], gas: "240000" },
      accountNumber: 42n,
      sequence: 3,
      timeoutHeight: 99n,
    });
    const tx = decodeTx(bytes, { lookupMsg: (url) => chain.router.msg(url)?.descriptor });
    const ours = aminoSignBytes({
      chainId: TEST_CHAIN_ID,
      accountNumber: 42n,
      sequence: 3n,
      fee: { amount: [{ denom: "upoq", amount: "6000" }], gasLimit: 240_000n, granter: "", payer: "" },
      memo: tx.body.memo,
      msgs: tx.msgs.map((m, i) => tx.descriptors[i]!.toAmino!(m.value)),
      timeoutHeight: tx.body.timeoutHeight,
    });
    const theirs = serializeSignDoc(
      makeAminoSignDoc(
        [
          {
            type: "cosmos-sdk/MsgSend",
            value: {
              from_address: alice.address,
              to_address: bob.address,
              amount: [{ denom: "upoq", amount: "7" }],
            },
          },
        ],
        { amount: [{ denom: "upoq", amount: "6000" }], gas: "240000" },
        TEST_CHAIN_ID,
        'a&b<c>d \u2028 "quoted" ünïcode',
        42,
        3,
        99n,
      ),
    );
    assert.equal(Buffer.from(ours).toString(), Buffer.from(theirs).toString());
    assert.match(Buffer.from(ours).toString(), /a\\u0026b\\u003cc\\u003ed/);
  });

  it("simulates a CosmJS-style draft (empty signature, no fee, gas 0) and charges gas", async () => {
    const signed = TxRaw.decode(await aliceSends("1000"));
    const info = AuthInfo.decode(signed.authInfoBytes);
    const draftInfo = AuthInfo.encode({
      signerInfos: [{ ...info.signerInfos[0]!, modeInfo: { single: { mode: 0 } } }],
      fee: { amount: [], gasLimit: 0n, payer: "", granter: "" },
    }).finish();
    const draft = TxRaw.encode({
      bodyBytes: signed.bodyBytes,
      authInfoBytes: draftInfo,
      signatures: [new Uint8Array()],
    }).finish();
    const before = chain.snapshot();
    const sim = chain.run(draft, "simulate");
    assert.equal(sim.code, 0, sim.log);
    assert.ok(sim.gasUsed > 0n);
    assert.notEqual(chain.snapshot(), before, "simulation ran the messages on its store");

    // The same draft in deliver mode is refused: simulation is the only place empty signatures pass.
    const fresh = createTxFixture({ balances: { [alice.address]: 1_000_000n } });
    assert.equal(fresh.run(draft, "deliver").code, 41);

    // The simulated gas covers what the signed transaction really uses.
    const real = fresh.run(TxRaw.encode(signed).finish());
    assert.equal(real.code, 0, real.log);
    assert.ok(sim.gasUsed >= real.gasUsed, `simulated ${sim.gasUsed} < used ${real.gasUsed}`);
  });

  it("verifies once per node: CheckTx fills the signature cache, FinalizeBlock finds it", async () => {
    const bytes = await aliceSends("1");
    assert.equal(chain.sigCache.size, 0);
    const check = chain.run(bytes, "check");
    assert.equal(check.code, 0, check.log);
    assert.equal(chain.sigCache.size, 1);
    const deliver = chain.run(bytes, "deliver");
    assert.equal(deliver.code, 0, deliver.log);
    assert.equal(chain.sigCache.size, 1, "the deliver run hit the cached entry");
    // A cache hit skips the curve math, never the gas: a node without the entry charges the same.
    const cold = createTxFixture({ balances: { [alice.address]: 1_000_000n } });
    const uncached = cold.run(bytes, "deliver");
    assert.equal(uncached.code, 0, uncached.log);
    assert.equal(cold.sigCache.size, 1);
    assert.equal(deliver.gasUsed, uncached.gasUsed);
  });

  it("keys the cache by chain, account number and key as well as the tx hash", () => {
    const hash = new Uint8Array(32).fill(7);
    const key = (chainId: string, n: bigint, pk: number) =>
      Buffer.from(
        sigCacheKey(hash, chainId, [{ accountNumber: n, pubKey: new Uint8Array(33).fill(pk) }]),
      ).toString("hex");
    const k = key("a-1", 1n, 2);
    assert.equal(k, key("a-1", 1n, 2));
    assert.notEqual(k, key("a-2", 1n, 2));
    assert.notEqual(k, key("a-1", 2n, 2));
    assert.notEqual(k, key("a-1", 1n, 3));
  });

  it("charges the fee and sequence even when the message then fails (as the SDK does)", async () => {
    const bytes = await aliceSends("2000000");
    const result = chain.run(bytes);
    assert.equal(result.code, 5);
    assert.equal(result.codespace, "sdk");
    assert.match(result.log, /spendable balance 995000upoq is smaller than 2000000upoq/);
    assert.equal(balance(alice.address), 995_000n);
    assert.equal(balance(bob.address), 0n);
    assert.equal(chain.auth.keeper.getAccount(chain.ctx(), alice.address)?.sequence, 1n);
  });

  it("parses the body it signs: decodeTx returns the same messages CosmJS encoded", async () => {
    const bytes = await aliceSends("3", { memo: "hello" });
    const tx = decodeTx(bytes, { lookupMsg: (url) => chain.router.msg(url)?.descriptor });
    assert.equal(tx.body.memo, "hello");
    assert.equal(tx.msgs[0]?.typeUrl, "/cosmos.bank.v1beta1.MsgSend");
    assert.deepEqual(TxBody.decode(tx.bodyBytes).memo, "hello");
    assert.equal(tx.size, bytes.length);
  });
});
