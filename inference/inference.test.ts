/**
 * The inference node's parts without a chain: trimming, the backend client against the stand-in
 * (answers, garbage, HTTP errors, timeouts, nobody listening) and the submission ledger on disk.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trimResponse } from "./trim.js";
import { BackendError, completionsUrl, createChatBackend, parseCompletion } from "./backend.js";
import { openSubmissionLedger } from "./ledger.js";
import { STANDIN_QA } from "./standin/qa-data.js";
import { standinAnswer, startStandinServer, type StandinServer } from "./standin/server.js";

describe("trimResponse", () => {
  it("keeps at most max_tokens words and the original spacing between them", () => {
    assert.equal(trimResponse("  one two\nthree four  ", { maxTokens: 3, maxBytes: 100 }), "one two\nthree");
    assert.equal(trimResponse("one two", { maxTokens: 5, maxBytes: 100 }), "one two");
  });
  it("cuts to max bytes without splitting a UTF-8 character", () => {
    const out = trimResponse("héé", { maxTokens: 10, maxBytes: 4 });
    assert.equal(out, "hé");
    assert.ok(Buffer.byteLength(out) <= 4);
    assert.equal(trimResponse("€€€", { maxTokens: 10, maxBytes: 5 }), "€");
  });
});

describe("chat backend", () => {
  let standin: StandinServer;
  let slow: Server;
  let slowUrl: string;
  before(async () => {
    standin = await startStandinServer();
    slow = createServer((req, res) => {
      if (req.url?.includes("teapot")) {
        res.writeHead(418);
        res.end("short and stout");
      }
      // otherwise never answers
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const a = slow.address();
    slowUrl = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  });
  after(async () => {
    await standin.close();
    slow.closeAllConnections();
    await new Promise((r) => slow.close(r));
  });

  it("builds the completions URL from a base with or without /v1", () => {
    assert.equal(completionsUrl("http://h:1"), "http://h:1/v1/chat/completions");
    assert.equal(completionsUrl("http://h:1/v1/"), "http://h:1/v1/chat/completions");
    assert.throws(() => completionsUrl("ftp://h"), BackendError);
    assert.throws(() => completionsUrl("not a url"), /not a URL/);
  });

  it("gets the stand-in's bundled answer, cut to max_tokens", async () => {
    const backend = createChatBackend({ url: standin.url });
    const text = await backend.complete({ model: "m", prompt: "why is the sky blue", maxTokens: 5 });
    assert.equal(text, standinAnswer("Why is the sky blue?").split(/\s+/).slice(0, 5).join(" "));
    assert.match(standinAnswer("qwzx plorb"), /stand-in is not a language model/);
  });

  it("the stand-in answers its bundled questions and admits it does not know anything else", () => {
    for (const row of STANDIN_QA) assert.equal(standinAnswer(row.prompt), row.answer, row.prompt);
    const photosynthesis = STANDIN_QA.find((r) => r.prompt.includes("photosynthesis"))!;
    assert.equal(standinAnswer("how does photosynthesis work?"), photosynthesis.answer, "reworded");
    // Questions that share only "what is the ..." with a bundled one get no unrelated bundled answer.
    const bundled = new Set(STANDIN_QA.map((r) => r.answer));
    for (const prompt of [
      "What is 2+2?",
      "What is the capital of France?",
      "Who is the president of Brazil?",
      "What is the difference between a cat and a dog?",
      "How do I cook pasta?",
    ]) {
      const answer = standinAnswer(prompt);
      assert.ok(!bundled.has(answer), `${prompt} got a bundled answer: ${answer.slice(0, 60)}`);
      assert.match(answer, /^I do not know\./, prompt);
    }
  });

  it("says what is wrong with garbage, HTTP errors, timeouts and a closed port", async () => {
    standin.mode = "garbage";
    try {
      await assert.rejects(
        createChatBackend({ url: standin.url }).complete({ model: "m", prompt: "hi", maxTokens: 5 }),
        /not JSON/,
      );
    } finally {
      standin.mode = "answer";
    }
    await assert.rejects(
      createChatBackend({ url: `${slowUrl}/teapot` }).complete({ model: "m", prompt: "hi", maxTokens: 5 }),
      /HTTP 418/,
    );
    await assert.rejects(
      createChatBackend({ url: slowUrl, timeoutMs: 300 }).complete({
        model: "m",
        prompt: "hi",
        maxTokens: 5,
      }),
      /did not answer within 300 ms/,
    );
    await assert.rejects(
      createChatBackend({ url: "http://127.0.0.1:9" }).complete({ model: "m", prompt: "hi", maxTokens: 5 }),
      /cannot reach backend/,
    );
    assert.throws(() => parseCompletion('{"choices":[]}', "u"), /without choices/);
    assert.throws(() => parseCompletion('{"choices":[{"message":{}}]}', "u"), /message.content/);
  });
});

describe("submission ledger", () => {
  it("survives a reopen with every step", () => {
    const file = join(mkdtempSync(join(tmpdir(), "poq-ledger-")), "sub", "submissions.json");
    const a = openSubmissionLedger(file);
    a.put({ requestId: "1", state: "answered", response: "r" });
    a.put({ requestId: "1", state: "broadcast", response: "r", txHash: "AB", txBytes: "AQI=" });
    a.put({ requestId: "2", state: "confirmed", response: "s", height: 9 });
    const b = openSubmissionLedger(file);
    assert.deepEqual(b.get("1"), {
      requestId: "1",
      state: "broadcast",
      response: "r",
      txHash: "AB",
      txBytes: "AQI=",
    });
    assert.equal(b.get("2")?.state, "confirmed");
    assert.equal(b.entries().length, 2);
  });

  it("prune drops settled entries 100 blocks after their deadline, and nothing that could still be served", () => {
    const file = join(mkdtempSync(join(tmpdir(), "poq-ledger-")), "submissions.json");
    const a = openSubmissionLedger(file);
    a.put({ requestId: "1", state: "confirmed", response: "r", height: 12, deadline: "20" });
    a.put({ requestId: "2", state: "rejected", response: "r", height: 15, deadline: "20" });
    a.put({ requestId: "3", state: "expired", response: "r", deadline: "50" });
    a.put({ requestId: "4", state: "broadcast", response: "r", txHash: "AB", deadline: "20" });
    a.put({ requestId: "5", state: "answered", response: "r", deadline: "20" });
    a.put({ requestId: "6", state: "confirmed", response: "r", height: 3 }); // no deadline recorded
    assert.equal(a.prune(120n), 0, "deadline 20 + 100 is not yet passed at 120");
    assert.equal(a.prune(121n), 2);
    assert.deepEqual(
      a.entries().map((e) => e.requestId),
      ["3", "4", "5", "6"],
    );
    assert.equal(a.prune(1000n), 1, "the expired one goes too; in-flight and deadline-less entries stay");
    assert.deepEqual(
      openSubmissionLedger(file)
        .entries()
        .map((e) => e.requestId),
      ["4", "5", "6"],
      "the pruned file was written",
    );
  });
});
