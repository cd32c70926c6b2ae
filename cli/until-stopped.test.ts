/**
 * untilStopped: the first signal or the first `also` promise ends the wait, and it leaves no
 * listeners behind once each signal has come.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { untilStopped } from "./until-stopped.js";

describe("untilStopped", () => {
  it("resolves with the signal, or with what an `also` promise gives", async () => {
    const before = process.listenerCount("SIGTERM");
    const bySignal = untilStopped();
    process.emit("SIGTERM");
    assert.equal(await bySignal, "SIGTERM");
    assert.equal(process.listenerCount("SIGTERM"), before);
    process.emit("SIGINT"); // the other once-listener of that call

    const byChild = untilStopped([new Promise((r) => setTimeout(() => r("child exited"), 5))]);
    assert.equal(await byChild, "child exited");
    process.emit("SIGINT");
    process.emit("SIGTERM");
    assert.equal(process.listenerCount("SIGINT"), 0);
  });
});
