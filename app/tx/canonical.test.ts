/**
 * One signed transaction, one hash: re-encodings of TxRaw, TxBody and AuthInfo that keep the signature
 * valid (any TxRaw change; any body or auth info change under SIGN_MODE_LEGACY_AMINO_JSON, which signs
 * JSON, not these bytes) are refused, while what CosmJS signs is accepted.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, Fee, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { Any } from "cosmjs-types/google/protobuf/any";
import {
  createTxFixture,
  sendMsg,
  signTx,
  testWallets,
  type TestWallets,
  type TxFixture,
} from "../../test/tx-fixture.js";

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** The same value in one byte more than needed (a continuation bit and a zero group). */
function paddedVarint(value: bigint): Uint8Array {
  const minimal = varint(value);
  const out = Uint8Array.from([...minimal, 0x00]);
  out[minimal.length - 1] = (out[minimal.length - 1] as number) | 0x80;
  return out;
}

/** A length-delimited field with a non-minimal length prefix. */
const paddedBytesField = (field: number, payload: Uint8Array): Uint8Array =>
  concat(varint(BigInt((field << 3) | 2)), paddedVarint(BigInt(payload.length)), payload);

const rawOf = (parts: { bodyBytes: Uint8Array; authInfoBytes: Uint8Array; signatures: Uint8Array[] }) =>
  TxRaw.encode(TxRaw.fromPartial(parts)).finish();

describe("canonical transaction encodings", () => {
  let alice: TestWallets;
  let bob: TestWallets;
  let aliceNumber: bigint;
  const fixture = (): TxFixture => {
    const chain = createTxFixture({ balances: { [alice.address]: 1_000_000n } });
    aliceNumber = chain.auth.keeper.getAccount(chain.ctx(), alice.address)?.accountNumber ?? -1n;
    return chain;
  };

  before(async () => {
    alice = await testWallets(1);
    bob = await testWallets(2);
  });

  async function signed(signer: "direct" | "amino"): Promise<{ bytes: Uint8Array; raw: TxRaw }> {
    fixture();
    const bytes = await signTx({
      signer: alice[signer],
      from: alice.address,
      messages: [sendMsg(alice.address, bob.address, "100")],
      memo: "same tx, one hash",
      accountNumber: aliceNumber,
      sequence: 0,
    });
    return { bytes, raw: TxRaw.decode(bytes) };
  }

  it("accepts what CosmJS signs, DIRECT and amino", async () => {
    for (const mode of ["direct", "amino"] as const) {
      const { bytes } = await signed(mode);
      const r = fixture().run(bytes);
      assert.equal(r.code, 0, `${mode}: ${r.log}`);
    }
  });

  it("refuses a re-encoded TxRaw (fields reordered, a padded length), which keeps a DIRECT signature", async () => {
    const { bytes, raw } = await signed("direct");
    const variants = {
      reordered: concat(
        rawOf({ bodyBytes: new Uint8Array(), authInfoBytes: raw.authInfoBytes, signatures: [] }),
        rawOf({ bodyBytes: raw.bodyBytes, authInfoBytes: new Uint8Array(), signatures: raw.signatures }),
      ),
      "padded body length": concat(
        paddedBytesField(1, raw.bodyBytes),
        rawOf({ bodyBytes: new Uint8Array(), authInfoBytes: raw.authInfoBytes, signatures: raw.signatures }),
      ),
    };
    for (const [name, variant] of Object.entries(variants)) {
      assert.notDeepEqual(variant, bytes);
      const chain = fixture();
      const r = chain.run(variant);
      assert.equal(r.code, 2, `${name}: ${r.log}`);
      assert.match(r.log, /TxRaw is not canonically encoded/, name);
      // The original still goes through: the variant spent nothing.
      assert.equal(chain.run(bytes).code, 0, name);
    }
  });

  it("refuses re-encoded bodies and auth infos, which keep an amino signature", async () => {
    const { bytes, raw } = await signed("amino");
    const body = TxBody.decode(raw.bodyBytes);
    const authInfo = AuthInfo.decode(raw.authInfoBytes);
    const fee = authInfo.fee as Fee;
    const memoOnly = TxBody.encode(TxBody.fromPartial({ memo: body.memo })).finish();
    const msgsOnly = TxBody.encode(TxBody.fromPartial({ messages: body.messages })).finish();
    const signersOnly = AuthInfo.encode(AuthInfo.fromPartial({ signerInfos: authInfo.signerInfos })).finish();
    const feeOnly = AuthInfo.encode(AuthInfo.fromPartial({ fee })).finish();
    const feeAmountOnly = Fee.encode(Fee.fromPartial({ amount: fee.amount })).finish();
    const paddedGasFee = concat(feeAmountOnly, Uint8Array.of(0x10), paddedVarint(fee.gasLimit));

    const bodies: Record<string, Uint8Array> = {
      "body fields reordered": concat(memoOnly, msgsOnly),
      "body default written out": concat(raw.bodyBytes, Uint8Array.of(0x18, 0x00)),
      "body unknown non-critical field": concat(
        raw.bodyBytes,
        varint(BigInt((1025 << 3) | 2)),
        Uint8Array.of(0),
      ),
      "body padded message length": concat(
        paddedBytesField(1, Any.encode(body.messages[0]!).finish()),
        memoOnly,
      ),
    };
    const authInfos: Record<string, Uint8Array> = {
      "auth info fields reordered": concat(feeOnly, signersOnly),
      "fee gas limit padded": concat(
        signersOnly,
        Uint8Array.of(0x12),
        varint(BigInt(paddedGasFee.length)),
        paddedGasFee,
      ),
    };
    const variants = [
      ...Object.entries(bodies).map(
        ([name, bodyBytes]) => [name, rawOf({ ...raw, bodyBytes }), /TxBody|unknown field/] as const,
      ),
      ...Object.entries(authInfos).map(
        ([name, authInfoBytes]) => [name, rawOf({ ...raw, authInfoBytes }), /AuthInfo/] as const,
      ),
    ];
    for (const [name, variant, log] of variants) {
      assert.notDeepEqual(variant, bytes, name);
      const chain = fixture();
      const r = chain.run(variant);
      assert.equal(r.code, 2, `${name}: ${r.log}`);
      assert.match(r.log, log, name);
      assert.equal(chain.run(bytes).code, 0, name);
    }
  });

  it("refuses what an amino signature does not cover: a re-encoded message or public key, extension options", async () => {
    const { bytes, raw } = await signed("amino");
    const body = TxBody.decode(raw.bodyBytes);
    const authInfo = AuthInfo.decode(raw.authInfoBytes);
    const any = body.messages[0]!;
    const send = MsgSend.decode(any.value);
    // The same MsgSend with its fields out of order: it decodes to the same message, so the same
    // amino JSON, and the TxBody around it is canonical (an Any's value is opaque bytes to it).
    const reordered = concat(
      MsgSend.encode(MsgSend.fromPartial({ toAddress: send.toAddress })).finish(),
      MsgSend.encode(MsgSend.fromPartial({ fromAddress: send.fromAddress, amount: send.amount })).finish(),
    );
    const withMessage = TxBody.encode({ ...body, messages: [{ ...any, value: reordered }] }).finish();
    const signer = authInfo.signerInfos[0]!;
    const key = PubKey.decode(signer.publicKey!.value).key;
    const paddedKey = { ...signer.publicKey!, value: paddedBytesField(1, key) };
    const withKey = AuthInfo.encode({
      ...authInfo,
      signerInfos: [{ ...signer, publicKey: paddedKey }],
    }).finish();
    const withOptions = TxBody.encode({
      ...body,
      nonCriticalExtensionOptions: [{ typeUrl: "/poq.v1.Anything", value: Uint8Array.of(1) }],
    }).finish();
    const variants = [
      [
        "message re-encoded",
        rawOf({ ...raw, bodyBytes: withMessage }),
        2,
        /MsgSend is not canonically encoded/,
      ],
      ["public key re-encoded", rawOf({ ...raw, authInfoBytes: withKey }), 2, /PubKey is not canonically/],
      ["non-critical extension options", rawOf({ ...raw, bodyBytes: withOptions }), 18, /extension options/],
    ] as const;
    for (const [name, variant, code, log] of variants) {
      assert.notDeepEqual(variant, bytes, name);
      const chain = fixture();
      const r = chain.run(variant);
      assert.equal(r.code, code, `${name}: ${r.log}`);
      assert.match(r.log, log, name);
      assert.equal(chain.run(bytes).code, 0, `${name}: the original still goes through`);
    }
  });
});
