/**
 * The command line without a chain: `--help` on every command, and the exit codes for bad input and
 * an unreachable node (cli/exit-codes.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { COMMAND_HELP, commandOf, createProgram, createRootProgram, run } from "./main.js";
import { EXIT } from "./exit-codes.js";
import { poqCommand, withPoqCommand } from "./poq-command.js";
import { startRestServer } from "../rest/server.js";

/** Runs the CLI with stdout and stderr captured. */
async function poq(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  const saved = process.exitCode;
  try {
    const code = await run(["node", "poq", ...args]);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = saved;
  }
}

function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

describe("poq command line", () => {
  it("answers --help on every command with exit code 0", async () => {
    const all = paths(await createProgram());
    for (const name of ["devnet", "testnet", "tx", "query", "node"])
      assert.ok(
        all.some((p) => p[0] === name),
        name,
      );
    for (const path of all) {
      const r = await poq(...path, "--help");
      assert.equal(r.code, 0, `${path.join(" ")} --help: ${r.err}`);
      assert.match(r.out, /Usage: poq /, path.join(" "));
    }
  });

  it("loads only the command a call names (start-up cost), all of them for the root's help", async () => {
    assert.equal(commandOf(["--home", "/tmp/h", "-o", "json", "query", "params"]), "query");
    assert.equal(commandOf(["q", "params"]), "query");
    assert.equal(commandOf(["--node=http://x", "keys", "list"]), "keys");
    assert.equal(commandOf(["--help"]), undefined);
    assert.equal(commandOf(["nosuch"]), undefined);
    assert.deepEqual(
      (await createProgram("keys")).commands.map((c) => c.name()),
      ["keys"],
    );
    assert.ok((await createProgram()).commands.length >= 12);
    assert.equal(commandOf(["help", "query"]), "query");
  });

  it("the root's help, built without loading any command, says what the commands themselves say", async () => {
    const full = await createProgram();
    const help = full.createHelp();
    const real = full.commands.map((c) => [c.name(), help.subcommandTerm(c), c.description()]);
    const light = createRootProgram();
    const lightHelp = light.createHelp();
    assert.deepEqual(
      light.commands.map((c) => [c.name(), lightHelp.subcommandTerm(c), c.description()]),
      real,
    );
    assert.deepEqual(
      Object.keys(COMMAND_HELP),
      full.commands.map((c) => c.name()),
    );
  });

  it("exits 2 for malformed amounts, unknown keys, bad ids and unknown flags", async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-cli-"));
    const amount = await poq("--home", home, "tx", "bank", "send", "alice", "bob", "1.5poq");
    assert.equal(amount.code, EXIT.usage);
    assert.match(amount.err, /"1.5poq" is not an amount.*1000upoq/);
    // Caught before anything is signed or sent (the node given here does not even run).
    const offline = [
      "--home",
      home,
      "--node",
      "http://127.0.0.1:26699",
      "tx",
      "bank",
      "send",
      "alice",
      "bob",
    ];
    const poqDenom = await poq(...offline, "10poq");
    assert.equal(poqDenom.code, EXIT.usage, poqDenom.err);
    assert.match(poqDenom.err, /only denom is upoq \(10poq is 10000000upoq\)/);
    const zero = await poq(...offline, "0upoq");
    assert.equal(zero.code, EXIT.usage, zero.err);
    assert.match(zero.err, /"0upoq" must be more than zero/);
    const fee = await poq(
      "--home",
      home,
      "tx",
      "infer",
      "--model",
      "m",
      "--prompt",
      "p",
      "--fee",
      "-3",
      "--from",
      "a",
    );
    assert.equal(fee.code, EXIT.usage);
    const key = await poq("--home", home, "query", "balance", "zed");
    assert.equal(key.code, EXIT.usage);
    assert.match(key.err, /"zed" is neither a poq address nor a key/);
    const from = await poq(
      "--home",
      home,
      "--node",
      "http://127.0.0.1:26699",
      "tx",
      "bank",
      "send",
      "zed",
      "poq1x",
      "1upoq",
      "--keyring-backend",
      "test",
    );
    assert.equal(from.code, EXIT.usage);
    const badAddr = await poq("--home", home, "query", "balance", "poq1qqqq");
    assert.equal(badAddr.code, EXIT.usage);
    assert.equal((await poq("query", "request", "seven")).code, EXIT.usage);
    assert.equal((await poq("query", "requests", "--status", "DONE")).code, EXIT.usage);
    assert.equal((await poq("devnet", "--validators", "0")).code, EXIT.usage);
    assert.equal((await poq("query", "params", "--bogus")).code, EXIT.usage);
    // A bad flag of `init` is a usage error, found before the operator key is created.
    const port = await poq("--home", home, "init", "--base-port", "70000");
    assert.equal(port.code, EXIT.usage, port.err);
    assert.match(port.err, /--base-port must be a whole number/);
    assert.equal(existsSync(join(home, "keyring-test")), false);
    assert.equal((await poq("--home", home, "init", "--keyring-backend", "plain")).code, EXIT.usage);
    assert.equal((await poq("rest", "start", "--rate-limit", "-1")).code, EXIT.usage);
    const noServers = await poq("--home", home, "start", "--state-sync");
    assert.equal(noServers.code, EXIT.usage, noServers.err);
    assert.match(noServers.err, /--state-sync needs --rpc-servers/);
    assert.equal(
      (await poq("--home", home, "start", "--rpc-servers", "http://127.0.0.1:1")).code,
      EXIT.usage,
    );
    const layout = await poq("--home", home, "start", "--store-layout", "3");
    assert.equal(layout.code, EXIT.usage, layout.err);
    assert.match(layout.err, /--store-layout must be one of 4, 5, 6, 7, got "3"/);
  });

  it("exits 3 and names the mistake when --node is the REST API's address", async () => {
    const rest = await startRestServer({
      rpcUrl: "http://127.0.0.1:26699",
      listen: "127.0.0.1:0",
      logger: false,
    });
    try {
      const r = await poq("--node", rest.url, "query", "params");
      assert.equal(r.code, EXIT.unreachable, r.err);
      assert.match(r.err, /answers, but not as a CometBFT RPC.*not the REST API/);
    } finally {
      await rest.close();
    }
  });

  it("devnet hints say how to run poq when it is not on PATH", () => {
    assert.equal(
      poqCommand(""),
      join(process.cwd(), "bin", "poq"),
      "the absolute path: hints are run from anywhere",
    );
    const dir = mkdtempSync(join(tmpdir(), "poq-path-"));
    writeFileSync(join(dir, "poq"), "");
    assert.equal(poqCommand(`/nonexistent:${dir}`), "poq");
  });

  it("every hint and error names a poq command that works as printed when poq is not on PATH", async () => {
    const bin = join(process.cwd(), "bin", "poq");
    assert.equal(
      withPoqCommand("next: poq --home /h testnet start; (see: poq keys list) `poq models pull x`", bin),
      `next: ${bin} --home /h testnet start; (see: ${bin} keys list) \`${bin} models pull x\``,
    );
    assert.equal(withPoqCommand("neither a poq address nor a key", bin), "neither a poq address nor a key");
    assert.equal(withPoqCommand("next: poq query request 7", "poq"), "next: poq query request 7");
    const home = mkdtempSync(join(tmpdir(), "poq-hint-"));
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      const missing = await poq("--home", home, "testnet", "start");
      assert.match(missing.err, new RegExp(`run ${bin.replace(/[/.]/g, "\\$&")} testnet init`), missing.err);
      const keys = await poq("--home", home, "keys", "list", "--keyring-backend", "test");
      assert.match(
        keys.out,
        new RegExp(`create one with: ${bin.replace(/[/.]/g, "\\$&")} keys add NAME`),
        keys.out,
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it("query requests filters by node with --served-by, leaving --node to the RPC address", async () => {
    const r = await poq("--node", "http://127.0.0.1:26695", "query", "requests", "--served-by", "poq1qqqq");
    assert.equal(r.code, EXIT.usage, r.err);
    assert.match(r.err, /"poq1qqqq" is not a valid poq address/);
    const rpc = await poq("query", "requests", "--node", "http://127.0.0.1:26695");
    assert.equal(rpc.code, EXIT.unreachable, rpc.err);
    assert.match(rpc.err, /127\.0\.0\.1:26695/);
  });

  it("keys list without --keyring-backend points at the test keyring where the keys are", async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-cli-keys-"));
    assert.equal((await poq("--home", home, "keys", "add", "alice", "--keyring-backend", "test")).code, 0);
    const r = await poq("--home", home, "keys", "list");
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /no keys in the file keyring, but 1 in the test one \(alice\): add --keyring-backend test/,
    );
    assert.match(
      (await poq("--home", home, "keys", "list", "--keyring-backend", "test")).out,
      /^alice\tpoq1/,
    );
  });

  it("with --home of a devnet on moved ports, talks to that devnet's node", async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-cli-home-"));
    writeFileSync(
      join(home, "network.json"),
      JSON.stringify({ nodes: [{ rpcUrl: "http://127.0.0.1:26698" }] }),
    );
    const fromNetwork = await poq("--home", home, "query", "params");
    assert.equal(fromNetwork.code, EXIT.unreachable, fromNetwork.err);
    assert.match(fromNetwork.err, /cannot reach the node at http:\/\/127\.0\.0\.1:26698/);
    // A running devnet's endpoints.json wins; an explicit --node wins over both.
    writeFileSync(join(home, "endpoints.json"), JSON.stringify({ pid: 1, rpc: ["http://127.0.0.1:26697"] }));
    assert.match((await poq("--home", home, "query", "params")).err, /127\.0\.0\.1:26697/);
    const explicit = await poq("--home", home, "--node", "http://127.0.0.1:26696", "query", "params");
    assert.match(explicit.err, /127\.0\.0\.1:26696/);
  });

  it("exits 3 with the URL and the flag when the node cannot be reached", async () => {
    const r = await poq("--node", "http://127.0.0.1:26699", "query", "params");
    assert.equal(r.code, EXIT.unreachable);
    assert.match(r.err, /cannot reach the node at http:\/\/127\.0\.0\.1:26699.*--node/);
    const bal = await poq(
      "--node",
      "http://127.0.0.1:26699",
      "query",
      "balance",
      "poq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqgzhn9g",
    );
    assert.equal(bal.code, EXIT.unreachable, bal.err);
  });
});
