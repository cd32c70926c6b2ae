/**
 * Routing, validation and error-shape tests of the REST server through `inject()`, with a
 * chain reader that answers from memory. The endpoint shapes against a real network are in
 * test/rest.e2e.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { toBech32 } from "@cosmjs/encoding";
import { QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { RpcError, type AbciQueryResult, type ChainReader } from "./chain-reader.js";
import { buildServer } from "./server.js";

const ADDRESS = toBech32("poq", new Uint8Array(20).fill(7));
const OTHER_PREFIX = toBech32("cosmos", new Uint8Array(20).fill(7));

const REQUEST = {
  id: "1",
  requester: ADDRESS,
  model: "llama-3-8b-instruct",
  prompt: "hi",
  fee: { denom: "upoq", amount: "1000" },
  min_quality: 0,
  status: "PENDING",
  node: "",
  response: "",
  quality: null,
  payout: null,
};

/** Records every query and broadcast so tests can assert that bad input reached nothing. */
function memoryReader(): ChainReader & { calls: string[] } {
  const calls: string[] = [];
  const ok = (value: Uint8Array): AbciQueryResult => ({ code: 0, codespace: "", log: "", value, height: 5n });
  return {
    calls,
    async abciQuery(path) {
      calls.push(path);
      if (path === "/cosmos.auth.v1beta1.Query/Account")
        return {
          code: 22,
          codespace: "sdk",
          log: "rpc error: code = NotFound desc = account not found",
          value: new Uint8Array(),
          height: 5n,
        };
      if (path === "/cosmos.bank.v1beta1.Query/AllBalances")
        return ok(QueryAllBalancesResponse.encode({ balances: [{ denom: "upoq", amount: "12" }] }).finish());
      if (path === "/poq.v1.Query/Request")
        return ok(new TextEncoder().encode(JSON.stringify({ request: { ...REQUEST, secret: "x" } })));
      return {
        code: 6,
        codespace: "sdk",
        log: `unknown query path ${path}`,
        value: new Uint8Array(),
        height: 5n,
      };
    },
    async broadcastTx() {
      calls.push("broadcast");
      return { code: 0, codespace: "", log: "", data: "", hash: "AB" };
    },
    async tx() {
      calls.push("tx");
      return undefined;
    },
    async txSearch() {
      calls.push("tx_search");
      return [];
    },
    async status() {
      calls.push("status");
      throw new Error("not used");
    },
    async block(height) {
      // CometBFT's answer for a future height.
      throw new RpcError(
        -32603,
        "Internal error",
        `height ${height} must be less than or equal to the current blockchain height 5`,
      );
    },
  };
}

describe("REST server (inject)", () => {
  let app: FastifyInstance;
  const reader = memoryReader();
  before(async () => {
    app = await buildServer({
      rpcUrl: "http://127.0.0.1:1",
      reader,
      rateLimit: { max: 1000, timeWindowMs: 60_000 },
    });
  });
  after(() => app.close());

  const badInputs: { method: "GET" | "POST"; url: string; payload?: unknown; status?: number }[] = [
    { method: "GET", url: "/cosmos/auth/v1beta1/accounts/notanaddress" },
    { method: "GET", url: `/cosmos/auth/v1beta1/accounts/${OTHER_PREFIX}` },
    { method: "GET", url: `/cosmos/auth/v1beta1/accounts/${ADDRESS.slice(0, -1)}q` },
    { method: "GET", url: `/cosmos/bank/v1beta1/balances/${ADDRESS}?pagination.limit=abc` },
    { method: "GET", url: `/cosmos/bank/v1beta1/balances/${ADDRESS}?pagination.limit=-1` },
    { method: "GET", url: `/cosmos/bank/v1beta1/balances/${ADDRESS}?pagination.key=%%%` },
    {
      method: "GET",
      url: `/cosmos/bank/v1beta1/balances/${ADDRESS}?pagination.key=AAAA&pagination.offset=2`,
    },
    { method: "GET", url: `/cosmos/bank/v1beta1/balances/${ADDRESS}/by_denom` },
    { method: "GET", url: `/cosmos/bank/v1beta1/balances/${ADDRESS}/by_denom?denom=%20x` },
    { method: "GET", url: "/cosmos/tx/v1beta1/txs/xyz" },
    { method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: {} },
    {
      method: "POST",
      url: "/cosmos/tx/v1beta1/txs",
      payload: { tx_bytes: "!!", mode: "BROADCAST_MODE_SYNC" },
    },
    {
      method: "POST",
      url: "/cosmos/tx/v1beta1/txs",
      payload: { tx_bytes: "AAAA", mode: "BROADCAST_MODE_BLOCK" },
    },
    { method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: { tx_bytes: "AAAA", mode: "FAST" } },
    { method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: "not json" },
    { method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: "<xml/>", status: 415 },
    { method: "POST", url: "/cosmos/tx/v1beta1/simulate", payload: { tx_bytes: 5 } },
    { method: "GET", url: "/cosmos/base/tendermint/v1beta1/blocks/0" },
    { method: "GET", url: "/cosmos/staking/v1beta1/validators?status=WHATEVER" },
    { method: "GET", url: "/poq/v1/requests/abc" },
    { method: "GET", url: "/poq/v1/requests/0" },
    { method: "GET", url: "/poq/v1/requests?status=DONE" },
    { method: "GET", url: "/poq/v1/requests?pagination.reverse=true" },
    { method: "GET", url: "/poq/v1/requests?pagination.key=AAAA" },
    { method: "GET", url: "/cosmos/staking/v1beta1/validators/poq1abc" },
    { method: "GET", url: "/poq/v1/requests?requester=poq1xyz" },
    { method: "GET", url: "/poq/v1/nodes/cosmos1abc" },
  ];

  for (const bad of badInputs) {
    it(`rejects ${bad.method} ${bad.url} ${bad.payload === undefined ? "" : JSON.stringify(bad.payload)} with a 4xx JSON error`, async () => {
      const before = reader.calls.length;
      const res = await app.inject({
        method: bad.method,
        url: bad.url,
        ...(bad.payload === undefined
          ? {}
          : typeof bad.payload === "string"
            ? {
                payload: bad.payload,
                headers: { "content-type": bad.payload.startsWith("<") ? "application/xml" : "text/plain" },
              }
            : { payload: bad.payload as object }),
      });
      assert.equal(res.statusCode, bad.status ?? 400, res.body);
      const body = res.json<{ code: number; message: string; details: unknown[] }>();
      assert.equal(body.code, 3);
      assert.ok(body.message.length > 0);
      assert.deepEqual(body.details, []);
      assert.equal(reader.calls.length, before, "bad input must not reach the node");
    });
  }

  it("answers a future block height with 400 code 9 (a height it does not have) in one RPC call", async () => {
    const res = await app.inject({ url: "/cosmos/base/tendermint/v1beta1/blocks/99999999" });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<{ code: number }>().code, 9);
    assert.ok(!reader.calls.includes("status"), "no status call before the block");
  });

  it("answers a request id past uint64 with 404 code 5 without asking the node", async () => {
    const before = reader.calls.length;
    const res = await app.inject({ url: "/poq/v1/requests/99999999999999999999" });
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json<{ code: number }>().code, 5);
    assert.equal(reader.calls.length, before);
  });

  it("answers an unknown route with 404 code 5", async () => {
    const res = await app.inject({ url: "/nope" });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ code: number }>().code, 5);
  });

  it("answers a known path with an unknown method with 405 and Allow", async () => {
    const del = await app.inject({ method: "DELETE", url: `/cosmos/auth/v1beta1/accounts/${ADDRESS}` });
    assert.equal(del.statusCode, 405, del.body);
    assert.equal(del.headers.allow, "GET, HEAD");
    assert.equal(del.json<{ code: number }>().code, 12);
    const put = await app.inject({ method: "PUT", url: "/cosmos/tx/v1beta1/txs" });
    assert.equal(put.statusCode, 405, put.body);
    assert.match(String(put.headers.allow), /POST/);
    assert.equal((await app.inject({ method: "DELETE", url: "/nope" })).statusCode, 404);
  });

  it("maps the app's NotFound to 404 code 5, as the SDK gateway does", async () => {
    const res = await app.inject({ url: `/cosmos/auth/v1beta1/accounts/${ADDRESS}` });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), {
      code: 5,
      message: "rpc error: code = NotFound desc = account not found",
      details: [],
    });
  });

  it("passes pagination through and renders balances", async () => {
    const res = await app.inject({ url: `/cosmos/bank/v1beta1/balances/${ADDRESS}?pagination.limit=10` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      balances: [{ denom: "upoq", amount: "12" }],
      pagination: { next_key: null, total: "0" },
    });
  });

  it("strips fields the response schema does not name", async () => {
    const res = await app.inject({ url: "/poq/v1/requests/1" });
    assert.equal(res.statusCode, 200, res.body);
    const request = res.json<{ request: Record<string, unknown> }>().request;
    assert.equal(request["id"], "1");
    assert.equal(request["secret"], undefined);
  });

  it("publishes OpenAPI 3 with every route group", async () => {
    const res = await app.inject({ url: "/openapi.json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      "/cosmos/auth/v1beta1/accounts/{address}",
      "/cosmos/bank/v1beta1/balances/{address}",
      "/cosmos/bank/v1beta1/balances/{address}/by_denom",
      "/cosmos/bank/v1beta1/supply",
      "/cosmos/tx/v1beta1/txs",
      "/cosmos/tx/v1beta1/txs/{hash}",
      "/cosmos/tx/v1beta1/simulate",
      "/cosmos/base/tendermint/v1beta1/node_info",
      "/cosmos/base/tendermint/v1beta1/blocks/latest",
      "/cosmos/staking/v1beta1/validators",
      "/poq/v1/params",
      "/poq/v1/requests",
      "/poq/v1/requests/{id}",
      "/poq/v1/nodes",
      "/poq/v1/nodes/{address}",
      "/poq/v1/validators",
      "/chain-info/keplr",
    ])
      assert.ok(doc.paths[path], `openapi lacks ${path}`);
    const docs = await app.inject({ url: "/docs/static/index.html" });
    assert.ok(docs.statusCode === 200 || docs.statusCode === 302, `docs answered ${docs.statusCode}`);
    const css = await app.inject({ url: "/docs/static/swagger-ui.css" });
    assert.equal(css.statusCode, 200);
  });
});

describe("REST server limits and failures", () => {
  it("rate-limits with 429 code 8", async () => {
    const app = await buildServer({
      rpcUrl: "http://127.0.0.1:1",
      reader: memoryReader(),
      rateLimit: { max: 2, timeWindowMs: 60_000 },
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await app.inject({ url: "/nope" })).statusCode);
      const res = await app.inject({ url: "/nope" });
      assert.deepEqual(codes, [404, 404, 429]);
      assert.equal(res.json<{ code: number }>().code, 8);
      assert.ok(res.headers["retry-after"]);
    } finally {
      await app.close();
    }
  });

  it("answers 503 code 14 when the node's RPC is unreachable", async () => {
    const app = await buildServer({ rpcUrl: "http://127.0.0.1:9", rateLimit: false });
    try {
      const res = await app.inject({ url: "/cosmos/base/tendermint/v1beta1/node_info" });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json<{ code: number }>().code, 14);
    } finally {
      await app.close();
    }
  });

  it("sends CORS headers for allowed origins only", async () => {
    const app = await buildServer({
      rpcUrl: "http://127.0.0.1:9",
      reader: memoryReader(),
      cors: { origins: ["http://a.test"] },
    });
    try {
      const ok = await app.inject({ url: "/nope", headers: { origin: "http://a.test" } });
      assert.equal(ok.headers["access-control-allow-origin"], "http://a.test");
      const other = await app.inject({ url: "/nope", headers: { origin: "http://b.test" } });
      assert.equal(other.headers["access-control-allow-origin"], undefined);
    } finally {
      await app.close();
    }
  });
});
