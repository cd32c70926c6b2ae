/**
 * `poq init` and `poq start` run one validator: its application process and its CometBFT, wired
 * together; Ctrl-C (SIGINT) or SIGTERM stops both, also before the first block. Then `poq export`
 * writes the stopped node's state as a genesis and the same home starts a new chain from it at the
 * next height. Ports 27300-27309.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProjectRoot } from "../network/comet-binary.js";
import { waitForHeight } from "../network/comet-process.js";
import { processesMentioning } from "./processes.js";
import { CommittedDb } from "../app/store/committed.js";
import { referenceRoot } from "../app/store/reference-root.js";

const root = findProjectRoot();
const poq = join(root, "bin", "poq");

/** Runs `poq args...` to its end. */
const poqSync = (args: string[]) => spawnSync(process.execPath, [poq, ...args], { encoding: "utf8" });

it(
  "poq init then poq start produces blocks, restarts a crashed CometBFT, SIGINT leaves no process behind, and poq export starts a new chain from the state",
  { timeout: 180_000 },
  async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-cli-node-"));
    const init = poqSync([
      "--home",
      home,
      "--chain-id",
      "poq-cli-1",
      "--output",
      "json",
      "init",
      "--base-port",
      "27300",
    ]);
    assert.equal(init.status, 0, init.stderr);
    const out = JSON.parse(init.stdout) as { operator: string; rpc: string; mnemonic: string };
    assert.match(out.operator, /^poq1/);
    assert.equal(out.rpc, "http://127.0.0.1:27301");
    assert.equal(out.mnemonic.split(" ").length, 24);

    const again = poqSync(["--home", home, "init"]);
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

    // poq export: the stopped node's state as the genesis of a new chain at the next height.
    const file = join(home, "export.json");
    const exported = poqSync(["--home", home, "--output", "json", "export", "--out", file]);
    assert.equal(exported.status, 0, exported.stderr);
    const summary = JSON.parse(exported.stdout) as {
      height: string;
      initial_height: string;
      validators: number;
    };
    const genesis = JSON.parse(readFileSync(file, "utf8")) as {
      initial_height: string;
      chain_id: string;
      app_state: Record<string, unknown>;
    };
    const last = CommittedDb.openReader(join(home, "data", "application.db"));
    const old = [...last.entries()].map(([key, value]) => ({
      key: Uint8Array.from(key),
      value: Uint8Array.from(value),
    }));
    const oldHeight = last.height;
    const oldAppHash = Uint8Array.from(last.appHash);
    last.close();
    assert.equal(summary.height, oldHeight.toString());
    assert.equal(genesis.initial_height, (oldHeight + 1n).toString());
    assert.equal(genesis.chain_id, "poq-cli-1");
    assert.equal(summary.validators, 1);
    assert.ok(Array.isArray((genesis.app_state["staking"] as { validators: unknown[] }).validators));

    // The same home, a new chain: the export as genesis, no blocks, the signer state reset.
    writeFileSync(join(home, "config", "genesis.json"), readFileSync(file));
    for (const f of readdirSync(join(home, "data")))
      rmSync(join(home, "data", f), { recursive: true, force: true });
    writeFileSync(
      join(home, "data", "priv_validator_state.json"),
      JSON.stringify({ height: "0", round: 0, step: 0 }),
    );
    const restart = spawn(process.execPath, [poq, "--home", home, "start"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let restartErr = "";
    restart.stderr.on("data", (d: Buffer) => (restartErr += d.toString()));
    try {
      await waitForHeight(out.rpc, oldHeight + 3n, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; poq start said: ${restartErr.slice(-3000)}`);
      });
      const block = (await (await fetch(`${out.rpc}/block?height=${oldHeight + 1n}`)).json()) as {
        result: { block: { header: { app_hash: string } } };
      };
      // The genesis state is the exported one: the new chain's first block carries its app hash.
      assert.equal(block.result.block.header.app_hash, Buffer.from(oldAppHash).toString("hex").toUpperCase());
      assert.deepEqual(
        referenceRoot(old),
        oldAppHash,
        "the exported entries are the exported height's state",
      );
    } finally {
      restart.kill("SIGINT");
      await new Promise((resolve) => restart.once("exit", resolve));
    }
    assert.deepEqual(
      processesMentioning(home),
      [],
      `nothing left running after SIGINT: ${restartErr.slice(-500)}`,
    );
  },
);

it(
  "poq start stopped before its first block (genesis time ahead) stops the app process and CometBFT too",
  { timeout: 90_000 },
  async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-cli-early-"));
    const init = poqSync(["--home", home, "--chain-id", "poq-cli-2", "init", "--base-port", "27305"]);
    assert.equal(init.status, 0, init.stderr);
    // CometBFT waits for its genesis time before the first block: ten minutes from now.
    const genesisPath = join(home, "config", "genesis.json");
    const genesis = JSON.parse(readFileSync(genesisPath, "utf8")) as { genesis_time: string };
    genesis.genesis_time = new Date(Date.now() + 600_000).toISOString();
    writeFileSync(genesisPath, JSON.stringify(genesis, null, 2));

    const start = spawn(process.execPath, [poq, "--home", home, "start"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    start.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => start.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!stderr.includes("starting:") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(stderr, /starting:/, "poq start started both processes");
      assert.ok(processesMentioning(home).length >= 2, "the app process and CometBFT both run");
      assert.doesNotMatch(stderr, /producing blocks/, "no block before the genesis time");
      start.kill("SIGTERM");
      const code = await Promise.race([
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve("still running after 20 s"), 20_000)),
      ]);
      assert.equal(code, 0, stderr.slice(-2000));
      assert.match(stderr, /stopped \(SIGTERM\) before the first block/);
      assert.deepEqual(processesMentioning(home), [], "nothing left running");
    } finally {
      if (start.exitCode === null) start.kill("SIGKILL");
      for (const pid of processesMentioning(home)) process.kill(pid, "SIGKILL");
      rmSync(home, { recursive: true, force: true });
    }
  },
);
