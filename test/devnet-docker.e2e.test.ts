/**
 * docker-compose.yml and the Dockerfile, checked as far as a machine without a Docker engine allows:
 * `docker compose config` when the compose plugin is installed; always, that the CometBFT image is the
 * pinned version, that the app services build from this repository, that every `poq` command line in
 * the file names real commands and flags (through the CLI's own parser definitions), and that
 * `poq testnet init --docker` writes node configs that reach each other by service name.
 * No ports: nothing listens.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { parse } from "yaml";
import { createProgram } from "../cli/main.js";
import { getTomlString } from "../network/comet-config.js";

const root = process.cwd();
const COMETBFT_VERSION = /COMETBFT_VERSION = "([\d.]+)"/.exec(
  readFileSync(join(root, "scripts", "setup.mjs"), "utf8"),
)?.[1];

interface Service {
  image?: string;
  build?: string;
  entrypoint?: string[];
  command?: string[];
  ports?: string[];
}
const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};

const program = await createProgram();

/** Walks `args` through the CLI's command tree; returns what does not exist. */
function unknownArgs(args: string[]): string[] {
  let cmd: Command = program;
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("--")) {
      let owner: Command | null = cmd;
      let found = false;
      while (owner && !found) {
        const option = owner.options.find((o) => o.long === arg);
        if (option) {
          found = true;
          if (option.required || option.optional) i++;
        }
        owner = owner.parent;
      }
      if (!found) problems.push(`${cmd.name()}: no flag ${arg}`);
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === arg);
    if (sub) cmd = sub;
    else if (cmd.commands.length > 0) problems.push(`${cmd.name()}: no command ${arg}`);
  }
  if (cmd.commands.length > 0) problems.push(`${cmd.name()} needs a subcommand`);
  return problems;
}

describe("docker-compose.yml", () => {
  it("passes `docker compose config` where the compose plugin exists", (t) => {
    const version = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
    if (version.status !== 0) {
      t.diagnostic("docker compose is not installed here; the structural checks below stand in for it");
      return;
    }
    const r = spawnSync("docker", ["compose", "-f", "docker-compose.yml", "config", "-q"], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
  });

  it("runs the official CometBFT image at the pinned version and builds the app from this repository", () => {
    assert.ok(COMETBFT_VERSION);
    const comets = Object.entries(compose.services).filter(([name]) => name.startsWith("comet"));
    assert.equal(comets.length, 4);
    for (const [, s] of comets) assert.equal(s.image, `cometbft/cometbft:v${COMETBFT_VERSION}`);
    const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
    assert.ok(
      dockerfile.includes(`cometbft/cometbft:v${COMETBFT_VERSION}`),
      "Dockerfile copies the pinned cometbft",
    );
    const apps = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    assert.ok(apps.length >= 7);
    for (const [, s] of apps) assert.equal(s.build, ".");
    assert.deepEqual(compose.services["comet0"]?.ports, ["127.0.0.1:26657:26657"]);
    assert.deepEqual(compose.services["rest"]?.ports, ["127.0.0.1:1317:1317"]);
  });

  it("names only real poq commands and flags", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build === undefined || s.entrypoint !== undefined) continue;
      assert.deepEqual(unknownArgs(s.command ?? []), [], `service ${name}: ${(s.command ?? []).join(" ")}`);
    }
    for (const i of [0, 1, 2, 3]) {
      const s = compose.services[`app${i}`]!;
      assert.deepEqual(s.entrypoint, ["node", "/app/dist/validator/main.js"]);
      assert.deepEqual(s.command, ["--home", `/data/validator${i}`, "--abci", "tcp://0.0.0.0:26658"]);
    }
    assert.deepEqual(
      unknownArgs(["query", "nosuch"]),
      ["query: no command nosuch", "query needs a subcommand"],
      "the checker can fail",
    );
  });

  it("poq testnet init --docker wires nodes by service name", () => {
    const home = mkdtempSync(join(tmpdir(), "poq-docker-"));
    try {
      const init = compose.services["init"]!.command!.map((a) => (a === "/data" ? home : a));
      const r = spawnSync(process.execPath, [join(root, "bin", "poq"), ...init], {
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const config = readFileSync(join(home, "validator2", "config", "config.toml"), "utf8");
      assert.equal(getTomlString(config, "proxy_app"), "tcp://app2:26658");
      assert.equal(getTomlString(config, "rpc.laddr"), "tcp://0.0.0.0:26657");
      const peers = getTomlString(config, "p2p.persistent_peers") ?? "";
      assert.match(peers, /@comet0:26656/);
      assert.doesNotMatch(peers, /@comet2:26656/);
      // Validators and inference nodes have distinct names (validator<i>, infer<i>).
      const names = (JSON.parse(readFileSync(join(home, "accounts.json"), "utf8")) as { name: string }[]).map(
        (a) => a.name,
      );
      assert.deepEqual(names, ["alice", "bob", "carol", "infer1"]);
      assert.deepEqual(
        readdirSync(home).filter((f) => /^(node|validator)\d+$/.test(f)),
        ["validator0", "validator1", "validator2", "validator3"],
      );
      assert.ok(compose.services["infer1"]?.command?.includes("infer1"), "the compose service runs infer1");
      assert.match(r.stdout, /validators\s+\S+validator0 \.\. validator3/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
