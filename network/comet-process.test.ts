/**
 * waitForHeight's polling ends when its signal aborts (CometProcess.waitForHeight aborts it once the
 * process has exited), instead of polling on until its timeout.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { waitForHeight } from "./comet-process.js";

describe("waitForHeight", () => {
  it("stops polling when its signal aborts", async () => {
    const began = Date.now();
    // Port 1 on loopback: nothing answers, so only the signal can end the wait before 60 s.
    await assert.rejects(waitForHeight("http://127.0.0.1:1", 1, 60_000, AbortSignal.timeout(300)));
    assert.ok(Date.now() - began < 5_000, `took ${Date.now() - began} ms`);
  });
});
