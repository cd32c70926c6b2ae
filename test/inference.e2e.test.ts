/**
 * The inference node against a real one-validator network and the OpenAI-compatible stand-in:
 * it picks up its assignment and answers; `poq node run` killed between signing and broadcasting,
 * then restarted, submits the same transaction once; with its backend down it retries until the
 * deadline, and the request expires and is refunded; a broadcast transaction in no block is given up.
 * Ports 26700-26719 (CometBFT 26700-26702, stand-in 26710, a closed port 26719 as the dead backend).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Bip39, Random, sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { defaultPoqGenesis } from "../network/app-genesis.js";
import { createPoqSigningClient } from "../client/signing-client.js";
import { registerNode, requestInference } from "../client/poq-tx.js";
import { createKeyring } from "../client/keyring.js";
import { startStandinServer, standinAnswer, type StandinServer } from "../inference/standin/server.js";
import { createChatBackend } from "../inference/backend.js";
import { startInferenceNode, type InferenceNodeOptions } from "../inference/node.js";
import type { SubmissionEntry } from "../inference/ledger.js";
import { queryNode, queryRequest } from "../inference/chain-query.js";
import type { RequestRecord } from "../app/modules/poq/state.js";

const MODEL = "llama-3-8b-instruct";
const FIXED_FEE = { amount: [{ denom: "upoq", amount: "20000" }], gas: "800000" };
const POQ_BIN = join(process.cwd(), "bin", "poq");

const mnemonic = () => Bip39.encode(Random.getBytes(32)).toString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

describe("inference node against the stand-in backend", { timeout: 300_000 }, () => {
  let net: LocalNetwork;
  let rpc: string;
  let standin: StandinServer;
  let home: string;
  const requester = mnemonic();
  const operator = mnemonic();
  let requesterAddress: string;
  let operatorAddress: string;
  let requesterClient: SigningStargateClient;
  /** The submission the first test saw confirmed. */
  let confirmed: SubmissionEntry | undefined;
  const children: ChildProcess[] = [];

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "poq-inference-"));
    const wallets = await Promise.all(
      [requester, operator].map((m) => DirectSecp256k1HdWallet.fromMnemonic(m, { prefix: "poq" })),
    );
    requesterAddress = (await wallets[0]!.getAccounts())[0]!.address;
    operatorAddress = (await wallets[1]!.getAccounts())[0]!.address;
    net = await startLocalNetwork({
      dir: join(home, "net"),
      chainId: "poq-inference-1",
      validators: 1,
      basePort: 26700,
      // Long enough blocks that the test can catch the node between broadcast and inclusion.
      timeoutCommit: "1s",
      accounts: [
        { address: requesterAddress, coins: [{ denom: "upoq", amount: "1000000000" }] },
        { address: operatorAddress, coins: [{ denom: "upoq", amount: "1000000000" }] },
      ],
      modules: {
        poq: defaultPoqGenesis({ responseTimeout: "6", maxReassignments: 0, slashMissedDeadlineBp: 0 }),
      },
    });
    rpc = net.rpcUrl(0);
    standin = await startStandinServer({ listen: "127.0.0.1:26710" });
    const operatorClient = await createPoqSigningClient(rpc, wallets[1]!);
    await registerNode(operatorClient, operatorAddress, {
      models: [MODEL],
      stake: "5000000upoq",
      moniker: "t",
    });
    operatorClient.disconnect();
    requesterClient = await createPoqSigningClient(rpc, wallets[0]!);
    await createKeyring({ home, backend: "test" }).recover("operator", operator);
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    requesterClient?.disconnect();
    await standin?.close();
    await net?.stop();
  });

  /** An in-process inference node of the operator, against the stand-in unless `extra` says otherwise. */
  const startNode = async (ledgerFile: string, lines: string[], extra: Partial<InferenceNodeOptions> = {}) =>
    startInferenceNode({
      rpcUrl: rpc,
      backend: createChatBackend({ url: standin.url }),
      signer: await DirectSecp256k1HdWallet.fromMnemonic(operator, { prefix: "poq" }),
      ledgerFile,
      log: (l) => lines.push(l),
      ...extra,
    });

  /** Every request this suite sent, so that a balance check can wait for earlier refunds to land. */
  const asked: bigint[] = [];
  const ask = async (prompt: string, maxTokens = 256) => {
    const { requestId } = await requestInference(
      requesterClient,
      requesterAddress,
      { model: MODEL, prompt, fee: "10000upoq", maxTokens },
      { fee: FIXED_FEE },
    );
    asked.push(requestId);
    return requestId;
  };
  /** Waits until no earlier request can still move the requester's balance (a settlement refunds the unpaid fee). */
  const settled = async () => {
    for (const id of asked)
      await waitFor(`request ${id} settled`, async () => {
        const status = (await queryRequest(rpc, id))?.status;
        return status === "FINALIZED" || status === "EXPIRED" || status === "UNSCORED" ? true : undefined;
      });
  };

  it("picks up its assignment, answers from the backend within max_tokens, and submits once", async () => {
    const ledgerFile = join(home, "inproc", "submissions.json");
    const lines: string[] = [];
    const node = await startNode(ledgerFile, lines);
    try {
      const id = await ask("Why is the sky blue?", 12);
      const r = await waitFor("the response", async () => {
        const req = await queryRequest(rpc, id);
        return req && req.responded_height !== "0" ? req : undefined;
      });
      assert.equal(r.node, operatorAddress);
      const expected = standinAnswer("Why is the sky blue?").split(/\s+/).slice(0, 12).join(" ");
      assert.equal(r.response, expected, "the answer is the backend's, cut to max_tokens");
      assert.equal(node.ledger.get(id.toString())?.state, "confirmed");
      confirmed = node.ledger.get(id.toString());
      assert.equal(node.stats.signed, 1);
      assert.ok(
        lines.some((l) => l.includes(`request ${id}: assigned to us`)),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) => l.includes(`request ${id}: response in block`)),
        lines.join("\n"),
      );
    } finally {
      await node.stop();
    }
  });

  it("a broadcast transaction in no block is given up after its request's deadline, not looked up forever", async () => {
    const ledgerFile = join(home, "stale", "submissions.json");
    // Left by an earlier run: signed and broadcast, then dropped (here: never sent at all).
    const stale = (requestId: string, deadline?: string) => ({
      requestId,
      state: "broadcast",
      response: "an answer whose transaction never made it into a block",
      txHash: toHex(sha256(new TextEncoder().encode(requestId))).toUpperCase(),
      txBytes: "AQI=",
      ...(deadline !== undefined ? { deadline } : {}),
    });
    mkdirSync(dirname(ledgerFile), { recursive: true });
    writeFileSync(ledgerFile, JSON.stringify({ submissions: [stale("900001", "2"), stale("900002")] }));
    const lines: string[] = [];
    const node = await startNode(ledgerFile, lines);
    try {
      for (const id of ["900001", "900002"]) {
        await waitFor(`request ${id} to be given up`, async () =>
          node.ledger.get(id)?.state === "expired" ? true : undefined,
        );
      }
      assert.match(node.ledger.get("900001")?.error ?? "", /was not in a block by height \d+/);
      assert.ok(
        lines.some((l) => l.startsWith("request 900002: tx ") && l.endsWith("giving up")),
        lines.join("\n"),
      );
      const onDisk = JSON.parse(readFileSync(ledgerFile, "utf8")) as {
        submissions: { requestId: string; state: string }[];
      };
      assert.deepEqual(
        onDisk.submissions.map((e) => e.state),
        ["expired", "expired"],
      );
      assert.equal(node.stats.backendCalls, 0, "nothing was answered again");
      assert.equal(node.stats.signed, 0, "nothing was signed again");
    } finally {
      await node.stop();
    }
  });

  it("a broadcast entry whose transaction is in a block is recorded confirmed and counted after a restart", async () => {
    const entry = confirmed;
    assert.ok(entry?.txHash, "the first test left a confirmed submission");
    const ledgerFile = join(home, "restarted", "submissions.json");
    mkdirSync(dirname(ledgerFile), { recursive: true });
    writeFileSync(ledgerFile, JSON.stringify({ submissions: [{ ...entry, state: "broadcast" }] }));
    const node = await startNode(ledgerFile, []);
    try {
      await waitFor("the confirmation", async () =>
        node.ledger.get(entry.requestId)?.state === "confirmed" ? true : undefined,
      );
      assert.equal(node.stats.confirmed, 1, "a confirmation found after a restart is counted");
      assert.equal(node.stats.backendCalls, 0);
      assert.equal(node.stats.signed, 0);
    } finally {
      await node.stop();
    }
  });

  it("poq node run killed between signing and broadcasting sends the same transaction after a restart", async () => {
    const ledgerFile = join(home, "inference", operatorAddress, "submissions.json");
    const run = (env: NodeJS.ProcessEnv = {}) => {
      const child = spawn(
        process.execPath,
        [
          POQ_BIN,
          "--home",
          home,
          "--node",
          rpc,
          "node",
          "run",
          "--backend",
          standin.url,
          "--from",
          "operator",
          "--keyring-backend",
          "test",
        ],
        { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } },
      );
      children.push(child);
      let log = "";
      child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
      const exited = new Promise<string | number | null>((r) =>
        child.once("exit", (code, sig) => r(sig ?? code)),
      );
      return { child, exited, log: () => log };
    };
    const first = run({ POQ_FAULT_KILL_AFTER_SIGN: "1" });
    await waitFor("the node to follow blocks", async () =>
      first.log().includes("following") ? true : undefined,
    );
    const callsBefore = standin.calls;
    const id = (await ask("How do I cook rice on the stove so it is fluffy?")).toString();
    assert.equal(await first.exited, "SIGKILL", first.log());
    const ledger = JSON.parse(readFileSync(ledgerFile, "utf8")) as {
      submissions: { requestId: string; state: string; txHash: string }[];
    };
    const signed = ledger.submissions.find((e) => e.requestId === id);
    assert.equal(signed?.state, "broadcast", "killed after the signed bytes were written");
    assert.equal((await queryRequest(rpc, id))?.status, "ASSIGNED", "nothing was broadcast before the kill");

    const second = run();
    const r = await waitFor("the response on chain", async () => {
      const req = await queryRequest(rpc, id);
      return req && req.responded_height !== "0" ? req : undefined;
    });
    await waitFor("the ledger to say confirmed", async () => {
      const entries = (
        JSON.parse(readFileSync(ledgerFile, "utf8")) as {
          submissions: { requestId: string; state: string }[];
        }
      ).submissions;
      return entries.some((e) => e.requestId === id && e.state === "confirmed") ? true : undefined;
    });
    second.child.kill("SIGINT");
    await second.exited;
    assert.ok(second.log().includes(`request ${id}: broadcast tx ${signed.txHash}`), second.log());
    assert.equal(standin.calls - callsBefore, 1, "the backend was asked once");
    assert.ok(r.response.startsWith("Rinse one cup of rice"), r.response);
    // Sequence: 1 for the registration, 1 for each request answered so far (test 1 and this one).
    const account = await requesterClient.getAccount(operatorAddress);
    assert.equal(
      account?.sequence,
      3,
      `operator signed ${account?.sequence} transactions, expected 3 (no second submission)`,
    );
  });

  it("with the backend down it retries, then the request expires at its deadline and the fee is refunded", async () => {
    const lines: string[] = [];
    const node = await startNode(join(home, "down", "submissions.json"), lines, {
      backend: createChatBackend({ url: "http://127.0.0.1:26719", timeoutMs: 2000 }),
      retryMs: 200,
      maxRetryMs: 1000,
    });
    try {
      await settled();
      const before = BigInt((await requesterClient.getBalance(requesterAddress, "upoq")).amount);
      const id = await ask("Why is the sky blue?");
      const r: RequestRecord = await waitFor(
        "expiry",
        async () => {
          const req = await queryRequest(rpc, id);
          return req?.status === "EXPIRED" ? req : undefined;
        },
        60_000,
      );
      assert.equal(r.response, "");
      assert.ok(node.stats.backendFailures >= 2, `retried: ${node.stats.backendFailures} failures`);
      assert.ok(
        lines.some((l) => /cannot reach backend/.test(l) && /retry 2 in/.test(l)),
        lines.join("\n"),
      );
      const afterBalance = BigInt((await requesterClient.getBalance(requesterAddress, "upoq")).amount);
      assert.equal(afterBalance, before - BigInt(FIXED_FEE.amount[0]!.amount), "only the gas fee is spent");
      assert.equal(node.stats.signed, 0);
    } finally {
      await node.stop();
    }
  });

  it("jailed by that miss, a node run with autoUnjail unjails itself once its backend answers, and serves", async () => {
    assert.equal(
      (await queryNode(rpc, operatorAddress))?.jailed,
      true,
      "the missed deadline above jailed it",
    );
    const lines: string[] = [];
    const node = await startNode(join(home, "unjail", "submissions.json"), lines, { autoUnjail: true });
    try {
      await waitFor("the unjail", async () =>
        lines.some((l) => /auto-unjail: .*sent MsgUnjailNode/.test(l)) ? true : undefined,
      );
      assert.equal((await queryNode(rpc, operatorAddress))?.jailed, false);
      const id = await ask("Why is the sky blue?");
      await waitFor("the response", async () => {
        const req = await queryRequest(rpc, id);
        return req && req.responded_height !== "0" ? req : undefined;
      });
    } finally {
      await node.stop();
    }
  });
});
