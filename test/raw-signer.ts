/**
 * Fast deterministic signing for app-level tests and benchmarks: secp256k1 keys derived from a
 * seed (no BIP39 derivation, which costs ~100 ms per wallet) and SIGN_MODE_DIRECT transactions
 * built with cosmjs-types exactly as CosmJS lays them out. Signatures are RFC 6979, so the same
 * inputs give the same bytes on every run (golden vectors depend on it).
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressFromPubKey } from "../app/modules/auth/address.js";

export interface TestKey {
  privKey: Uint8Array;
  /** Compressed, 33 bytes. */
  pubKey: Uint8Array;
  /** `poq1...` */
  address: string;
}

/**
 * A key derived from a label: private key = sha256("poq-test-key/" + label).
 *
 * @example
 * const alice = testKey("alice");
 */
export function testKey(label: string | number): TestKey {
  const privKey = sha256(new TextEncoder().encode(`poq-test-key/${label}`));
  const pubKey = secp256k1.getPublicKey(privKey, true);
  return { privKey, pubKey, address: accountAddressFromPubKey(pubKey) };
}

/**
 * `/cosmos.bank.v1beta1.MsgSend` as an Any.
 *
 * @example
 * msgSendAny(alice.address, bob.address, 10n);
 */
export function msgSendAny(from: string, to: string, amount: bigint, denom = "upoq"): Any {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode({
      fromAddress: from,
      toAddress: to,
      amount: [{ denom, amount: amount.toString() }],
    }).finish(),
  };
}

export interface SignDirectOptions {
  key: TestKey;
  chainId: string;
  accountNumber: bigint;
  sequence: bigint;
  messages: Any[];
  fee?: { amount: bigint; gasLimit: bigint; denom?: string };
  memo?: string;
  /** Leave the signature empty (a Simulate request, as CosmJS sends it). */
  unsigned?: boolean;
}

/**
 * A signed (SIGN_MODE_DIRECT) TxRaw.
 *
 * @example
 * const tx = signDirect({ key: alice, chainId: "poq-test-1", accountNumber: 0n, sequence: 0n, messages: [send] });
 */
export function signDirect(o: SignDirectOptions): Uint8Array {
  const fee = o.fee ?? { amount: 5000n, gasLimit: 200_000n };
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: o.messages, memo: o.memo ?? "" })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [
        {
          publicKey: {
            typeUrl: "/cosmos.crypto.secp256k1.PubKey",
            value: PubKey.encode({ key: o.key.pubKey }).finish(),
          },
          modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
          sequence: o.sequence,
        },
      ],
      fee: {
        // A zero fee is sent as no coins, as CosmJS does for Simulate.
        amount: fee.amount === 0n ? [] : [{ denom: fee.denom ?? "upoq", amount: fee.amount.toString() }],
        gasLimit: fee.gasLimit,
      },
    }),
  ).finish();
  let signature = new Uint8Array(0);
  if (!o.unsigned) {
    const signDoc = SignDoc.encode({
      bodyBytes,
      authInfoBytes,
      chainId: o.chainId,
      accountNumber: o.accountNumber,
    }).finish();
    signature = secp256k1.sign(sha256(signDoc), o.key.privKey, { prehash: false });
  }
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
}
