/**
 * JSON schemas shared by the route groups. Response schemas are strict (no additional
 * properties) except where the gateway renders an open-ended Any. Request schemas say everything
 * the server checks (test/openapi-check.ts holds the server to its OpenAPI document).
 */
import { fromBech32 } from "@cosmjs/encoding";

/** Bech32 characters after the separator. */
const BECH32_DATA = "[qpzry9x8gf2tvdw0s3jn54khce6mua7l]";

/** Whether `text` is bech32 with `prefix`, a valid checksum and 20 or 32 data bytes. */
function isBech32(text: string, prefix: string): boolean {
  try {
    const { prefix: p, data } = fromBech32(text);
    return p === prefix && (data.length === 20 || data.length === 32);
  } catch {
    return false;
  }
}

/**
 * The custom JSON-schema formats the routes use, checked by the server's validator (server.ts) and
 * named in the OpenAPI document; a client that does not know a format still has the pattern.
 */
export const restFormats: Record<string, (text: string) => boolean> = {
  "poq-address": (t) => isBech32(t, "poq"),
  "poq-valoper": (t) => isBech32(t, "poqvaloper"),
};

/** An account address of this chain: the pattern, and the checksum through the `poq-address` format. */
export const accountAddress = {
  type: "string",
  pattern: `^poq1${BECH32_DATA}{38,59}$`,
  format: "poq-address",
  description: "bech32 account address, prefix poq, valid checksum, 20 or 32 bytes",
} as const;

/** A validator operator address (`poqvaloper1...`), checksum included. */
export const valoperAddress = {
  type: "string",
  pattern: `^poqvaloper1${BECH32_DATA}{38,59}$`,
  format: "poq-valoper",
  description: "bech32 validator operator address, prefix poqvaloper, valid checksum",
} as const;

/**
 * Standard or URL-safe base64 exactly as the server decodes it (rest/query.ts decodeBase64): groups of
 * four, a last group of two or three, at most two `=`.
 */
export const BASE64_PATTERN = "^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2,3})?={0,2}$";

/** A 64-bit unsigned integer written as a decimal string (Cosmos JSON). */
export const uint64String = { type: "string", pattern: "^[0-9]{1,20}$" } as const;

/** A key the server issued for the next page: 8 bytes (11 base64 characters and an optional `=`). */
const issuedKey = {
  type: "string",
  pattern: "^[A-Za-z0-9+/_-]{11}=?$",
  description: "next_key of the previous page",
} as const;

/** Cosmos SDK denom syntax. */
export const denomSchema = { type: "string", pattern: "^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$" } as const;

export const coinSchema = {
  type: "object",
  properties: { denom: { type: "string" }, amount: { type: "string", pattern: "^[0-9]+$" } },
  required: ["denom", "amount"],
  additionalProperties: false,
} as const;

/** An Any rendered with `@type` and its fields. */
export const anySchema = {
  type: "object",
  properties: { "@type": { type: "string" } },
  required: ["@type"],
  additionalProperties: true,
} as const;

export const nullableAnySchema = { ...anySchema, type: ["object", "null"] } as const;

/** `pagination.*` query parameters of `cosmos.base.query.v1beta1.PageRequest`. */
export const paginationQuery = {
  "pagination.key": {
    type: "string",
    pattern: BASE64_PATTERN,
    maxLength: 1024,
    description: "base64 key from next_key; not together with pagination.offset",
  },
  "pagination.offset": { type: "integer", minimum: 0, maximum: 1_000_000_000 },
  "pagination.limit": { type: "integer", minimum: 0, maximum: 1000 },
  "pagination.count_total": { type: "boolean" },
  "pagination.reverse": { type: "boolean" },
} as const;

/** Pagination of lists the server pages itself (nodes, validators): keys are ones it issued. */
export const offsetPaginationQuery = {
  ...paginationQuery,
  "pagination.key": {
    ...issuedKey,
    description: "next_key of the previous page (takes precedence over offset)",
  },
} as const;

/**
 * Pagination of `/poq/v1/requests`: the module pages by ascending id, so only `key` and `limit` (and
 * `count_total`, which is always "0"): an offset or reverse order is refused.
 */
export const requestPaginationQuery = {
  ...paginationQuery,
  "pagination.key": issuedKey,
  "pagination.offset": { type: "integer", minimum: 0, maximum: 0, description: "only 0: use pagination.key" },
  "pagination.reverse": { type: "boolean", enum: [false], description: "only false: ids ascend" },
} as const;

export interface PaginationQuery {
  "pagination.key"?: string;
  "pagination.offset"?: number;
  "pagination.limit"?: number;
  "pagination.count_total"?: boolean;
  "pagination.reverse"?: boolean;
}

export const pageResponseSchema = {
  type: "object",
  properties: { next_key: { type: ["string", "null"] }, total: uint64String },
  required: ["next_key", "total"],
  additionalProperties: false,
} as const;

export const eventSchema = {
  type: "object",
  properties: {
    type: { type: "string" },
    attributes: {
      type: "array",
      items: {
        type: "object",
        properties: { key: { type: "string" }, value: { type: "string" }, index: { type: "boolean" } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/** `cosmos.base.abci.v1beta1.TxResponse`. */
export const txResponseSchema = {
  type: "object",
  properties: {
    height: uint64String,
    txhash: { type: "string", pattern: "^[0-9A-F]{64}$" },
    codespace: { type: "string" },
    code: { type: "integer" },
    data: { type: "string" },
    raw_log: { type: "string" },
    logs: { type: "array", items: { type: "object", additionalProperties: true } },
    info: { type: "string" },
    gas_wanted: uint64String,
    gas_used: uint64String,
    tx: nullableAnySchema,
    timestamp: { type: "string" },
    events: { type: "array", items: eventSchema },
  },
  required: ["height", "txhash", "code", "raw_log"],
  additionalProperties: false,
} as const;

/** `cosmos.tx.v1beta1.Tx` JSON: open below the top level (messages are Anys). */
export const txSchema = {
  type: "object",
  properties: {
    body: { type: "object", additionalProperties: true },
    auth_info: { type: "object", additionalProperties: true },
    signatures: { type: "array", items: { type: "string" } },
  },
  additionalProperties: false,
} as const;

const restError = (description: string) => ({ $ref: "RestError#", description }) as const;

/** Error responses every route may answer with (the error catalogue, rest/errors.ts). */
export const errorResponses = {
  400: restError("bad input (code 3), or the chain refused the query for a reason of state (code 9)"),
  404: restError("no such account, transaction, request, node or validator (code 5)"),
  429: restError("rate limited (code 8)"),
  500: restError("a bug in the server or the node (code 13)"),
  503: restError("the node's CometBFT RPC could not be reached (code 14)"),
} as const;

/** What a route with a JSON body may also answer. */
export const bodyErrorResponses = {
  ...errorResponses,
  413: restError("the body is larger than the server accepts (code 3)"),
  415: restError("the body is not JSON (code 3)"),
} as const;
