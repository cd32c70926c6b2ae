/**
 * Every kind of bad transaction from the "Bad input" list: each gets the SDK's code and
 * codespace, a log that says what was wrong, and changes no state.
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  createTxFixture,
  sendMsg,
  signTx,
  testWallets,
  TEST_CHAIN_ID,
  type TestWallets,
  type TxFixture,
} from "../../test/tx-fixture.js";
import { moduleAddress } from "../modules/auth/address.js";
import { defaultAuthParams } from "../modules/auth/params.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("rejected transactions", () => {
  let alice: TestWallets;
  let bob: TestWallets;
  let chain: TxFixture;
  let aliceNumber: bigint;

  before(async () => {
    alice = await testWallets(1);
    bob = await testWallets(2);
  });

  beforeEach(() => {
    chain = createTxFixture({ balances: { [alice.address]: 1_000_000n, [bob.address]: 10n } });
    aliceNumber = chain.auth.keeper.getAccount(chain.ctx(), alice.address)?.accountNumber ?? -1n;
  });

  /** Runs the tx and checks code, codespace, log and that the state is untouched. */
  function expectRejected(bytes: Uint8Array, code: number, log: RegExp, codespace = "sdk"): void {
    const before = chain.snapshot();
    const result = chain.run(bytes);
    assert.equal(result.code, code, `expected code ${code}, got ${result.code}: ${result.log}`);
    assert.equal(result.codespace, codespace);
    assert.match(result.log, log);
    assert.equal(chain.snapshot(), before, "a rejected transaction must not change state");
  }

  const send = (amount = "1000", to?: string) => sendMsg(alice.address, to ?? bob.address, amount);
  const signAlice = (o: Partial<Parameters<typeof signTx>[0]> = {}) =>
    signTx({
      signer: alice.direct,
      from: alice.address,
      messages: [send()],
      accountNumber: aliceNumber,
      sequence: 0,
      ...o,
    });

  /** Signs arbitrary body and auth info bytes with alice's DIRECT key. */
  async function signRaw(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, accountNumber = aliceNumber) {
    const doc = makeSignDoc(bodyBytes, authInfoBytes, TEST_CHAIN_ID, Number(accountNumber));
    const { signature } = await alice.direct.signDirect(alice.address, doc);
    return TxRaw.encode({
      bodyBytes,
      authInfoBytes,
      signatures: [Buffer.from(signature.signature, "base64")],
    }).finish();
  }

  const authInfo = (o: { mode?: number; pubKey?: Uint8Array | null; sequence?: number } = {}) =>
    makeAuthInfoBytes(
      [
        {
          pubkey:
            o.pubKey === null
              ? (undefined as never)
              : encodePubkey(encodeSecp256k1Pubkey(o.pubKey ?? alice.pubKey)),
          sequence: o.sequence ?? 0,
        },
      ],
      [{ denom: "upoq", amount: "5000" }],
      200_000,
      undefined,
      undefined,
      o.mode ?? 1,
    );
  const body = (typeUrl = "/cosmos.bank.v1beta1.MsgSend", extra: Partial<TxBody> = {}) =>
    TxBody.encode(
      TxBody.fromPartial({
        messages: [
          {
            typeUrl,
            value: MsgSend.encode({
              fromAddress: alice.address,
              toAddress: bob.address,
              amount: [{ denom: "upoq", amount: "5" }],
            }).finish(),
          },
        ],
        ...extra,
      }),
    ).finish();

  it("malformed bytes: code 2 tx parse error", async () => {
    expectRejected(Uint8Array.of(0xff, 0xff, 0xff), 2, /^TxRaw: .*: tx parse error$/);
    expectRejected(new Uint8Array(), 2, /empty transaction/);
    const good = await signAlice();
    expectRejected(good.subarray(0, good.length - 10), 2, /length exceeds the input/);
    expectRejected(Uint8Array.from([...good, 0x4a, 0x00]), 2, /TxRaw: unknown field number 9/);
  });

  it("unknown message type URL: code 2, names the URL", async () => {
    expectRejected(
      await signRaw(body("/poq.v1.MsgDoesNotExist"), authInfo()),
      2,
      /unable to resolve type URL \/poq\.v1\.MsgDoesNotExist/,
    );
  });

  it("extension options: code 31", async () => {
    const b = body(undefined, {
      extensionOptions: [
        { typeUrl: "/ethermint.types.v1.ExtensionOptionsEthereumTx", value: new Uint8Array() },
      ],
    });
    expectRejected(await signRaw(b, authInfo()), 31, /unknown extension option/);
  });

  it("a flipped signature byte: code 4 unauthorized", async () => {
    const raw = TxRaw.decode(await signAlice());
    const sig = raw.signatures[0]!;
    sig[5] = (sig[5] ?? 0) ^ 0x01;
    expectRejected(
      TxRaw.encode(raw).finish(),
      4,
      /signature verification failed; please verify account number/,
    );
  });

  it("a high-S signature (the malleated twin of a valid one): code 4", async () => {
    const raw = TxRaw.decode(await signAlice());
    const sig = raw.signatures[0]!;
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
    sig.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32);
    expectRejected(TxRaw.encode(raw).finish(), 4, /signature verification failed/);
  });

  it("a 65-byte signature: code 4", async () => {
    const raw = TxRaw.decode(await signAlice());
    raw.signatures[0] = Uint8Array.from([...raw.signatures[0]!, 1]);
    expectRejected(TxRaw.encode(raw).finish(), 4, /signature verification failed/);
  });

  it("signed for another chain id: code 4, the log names the expected chain id", async () => {
    expectRejected(await signAlice({ chainId: "other-chain-1" }), 4, /chain-id \(poq-test-1\)/);
  });

  it("signed with the wrong account number: code 4", async () => {
    expectRejected(
      await signAlice({ accountNumber: aliceNumber + 1n }),
      4,
      new RegExp(`account number \\(${aliceNumber}\\)`),
    );
  });

  it("a replayed transaction: code 32 with the SDK's sequence mismatch wording", async () => {
    const bytes = await signAlice();
    assert.equal(chain.run(bytes).code, 0);
    expectRejected(bytes, 32, /account sequence mismatch, expected 1, got 0: incorrect account sequence/);
    expectRejected(await signAlice({ sequence: 5 }), 32, /expected 1, got 5/);
  });

  it("too little fee for the gas limit: code 13", async () => {
    const fee = { amount: [{ denom: "upoq", amount: "4999" }], gas: "200000" };
    expectRejected(await signAlice({ fee }), 13, /insufficient fees; got: 4999upoq required: 5000upoq/);
    const none = { amount: [], gas: "200000" };
    expectRejected(await signAlice({ fee: none }), 13, /got: 0upoq required: 5000upoq/);
  });

  it("fee in another denom: code 10", async () => {
    const fee = { amount: [{ denom: "uatom", amount: "5000" }], gas: "200000" };
    expectRejected(await signAlice({ fee }), 10, /fees are paid in upoq only, got uatom/);
  });

  it("gas limit zero or above the maximum: code 41", async () => {
    expectRejected(
      await signAlice({ fee: { amount: [{ denom: "upoq", amount: "1" }], gas: "0" } }),
      41,
      /gas limit must be positive/,
    );
    const max = defaultAuthParams().maxTxGas + 1n;
    const fee = { amount: [{ denom: "upoq", amount: (max * 25n).toString() }], gas: max.toString() };
    expectRejected(await signAlice({ fee }), 41, /exceeds the maximum/);
  });

  it("too little gas to get through the ante handler: code 11 out of gas", async () => {
    const fee = { amount: [{ denom: "upoq", amount: "25" }], gas: "1000" };
    expectRejected(await signAlice({ fee }), 11, /out of gas in location: .*gasWanted: 1000/);
  });

  it("a fee the payer cannot afford: code 5", async () => {
    const bytes = await signTx({
      signer: bob.direct,
      from: bob.address,
      messages: [sendMsg(bob.address, alice.address, "1")],
      accountNumber: chain.auth.keeper.getAccount(chain.ctx(), bob.address)!.accountNumber,
      sequence: 0,
    });
    expectRejected(bytes, 5, /insufficient funds to pay for fees; 10upoq < 5000upoq/);
  });

  it("a signer without an account: code 9", async () => {
    const carol = await testWallets(3);
    const bytes = await signTx({
      signer: carol.direct,
      from: carol.address,
      messages: [sendMsg(carol.address, alice.address, "1")],
      accountNumber: 0n,
      sequence: 0,
    });
    expectRejected(bytes, 9, /address: poq1.* does not exist: unknown address/);
  });

  it("zero, negative and non-integer amounts: code 10", async () => {
    expectRejected(await signAlice({ messages: [send("0")] }), 10, /amount of upoq must be positive, got 0/);
    expectRejected(
      await signAlice({ messages: [send("-5")] }),
      10,
      /must be a non-negative integer, got "-5"/,
    );
    expectRejected(await signAlice({ messages: [send("1.5")] }), 10, /non-negative integer/);
  });

  it("a bad bech32 recipient: code 7", async () => {
    expectRejected(
      await signAlice({ messages: [send("1", "poq1notanaddress")] }),
      7,
      /to_address: invalid bech32 address/,
    );
    const cosmos = "cosmos1v4d0dhfljhmwnpgtuwene4txqceat2w2g45lkc";
    expectRejected(await signAlice({ messages: [send("1", cosmos)] }), 7, /to_address: invalid/);
  });

  it("a memo over max_memo_characters: code 12", async () => {
    expectRejected(
      await signAlice({ memo: "x".repeat(257) }),
      12,
      /maximum number of characters is 256 but received 257/,
    );
  });

  it("past its timeout height: code 30", async () => {
    expectRejected(await signAlice({ timeoutHeight: 2n }), 30, /block height: 5, timeout height: 2/);
  });

  it("a public key that is not the signer's: code 8", async () => {
    expectRejected(
      await signRaw(body(), authInfo({ pubKey: bob.pubKey })),
      8,
      /pubKey does not match signer address/,
    );
  });

  it("no public key in the tx and none on the account: code 8", async () => {
    expectRejected(await signRaw(body(), authInfo({ pubKey: null })), 8, /pubkey on account .* is not set/);
  });

  it("an unsupported sign mode (SIGN_MODE_TEXTUAL): code 37", async () => {
    expectRejected(await signRaw(body(), authInfo({ mode: 2 })), 37, /sign mode 2 is not supported/);
  });

  it("more signatures than tx_sig_limit: code 14", async () => {
    chain.auth.keeper.setParams(chain.ctx(), { ...defaultAuthParams(), txSigLimit: 1n });
    chain.state.commit(2n);
    const bobNumber = chain.auth.keeper.getAccount(chain.ctx(), bob.address)!.accountNumber;
    // Two messages with two signers: alice and bob each sign the same body and auth info.
    const b = TxBody.encode(
      TxBody.fromPartial({
        messages: [alice, bob].map((w, i) => ({
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: MsgSend.encode({
            fromAddress: w.address,
            toAddress: (i === 0 ? bob : alice).address,
            amount: [{ denom: "upoq", amount: "1" }],
          }).finish(),
        })),
      }),
    ).finish();
    const info = makeAuthInfoBytes(
      [alice, bob].map((w) => ({ pubkey: encodePubkey(encodeSecp256k1Pubkey(w.pubKey)), sequence: 0 })),
      [{ denom: "upoq", amount: "5000" }],
      200_000,
      undefined,
      undefined,
    );
    const sigs = await Promise.all(
      [
        [alice, aliceNumber],
        [bob, bobNumber],
      ].map(async ([w, n]) => {
        const wallet = w as TestWallets;
        const doc = makeSignDoc(b, info, TEST_CHAIN_ID, Number(n));
        const { signature } = await wallet.direct.signDirect(wallet.address, doc);
        return Buffer.from(signature.signature, "base64");
      }),
    );
    const bytes = TxRaw.encode({ bodyBytes: b, authInfoBytes: info, signatures: sigs }).finish();
    expectRejected(bytes, 14, /signatures: 2, limit: 1/);

    // With the default limit the same two-signer transaction passes.
    chain.auth.keeper.setParams(chain.ctx(), defaultAuthParams());
    chain.state.commit(3n);
    const ok = chain.run(bytes);
    assert.equal(ok.code, 0, ok.log);
  });

  it("signatures that do not match the signer infos: code 4", async () => {
    const raw = TxRaw.decode(await signAlice());
    raw.signatures.push(raw.signatures[0]!);
    expectRejected(TxRaw.encode(raw).finish(), 4, /wrong number of signatures; expected 1, got 2/);
    raw.signatures = [];
    expectRejected(TxRaw.encode(raw).finish(), 15, /no signatures supplied/);
  });

  it("an empty transaction body: code 18", async () => {
    const b = TxBody.encode(TxBody.fromPartial({})).finish();
    expectRejected(await signRaw(b, authInfo()), 18, /must contain at least one message/);
  });

  it("message failures after the ante handler change only fee and sequence", async () => {
    // Sending to a module account is refused by the bank (code 4) after the fee was paid.
    const before = chain.bank.keeper.getBalance(chain.ctx(), alice.address, "upoq").amount;
    const result = chain.run(await signAlice({ messages: [send("1", moduleAddress("fee_collector"))] }));
    assert.equal(result.code, 4);
    assert.match(result.log, /is not allowed to receive funds/);
    assert.equal(chain.bank.keeper.getBalance(chain.ctx(), alice.address, "upoq").amount, before - 5000n);
    assert.equal(chain.auth.keeper.getAccount(chain.ctx(), alice.address)?.sequence, 1n);
  });

  it("auth info with unknown fields: code 2", async () => {
    const info = Uint8Array.from([...authInfo(), 0x28, 0x01]);
    expectRejected(await signRaw(body(), info), 2, /AuthInfo: unknown field number 5/);
    assert.equal(AuthInfo.decode(info).signerInfos.length, 1, "the generated decoder alone would accept it");
  });
});
