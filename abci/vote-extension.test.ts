import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { voteExtensionSignBytes } from "./vote-extension.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("vote extension sign bytes", () => {
  it("matches the FIELD-NOTES vector (round 0 omitted, as Go does)", () => {
    const bytes = voteExtensionSignBytes({
      extension: Uint8Array.of(0xaa, 0xbb),
      height: 5n,
      round: 0,
      chainId: "test-1",
    });
    assert.equal(hex(bytes), "15" + "0a02aabb" + "11" + "0500000000000000" + "2206" + "746573742d31");
  });

  it("writes a non-zero round as sfixed64 and omits an empty extension", () => {
    const bytes = voteExtensionSignBytes({
      extension: new Uint8Array(0),
      height: 1n,
      round: 2,
      chainId: "c",
    });
    assert.equal(hex(bytes), "15" + "11" + "0100000000000000" + "19" + "0200000000000000" + "2201" + "63");
  });
});
