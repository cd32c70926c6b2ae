/**
 * The ABCI server driven by a real CometBFT v0.38 through the test counter app.
 * Ports 27000-27199 (single node at 27000, the two-validator network from 27010).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nacl from "tweetnacl";
import { createCounterApp } from "./counter-app.js";
import { BlockIdFlag } from "../abci/application.js";
import { startAbciServer, type AbciLogger, type AbciServer } from "../abci/server.js";
import { voteExtensionSignBytes } from "../app/modules/poq/extended-commit.js";
import { initCometHome, initCometTestnet, portsFor } from "../network/comet-home.js";
import { cometRpc, startComet, type CometProcess } from "../network/comet-process.js";

const root = mkdtempSync(join(tmpdir(), "poq-abci-e2e-"));
const comets: CometProcess[] = [];
const servers: AbciServer[] = [];
const quiet: AbciLogger = {
  info() {},
  error: (m, f) => process.stderr.write(`abci error: ${m} ${JSON.stringify(f)}\n`),
};

after(async () => {
  await Promise.all(comets.map((c) => c.stop(3000)));
  await Promise.all(servers.map((s) => s.close(1000)));
  rmSync(root, { recursive: true, force: true });
});

const rpc = <T>(url: string): Promise<T> => {
  const { origin, pathname, search } = new URL(url);
  return cometRpc<T>(origin, pathname + search, 15_000);
};

interface BroadcastCommit {
  height: string;
  check_tx: { code: number; log: string };
  tx_result: {
    code: number;
    codespace: string;
    log: string;
    events: { type: string; attributes: { key: string; value: string }[] }[];
  };
}

const broadcastCommit = (rpcUrl: string, tx: string): Promise<BroadcastCommit> =>
  rpc(`${rpcUrl}/broadcast_tx_commit?tx=0x${Buffer.from(tx).toString("hex")}`);

describe("ABCI server with a real CometBFT", { timeout: 120_000 }, () => {
  it("produces blocks, returns the app's tx codes, answers queries and survives a restart", async () => {
    const home = join(root, "single");
    const stateFile = join(root, "single-state.json");
    const node = await initCometHome({
      home,
      moniker: "counter",
      chainId: "counter-1",
      ports: portsFor(27000, 0),
      timeoutCommit: "100ms",
    });
    let app = createCounterApp({ stateFile });
    let server = await startAbciServer({ app, address: node.abciAddress, logger: quiet });
    servers.push(server);
    let comet = startComet({ home });
    comets.push(comet);
    await comet.waitForHeight(2, 20_000);
    assert.equal(app.seen.initChainCalls, 1);
    assert.equal(app.chainId, "counter-1");

    const ok = await broadcastCommit(node.rpcUrl, "inc-1");
    assert.equal(ok.check_tx.code, 0);
    assert.equal(ok.tx_result.code, 0);
    assert.deepEqual(ok.tx_result.events.find((e) => e.type === "counter")?.attributes[0], {
      key: "value",
      value: "1",
      index: true,
    });
    const failed = await broadcastCommit(node.rpcUrl, "fail:on purpose");
    assert.equal(failed.check_tx.code, 0);
    assert.equal(failed.tx_result.code, 5);
    assert.equal(failed.tx_result.codespace, "counter");
    assert.equal(failed.tx_result.log, "failed as asked");
    const rejected = await broadcastCommit(node.rpcUrl, "reject:please");
    assert.equal(rejected.check_tx.code, 3);
    await broadcastCommit(node.rpcUrl, "inc-2");

    const query = await rpc<{ response: { value: string; height: string; code: number } }>(
      `${node.rpcUrl}/abci_query?path="/count"`,
    );
    assert.equal(query.response.code ?? 0, 0);
    assert.equal(Buffer.from(query.response.value, "base64").toString(), "2");
    assert.ok(BigInt(query.response.height) > 0n);

    // Restart both processes: the app reads its file, Info reports the persisted height, CometBFT's
    // handshake accepts it and the chain goes on without a second InitChain.
    await comet.stop();
    await server.close();
    const persisted = JSON.parse(readFileSync(stateFile, "utf8")) as { height: string; count: string };
    assert.equal(persisted.count, "2");
    app = createCounterApp({ stateFile });
    const info = await app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockHeight, BigInt(persisted.height));
    server = await startAbciServer({ app, address: node.abciAddress, logger: quiet });
    servers.push(server);
    comet = startComet({ home });
    comets.push(comet);
    await comet.waitForHeight(BigInt(persisted.height) + 3n, 20_000);
    assert.equal(app.seen.initChainCalls, 0);
    const abciInfo = await rpc<{ response: { last_block_height: string } }>(`${node.rpcUrl}/abci_info`);
    assert.ok(BigInt(abciInfo.response.last_block_height) >= BigInt(persisted.height) + 2n);
    const after = await broadcastCommit(node.rpcUrl, "inc-3");
    assert.equal(after.tx_result.events.find((e) => e.type === "counter")?.attributes[0]?.value, "3");
    await comet.stop();
    await server.close();
  });

  it("carries vote extensions from ExtendVote to the next proposer's local_last_commit, signed", async () => {
    const chainId = "counter-ve-1";
    const { nodes, genesis } = await initCometTestnet({
      dir: join(root, "ve"),
      validators: 2,
      chainId,
      basePort: 27010,
      timeoutCommit: "100ms",
      genesis: { voteExtensionsEnableHeight: 1 },
    });
    assert.equal(genesis.consensus_params.abci.vote_extensions_enable_height, "1");
    const apps = nodes.map((_, i) => createCounterApp({ stateFile: join(root, `ve-state-${i}.json`) }));
    for (const [i, node] of nodes.entries()) {
      servers.push(await startAbciServer({ app: apps[i]!, address: node.abciAddress, logger: quiet }));
    }
    const running = nodes.map((node) => startComet({ home: node.home }));
    comets.push(...running);
    await Promise.all(running.map((c) => c.waitForHeight(5, 30_000)));

    const addressHex = genesis.validators.map((v) => v.address.toLowerCase());
    const pubKeyOf = new Map(
      genesis.validators.map((v) => [v.address.toLowerCase(), Buffer.from(v.pub_key.value, "base64")]),
    );
    for (const app of apps) {
      assert.ok(app.seen.extendVote.length >= 3, "each validator extends its precommits");
      assert.ok(app.seen.verifyVoteExtension.length >= 2, "each validator verifies the other's extensions");
      for (const v of app.seen.verifyVoteExtension) {
        assert.ok(addressHex.includes(v.validator));
        assert.equal(v.extension, `height:${v.height}`);
      }
    }
    const proposals = apps.flatMap((a) => a.seen.prepareProposal).filter((p) => p.height >= 2n);
    assert.ok(proposals.length >= 2, "proposals after the enable height");
    for (const { height, localLastCommit } of proposals) {
      assert.equal(localLastCommit.votes.length, 2);
      for (const vote of localLastCommit.votes) {
        if (vote.blockIdFlag !== BlockIdFlag.Commit) continue;
        assert.equal(new TextDecoder().decode(vote.voteExtension), `height:${height - 1n}`);
        const pubKey = pubKeyOf.get(Buffer.from(vote.validator.address).toString("hex"));
        assert.ok(pubKey, "vote from a genesis validator");
        // The implementation ProcessProposal uses, held to the signatures of a real CometBFT.
        const signBytes = voteExtensionSignBytes(
          vote.voteExtension,
          height - 1n,
          localLastCommit.round,
          chainId,
        );
        assert.ok(
          nacl.sign.detached.verify(signBytes, vote.extensionSignature, pubKey),
          `signature at ${height}`,
        );
      }
      assert.ok(localLastCommit.votes.some((v) => v.blockIdFlag === BlockIdFlag.Commit));
    }
    await Promise.all(running.map((c) => c.stop()));
    assert.ok(running.every((c) => !c.running));
    assert.ok(existsSync(running[0]!.logFile));
  });
});
