import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RequestRecord } from "../app/modules/poq/state.js";
import { requestText } from "./request-view.js";

function request(over: Partial<RequestRecord>): RequestRecord {
  return {
    id: "7",
    requester: "poq1requester",
    model: "llama-3-8b-instruct",
    prompt: "Why is the sky blue?",
    max_tokens: 256,
    fee: { denom: "upoq", amount: "10000" },
    min_quality: 0,
    status: "FINALIZED",
    node: "poq1node",
    response: "",
    created_height: "3",
    assigned_height: "3",
    responded_height: "0",
    finalized_height: "0",
    response_deadline: "20",
    commit_deadline: "0",
    reveal_deadline: "0",
    assigned_nodes: ["poq1node"],
    committee: [],
    quality: null,
    payout: null,
    replicas: 1,
    response_ids: ["7"],
    parent: "0",
    commitment: "",
    committed_height: "0",
    reveal_height: "0",
    ...over,
  } as RequestRecord;
}

describe("request text", () => {
  it("prints the whole answer and prompt, line breaks kept", () => {
    const answer = `${"Rayleigh scattering. ".repeat(30)}\nSecond paragraph: the end.`;
    const prompt = `${"please explain ".repeat(20)}in detail`;
    const text = requestText(request({ response: answer, prompt }));
    assert.ok(text.includes("Second paragraph: the end."), text);
    assert.ok(text.includes("Rayleigh scattering. ".repeat(30)), "first line whole");
    assert.ok(text.includes("in detail"), "whole prompt");
    assert.ok(!text.includes("…"));
  });

  it("shows the refund of an expired request", () => {
    const text = requestText(request({ status: "EXPIRED", node: "", finalized_height: "40" }));
    assert.match(text, /payout +refund 10000upoq to the requester/);
  });
});
