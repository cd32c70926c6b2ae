/**
 * `poq testnet init|start|status|stop` with bin/poq: the files first, then the network in the
 * background, its status, a stop that leaves no process, and a restart that reuses the chain.
 * One validator to keep it light. Ports 26640-26642 (CometBFT) and 26691-26692 (REST).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processesMentioning } from "./processes.js";

const POQ_BIN = join(process.cwd(), "bin", "poq");
const home = mkdtempSync(join(tmpdir(), "poq-testnet-"));

function poq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [POQ_BIN, "--home", home, ...args],
      { timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

interface Status {
  running: boolean;
  nodes: { height: string | null }[];
}

describe("poq testnet", { timeout: 300_000 }, () => {
  after(async () => {
    await poq("testnet", "stop");
    for (const pid of processesMentioning(home)) process.kill(pid, "SIGKILL");
    rmSync(home, { recursive: true, force: true });
  });

  it("init writes the files without starting anything", async () => {
    const r = await poq(
      "testnet",
      "init",
      "--validators",
      "1",
      "--base-port",
      "26640",
      "--inference-nodes",
      "1",
    );
    assert.equal(r.code, 0, r.stderr);
    for (const f of [
      "validator0/config/genesis.json",
      "validator0/config/config.toml",
      "accounts.json",
      "keyring-test/alice.json",
    ])
      assert.ok(existsSync(join(home, f)), f);
    assert.deepEqual(processesMentioning(home), []);
    const status = await poq("--output", "json", "testnet", "status");
    assert.equal((JSON.parse(status.stdout) as Status).running, false);
  });

  it("start runs it in the background; status reports; stop leaves no process; start again reuses the chain", async () => {
    const started = await poq("testnet", "start", "--rest-listen", "127.0.0.1:26691");
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /testnet running \(pid \d+\)/);
    const s1 = JSON.parse((await poq("--output", "json", "testnet", "status")).stdout) as Status;
    assert.equal(s1.running, true);
    const h1 = Number(s1.nodes[0]?.height);
    assert.ok(h1 >= 1);

    // The tx commands against it: a transfer, a node registered and unregistered, a rejected registration.
    const rpc = ["--node", "http://127.0.0.1:26641", "--output", "json"];
    const send = await poq(
      ...rpc,
      "tx",
      "bank",
      "send",
      "alice",
      "bob",
      "1234upoq",
      "--keyring-backend",
      "test",
    );
    assert.equal(send.code, 0, send.stderr);
    const bob = JSON.parse(
      (await poq(...rpc, "query", "balance", "bob", "--keyring-backend", "test")).stdout,
    ) as {
      balances: { amount: string }[];
    };
    assert.equal(bob.balances[0]?.amount, "100000001234");
    const low = await poq(
      ...rpc,
      "tx",
      "node",
      "register",
      "--models",
      "m1",
      "--stake",
      "5upoq",
      "--from",
      "bob",
      "--keyring-backend",
      "test",
    );
    assert.equal(low.code, 4, `a stake below the minimum is rejected by the chain: ${low.stderr}`);
    const reg = await poq(
      ...rpc,
      "tx",
      "node",
      "register",
      "--models",
      "m1,m2",
      "--stake",
      "2000000upoq",
      "--from",
      "bob",
      "--keyring-backend",
      "test",
    );
    assert.equal(reg.code, 0, reg.stderr);
    const unreg = await poq(...rpc, "tx", "node", "unregister", "--from", "bob", "--keyring-backend", "test");
    assert.equal(unreg.code, 0, unreg.stderr);
    const listed = JSON.parse((await poq(...rpc, "query", "nodes")).stdout) as {
      nodes: { moniker: string; status: string; models: string[] }[];
    };
    assert.deepEqual(
      listed.nodes.map((n) => n.status).sort(),
      ["ACTIVE", "UNBONDING"],
      JSON.stringify(listed.nodes),
    );

    const stopped = await poq("testnet", "stop");
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /^stopped/);
    assert.deepEqual(processesMentioning(home), []);

    const again = await poq("testnet", "start", "--rest-listen", "127.0.0.1:26691");
    assert.equal(again.code, 0, again.stderr);
    const s2 = JSON.parse((await poq("--output", "json", "testnet", "status")).stdout) as Status;
    assert.ok(Number(s2.nodes[0]?.height) >= h1, "the chain continues from where it stopped");
    assert.match(readFileSync(join(home, "testnet.log"), "utf8"), /reusing 1 validators/);

    // Usage errors (exit 2, README's table) with the reason, not a raw error.
    const second = await poq("testnet", "start");
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /a devnet is already running/);
    // The running devnet is named as such, not as ports in use, and its endpoints.json is left alone.
    const devnet = await poq("devnet", "--rest-listen", "127.0.0.1:26692");
    assert.equal(devnet.code, 2, devnet.stderr);
    assert.match(devnet.stderr, /a devnet is already running in .* \(pid \d+\)/);
    assert.ok(existsSync(join(home, "endpoints.json")), "the running devnet's endpoints.json is still there");
    const busy = await poq("testnet", "init", "--reset");
    assert.equal(busy.code, 2, busy.stderr);
    assert.match(busy.stderr, /a devnet is running there \(pid \d+\)/);
    const long = await poq(
      ...rpc,
      "tx",
      "infer",
      "--model",
      "m1",
      "--prompt",
      "x".repeat(9000),
      "--fee",
      "10000upoq",
      "--from",
      "alice",
      "--keyring-backend",
      "test",
    );
    assert.equal(long.code, 2, long.stderr);
    assert.match(long.stderr, /--prompt is 9000 bytes; the chain accepts at most \d+/);

    assert.equal((await poq("testnet", "stop")).code, 0);
    assert.deepEqual(processesMentioning(home), []);
    // Stopped, the folder (testnet.log included) is the testnet's own: --reset starts over.
    const reset = await poq("testnet", "init", "--reset", "--validators", "1", "--base-port", "26640");
    assert.equal(reset.code, 0, reset.stderr);
  });
});
