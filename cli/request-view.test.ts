import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RequestRecord } from "../app/modules/poq/state.js";
import { nodeLine, requestText } from "./request-view.js";

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

  it("pays each validator of a replicated request on one line, summed over the answers it scored", () => {
    const v = (operator: string) => ({ validator: `${operator}cons`, operator, amount: "500" });
    const payout = {
      node: "21948",
      refund: "2052",
      slashed: "0",
      validators: [v("poq1a"), v("poq1b"), v("poq1a"), v("poq1b"), v("poq1a")],
    };
    const text = requestText(request({ replicas: 3, payout } as unknown as Partial<RequestRecord>));
    assert.match(text, /validator poq1a {2}1500upoq \(3 answers\)/);
    assert.match(text, /validator poq1b {2}1000upoq \(2 answers\)/);
    assert.equal(text.match(/validator poq1a/g)?.length, 1);
  });
});

describe("node line", () => {
  it("says JAILED for a jailed node, whose status stays ACTIVE on chain", () => {
    const node = {
      operator: "poq1node",
      moniker: "node1",
      status: "ACTIVE",
      jailed: true,
      stake: { denom: "upoq", amount: "10" },
      served: "1",
      earnings: "0",
      slashes: "1",
      models: ["m"],
    };
    assert.match(nodeLine(node as never), /poq1node {2}node1 {2}JAILED {2}stake/);
    assert.match(nodeLine({ ...node, jailed: false } as never), / {2}ACTIVE {2}/);
  });
});
