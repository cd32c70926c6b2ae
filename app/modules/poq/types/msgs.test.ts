import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import protobuf from "protobufjs";
import { poqAminoConverters } from "./amino.js";
import {
  MsgCommitResponse,
  MsgRegisterNode,
  MsgRequestInference,
  MsgRequestInferenceResponse,
  MsgSubmitResponse,
  MsgUnjailNode,
  MsgUnregisterNode,
  PoqTypeUrl,
} from "./msgs.js";
import { toHex, WireError } from "./wire.js";

// Tests run from the repository root (dist/ mirrors the sources); the .proto files are the contract.
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(process.cwd(), "proto", target);
root.loadSync(["poq/v1/tx.proto", "poq/v1/vote_extension.proto"]);
const type = (name: string) => root.lookupType(`poq.v1.${name}`);

describe("poq.v1 message codecs match the .proto (protobufjs encoding)", () => {
  it("replicated-request fields: replicas, nodes, MsgCommitResponse, salt", () => {
    const req = {
      requester: "poq1r",
      model: "m",
      prompt: "p",
      maxTokens: 8,
      fee: { denom: "upoq", amount: "900" },
      minQuality: 5,
      replicas: 3,
    };
    const reqBytes = MsgRequestInference.encode(req).finish();
    assert.equal(toHex(reqBytes), toHex(type("MsgRequestInference").encode(req).finish()));
    assert.deepEqual(MsgRequestInference.decode(reqBytes), req);
    const res = { requestId: 4n, node: "poq1a", nodes: ["poq1a", "poq1b", "poq1c"] };
    const resBytes = MsgRequestInferenceResponse.encode(res).finish();
    const pbRes = { requestId: 4, node: "poq1a", nodes: res.nodes };
    assert.equal(toHex(resBytes), toHex(type("MsgRequestInferenceResponse").encode(pbRes).finish()));
    assert.deepEqual(MsgRequestInferenceResponse.decode(resBytes), res);
    const commit = { node: "poq1n", requestId: 5n, commitment: new Uint8Array(32).fill(9) };
    const commitBytes = MsgCommitResponse.encode(commit).finish();
    const pbCommit = { node: "poq1n", requestId: 5, commitment: commit.commitment };
    assert.equal(toHex(commitBytes), toHex(type("MsgCommitResponse").encode(pbCommit).finish()));
    assert.deepEqual(MsgCommitResponse.decode(commitBytes), commit);
    const reveal = { node: "poq1n", requestId: 5n, response: "r", salt: new Uint8Array(32).fill(1) };
    const revealBytes = MsgSubmitResponse.encode(reveal).finish();
    const pbReveal = { ...reveal, requestId: 5 };
    assert.equal(toHex(revealBytes), toHex(type("MsgSubmitResponse").encode(pbReveal).finish()));
    assert.deepEqual(MsgSubmitResponse.decode(revealBytes), reveal);
  });

  it("MsgRegisterNode", () => {
    const m = {
      operator: "poq1xyz",
      models: ["llama-3-8b-instruct", "mixtral"],
      stake: { denom: "upoq", amount: "1000000" },
      moniker: "n1",
    };
    const ours = MsgRegisterNode.encode(m).finish();
    assert.equal(toHex(ours), toHex(type("MsgRegisterNode").encode(m).finish()));
    assert.deepEqual(MsgRegisterNode.decode(ours), m);
    const priced = { ...m, minFee: { denom: "upoq", amount: "2500" }, maxInFlight: 8 };
    const encoded = MsgRegisterNode.encode(priced).finish();
    assert.equal(toHex(encoded), toHex(type("MsgRegisterNode").encode(priced).finish()));
    assert.deepEqual(MsgRegisterNode.decode(encoded), priced);
    const amino = poqAminoConverters[PoqTypeUrl.RegisterNode];
    assert.deepEqual(amino.toAmino(priced), {
      operator: "poq1xyz",
      models: ["llama-3-8b-instruct", "mixtral"],
      stake: { denom: "upoq", amount: "1000000" },
      moniker: "n1",
      min_fee: { denom: "upoq", amount: "2500" },
      max_in_flight: 8,
    });
    assert.deepEqual(amino.fromAmino(amino.toAmino(priced)), priced);
  });
  it("MsgUnjailNode", () => {
    const m = { operator: "poq1xyz" };
    const ours = MsgUnjailNode.encode(m).finish();
    assert.equal(toHex(ours), toHex(type("MsgUnjailNode").encode(m).finish()));
    assert.deepEqual(MsgUnjailNode.decode(ours), m);
    const amino = poqAminoConverters[PoqTypeUrl.UnjailNode];
    assert.equal(amino.aminoType, "poq/MsgUnjailNode");
    assert.deepEqual(amino.toAmino(m), { operator: "poq1xyz" });
    assert.deepEqual(amino.fromAmino({ operator: "poq1xyz" }), m);
  });
  it("MsgRequestInference, with and without zero fields", () => {
    const m = {
      requester: "poq1r",
      model: "m",
      prompt: "héllo ✓",
      maxTokens: 256,
      fee: { denom: "upoq", amount: "1000" },
      minQuality: 5000,
    };
    const ours = MsgRequestInference.encode(m).finish();
    assert.equal(toHex(ours), toHex(type("MsgRequestInference").encode(m).finish()));
    assert.deepEqual(MsgRequestInference.decode(ours), m);
    const z = MsgRequestInference.fromPartial({ requester: "poq1r" });
    assert.equal(
      toHex(MsgRequestInference.encode(z).finish()),
      toHex(type("MsgRequestInference").encode({ requester: "poq1r" }).finish()),
    );
  });
  it("MsgSubmitResponse and MsgRequestInferenceResponse with 64-bit ids", () => {
    const m = { node: "poq1n", requestId: 18446744073709551615n, response: "answer" };
    const ours = MsgSubmitResponse.encode(m).finish();
    const theirs = type("MsgSubmitResponse")
      .encode({ node: "poq1n", requestId: "18446744073709551615", response: "answer" })
      .finish();
    assert.equal(toHex(ours), toHex(theirs));
    assert.deepEqual(MsgSubmitResponse.decode(ours), m);
    const r = { requestId: 42n, node: "poq1n" };
    assert.deepEqual(MsgRequestInferenceResponse.decode(MsgRequestInferenceResponse.encode(r).finish()), r);
    assert.equal(toHex(MsgUnregisterNode.encode({ operator: "a" }).finish()), "0a0161");
  });
  it("rejects unknown fields, wrong wire types, bad UTF-8 and uint32 overflow", () => {
    assert.throws(() => MsgUnregisterNode.decode(Uint8Array.of(0x12, 0x00)), WireError);
    assert.throws(() => MsgUnregisterNode.decode(Uint8Array.of(0x08, 0x01)), WireError);
    assert.throws(() => MsgUnregisterNode.decode(Uint8Array.of(0x0a, 0x01, 0xff)), WireError);
    assert.throws(
      () => MsgRequestInference.decode(Uint8Array.of(0x20, 0x80, 0x80, 0x80, 0x80, 0x10)),
      WireError,
    );
  });
});

describe("amino JSON", () => {
  it("uses the SPEC names, snake_case, omits zero values, 64-bit as strings", () => {
    const c = poqAminoConverters[PoqTypeUrl.RequestInference];
    assert.equal(c.aminoType, "poq/MsgRequestInference");
    const m = {
      requester: "poq1r",
      model: "m",
      prompt: "p",
      maxTokens: 0,
      fee: { denom: "upoq", amount: "5" },
      minQuality: 7000,
    };
    const j = c.toAmino(m);
    assert.deepEqual(j, {
      requester: "poq1r",
      model: "m",
      prompt: "p",
      fee: { denom: "upoq", amount: "5" },
      min_quality: 7000,
    });
    assert.deepEqual(c.fromAmino(j), m);
    const s = poqAminoConverters[PoqTypeUrl.SubmitResponse];
    assert.deepEqual(s.toAmino({ node: "poq1n", requestId: 9n, response: "r" }), {
      node: "poq1n",
      request_id: "9",
      response: "r",
    });
    assert.deepEqual(s.fromAmino({ node: "poq1n", request_id: "9", response: "r" }), {
      node: "poq1n",
      requestId: 9n,
      response: "r",
    });
    const salt = new Uint8Array(32).fill(7);
    const revealJson = s.toAmino({ node: "poq1n", requestId: 9n, response: "r", salt });
    assert.equal(revealJson["salt"], Buffer.from(salt).toString("base64"));
    assert.deepEqual(s.fromAmino(revealJson), { node: "poq1n", requestId: 9n, response: "r", salt });
    const k = poqAminoConverters[PoqTypeUrl.CommitResponse];
    const commit = { node: "poq1n", requestId: 9n, commitment: new Uint8Array(32).fill(3) };
    const commitJson = k.toAmino(commit);
    assert.deepEqual(commitJson, {
      node: "poq1n",
      request_id: "9",
      commitment: Buffer.from(commit.commitment).toString("base64"),
    });
    assert.deepEqual(k.fromAmino(commitJson), commit);
    assert.equal(
      c.toAmino({ ...m, replicas: 3 })["replicas"],
      3,
      "replicas is a JSON number (uint32), omitted when 0",
    );
    assert.deepEqual(c.fromAmino({ ...j, replicas: 3 }), { ...m, replicas: 3 });
    const r = poqAminoConverters[PoqTypeUrl.RegisterNode];
    assert.deepEqual(r.toAmino({ operator: "o", models: [], moniker: "" }), { operator: "o" });
  });
});
