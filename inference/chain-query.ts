/**
 * Reads the poq module over a node's CometBFT RPC: its ABCI queries take and return UTF-8 JSON in the
 * REST shapes (module README, "queries.ts"). One HTTP request per query, no connection kept open,
 * so that a stopped node never keeps the caller alive.
 */
import { toHex } from "@cosmjs/encoding";
import { BaseError } from "../app/errors.js";
import { cometRpc } from "../network/comet-process.js";
import type { NodeRecord, RequestView } from "../app/modules/poq/state.js";

/** A request as the queries return it (the stored record plus `responses`). */
type RequestRecord = RequestView;
import { PoqQueryPath } from "../app/modules/poq/types/query-paths.js";
import { restorePrunedPage, restorePrunedTexts, type SearchedTx } from "../client/pruned-texts.js";

/** The node could not be reached at all (refused, reset, timed out). */
export class NodeUnreachableError extends BaseError {
  override name = "NodeUnreachableError" as const;
}

/** The node answered the query with an error code. */
export class ChainQueryError extends BaseError {
  override name = "ChainQueryError" as const;
  readonly code: number;
  readonly codespace: string;

  constructor(path: string, code: number, codespace: string, log: string) {
    super(`query ${path} failed (${codespace}/${code})`, { details: log });
    this.code = code;
    this.codespace = codespace;
  }
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENOTFOUND", "ETIMEDOUT"]);

/** Whether an error means "nobody answered at that address". */
function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (e instanceof Error && /timed out|socket hang up|ECONNREFUSED|^fetch failed$/.test(e.message))
      return true;
    if (e instanceof NodeUnreachableError) return true;
  }
  return false;
}

/**
 * Runs an RPC call, turning connection failures into a {@link NodeUnreachableError} that names the URL.
 *
 * @example
 * const status = await reachNode("http://127.0.0.1:26657", () => cometStatus("http://127.0.0.1:26657"));
 */
export async function reachNode<T>(rpcUrl: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isUnreachable(err))
      throw new NodeUnreachableError(`cannot reach the node at ${rpcUrl}`, {
        details: "is it running? (set --node to its CometBFT RPC)",
        cause: err,
      });
    if (isNotRpc(err))
      throw new NodeUnreachableError(`${rpcUrl} answers, but not as a CometBFT RPC`, {
        details: "--node takes a node's CometBFT RPC (e.g. http://127.0.0.1:26657), not the REST API",
        cause: err,
      });
    throw err;
  }
}

/** Whether an error means "something answered HTTP there, but not CometBFT's JSON-RPC" (the REST port, say). */
function isNotRpc(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const text = e instanceof Error ? e.message : "";
    if (
      /^RPC \S+ failed: HTTP (404|405|501)$|^RPC \S+: not JSON|Bad status on response: (404|405|501)/.test(
        text,
      )
    )
      return true;
  }
  return false;
}

interface AbciQueryResult {
  response: { code?: number; codespace?: string; log?: string; value?: string | null };
}

/**
 * An ABCI query with a JSON body; returns the parsed JSON answer.
 *
 * @example
 * const { params } = await abciJsonQuery<{ params: Record<string, unknown> }>(rpc, PoqQueryPath.Params, {});
 */
export async function abciJsonQuery<T>(rpcUrl: string, path: string, body: object): Promise<T> {
  const data = toHex(new TextEncoder().encode(JSON.stringify(body)));
  const { response } = await reachNode(rpcUrl, () =>
    cometRpc<AbciQueryResult>(rpcUrl, `/abci_query?path=${encodeURIComponent(`"${path}"`)}&data=0x${data}`),
  );
  if (response.code !== undefined && response.code !== 0) {
    throw new ChainQueryError(path, response.code, response.codespace ?? "", response.log ?? "");
  }
  const text = Buffer.from(response.value ?? "", "base64").toString("utf8");
  return JSON.parse(text) as T;
}

/** One page of requests by filter, with the key of the next page (null on the last). */
export async function queryRequests(
  rpcUrl: string,
  filter: {
    status?: string;
    requester?: string;
    node?: string;
    limit?: number;
    key?: string;
    /** "true": list the answer records of replicated requests too (what a node is assigned). */
    answers?: string;
  },
): Promise<{ requests: RequestRecord[]; nextKey: string | null }> {
  const res = await abciJsonQuery<{ requests: RequestRecord[]; pagination: { next_key: string | null } }>(
    rpcUrl,
    PoqQueryPath.Requests,
    filter,
  );
  return { requests: res.requests, nextKey: res.pagination.next_key };
}

/**
 * A page of requests as {@link queryRequests} gives it, with each pruned request's prompt and answers
 * read back from the node's tx index (`client/pruned-texts.ts`), as {@link queryRequest} does for one.
 *
 * @example
 * const { requests } = await queryRequestsWithTexts(rpcUrl, { status: "FINALIZED" });
 */
export async function queryRequestsWithTexts(
  rpcUrl: string,
  filter: RequestsFilter,
): Promise<{ requests: RequestRecord[]; nextKey: string | null }> {
  const res = await queryRequests(rpcUrl, filter);
  return { ...res, requests: await restorePrunedPage(res.requests, (query) => txSearch(rpcUrl, query)) };
}

/** Filters of {@link queryRequests}. */
export type RequestsFilter = Parameters<typeof queryRequests>[1];
/** One page of the `Requests` query (over RPC in the node; the query handler itself in tests). */
export type RequestsPage = (
  filter: RequestsFilter,
) => Promise<{ requests: RequestRecord[]; nextKey: string | null }>;

/**
 * Every request (or answer of a replicated one) ASSIGNED to `node` and not yet answered. The query
 * reads at most 1,000 candidates per page (`queries.ts` `MAX_SCANNED`) from the chain-wide ASSIGNED
 * index, so with more ASSIGNED requests than that a page can hold none of the node's and a
 * `next_key`: this follows it to the end (at most `maxPages` pages).
 *
 * @example
 * const mine = await assignedToNode((f) => queryRequests(rpcUrl, f), address);
 */
export async function assignedToNode(
  page: RequestsPage,
  node: string,
  maxPages = 10_000,
): Promise<RequestRecord[]> {
  const mine: RequestRecord[] = [];
  let key: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const res = await page({
      node,
      status: "ASSIGNED",
      limit: 100,
      answers: "true",
      ...(key !== null ? { key } : {}),
    });
    mine.push(...res.requests.filter((r) => r.node === node && r.responded_height === "0"));
    if (res.nextKey === null) break;
    key = res.nextKey;
  }
  return mine;
}

/**
 * One request, or undefined when the chain has none with that id. A pruned request's prompt and
 * answers are read back from the node's tx index (`client/pruned-texts.ts`, checked against the
 * hashes the chain kept).
 */
export async function queryRequest(rpcUrl: string, id: bigint | string): Promise<RequestRecord | undefined> {
  let request: RequestRecord;
  try {
    request = (
      await abciJsonQuery<{ request: RequestRecord }>(rpcUrl, PoqQueryPath.Request, { id: String(id) })
    ).request;
  } catch (err) {
    if (err instanceof ChainQueryError && /not found/i.test(err.message)) return undefined;
    throw err;
  }
  return restorePrunedTexts(request, (query) => txSearch(rpcUrl, query));
}

/** CometBFT's `tx_search`, first page of up to 100, oldest first. */
async function txSearch(rpcUrl: string, query: string): Promise<SearchedTx[]> {
  const q = `/tx_search?query=${encodeURIComponent(`"${query}"`)}&page=1&per_page=100&order_by=${encodeURIComponent('"asc"')}`;
  const r = await reachNode(rpcUrl, () => cometRpc<{ txs?: SearchedTx[] | null }>(rpcUrl, q));
  return r.txs ?? [];
}

/** One node, or undefined when it is not registered. */
export async function queryNode(rpcUrl: string, operator: string): Promise<NodeRecord | undefined> {
  try {
    return (await abciJsonQuery<{ node: NodeRecord }>(rpcUrl, PoqQueryPath.Node, { address: operator })).node;
  } catch (err) {
    if (err instanceof ChainQueryError && /not found/i.test(err.message)) return undefined;
    throw err;
  }
}

/** The module's parameters (camelCase keys, 64-bit values as strings). */
export async function queryPoqParams(rpcUrl: string): Promise<Record<string, string | number>> {
  return (await abciJsonQuery<{ params: Record<string, string | number> }>(rpcUrl, PoqQueryPath.Params, {}))
    .params;
}
