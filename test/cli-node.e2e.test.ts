/**
 * `poq init` and `poq start` run one validator: its application process and its CometBFT, wired
 * together; Ctrl-C (SIGINT) stops both. Ports 27300-27309.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProjectRoot } from "../network/comet-binary.js";
import { waitForHeight } from "../network/comet-process.js";
import { processesMentioning } from "./processes.js";

const root = findProjectRoot();
const poq = join(root, "bin", "poq");

it(
  "poq init then poq start produces blocks, restarts a crashed CometBFT, and SIGINT leaves no process behind",
  { timeout: 120_000 },
  async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-cli-node-"));
    const init = spawnSync(
      process.execPath,
      [poq, "--home", home, "--chain-id", "poq-cli-1", "--output", "json", "init", "--base-port", "27300"],
      { encoding: "utf8" },
    );
    assert.equal(init.status, 0, init.stderr);
    const out = JSON.parse(init.stdout) as { operator: string; rpc: string; mnemonic: string };
    assert.match(out.operator, /^poq1/);
    assert.equal(out.rpc, "http://127.0.0.1:27301");
    assert.equal(out.mnemonic.split(" ").length, 24);

    const again = spawnSync(process.execPath, [poq, "--home", home, "init"], { encoding: "utf8" });
    assert.notEqual(again.status, 0, "a second init must refuse to overwrite the home");
    assert.match(again.stderr, /already initialized/);

    const start = spawn(process.execPath, [poq, "--home", home, "start"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    start.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      await waitForHeight(out.rpc, 3, 60_000);
      assert.ok(processesMentioning(home).length >= 2, "the app process and CometBFT both run");
      // CometBFT killed as a crash would: `poq start` reports it and brings it back; blocks go on.
      const [cometPid] = processesMentioning(`start\0--home\0${home}`);
      assert.ok(cometPid, "the CometBFT process");
      const height = await waitForHeight(out.rpc, 3, 10_000);
      process.kill(cometPid, "SIGKILL");
      await waitForHeight(out.rpc, height + 3n, 60_000);
      assert.match(stderr, /validator: CometBFT exited \(SIGKILL\); restarting in \d+ ms/);
      assert.match(stderr, /validator restarted \(restart 1\)/);
    } finally {
      start.kill("SIGINT");
      await new Promise((resolve) => start.once("exit", resolve));
    }
    assert.match(stderr, /producing blocks/);
    assert.deepEqual(processesMentioning(home), [], "nothing left running after SIGINT");
  },
);
