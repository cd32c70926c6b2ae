/** `cosmos.tx.v1beta1` gateway routes: broadcast, look up and simulate transactions. */
import { createHash } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { RpcError } from "../chain-reader.js";
import { RestError } from "../errors.js";
import { anyToJson, toSnakeJson, txResponseToJson, txToJson } from "../gateway-json.js";
import { decodeBase64, queryProto } from "../query.js";
import {
  bodyErrorResponses,
  errorResponses,
  eventSchema,
  nullableAnySchema,
  txResponseSchema,
  txSchema,
} from "../schemas.js";
import type { RouteOptions } from "./options.js";
import { isInjectedCommitTx } from "../../app/modules/poq/extended-commit.js";

/** Largest transaction accepted for broadcast or simulation (CometBFT's default max_tx_bytes). */
const MAX_TX_BYTES = 1024 * 1024;
/**
 * Base64 of at least one byte, as decodeBase64 reads it: {@link BASE64_PATTERN} without the empty string
 * (no lookahead, which some schema-driven generators do not support).
 */
const base64Body = {
  type: "string",
  pattern: "^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{4}|[A-Za-z0-9+/_-]{2,3})={0,2}$",
  maxLength: Math.ceil((MAX_TX_BYTES * 4) / 3) + 4,
  description: "base64 of a TxRaw (standard or URL-safe)",
} as const;

/** The modes served: BLOCK is deprecated in the SDK and UNSPECIFIED says nothing, so both are refused. */
const BROADCAST_MODES = ["BROADCAST_MODE_SYNC", "BROADCAST_MODE_ASYNC"] as const;
type BroadcastMode = (typeof BROADCAST_MODES)[number];

/** Mempool errors CometBFT answers as JSON-RPC errors, mapped to the SDK codes a node would return. */
function mempoolRejection(err: RpcError): { code: number; log: string } | undefined {
  const text = `${err.message} ${err.data}`;
  if (/already exists in cache/i.test(text)) return { code: 19, log: "tx already in mempool" };
  if (/mempool is full/i.test(text)) return { code: 20, log: err.data || "mempool is full" };
  if (/too large/i.test(text)) return { code: 21, log: err.data || "tx too large" };
  return undefined;
}

function emptyTxResponse(txhash: string, code: number, codespace: string, rawLog: string, data = "") {
  return {
    height: "0",
    txhash,
    codespace,
    code,
    data,
    raw_log: rawLog,
    logs: [],
    info: "",
    gas_wanted: "0",
    gas_used: "0",
    tx: null,
    timestamp: "",
    events: [],
  };
}

function txHashHex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").toUpperCase();
}

export const cosmosTxRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  app.post<{ Body: { tx_bytes: string; mode: BroadcastMode } }>(
    "/cosmos/tx/v1beta1/txs",
    {
      bodyLimit: Math.ceil((MAX_TX_BYTES * 4) / 3) + 1024,
      schema: {
        tags: ["cosmos"],
        summary: "Broadcast a signed TxRaw (sync: waits for CheckTx; async: returns at once)",
        body: {
          type: "object",
          properties: { tx_bytes: base64Body, mode: { type: "string", enum: BROADCAST_MODES } },
          required: ["tx_bytes", "mode"],
        },
        response: {
          200: {
            type: "object",
            properties: { tx_response: txResponseSchema },
            required: ["tx_response"],
            additionalProperties: false,
          },
          ...bodyErrorResponses,
        },
      },
    },
    async (req) => {
      const { mode } = req.body;
      const tx = decodeBase64(req.body.tx_bytes, "tx_bytes");
      try {
        const r = await reader.broadcastTx(tx, mode === "BROADCAST_MODE_SYNC" ? "sync" : "async");
        const data = r.data ? Buffer.from(r.data, "base64").toString("hex").toUpperCase() : "";
        return { tx_response: emptyTxResponse(r.hash.toUpperCase(), r.code, r.codespace, r.log, data) };
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        const rejection = mempoolRejection(err);
        if (!rejection)
          throw new RestError("InvalidArgument", `broadcast rejected: ${err.data || err.message}`);
        return { tx_response: emptyTxResponse(txHashHex(tx), rejection.code, "sdk", rejection.log) };
      }
    },
  );

  app.get<{ Params: { hash: string } }>(
    "/cosmos/tx/v1beta1/txs/:hash",
    {
      schema: {
        tags: ["cosmos"],
        summary: "A committed transaction by its hash (hex sha256 of TxRaw)",
        params: {
          type: "object",
          properties: { hash: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{64}$" } },
          required: ["hash"],
        },
        response: {
          200: {
            type: "object",
            properties: { tx: txSchema, tx_response: txResponseSchema },
            required: ["tx", "tx_response"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const hash = req.params.hash.replace(/^0x/, "");
      const t = await reader.tx(hash);
      if (!t) throw new RestError("NotFound", `tx not found: ${hash.toUpperCase()}`);
      // CometBFT indexes every block tx, also the proposer's injected vote extensions: not a Cosmos tx.
      if (isInjectedCommitTx(Buffer.from(t.tx, "base64")))
        throw new RestError(
          "NotFound",
          `${hash.toUpperCase()} is the block's injected vote extensions, not a transaction`,
        );
      const block = await reader.block(BigInt(t.height));
      const txJson = txToJson(Uint8Array.from(Buffer.from(t.tx, "base64")));
      return { tx: txJson, tx_response: txResponseToJson(t, block.block.header.time, txJson) };
    },
  );

  app.post<{ Body: { tx_bytes: string } }>(
    "/cosmos/tx/v1beta1/simulate",
    {
      bodyLimit: Math.ceil((MAX_TX_BYTES * 4) / 3) + 1024,
      schema: {
        tags: ["cosmos"],
        summary: "Simulate a transaction (signatures may be empty) to estimate gas",
        body: { type: "object", properties: { tx_bytes: base64Body }, required: ["tx_bytes"] },
        response: {
          200: {
            type: "object",
            properties: {
              gas_info: {
                type: "object",
                properties: { gas_wanted: { type: "string" }, gas_used: { type: "string" } },
                additionalProperties: false,
              },
              result: {
                type: "object",
                properties: {
                  data: { type: "string" },
                  log: { type: "string" },
                  events: { type: "array", items: eventSchema },
                  msg_responses: { type: "array", items: nullableAnySchema },
                },
                additionalProperties: false,
              },
            },
            required: ["gas_info", "result"],
            additionalProperties: false,
          },
          ...bodyErrorResponses,
        },
      },
    },
    async (req) => {
      const txBytes = decodeBase64(req.body.tx_bytes, "tx_bytes");
      if (txBytes.length === 0) throw new RestError("InvalidArgument", "tx_bytes is empty");
      const res = await queryProto(
        reader,
        "/cosmos.tx.v1beta1.Service/Simulate",
        SimulateRequest.encode(SimulateRequest.fromPartial({ txBytes })).finish(),
        SimulateResponse,
      ).catch((err: unknown) => {
        // A transaction that fails in simulation is the caller's input: 400, never 5xx.
        if (err instanceof RestError && err.kind.http >= 500 && err.kind.name !== "Unavailable")
          throw new RestError("InvalidArgument", err.message, err);
        throw err;
      });
      return {
        gas_info: {
          gas_wanted: (res.gasInfo?.gasWanted ?? 0n).toString(),
          gas_used: (res.gasInfo?.gasUsed ?? 0n).toString(),
        },
        result: {
          data: Buffer.from(res.result?.data ?? new Uint8Array()).toString("base64"),
          log: res.result?.log ?? "",
          events: (res.result?.events ?? []).map((e) =>
            toSnakeJson({ type: e.type, attributes: e.attributes }),
          ),
          msg_responses: (res.result?.msgResponses ?? []).map(anyToJson),
        },
      };
    },
  );
};
