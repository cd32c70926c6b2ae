/**
 * JSON schemas shared by the route groups. Response schemas are strict (no additional
 * properties) except where the gateway renders an open-ended Any.
 */

/** Bech32 characters after the separator. */
const BECH32_DATA = "[qpzry9x8gf2tvdw0s3jn54khce6mua7l]";

/** An account address of this chain (checksum checked in the handler). */
export const accountAddress = {
  type: "string",
  pattern: `^poq1${BECH32_DATA}{38,59}$`,
  description: "bech32 account address, prefix poq",
} as const;

/** Cosmos SDK denom syntax. */
export const denomSchema = { type: "string", pattern: "^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$" } as const;

export const coinSchema = {
  type: "object",
  properties: { denom: { type: "string" }, amount: { type: "string" } },
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
  "pagination.key": { type: "string", pattern: "^[A-Za-z0-9+/_-]*={0,2}$", maxLength: 1024 },
  "pagination.offset": { type: "integer", minimum: 0, maximum: 1_000_000_000 },
  "pagination.limit": { type: "integer", minimum: 0, maximum: 1000 },
  "pagination.count_total": { type: "boolean" },
  "pagination.reverse": { type: "boolean" },
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
  properties: { next_key: { type: ["string", "null"] }, total: { type: "string" } },
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
    height: { type: "string" },
    txhash: { type: "string" },
    codespace: { type: "string" },
    code: { type: "integer" },
    data: { type: "string" },
    raw_log: { type: "string" },
    logs: { type: "array", items: { type: "object", additionalProperties: true } },
    info: { type: "string" },
    gas_wanted: { type: "string" },
    gas_used: { type: "string" },
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

/** Error responses every route may answer with. */
export const errorResponses = {
  400: { $ref: "RestError#" },
  404: { $ref: "RestError#" },
  429: { $ref: "RestError#" },
  500: { $ref: "RestError#" },
  503: { $ref: "RestError#" },
} as const;
