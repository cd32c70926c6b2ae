import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRouter } from "./router.js";
import type { Module, MsgDescriptor } from "./types.js";

const msg = (typeUrl: string): MsgDescriptor => ({
  typeUrl,
  signers: () => [],
  validateBasic: () => undefined,
  handler: () => ({ response: { typeUrl: `${typeUrl}Response`, value: new Uint8Array(0) } }),
});
const mod = (name: string, msgs: string[], queries: string[] = []): Module => ({
  name,
  msgs: msgs.map(msg),
  queries: Object.fromEntries(queries.map((q) => [q, () => new Uint8Array(0)])),
});

describe("router", () => {
  it("routes messages and queries to the module that registered them", () => {
    const r = createRouter([mod("a", ["/a.MsgX"], ["/a.Query/X"]), mod("b", ["/b.MsgY"])]);
    assert.equal(r.msg("/b.MsgY")?.module, "b");
    assert.equal(r.msg("/c.MsgZ"), undefined);
    assert.ok(r.query("/a.Query/X"));
    assert.deepEqual(r.msgTypeUrls(), ["/a.MsgX", "/b.MsgY"]);
  });

  it("refuses duplicate message types, query paths and module names", () => {
    assert.throws(() => createRouter([mod("a", ["/x.Msg"]), mod("b", ["/x.Msg"])]), /registered by a and b/);
    assert.throws(() => createRouter([mod("a", [], ["/q"]), mod("b", [], ["/q"])]), /query path \/q/);
    assert.throws(() => createRouter([mod("a", []), mod("a", [])]), /module a is registered twice/);
  });
});
