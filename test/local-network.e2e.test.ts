/**
 * The local network harness with a real CometBFT: a node whose CometBFT exits at start fails
 * startLocalNetwork at once, with the reason and the log, instead of after the 60 s block wait.
 * Ports 28600-28609.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { updateCometConfig } from "../network/comet-config.js";
import { initLocalNetwork, startLocalNetwork } from "../network/local-network.js";

describe("startLocalNetwork", () => {
  it("fails fast when a CometBFT exits while starting", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poq-localnet-"));
    const opts = { dir, chainId: "poq-localnet-1", validators: 1, basePort: 28600 };
    const { nodes } = await initLocalNetwork(opts);
    // A config CometBFT refuses to load: it exits as soon as it starts.
    updateCometConfig(nodes[0]!.home, { "consensus.timeout_commit": "not-a-duration" });
    const began = Date.now();
    await assert.rejects(startLocalNetwork(opts), /cometbft exited .* before height 1/);
    const took = Date.now() - began;
    assert.ok(took < 30_000, `took ${took} ms`);
  });
});
