/**
 * PoQ end to end through the REST server, the web page and the TypeScript client, on a real
 * one-validator network with the bundled evaluator: a node registers (poq/client), a browser
 * (headless Chromium, a Keplr-compatible provider backed by a CosmJS wallet) connects and submits a
 * request, the node answers (poq/client), and the page shows the final score. Then the PoQ routes'
 * shapes and bad input. Screenshot: dist/test-artifacts/rest-web.png.
 * Ports 26320-26329 (CometBFT) and 26391 (REST).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBase64, fromBase64 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { validateBasicChainInfoType } from "@keplr-wallet/chain-validator";
import { chromium, type Browser } from "playwright-core";
import {
  commitResponse,
  createPoqQueryClient,
  waitForAssignment,
  createPoqSigningClient,
  registerNode,
  requestInference,
  revealResponse,
  submitResponse,
  waitForQuality,
  type PoqQueryClient,
} from "../client/index.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { startRestServer } from "../rest/server.js";
import { waitFor } from "./wait-for.js";

const CHAIN_ID = "poq-web-1";
const MODEL = "llama-3-8b-instruct";
const CHROMIUM = process.env.POQ_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join(process.cwd(), "dist", "test-artifacts");
const ANSWER =
  "Proof of Quality pays an inference node by the quality of its answer: validators score each response " +
  "with a small evaluator model and the chain takes the stake-weighted median of their scores.";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- gateway JSON read by path in assertions

describe("PoQ through REST, the web page and poq/client", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "poq-rest-web-"));
  let net: LocalNetwork;
  let rest: Awaited<ReturnType<typeof startRestServer>>;
  let browser: Browser | undefined;
  let user: DirectSecp256k1HdWallet;
  let userAddress: string;
  let nodeAddress: string;
  let nodeClient: SigningStargateClient;
  let query: PoqQueryClient;
  let requestId = "";

  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(rest.url + path);
    return { status: res.status, body: (await res.json()) as Json };
  };

  before(async () => {
    user = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
    const nodeWallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
    userAddress = (await user.getAccounts())[0]!.address;
    nodeAddress = (await nodeWallet.getAccounts())[0]!.address;
    net = await startLocalNetwork({
      dir,
      chainId: CHAIN_ID,
      validators: 1,
      basePort: 26320,
      accounts: [
        { address: userAddress, coins: [{ denom: "upoq", amount: "1000000000" }] },
        { address: nodeAddress, coins: [{ denom: "upoq", amount: "1000000000" }] },
      ],
    });
    await net.waitForHeight(2);
    rest = await startRestServer({ rpcUrl: net.rpcUrl(0), listen: "127.0.0.1:26391", rateLimit: false });
    nodeClient = await createPoqSigningClient(net.rpcUrl(0), nodeWallet);
    query = await createPoqQueryClient(net.rpcUrl(0));
  });

  after(async () => {
    await browser?.close();
    nodeClient?.disconnect();
    query?.disconnect();
    await rest?.close();
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("registers an inference node with poq/client and lists it", async () => {
    const res = await registerNode(nodeClient, nodeAddress, {
      models: [MODEL],
      stake: "5000000upoq",
      moniker: "web-node",
    });
    assert.ok(res.height > 0);
    const one = await get(`/poq/v1/nodes/${nodeAddress}`);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(one.body.node.operator, nodeAddress);
    assert.deepEqual(one.body.node.models, [MODEL]);
    assert.deepEqual(one.body.node.stake, { denom: "upoq", amount: "5000000" });
    assert.equal(one.body.node.average_quality, 0);
    const all = await get("/poq/v1/nodes");
    assert.ok((all.body.nodes as Json[]).some((n) => n.operator === nodeAddress));
  });

  it("the page connects Keplr, submits a request, and shows the score when it finalizes", async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `the browser test needs Chromium at ${CHROMIUM}: apt-get install -y chromium (or set POQ_CHROMIUM)`,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const page = await browser.newPage();
    const suggested: Json[] = [];
    const [account] = await user.getAccounts();
    // The Keplr-compatible provider: the page's calls cross into Node, where a CosmJS wallet signs.
    await page.exposeFunction("__poqSuggest", (info: Json) => void suggested.push(info));
    await page.exposeFunction("__poqSignDirect", async (signer: string, doc: Json) => {
      const res = await user.signDirect(signer, {
        bodyBytes: fromBase64(doc.bodyBytes),
        authInfoBytes: fromBase64(doc.authInfoBytes),
        chainId: doc.chainId,
        accountNumber: BigInt(doc.accountNumber),
      });
      return {
        bodyBytes: toBase64(res.signed.bodyBytes),
        authInfoBytes: toBase64(res.signed.authInfoBytes),
        signature: res.signature.signature,
      };
    });
    await page.addInitScript(
      ({ address, pubkey }) => {
        const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
        const enc = (b: Uint8Array) => btoa(String.fromCharCode(...b));
        const w = window as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> & {
          keplr: unknown;
        };
        w.keplr = {
          experimentalSuggestChain: (info: unknown) => w["__poqSuggest"]!(info),
          enable: async () => undefined,
          getOfflineSigner: () => ({
            getAccounts: async () => [{ address, pubkey: b64(pubkey), algo: "secp256k1" }],
            signDirect: async (
              signer: string,
              doc: {
                bodyBytes: Uint8Array;
                authInfoBytes: Uint8Array;
                chainId: string;
                accountNumber: bigint;
              },
            ) => {
              const r = (await w["__poqSignDirect"]!(signer, {
                bodyBytes: enc(doc.bodyBytes),
                authInfoBytes: enc(doc.authInfoBytes),
                chainId: doc.chainId,
                accountNumber: doc.accountNumber.toString(),
              })) as { bodyBytes: string; authInfoBytes: string; signature: string };
              return {
                signed: {
                  bodyBytes: b64(r.bodyBytes),
                  authInfoBytes: b64(r.authInfoBytes),
                  chainId: doc.chainId,
                },
                signature: {
                  signature: r.signature,
                  pub_key: { type: "tendermint/PubKeySecp256k1", value: pubkey },
                },
              };
            },
          }),
        };
      },
      { address: account!.address, pubkey: toBase64(account!.pubkey) },
    );

    await page.goto(rest.url + "/");
    await page.waitForFunction(() => document.getElementById("chain-id")?.textContent === "poq-web-1");
    await page.click("#connect");
    await page.waitForFunction(
      (a) => document.getElementById("wallet")?.textContent?.startsWith(a),
      userAddress,
    );
    assert.equal(suggested.length, 1);
    await validateBasicChainInfoType(suggested[0] as Parameters<typeof validateBasicChainInfoType>[0]);

    await page.fill('textarea[name="prompt"]', "What is Proof of Quality, in two sentences?");
    await page.fill('input[name="fee"]', "20000");
    await page.click("#submit");
    // The page learns the request id from the committed tx; the node answers it from here.
    await page.waitForFunction(
      () => /request \d+:/.test(document.getElementById("live")?.textContent ?? ""),
      null,
      {
        timeout: 60_000,
      },
    );
    requestId = /request (\d+):/.exec((await page.textContent("#live")) ?? "")![1]!;
    const assigned = await waitFor(
      `request ${requestId} to be assigned`,
      async () => (await query.getRequest(BigInt(requestId)))?.node || undefined,
      { timeoutMs: 50_000, intervalMs: 250 },
    );
    assert.equal(assigned, nodeAddress);
    await submitResponse(nodeClient, nodeAddress, BigInt(requestId), ANSWER);
    const final = await waitForQuality(query, BigInt(requestId), { timeoutMs: 120_000, pollMs: 500 });
    assert.equal(final.status, "FINALIZED", JSON.stringify(final));

    await page.waitForSelector("#live .live-score", { timeout: 30_000 });
    assert.equal(await page.textContent("#live .live-status"), "FINALIZED");
    assert.match((await page.textContent("#live .live-score")) ?? "", /^\d+\.\d\d%$/);
    await page.waitForSelector(`#requests-body tr[data-id="${requestId}"] svg rect`, { timeout: 15_000 });
    // The list shows the answer itself, and the chart's colours are explained.
    const shown = await page.getAttribute(`#requests-body tr[data-id="${requestId}"] .answer-text`, "title");
    assert.equal(shown, ANSWER);
    assert.match((await page.textContent("#legend")) ?? "", /red line[\s\S]*consensus\s+score/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "rest-web.png"), fullPage: true });
  });

  it("GET /poq/v1/requests/{id} has the SPEC's fields, quality and payout", async () => {
    assert.notEqual(requestId, "", "the browser test above must have made a request");
    const { status, body } = await get(`/poq/v1/requests/${requestId}`);
    assert.equal(status, 200);
    const r = body.request;
    for (const k of [
      "id",
      "requester",
      "model",
      "prompt",
      "fee",
      "min_quality",
      "status",
      "node",
      "response",
    ])
      assert.ok(k in r, `request lacks ${k}`);
    assert.equal(r.id, requestId);
    assert.equal(r.requester, userAddress);
    assert.equal(r.node, nodeAddress);
    assert.equal(r.response, ANSWER);
    assert.deepEqual(r.fee, { denom: "upoq", amount: "20000" });
    assert.match(r.created_height, /^[1-9]\d*$/);
    assert.match(r.finalized_height, /^[1-9]\d*$/);
    assert.ok(Number.isInteger(r.quality.score) && r.quality.score >= 0 && r.quality.score <= 10000);
    assert.equal(r.quality.scores.length, 1);
    assert.match(r.quality.scores[0].validator, /^poqvalcons1/);
    assert.match(r.quality.scores[0].power, /^\d+$/);
    assert.equal(typeof r.payout.refund, "string");

    const mine = await get(`/poq/v1/requests?requester=${userAddress}&status=FINALIZED`);
    assert.deepEqual(
      (mine.body.requests as Json[]).map((x) => x.id),
      [requestId],
    );
    const byNode = await get(`/poq/v1/requests?node=${nodeAddress}&pagination.limit=1`);
    assert.equal(byNode.body.requests.length, 1);
    const none = await get(`/poq/v1/requests?status=EXPIRED`);
    assert.deepEqual(none.body, { requests: [], pagination: { next_key: null, total: "0" } });
    const node = (await get(`/poq/v1/nodes/${nodeAddress}`)).body.node;
    assert.equal(node.served, "1");
    assert.equal(node.average_quality, r.quality.score);
  });

  it("a replicated request: REST lists every answer, the page shows them and marks the best", async () => {
    assert.ok(browser, "the browser test above must have launched Chromium");
    const secondWallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
    const second = (await secondWallet.getAccounts())[0]!.address;
    const userClient = await createPoqSigningClient(net.rpcUrl(0), user);
    await userClient.sendTokens(userAddress, second, [{ denom: "upoq", amount: "100000000" }], "auto");
    const secondClient = await createPoqSigningClient(net.rpcUrl(0), secondWallet);
    await registerNode(secondClient, second, {
      models: [MODEL],
      stake: "5000000upoq",
      moniker: "web-node-2",
    });
    const sent = await requestInference(userClient, userAddress, {
      model: MODEL,
      prompt: "What is Proof of Quality, in two sentences?",
      fee: "20000upoq",
      replicas: 2,
    });
    userClient.disconnect();
    const assigned = await waitForAssignment(query, sent.requestId, { timeoutMs: 30_000, pollMs: 200 });
    assert.deepEqual([...assigned.assigned_nodes].sort(), [nodeAddress, second].sort());
    const weak = "I do not know.";
    const plan = [
      { client: nodeClient, node: nodeAddress, answer: ANSWER, salt: new Uint8Array(32).fill(7) },
      { client: secondClient, node: second, answer: weak, salt: new Uint8Array(32).fill(8) },
    ];
    for (const p of plan) await commitResponse(p.client, p.node, sent.requestId, p.answer, p.salt);
    for (const p of plan) await revealResponse(p.client, p.node, sent.requestId, p.answer, p.salt);
    secondClient.disconnect();
    const final = await waitForQuality(query, sent.requestId, { timeoutMs: 120_000, pollMs: 500 });
    assert.equal(final.status, "FINALIZED", JSON.stringify(final));

    const { body } = await get(`/poq/v1/requests/${sent.requestId}`);
    const r = body.request;
    assert.equal(r.responses.length, 2);
    for (const a of r.responses as Json[]) {
      assert.equal(a.status, "FINALIZED");
      assert.ok(Number.isInteger(a.quality.score), JSON.stringify(a));
      assert.equal(typeof a.payout.node, "string");
    }
    const best = (r.responses as Json[]).reduce((b, a) => (a.quality.score > b.quality.score ? a : b));
    assert.equal(r.node, best.node, "the top-level node is the best-scored answer's");
    assert.equal(r.response, best.response);
    assert.equal(r.quality.score, best.quality.score);

    const page = await browser.newPage();
    await page.goto(rest.url + "/");
    const row = `#requests-body tr[data-id="${sent.requestId}"]`;
    await page.waitForSelector(`${row} ol.answers li.answer`, { timeout: 15_000 });
    assert.equal(await page.locator(`${row} ol.answers li.answer`).count(), 2);
    assert.equal(await page.locator(`${row} ol.answers li.best`).count(), 1);
    assert.equal(
      await page.locator(`${row} ol.answers li.best`).getAttribute("data-id"),
      best.id,
      "the page marks the best-scored answer",
    );
    await page.close();
  });

  it("params, validators and bad input on the PoQ routes", async () => {
    const params = await get("/poq/v1/params");
    assert.equal(params.status, 200);
    assert.match(
      String(params.body.params.evaluatorModelSha256 ?? params.body.params.evaluator_model_sha256),
      /^[0-9a-f]{64}$/,
    );
    const vals = await get("/poq/v1/validators");
    assert.equal(vals.status, 200);
    assert.equal(vals.body.validators.length, 1);
    assert.match(vals.body.validators[0].validator, /^poqvalcons1/);
    assert.equal(typeof vals.body.validators[0].trust_bp, "number");
    for (const path of [
      "/poq/v1/requests/0",
      "/poq/v1/requests/x1",
      "/poq/v1/requests?status=NOPE",
      "/poq/v1/requests?requester=poq1bad",
      "/poq/v1/nodes/poq1bad",
    ]) {
      const { status, body } = await get(path);
      assert.equal(status, 400, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.code, 3);
    }
    const missing = await get("/poq/v1/requests/999999");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 5);
    const noNode = await get(`/poq/v1/nodes/${userAddress}`);
    assert.equal(noNode.status, 404);
  });
});
