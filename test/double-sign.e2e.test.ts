/**
 * Issue 16, a real double sign on real CometBFT: on a running 4-validator network a fifth CometBFT
 * node (its own `poq start`) runs with a copy of validator 3's priv_validator_key.json and a fresh
 * priv_validator_state.json, so the same key signs twice at the same heights. The twin skips
 * `timeout_commit` and waits 1 ms for a proposal: it enters each height about 300 ms before the
 * proposer proposes and prevotes nil, while the real validator 3 prevotes the block, so the key signs
 * two conflicting prevotes that reach the other validators in the same round. CometBFT turns them into
 * DuplicateVoteEvidence in a block; FinalizeBlock's misbehavior must then slash validator 3 by
 * `slash_fraction_double_sign` of its power at the infraction, jail and tombstone it (signing info),
 * and take it out of CometBFT's set while the three others keep committing. Everything is read from
 * chain state (CosmJS queries, CometBFT's blocks), not logs. Ports 29500-29549.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryClient, setupSlashingExtension, setupStakingExtension } from "@cosmjs/stargate";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { connectComet, type CometClient } from "@cosmjs/tendermint-rpc";
import { findProjectRoot } from "../network/comet-binary.js";
import { updateCometConfig } from "../network/comet-config.js";
import { showNodeId } from "../network/comet-home.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { bech32Encode } from "../app/modules/auth/bech32.js";
import { waitFor } from "./wait-for.js";

const CHAIN_ID = "poq-dsign-1";
const BASE = 29500;
const TWIN_PORT = 29540;
const DEC = 10n ** 18n;
const poq = join(findProjectRoot(), "bin", "poq");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- RPC JSON

async function rpc(url: string, path: string): Promise<Json> {
  const res = await fetch(`${url}${path}`);
  return ((await res.json()) as { result: Json }).result;
}

describe("a validator that double-signs on real CometBFT (issue 16)", { timeout: 150_000 }, () => {
  let net: LocalNetwork;
  let comet: CometClient;
  let twinHome: string;
  let twin: ChildProcess | undefined;
  let twinLog = "";

  const stopTwin = async () => {
    if (twin && twin.exitCode === null && twin.signalCode === null) {
      const exited = new Promise((resolve) => twin!.once("exit", resolve));
      twin.kill("SIGINT");
      const timer = setTimeout(() => twin?.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };

  before(async () => {
    net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-dsign-e2e-")),
      chainId: CHAIN_ID,
      validators: 4,
      basePort: BASE,
    });
    await net.waitForHeight(2);
    comet = await connectComet(net.rpcUrl(0));
    twinHome = mkdtempSync(join(tmpdir(), "poq-dsign-twin-"));
  });

  after(async () => {
    await stopTwin();
    comet?.disconnect();
    await net?.stop();
    rmSync(twinHome, { recursive: true, force: true });
    if (net) rmSync(net.dir, { recursive: true, force: true });
  });

  it("CometBFT's DuplicateVoteEvidence slashes, jails and tombstones it; it leaves the set; the chain goes on", async () => {
    const q = QueryClient.withExtensions(comet, setupStakingExtension, setupSlashingExtension);
    const key = JSON.parse(
      readFileSync(join(net.nodes[3]!.home, "config", "priv_validator_key.json"), "utf8"),
    ) as Json;
    const consHex = key.address as string;
    const consBech = bech32Encode("poqvalcons", Buffer.from(consHex, "hex"));
    const pubKey = key.pub_key.value as string;
    const { validators } = await q.staking.validators("");
    const target = validators.find(
      (v) =>
        v.consensusPubkey &&
        Buffer.from(Ed25519PubKey.decode(v.consensusPubkey.value).key).toString("base64") === pubKey,
    );
    assert.ok(target, "validator 3 is a staking validator");
    const tokensBefore = BigInt(target.tokens);
    // A LegacyDec's atomics (× 10^18) as protobuf bytes carry them.
    const fraction = BigInt(
      new TextDecoder().decode((await q.slashing.params()).params!.slashFractionDoubleSign),
    );
    assert.ok(fraction > 0n);

    // The twin: a node of its own (poq init, the network's genesis), holding validator 3's key.
    rmSync(twinHome, { recursive: true, force: true });
    const init = spawnSync(
      process.execPath,
      [
        poq,
        "--home",
        twinHome,
        "--chain-id",
        CHAIN_ID,
        "--output",
        "json",
        "init",
        "--moniker",
        "twin",
        "--base-port",
        String(TWIN_PORT),
      ],
      { encoding: "utf8" },
    );
    assert.equal(init.status, 0, init.stderr);
    const cfg = join(twinHome, "config");
    copyFileSync(join(net.nodes[0]!.home, "config", "genesis.json"), join(cfg, "genesis.json"));
    copyFileSync(
      join(net.nodes[3]!.home, "config", "priv_validator_key.json"),
      join(cfg, "priv_validator_key.json"),
    );
    writeFileSync(
      join(twinHome, "data", "priv_validator_state.json"),
      JSON.stringify({ height: "0", round: 0, step: 0 }) + "\n",
    );
    updateCometConfig(twinHome, {
      "p2p.persistent_peers": [0, 1, 2]
        .map((i) => `${showNodeId(net.nodes[i]!.home)}@127.0.0.1:${BASE + 10 * i}`)
        .join(","),
      "p2p.allow_duplicate_ip": true,
      "consensus.timeout_propose": "1ms",
      "consensus.timeout_propose_delta": "1ms",
      "consensus.timeout_commit": "0s",
      "consensus.skip_timeout_commit": true,
      "consensus.create_empty_blocks_interval": "0s",
    });
    const startHeight = await net.waitForHeight(1);
    twin = spawn(process.execPath, [poq, "--home", twinHome, "start"], { stdio: ["ignore", "pipe", "pipe"] });
    twin.stderr!.on("data", (d: Buffer) => (twinLog = (twinLog + d.toString()).slice(-4000)));
    twin.stdout!.on("data", () => {});

    // Until the chain records the double sign (bounded): then the twin goes.
    let info;
    try {
      info = await waitFor(
        "validator 3 tombstoned",
        async () => {
          const r = await q.slashing.signingInfo(consBech).catch(() => undefined);
          return r?.valSigningInfo?.tombstoned ? r.valSigningInfo : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 500 },
      );
    } catch (err) {
      throw new Error(`no double sign was punished: ${String(err)}\ntwin log:\n${twinLog}`);
    } finally {
      await stopTwin();
    }
    assert.equal(info.tombstoned, true);
    assert.equal(info.jailedUntil.seconds, 253_402_300_799n, "jailed until 9999-12-31T23:59:59Z");

    // CometBFT's evidence in a committed block: validator 3's two votes for different blocks.
    const tip = await net.waitForHeight(1);
    let evidence: Json | undefined;
    for (let h = startHeight + 1n; h <= tip && !evidence; h++) {
      const block = await rpc(net.rpcUrl(0), `/block?height=${h}`);
      evidence = (block.block.evidence.evidence as Json[]).find(
        (e) => e.type === "tendermint/DuplicateVoteEvidence",
      );
    }
    assert.ok(evidence, `DuplicateVoteEvidence in a block between ${startHeight} and ${tip}`);
    const { vote_a: a, vote_b: b } = evidence.value as Json;
    assert.equal(a.validator_address, consHex);
    assert.equal(b.validator_address, consHex);
    assert.equal(a.height, b.height);
    assert.notEqual(a.block_id.hash, b.block_id.hash, "conflicting votes");

    // Slashed slash_fraction_double_sign of its power at the infraction (the evidence's), and jailed.
    const power = BigInt((evidence.value as Json).ValidatorPower as string);
    const { validator } = await q.staking.validator(target.operatorAddress);
    assert.equal(validator.jailed, true);
    assert.equal(BigInt(validator.tokens), tokensBefore - (power * 1_000_000n * fraction) / DEC);

    // It leaves CometBFT's set (two blocks after the jailing), and the three others keep committing.
    await waitFor(
      "validator 3 out of CometBFT's set",
      async () => {
        const set = await rpc(net.rpcUrl(0), "/validators?per_page=100");
        const addresses = (set.validators as Json[]).map((v) => v.address as string);
        return addresses.length === 3 && !addresses.includes(consHex) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    const after3 = await net.waitForHeight(1);
    await net.waitForHeight(after3 + 3n, 30_000);
    const { validator: later } = await q.staking.validator(target.operatorAddress);
    assert.equal(later.status, 2, "BOND_STATUS_UNBONDING");
  });
});
