/**
 * The client's registry and amino types: PoQ messages sign offline in both sign modes, the signed
 * bytes decode back, and the amino JSON uses the SPEC's amino names; waitForQuality polls to a final status.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Secp256k1HdWallet, serializeSignDoc, makeSignDoc as makeAminoSignDoc } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { fromBase64 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw, TxBody, AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import {
  createPoqAminoTypes,
  createPoqRegistry,
  parseCoin,
  PoqTypeUrl,
  QualityTimeoutError,
  waitForQuality,
  type RequestRecord,
} from "./index.js";
import { txToJson } from "../rest/gateway-json.js";
import { registerPoqAnyJson } from "../rest/poq-messages-json.js";

const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const FEE = { amount: [{ denom: "upoq", amount: "5000" }], gas: "200000" };
const SIGNER_DATA = { accountNumber: 3n, sequence: 7, chainId: "poq-devnet-1" };

function requestMsg(requester: string) {
  return {
    typeUrl: PoqTypeUrl.RequestInference,
    value: {
      requester,
      model: "llama-3-8b-instruct",
      prompt: "Say <hi> & bye",
      maxTokens: 64,
      fee: { denom: "upoq", amount: "1000" },
      minQuality: 5000,
    },
  };
}

describe("poq/client registry and amino types", () => {
  it("round-trips every PoQ message through the registry", () => {
    const registry = createPoqRegistry();
    const msg = requestMsg("poq1abc");
    const any = registry.encodeAsAny(msg);
    assert.equal(any.typeUrl, "/poq.v1.MsgRequestInference");
    assert.deepEqual(registry.decode(any), msg.value);
    const submit = {
      typeUrl: PoqTypeUrl.SubmitResponse,
      value: { node: "poq1n", requestId: 42n, response: "ok" },
    };
    assert.deepEqual(registry.decode(registry.encodeAsAny(submit)), submit.value);
  });

  it("converts to amino with the SPEC's names and back", () => {
    const amino = createPoqAminoTypes();
    const msg = requestMsg("poq1abc");
    const json = amino.toAmino(msg);
    assert.deepEqual(json, {
      type: "poq/MsgRequestInference",
      value: {
        requester: "poq1abc",
        model: "llama-3-8b-instruct",
        prompt: "Say <hi> & bye",
        max_tokens: 64,
        fee: { denom: "upoq", amount: "1000" },
        min_quality: 5000,
      },
    });
    assert.deepEqual(amino.fromAmino(json), msg);
    const replicated = { ...msg, value: { ...msg.value, replicas: 3 } };
    const replicatedJson = amino.toAmino(replicated);
    assert.equal(replicatedJson.value["replicas"], 3);
    assert.deepEqual(amino.fromAmino(replicatedJson), replicated);
    const commit = {
      typeUrl: PoqTypeUrl.CommitResponse,
      value: { node: "poq1n", requestId: 4n, commitment: new Uint8Array(32).fill(5) },
    };
    assert.equal(amino.toAmino(commit).type, "poq/MsgCommitResponse");
    assert.deepEqual(amino.fromAmino(amino.toAmino(commit)), commit);
    assert.equal(
      amino.toAmino({ typeUrl: PoqTypeUrl.UnregisterNode, value: { operator: "poq1x" } }).type,
      "poq/MsgUnregisterNode",
    );
    assert.equal(
      amino.toAmino({
        typeUrl: PoqTypeUrl.RegisterNode,
        value: { operator: "poq1x", models: ["m"], moniker: "" },
      }).type,
      "poq/MsgRegisterNode",
    );
    assert.equal(
      amino.toAmino({
        typeUrl: PoqTypeUrl.SubmitResponse,
        value: { node: "poq1x", requestId: 1n, response: "r" },
      }).value["request_id"],
      "1",
    );
  });

  it("signs a PoQ message with SIGN_MODE_LEGACY_AMINO_JSON over the sorted, escaped StdSignDoc", async () => {
    const wallet = await Secp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "poq" });
    const [account] = await wallet.getAccounts();
    assert.ok(account);
    const client = await SigningStargateClient.offline(wallet, {
      registry: createPoqRegistry(),
      aminoTypes: createPoqAminoTypes(),
    });
    const msg = requestMsg(account.address);
    const raw = await client.sign(account.address, [msg], FEE, "memo", SIGNER_DATA);
    const authInfo = AuthInfo.decode(raw.authInfoBytes);
    assert.equal(authInfo.signerInfos[0]?.modeInfo?.single?.mode, SignMode.SIGN_MODE_LEGACY_AMINO_JSON);
    // The chain rebuilds this document; the signature must verify over it.
    const doc = makeAminoSignDoc([createPoqAminoTypes().toAmino(msg)], FEE, "poq-devnet-1", "memo", 3, 7);
    const bytes = serializeSignDoc(doc);
    assert.match(new TextDecoder().decode(bytes), /"prompt":"Say \\u003chi\\u003e \\u0026 bye"/);
    const sig = Secp256k1Signature.fromFixedLength(raw.signatures[0] ?? new Uint8Array());
    assert.ok(await Secp256k1.verifySignature(sig, sha256(bytes), account.pubkey));
    const body = TxBody.decode(raw.bodyBytes);
    assert.equal(body.messages[0]?.typeUrl, PoqTypeUrl.RequestInference);
  });

  it("signs with SIGN_MODE_DIRECT and the gateway renders the PoQ message", async () => {
    registerPoqAnyJson();
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "poq" });
    const [account] = await wallet.getAccounts();
    assert.ok(account);
    const client = await SigningStargateClient.offline(wallet, { registry: createPoqRegistry() });
    const raw = await client.sign(account.address, [requestMsg(account.address)], FEE, "", SIGNER_DATA);
    const json = txToJson(TxRaw.encode(raw).finish()) as {
      body: { messages: Record<string, unknown>[] };
      auth_info: {
        signer_infos: {
          public_key: { "@type": string; key: string };
          sequence: string;
          mode_info: unknown;
        }[];
      };
    };
    assert.deepEqual(json.body.messages[0], {
      "@type": "/poq.v1.MsgRequestInference",
      requester: account.address,
      model: "llama-3-8b-instruct",
      prompt: "Say <hi> & bye",
      max_tokens: 64,
      fee: { denom: "upoq", amount: "1000" },
      min_quality: 5000,
    });
    const signer = json.auth_info.signer_infos[0];
    assert.equal(signer?.sequence, "7");
    assert.equal(signer?.public_key["@type"], "/cosmos.crypto.secp256k1.PubKey");
    assert.deepEqual(fromBase64(signer?.public_key.key ?? ""), account.pubkey);
    assert.deepEqual(signer?.mode_info, { single: { mode: "SIGN_MODE_DIRECT" } });
  });

  it("waits for a final status, reporting each change with the request, and times out typed", async () => {
    const statuses = ["PENDING", "ASSIGNED", "ASSIGNED", "SCORING", "FINALIZED"];
    let polls = 0;
    const query = {
      getRequest: async (id: bigint) =>
        ({ id: id.toString(), status: statuses[Math.min(polls++, statuses.length - 1)] }) as RequestRecord,
    };
    const seen: string[] = [];
    const final = await waitForQuality(query, 7n, {
      pollMs: 1,
      onStatus: (status, r) => seen.push(`${r.id}:${status}`),
    });
    assert.equal(final.status, "FINALIZED");
    assert.deepEqual(seen, ["7:PENDING", "7:ASSIGNED", "7:SCORING", "7:FINALIZED"]);
    const stuck = {
      getRequest: async (id: bigint) => ({ id: id.toString(), status: "SCORING" }) as RequestRecord,
    };
    await assert.rejects(waitForQuality(stuck, 8n, { timeoutMs: 20, pollMs: 5 }), (err: unknown) => {
      assert.ok(err instanceof QualityTimeoutError);
      assert.equal(err.requestId, 8n);
      assert.equal(err.lastStatus, "SCORING");
      return true;
    });
  });

  it("parses amounts", () => {
    assert.deepEqual(parseCoin("1000"), { denom: "upoq", amount: "1000" });
    assert.deepEqual(parseCoin("7uatom"), { denom: "uatom", amount: "7" });
    assert.throws(() => parseCoin("-1upoq"), RangeError);
  });
});
