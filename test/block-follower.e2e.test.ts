/**
 * The inference node's block follower against a real CometBFT: it renews its websocket subscription
 * without missing a height, and CometBFT lets each old subscription go. CometBFT v0.38 keeps every event
 * a subscription delivered until the subscription ends (issue 17; bench/RESULTS.md), so a follower that
 * never renewed would grow the node's heap for as long as it ran. Ports 28900-28903 (28903: pprof).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { followBlocks } from "../inference/block-follower.js";
import { portsFor, pprofPort } from "../network/comet-home.js";
import { startLocalNetwork } from "../network/local-network.js";
import { waitFor } from "./wait-for.js";

/** How many of CometBFT's subscription-forwarding goroutines are running. */
async function subscriptionGoroutines(pprofUrl: string): Promise<number> {
  const res = await fetch(`${pprofUrl}/debug/pprof/goroutine?debug=2`);
  const text = await res.text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("github.com/cometbft/cometbft/rpc/core.(*Environment).Subscribe.func1"))
    .length;
}

describe("block follower", () => {
  it("renews its subscription every few blocks, misses no height, and CometBFT drops the old subscriptions", async () => {
    const basePort = 28900;
    const net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-follower-")),
      chainId: "poq-follower-1",
      validators: 1,
      basePort,
      pprof: true,
    });
    const pprofUrl = `http://127.0.0.1:${pprofPort(portsFor(basePort, 0))}`;
    const heights: bigint[] = [];
    // No safety poll during the test: every height must come from the websocket.
    const follower = followBlocks({
      rpcUrl: net.rpcUrl(0),
      renewEvery: 3,
      safetyPollMs: 600_000,
      onHeight: (h) => heights.push(h),
    });
    try {
      await net.waitForHeight(2);
      let most = 0;
      await waitFor(
        "four renewals",
        async () => {
          most = Math.max(most, await subscriptionGoroutines(pprofUrl));
          return follower.renewals >= 4 ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      assert.equal(follower.mode, "websocket");
      // One subscription, two while a replacement takes over: not one per renewal.
      assert.ok(most <= 2, `${most} subscription goroutines after ${follower.renewals} renewals`);
      // The first height came from the initial /status poll; from the second on, from the websocket.
      const delivered = heights.slice(1);
      assert.ok(delivered.length >= 12, `${delivered.length} heights`);
      for (let i = 1; i < delivered.length; i++)
        assert.equal(delivered[i], delivered[i - 1]! + 1n, `heights ${delivered.join(",")}`);
      follower.stop();
      await waitFor(
        "CometBFT to drop the last subscription",
        async () => ((await subscriptionGoroutines(pprofUrl)) === 0 ? true : undefined),
        { timeoutMs: 10_000 },
      );
    } finally {
      follower.stop();
      await net.stop();
    }
  });
});
