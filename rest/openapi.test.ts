/**
 * The OpenAPI checker (test/openapi-check.ts) on the server through `inject()`, one operation and a
 * chain reader that knows one node: the document as served passes, and a document one check looser
 * than the server (the address checksum format left out) is caught. The full check of every
 * operation against a real chain is in test/rest.e2e.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { toBech32 } from "@cosmjs/encoding";
import type { ChainReader } from "./chain-reader.js";
import { buildServer } from "./server.js";
import { restFormats } from "./schemas.js";
import { checkOpenApi, type OpenApiDoc, type Send } from "../test/openapi-check.js";

const NODE = toBech32("poq", new Uint8Array(20).fill(3));
const ROUTE = "/poq/v1/nodes/{address}";

const reader: ChainReader = {
  async abciQuery(_path, data) {
    const { address } = JSON.parse(new TextDecoder().decode(data)) as { address: string };
    const node =
      address === NODE
        ? { operator: NODE, models: ["m"], stake: { denom: "upoq", amount: "10" }, status: "ACTIVE" }
        : null;
    return {
      code: 0,
      codespace: "",
      log: "",
      value: new TextEncoder().encode(JSON.stringify({ node })),
      height: 5n,
    };
  },
  broadcastTx: () => Promise.reject(new Error("not used")),
  tx: () => Promise.reject(new Error("not used")),
  status: () => Promise.reject(new Error("not used")),
  block: () => Promise.reject(new Error("not used")),
  txSearch: () => Promise.reject(new Error("not used")),
};

describe("OpenAPI document vs server (inject)", () => {
  let app: FastifyInstance;
  let doc: OpenApiDoc;
  const send: Send = async (method, url) => {
    const res = await app.inject({ method: method as "GET", url });
    return { status: res.statusCode, body: res.json() };
  };
  const only = (d: OpenApiDoc): OpenApiDoc => ({ ...d, paths: { [ROUTE]: d.paths[ROUTE]! } });

  before(async () => {
    app = await buildServer({ rpcUrl: "http://127.0.0.1:1", reader, rateLimit: false });
    doc = (await app.inject({ url: "/openapi.json" })).json<OpenApiDoc>();
  });
  after(() => app.close());

  it("finds nothing when the server does what its document says", async () => {
    const problems = await checkOpenApi(
      only(doc),
      send,
      { [`GET ${ROUTE}`]: { params: { address: NODE } } },
      {
        formats: restFormats,
      },
    );
    assert.deepEqual(problems, []);
  });

  it("catches a document looser than the server (the bech32 checksum left out)", async () => {
    const loose = structuredClone(only(doc));
    delete loose.paths[ROUTE]!["get"]!.parameters![0]!.schema.format;
    const problems = await checkOpenApi(
      loose,
      send,
      { [`GET ${ROUTE}`]: { params: { address: NODE } } },
      {
        formats: restFormats,
      },
    );
    assert.ok(
      problems.some((p) => /is allowed by the document, the server refused it/.test(p)),
      problems.join("\n"),
    );
  });

  it("catches an operation the fixtures do not cover", async () => {
    assert.deepEqual(await checkOpenApi(only(doc), send, {}), [
      `GET ${ROUTE}: no fixture (every documented operation is checked)`,
    ]);
  });
});
