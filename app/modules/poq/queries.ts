/**
 * ABCI queries of the poq module. Request and response bodies are UTF-8 JSON in the REST shapes of
 * SPEC section 5 (snake_case, 64-bit integers as strings), so the REST server can pass them through.
 *
 * - `/poq.v1.Query/Params` `{}` → `{"params": {...}}`
 * - `/poq.v1.Query/Request` `{"id": "1"}` → `{"request": {..., "responses": [...]}}`
 * - `/poq.v1.Query/Requests` `{"status"?, "requester"?, "node"?, "limit"?, "key"?, "answers"?}` →
 *   `{"requests": [...], "pagination": {"next_key": "<id>" | null}}` (ascending by id; key = first id).
 *   Answer records of replicated requests are listed only with `"answers": "true"` (inference nodes
 *   look for their assigned answers that way); requests carry `responses` as in `Request`.
 *   A filtered query walks an index (the status index for an open status, whose requests are the
 *   ones in flight; else node, requester, status) and reads at most
 *   {@link MAX_SCANNED} candidates: a page can hold fewer than `limit` matches, even none, with a
 *   `next_key` to go on from (review M7: no query reads the whole table while consensus waits).
 * - `/poq.v1.Query/Nodes` `{}` → `{"nodes": [...]}`; `/poq.v1.Query/Node` `{"address"}` → `{"node": {...}}`
 * - `/poq.v1.Query/Validators` `{}` → `{"validators": [{validator, operator, power, trust_bp, ...}]}`
 */
import { ChainError } from "../../errors.js";
import type { Context, QueryHandler } from "../../types.js";
import { ErrInvalidQuery, ErrNodeNotFound, ErrRequestNotFound } from "./errors.js";
import type { PoqView } from "./keeper.js";
import { paramsToJson } from "./keeper.js";
import {
  RequestStatus,
  consAddress,
  type NodeRecord,
  type RequestRecord,
  type RequestView,
  type ResponseView,
} from "./state.js";
import { PoqQueryPath } from "./types/query-paths.js";
import type { ValidatorsView } from "../validators/keeper.js";
import { parseAccountAddress } from "../auth/address.js";
import { keyTrailingU64, requestKey, requestsPrefix } from "./keys.js";

function isAccountAddress(address: string): boolean {
  try {
    parseAccountAddress(address);
    return true;
  } catch {
    return false;
  }
}

const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;
/** Candidate requests one `Requests` query reads at most, matching or not. */
export const MAX_SCANNED = 1_000;

/** Statuses a request leaves: their index holds only the requests in flight. */
const OPEN_STATUSES: readonly string[] = [
  RequestStatus.Pending,
  RequestStatus.Assigned,
  RequestStatus.Scoring,
];

/**
 * The ids to read for a filtered query, ascending from `start`: the narrowest index the filters
 * allow. Every candidate is still checked against all the filters.
 */
function candidateIds(
  view: PoqView,
  ctx: Pick<Context, "store">,
  f: { status: string | undefined; requester: string | undefined; node: string | undefined },
  start: bigint,
): Iterable<bigint> {
  if (f.status !== undefined && OPEN_STATUSES.includes(f.status)) {
    return view.requestIdsBy(ctx, { by: "status", status: f.status }, start);
  }
  if (f.node !== undefined) return view.requestIdsBy(ctx, { by: "node", address: f.node }, start);
  if (f.requester !== undefined)
    return view.requestIdsBy(ctx, { by: "requester", address: f.requester }, start);
  if (f.status !== undefined) return view.requestIdsBy(ctx, { by: "status", status: f.status }, start);
  return allIds(ctx, start);
}

function* allIds(ctx: Pick<Context, "store">, start: bigint): Iterable<bigint> {
  for (const [k] of ctx.store.iterate(requestsPrefix(), { start: requestKey(start) }))
    yield keyTrailingU64(k);
}

function parseBody(data: Uint8Array): Record<string, unknown> {
  if (data.length === 0) return {};
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ChainError(ErrInvalidQuery, "query body must be a JSON object");
}

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const optString = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string") throw new ChainError(ErrInvalidQuery, `${key} must be a string`);
  return v;
};
const idOf = (text: string | undefined, field: string): bigint => {
  if (text === undefined || !/^[0-9]{1,20}$/.test(text))
    throw new ChainError(ErrInvalidQuery, `${field} must be a decimal id`);
  return BigInt(text);
};

/**
 * A request with its `responses`: every answer (itself for a single-answer request); an answer's
 * text is "" until it is revealed, so nothing is readable before the reveal phase.
 */
export function requestView(view: PoqView, ctx: Pick<Context, "store">, r: RequestRecord): RequestView {
  const answers =
    r.replicas >= 2 && r.parent === "0"
      ? r.response_ids.flatMap((id) => view.getRequest(ctx, BigInt(id)) ?? [])
      : [r];
  const responses = answers.map((a): ResponseView => ({
    id: a.id,
    node: a.node,
    status: a.status,
    response: a.response,
    quality: a.quality,
    payout: a.payout,
    ...(a.response_sha256 !== undefined ? { response_sha256: a.response_sha256 } : {}),
  }));
  return { ...r, responses };
}

/** A node with the derived `average_quality` (bp, integer) for the API. */
export function nodeView(n: NodeRecord): NodeRecord & { average_quality: number } {
  const scored = BigInt(n.scored);
  return { ...n, average_quality: scored === 0n ? 0 : Number(BigInt(n.quality_sum) / scored) };
}

/**
 * Builds the query handlers.
 *
 * @example
 * const queries = createPoqQueries(keeper, validators);
 */
export function createPoqQueries(
  view: PoqView,
  validators: Pick<ValidatorsView, "list">,
): Record<string, QueryHandler> {
  return {
    [PoqQueryPath.Params]: (ctx: Context) => json({ params: paramsToJson(view.getParams(ctx)) }),
    [PoqQueryPath.Request]: (ctx, data) => {
      const id = idOf(optString(parseBody(data), "id"), "id");
      const request = view.getRequest(ctx, id);
      if (!request) throw new ChainError(ErrRequestNotFound, `request ${id} not found`);
      return json({ request: requestView(view, ctx, request) });
    },
    [PoqQueryPath.Requests]: (ctx, data) => {
      const body = parseBody(data);
      const status = optString(body, "status");
      const requester = optString(body, "requester");
      const node = optString(body, "node");
      const key = optString(body, "key");
      const answers = optString(body, "answers") === "true";
      const rawLimit = body["limit"] ?? DEFAULT_LIMIT;
      const limit = typeof rawLimit === "string" ? Number.parseInt(rawLimit, 10) : rawLimit;
      if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit <= 0) {
        throw new ChainError(ErrInvalidQuery, "limit must be a positive integer");
      }
      const matches = (r: RequestRecord): boolean =>
        (answers || r.parent === "0") &&
        (status === undefined || r.status === status) &&
        (requester === undefined || r.requester === requester) &&
        (node === undefined || r.node === node || (r.replicas >= 2 && r.assigned_nodes.includes(node)));
      // No request has an address that does not parse: an empty page, as a full scan would give.
      if ([requester, node].some((a) => a !== undefined && !isAccountAddress(a)))
        return json({ requests: [], pagination: { next_key: null } });
      const requests: ReturnType<typeof requestView>[] = [];
      let nextKey: string | null = null;
      const start = key === undefined ? 1n : idOf(key, "key");
      let scanned = 0;
      for (const id of candidateIds(view, ctx, { status, requester, node }, start)) {
        if (scanned === MAX_SCANNED) {
          nextKey = id.toString();
          break;
        }
        scanned++;
        // The status filter is checked on the one-byte index entry before any record is parsed.
        if (status !== undefined && view.requestStatus(ctx, id) !== status) continue;
        const r = view.getRequest(ctx, id);
        if (!r || !matches(r)) continue;
        if (requests.length === Math.min(limit, MAX_LIMIT)) {
          nextKey = r.id;
          break;
        }
        requests.push(requestView(view, ctx, r));
      }
      return json({ requests, pagination: { next_key: nextKey } });
    },
    [PoqQueryPath.Nodes]: (ctx) => json({ nodes: view.nodes(ctx).map(nodeView) }),
    [PoqQueryPath.Node]: (ctx, data) => {
      const address = optString(parseBody(data), "address");
      if (address === undefined) throw new ChainError(ErrInvalidQuery, "address is required");
      const node = view.getNode(ctx, address);
      if (!node) throw new ChainError(ErrNodeNotFound, `node ${address} not found`);
      return json({ node: nodeView(node) });
    },
    [PoqQueryPath.Validators]: (ctx) => {
      const byAddress = new Map(view.trustRecords(ctx).map((t) => [consAddress(t.validator), t.record]));
      const list = validators.list(ctx).map((v) => {
        const t = byAddress.get(consAddress(v.address)) ?? view.getTrust(ctx, v.address);
        return {
          validator: consAddress(v.address),
          operator: v.operator,
          moniker: v.moniker,
          power: v.power.toString(),
          trust_bp: t.trustBp,
          committees: t.committees.toString(),
          revealed: t.revealed.toString(),
          missed: t.missed.toString(),
          deviated: t.deviated.toString(),
          average_deviation_bp: t.revealed === 0n ? 0 : Number(t.deviationSumBp / t.revealed),
          excluded_until: t.excludedUntil.toString(),
          excluded: t.excludedUntil >= ctx.blockHeight,
        };
      });
      return json({ validators: list });
    },
  };
}
