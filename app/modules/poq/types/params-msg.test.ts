import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import protobuf from "protobufjs";
import { defaultPoqParams } from "../params.js";
import { MsgUpdateParams, POQ_PARAMS_FIELDS, updateParamsToAmino } from "./params-msg.js";
import { toHex, WireError } from "./wire.js";

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(process.cwd(), "proto", target);
root.loadSync(["poq/v1/tx.proto"]);

describe("poq.v1.MsgUpdateParams matches the .proto", () => {
  const params = {
    ...defaultPoqParams(),
    evaluatorModelSha256: "ab".repeat(32),
    evaluatorTokenizerSha256: "cd".repeat(32),
    committeeSize: 4,
    exclusionBlocks: 7n,
  };
  const msg = { authority: "poq1gov", params };

  it("every param has the field number the .proto gives it", () => {
    const fields = root.lookupType("poq.v1.Params").fieldsArray;
    assert.equal(fields.length, POQ_PARAMS_FIELDS.length);
    for (const [name, no, kind] of POQ_PARAMS_FIELDS) {
      const f = fields.find((x) => x.name === name);
      assert.ok(f, `${name} is in the .proto`);
      assert.equal(f.id, no, name);
      assert.equal(f.type, kind, name);
    }
  });

  it("encodes as protobufjs does and decodes back", () => {
    const pb = {
      authority: msg.authority,
      params: Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
      ),
    };
    const bytes = MsgUpdateParams.encode(msg).finish();
    assert.equal(toHex(bytes), toHex(root.lookupType("poq.v1.MsgUpdateParams").encode(pb).finish()));
    assert.deepEqual(MsgUpdateParams.decode(bytes), msg);
    assert.throws(() => MsgUpdateParams.decode(Uint8Array.of(0x18, 1)), WireError);
  });

  it("amino JSON: snake_case, 64-bit values as strings, zeros left out", () => {
    const a = updateParamsToAmino({
      authority: "poq1gov",
      params: { ...params, maxCommitExtension: 0n },
    }) as {
      params: Record<string, unknown>;
    };
    assert.equal(a.params["committee_size"], 4);
    assert.equal(a.params["exclusion_blocks"], "7");
    assert.equal(a.params["max_commit_extension"], undefined);
    assert.equal(a.params["evaluator_model_sha256"], "ab".repeat(32));
  });
});
