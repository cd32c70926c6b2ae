/**
 * PoQ routes: params, inference requests (with filters and pagination), nodes and quality
 * validators. They read the poq module's ABCI queries, which take and return JSON (the module
 * stores its records as JSON in the API's own shape).
 */
import type { FastifyPluginAsync } from "fastify";
import { RequestStatus, type RequestView } from "../../app/modules/poq/state.js";
import { restorePrunedPage, restorePrunedTexts } from "../../client/pruned-texts.js";
import { PoqQueryPath } from "../../app/modules/poq/types/query-paths.js";
import { RestError } from "../errors.js";
import { nodeSchema, paramsSchema, requestSchema, validatorRecordSchema } from "../poq-schemas.js";
import { assertAddress, decodeBase64, pageList, queryJson } from "../query.js";
import {
  accountAddress,
  errorResponses,
  offsetPaginationQuery,
  pageResponseSchema,
  requestPaginationQuery,
  type PaginationQuery,
} from "../schemas.js";
import type { RouteOptions } from "./options.js";

type Json = Record<string, unknown>;

/**
 * The `Requests` query pages by request id (ascending, `key` = the first id of the next page); the
 * REST key is the base64 of that id as 8 big-endian bytes, as a store key would be.
 */
function requestsPage(q: PaginationQuery): { limit: number; key?: string } {
  if (q["pagination.offset"] !== undefined && q["pagination.offset"] !== 0)
    throw new RestError("InvalidArgument", "pagination.offset is not supported here; use pagination.key");
  if (q["pagination.reverse"])
    throw new RestError(
      "InvalidArgument",
      "pagination.reverse is not supported here: requests are listed by ascending id",
    );
  const limit = q["pagination.limit"] || 50;
  if (!q["pagination.key"]) return { limit };
  const key = decodeBase64(q["pagination.key"], "pagination.key");
  if (key.length !== 8)
    throw new RestError("InvalidArgument", "pagination.key is not a key this server issued");
  return { limit, key: Buffer.from(key).readBigUInt64BE().toString() };
}

function requestsNextKey(nextId: unknown): string | null {
  if (typeof nextId !== "string" || !/^[0-9]{1,20}$/.test(nextId)) return null;
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(nextId));
  return b.toString("base64");
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

const page = (field: string, items: object) =>
  ({
    type: "object",
    properties: { [field]: { type: "array", items }, pagination: pageResponseSchema },
    required: [field, "pagination"],
    additionalProperties: false,
  }) as const;

export const poqRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  app.get(
    "/poq/v1/params",
    {
      schema: {
        tags: ["poq"],
        summary: "The poq module's parameters (fees, windows, committee size, evaluator pin, ...)",
        response: {
          200: {
            type: "object",
            properties: { params: paramsSchema },
            required: ["params"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ params: (await queryJson(reader, PoqQueryPath.Params, {}))["params"] }),
  );

  app.get<{ Querystring: PaginationQuery & { status?: string; requester?: string; node?: string } }>(
    "/poq/v1/requests",
    {
      schema: {
        tags: ["poq"],
        summary:
          "Inference requests by ascending id; filter by status, requester, node (pruned requests' texts read back from the tx index)",
        querystring: {
          type: "object",
          properties: {
            status: { type: "string", enum: Object.values(RequestStatus) },
            requester: accountAddress,
            node: accountAddress,
            ...requestPaginationQuery,
          },
        },
        response: { 200: page("requests", requestSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { status, requester, node } = req.query;
      if (requester !== undefined) assertAddress(requester);
      if (node !== undefined) assertAddress(node);
      const res = await queryJson(reader, PoqQueryPath.Requests, {
        ...(status !== undefined ? { status } : {}),
        ...(requester !== undefined ? { requester } : {}),
        ...(node !== undefined ? { node } : {}),
        ...requestsPage(req.query),
      });
      const pagination = (res["pagination"] ?? {}) as Json;
      // Pruned requests' texts come back from the transactions that carried them (hash-checked), as
      // on the single-request route; bounded by the page (at most 200, a few index searches at a time).
      const requests = await restorePrunedPage(list(res["requests"]) as unknown as RequestView[], (q) =>
        reader.txSearch(q),
      );
      // The module does not count matches; "0" is what the SDK answers without count_total.
      return {
        requests,
        pagination: { next_key: requestsNextKey(pagination["next_key"]), total: "0" },
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/poq/v1/requests/:id",
    {
      schema: {
        tags: ["poq"],
        summary:
          "One inference request with its response, quality (consensus and per-validator), payouts and every answer (responses)",
        params: {
          type: "object",
          properties: {
            id: { type: "string", pattern: "^[1-9][0-9]{0,19}$", description: "request id (uint64)" },
          },
          required: ["id"],
        },
        response: {
          200: {
            type: "object",
            properties: { request: requestSchema },
            required: ["request"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      // Past uint64 no request can have the id: not found, as for any other id never used.
      if (BigInt(req.params.id) > 0xffffffffffffffffn)
        throw new RestError("NotFound", `request ${req.params.id} not found`);
      const res = await queryJson(reader, PoqQueryPath.Request, { id: req.params.id });
      if (!res["request"]) throw new RestError("NotFound", `request ${req.params.id} not found`);
      // A pruned request's texts come back from the transactions that carried them (hash-checked).
      return { request: await restorePrunedTexts(res["request"] as RequestView, (q) => reader.txSearch(q)) };
    },
  );

  app.get<{ Querystring: PaginationQuery }>(
    "/poq/v1/nodes",
    {
      schema: {
        tags: ["poq"],
        summary: "Registered inference nodes: stake, models, served, average quality, earnings, slashes",
        querystring: { type: "object", properties: offsetPaginationQuery },
        response: { 200: page("nodes", nodeSchema), ...errorResponses },
      },
    },
    async (req) => {
      const res = await queryJson(reader, PoqQueryPath.Nodes, {});
      const { items, pagination } = pageList(list(res["nodes"]), req.query);
      return { nodes: items, pagination };
    },
  );

  app.get<{ Params: { address: string } }>(
    "/poq/v1/nodes/:address",
    {
      schema: {
        tags: ["poq"],
        summary: "One inference node by operator address",
        params: { type: "object", properties: { address: accountAddress }, required: ["address"] },
        response: {
          200: {
            type: "object",
            properties: { node: nodeSchema },
            required: ["node"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      assertAddress(req.params.address);
      const res = await queryJson(reader, PoqQueryPath.Node, { address: req.params.address });
      const node = res["node"];
      if (!node || typeof node !== "object")
        throw new RestError("NotFound", `node ${req.params.address} not found`);
      return { node };
    },
  );

  app.get<{ Querystring: PaginationQuery }>(
    "/poq/v1/validators",
    {
      schema: {
        tags: ["poq"],
        summary: "Quality-validator records: committees served, revealed, missed, deviation, trust",
        querystring: { type: "object", properties: offsetPaginationQuery },
        response: { 200: page("validators", validatorRecordSchema), ...errorResponses },
      },
    },
    async (req) => {
      const res = await queryJson(reader, PoqQueryPath.Validators, {});
      const { items, pagination } = pageList(list(res["validators"]), req.query);
      return { validators: items, pagination };
    },
  );
};
