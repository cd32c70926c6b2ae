import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "@cosmjs/encoding";
import { answerCommitment, answerMatches } from "../app/modules/poq/answer-commitment.js";
import { PoqTypeUrl, type MsgCommitResponse, type MsgSubmitResponse } from "../app/modules/poq/types/msgs.js";
import { commitKey, entryMessage, revealEntry } from "./answer-messages.js";

const NODE = "poq1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du";

describe("inference answer messages", () => {
  it("a single answer is a plain MsgSubmitResponse", () => {
    const m = entryMessage({ requestId: "7", state: "answered", response: "4" }, NODE);
    assert.equal(m.typeUrl, PoqTypeUrl.SubmitResponse);
    assert.deepEqual(m.value, { node: NODE, requestId: 7n, response: "4" });
  });

  it("a replicated answer commits to, then reveals, the same answer and salt", () => {
    const salt = new Uint8Array(32).fill(9);
    const base = { state: "answered" as const, response: "Canberra.", salt: toHex(salt), parent: "5" };
    const commit = entryMessage({ ...base, requestId: commitKey("6"), kind: "commit" }, NODE);
    assert.equal(commit.typeUrl, PoqTypeUrl.CommitResponse);
    const c = commit.value as MsgCommitResponse;
    assert.equal(c.requestId, 5n, "messages carry the request's id");
    assert.deepEqual(
      c.commitment,
      answerCommitment({ requestId: 5n, node: NODE, salt, response: "Canberra." }),
    );
    const reveal = entryMessage({ ...base, requestId: "6", kind: "reveal" }, NODE);
    const r = reveal.value as MsgSubmitResponse;
    assert.equal(reveal.typeUrl, PoqTypeUrl.SubmitResponse);
    assert.ok(
      answerMatches(c.commitment, {
        requestId: r.requestId,
        node: NODE,
        salt: r.salt!,
        response: r.response,
      }),
    );
    assert.ok(!answerMatches(c.commitment, { requestId: 5n, node: NODE, salt, response: "Sydney." }));
    assert.throws(() =>
      entryMessage({ requestId: "6", state: "answered", response: "x", kind: "reveal" }, NODE),
    );
    // The reveal step keeps the committed answer and salt, never the commit's transaction.
    const signedCommit = {
      ...base,
      requestId: commitKey("6"),
      kind: "commit" as const,
      state: "confirmed" as const,
    };
    const fromLedger = revealEntry({ ...signedCommit, txBytes: "AA==", txHash: "AB", height: 9 }, "6", "40");
    assert.deepEqual(fromLedger, { ...base, requestId: "6", kind: "reveal", deadline: "40" });
  });
});
