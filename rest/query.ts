/**
 * ABCI queries from REST handlers: protobuf in, protobuf out, and the app's error codes mapped
 * onto the REST error catalogue.
 */
import { fromBech32 } from "@cosmjs/encoding";
import { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import type { ChainReader } from "./chain-reader.js";
import { RestError, type RestErrorName } from "./errors.js";
import type { PaginationQuery } from "./schemas.js";

/** gRPC status names as they appear in `rpc error: code = X desc = ...` logs. */
const GRPC_NAMES: Record<string, RestErrorName> = {
  NotFound: "NotFound",
  InvalidArgument: "InvalidArgument",
  FailedPrecondition: "FailedPrecondition",
  OutOfRange: "InvalidArgument",
};

/** SDK root codes (codespace `sdk`) that mean "no such thing" or "bad input". */
const SDK_NOT_FOUND = new Set([9, 22, 38]);
const SDK_BAD_INPUT = new Set([2, 3, 7, 8, 10, 17, 18, 26, 29]);

/**
 * Maps a failed ABCI query to a REST error: a known gRPC status in the log wins, then the SDK root
 * codes, then the module's word "not found"; anything else is a failed precondition (4xx), since
 * the node answered and only the query's arguments differ between calls.
 *
 * @example
 * queryErrorName(22, "sdk", "key not found"); // "NotFound"
 */
export function queryErrorName(code: number, codespace: string, log: string): RestErrorName {
  const grpc = /rpc error: code = (\w+)/.exec(log);
  // "Unknown" and other unmapped statuses say nothing: fall through to the codes and the log.
  const fromGrpc = grpc?.[1] !== undefined ? GRPC_NAMES[grpc[1]] : undefined;
  if (fromGrpc !== undefined) return fromGrpc;
  if (codespace === "sdk" && SDK_NOT_FOUND.has(code)) return "NotFound";
  if (codespace === "sdk" && SDK_BAD_INPUT.has(code)) return "InvalidArgument";
  if (/not found/i.test(log)) return "NotFound";
  if (codespace === "undefined" || code === 1) return "Internal";
  return "FailedPrecondition";
}

/**
 * Runs an ABCI query and decodes the answer, or throws the mapped {@link RestError}.
 *
 * @example
 * const res = await queryProto(reader, "/cosmos.bank.v1beta1.Query/Balance",
 *   QueryBalanceRequest.encode({ address, denom }).finish(), QueryBalanceResponse);
 */
export async function queryProto<T>(
  reader: ChainReader,
  path: string,
  request: Uint8Array,
  response: { decode(bytes: Uint8Array): T },
): Promise<T> {
  const value = await queryValue(reader, path, request);
  try {
    return response.decode(value);
  } catch (cause) {
    throw new RestError("Internal", `query ${path}: the node answered bytes that do not decode`, cause);
  }
}

/**
 * Runs a JSON ABCI query (the poq module's: JSON in, JSON out, see ARCHITECTURE.md) and parses the
 * answer, or throws the mapped {@link RestError}.
 *
 * @example
 * const { request } = await queryJson(reader, "/poq.v1.Query/Request", { id: "1" });
 */
export async function queryJson(
  reader: ChainReader,
  path: string,
  request: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const value = await queryValue(reader, path, new TextEncoder().encode(JSON.stringify(request)));
  try {
    return JSON.parse(new TextDecoder().decode(value)) as Record<string, unknown>;
  } catch (cause) {
    throw new RestError("Internal", `query ${path}: the node answered something that is not JSON`, cause);
  }
}

/** The answer bytes of an ABCI query, or the mapped {@link RestError} when the node refused it. */
async function queryValue(reader: ChainReader, path: string, request: Uint8Array): Promise<Uint8Array> {
  const r = await reader.abciQuery(path, request);
  if (r.code !== 0) {
    const message = r.log || `query ${path} failed with ${r.codespace}/${r.code}`;
    throw new RestError(queryErrorName(r.code, r.codespace, r.log), message);
  }
  return r.value;
}

/**
 * Checks a bech32 address (prefix and checksum); throws InvalidArgument otherwise.
 *
 * @example
 * assertAddress("poq1...", "poq");
 */
export function assertAddress(address: string, prefix = "poq"): void {
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address);
  } catch (cause) {
    throw new RestError("InvalidArgument", `invalid address ${JSON.stringify(address)}: bad bech32`, cause);
  }
  if (decoded.prefix !== prefix)
    throw new RestError("InvalidArgument", `invalid address ${address}: expected prefix ${prefix}`);
  if (decoded.data.length !== 20 && decoded.data.length !== 32)
    throw new RestError("InvalidArgument", `invalid address ${address}: expected 20 or 32 bytes`);
}

/** Decodes standard or URL-safe base64; throws InvalidArgument on anything else. */
export function decodeBase64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1)
    throw new RestError("InvalidArgument", `${what} is not base64`);
  return Uint8Array.from(
    Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64"),
  );
}

/**
 * The `pagination.*` query parameters as a `PageRequest`.
 *
 * @example
 * pageRequest({ "pagination.limit": 10 }); // PageRequest{limit: 10n, ...}
 */
export function pageRequest(q: PaginationQuery): PageRequest {
  const key = q["pagination.key"] ? decodeBase64(q["pagination.key"], "pagination.key") : new Uint8Array();
  const offset = BigInt(q["pagination.offset"] ?? 0);
  if (key.length > 0 && offset > 0n)
    throw new RestError("InvalidArgument", "pagination.key and pagination.offset are mutually exclusive");
  return PageRequest.fromPartial({
    key,
    offset,
    limit: BigInt(q["pagination.limit"] ?? 0),
    countTotal: q["pagination.count_total"] ?? false,
    reverse: q["pagination.reverse"] ?? false,
  });
}

/**
 * Offset pagination over a list held in memory; `next_key` is the base64 of the next offset as 8
 * big-endian bytes (any such key is accepted: past the end, the page is empty).
 *
 * @example
 * const { items, pagination } = pageList(all, { "pagination.limit": 10 });
 */
export function pageList<T>(
  all: T[],
  q: PaginationQuery,
): { items: T[]; pagination: { next_key: string | null; total: string } } {
  let offset = q["pagination.offset"] ?? 0;
  if (q["pagination.key"]) {
    const key = decodeBase64(q["pagination.key"], "pagination.key");
    if (key.length !== 8)
      throw new RestError("InvalidArgument", "pagination.key is not a key this server issued");
    const at = Buffer.from(key).readBigUInt64BE();
    offset = at > BigInt(all.length) ? all.length : Number(at);
  }
  const limit = q["pagination.limit"] || 100;
  const ordered = q["pagination.reverse"] ? [...all].reverse() : all;
  const items = ordered.slice(offset, offset + limit);
  const nextKey = Buffer.alloc(8);
  nextKey.writeBigUInt64BE(BigInt(offset + limit));
  const next = offset + limit < ordered.length ? nextKey.toString("base64") : null;
  return {
    items,
    pagination: { next_key: next, total: q["pagination.count_total"] ? String(all.length) : "0" },
  };
}
