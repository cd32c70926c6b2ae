/** The page's hand-written protobuf produces the bytes CosmJS produces for the same transaction. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodePubkey, makeAuthInfoBytes } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { toHex } from "@cosmjs/encoding";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { createPoqRegistry } from "../../client/registry.js";
import { MsgRequestInferenceResponse } from "../../app/modules/poq/types/msgs.js";
import {
  encodeAuthInfo,
  encodeRequestBody,
  encodeTxRaw,
  fromBase64,
  requestIdFromTxData,
  toBase64,
} from "./tx-encoding.js";

const PUBKEY = Uint8Array.from([2, ...new Uint8Array(32).fill(5)]);
const MSG = {
  requester: "poq1requester",
  model: "llama-3-8b-instruct",
  prompt: "Hello ✓",
  maxTokens: 256,
  fee: { denom: "upoq", amount: "10000" },
  minQuality: 5000,
};

describe("page tx encoding", () => {
  it("TxBody with MsgRequestInference equals CosmJS's", () => {
    const registry = createPoqRegistry();
    const cosmjs = TxBody.encode(
      TxBody.fromPartial({
        messages: [registry.encodeAsAny({ typeUrl: "/poq.v1.MsgRequestInference", value: MSG })],
        memo: "m",
      }),
    ).finish();
    assert.equal(toHex(encodeRequestBody(MSG, "m")), toHex(cosmjs));
    const replicated = { ...MSG, replicas: 3 };
    const withReplicas = TxBody.encode(
      TxBody.fromPartial({
        messages: [registry.encodeAsAny({ typeUrl: "/poq.v1.MsgRequestInference", value: replicated })],
      }),
    ).finish();
    assert.equal(toHex(encodeRequestBody(replicated)), toHex(withReplicas));
  });

  it("AuthInfo (DIRECT, one signer, fee) equals CosmJS's", () => {
    const cosmjs = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(PUBKEY)), sequence: 3n }],
      [{ denom: "upoq", amount: "750" }],
      25000,
      undefined,
      undefined,
    );
    assert.equal(
      toHex(encodeAuthInfo(PUBKEY, 3n, [{ denom: "upoq", amount: "750" }], 25000n)),
      toHex(cosmjs),
    );
  });

  it("TxRaw equals CosmJS's, also with an empty signature for simulation", () => {
    const body = encodeRequestBody(MSG);
    const auth = encodeAuthInfo(PUBKEY, 0n, [], 0n);
    for (const sig of [new Uint8Array(64).fill(1), new Uint8Array()]) {
      const cosmjs = TxRaw.encode({ bodyBytes: body, authInfoBytes: auth, signatures: [sig] }).finish();
      assert.equal(toHex(encodeTxRaw(body, auth, sig)), toHex(cosmjs));
    }
  });

  it("reads the request id from TxMsgData and round-trips base64", () => {
    const data = TxMsgData.encode({
      data: [],
      msgResponses: [
        {
          typeUrl: "/poq.v1.MsgRequestInferenceResponse",
          value: MsgRequestInferenceResponse.encode({ requestId: 300n, node: "poq1n" }).finish(),
        },
      ],
    }).finish();
    assert.equal(requestIdFromTxData(toHex(data).toUpperCase()), 300n);
    assert.equal(requestIdFromTxData(""), undefined);
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
    assert.equal(toBase64(bytes), Buffer.from(bytes).toString("base64"));
  });
});
