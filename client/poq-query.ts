/**
 * Reads PoQ state over a node's CometBFT RPC (the poq module's JSON ABCI queries), and waits for a
 * request's quality to be final.
 */
import { connectComet, type CometClient } from "@cosmjs/tendermint-rpc";
import { BaseError } from "../app/errors.js";
import type { NodeRecord, RequestRecord as StoredRequest, ResponseView } from "../app/modules/poq/state.js";
import { PoqQueryPath } from "../app/modules/poq/types/query-paths.js";

export type { NodeRecord, ResponseView };
/**
 * A request as the chain's query answers it: the stored record plus `responses`, every answer (one
 * unless replicated) with its node, text, quality and payout.
 */
export type RequestRecord = StoredRequest & { responses?: ResponseView[] };

/** Statuses after which a request changes no more. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["FINALIZED", "EXPIRED", "UNSCORED"]);

/** A query the node answered with an error. */
export class PoqQueryError extends BaseError {
  override name = "PoqQueryError" as const;
  readonly code: number;

  constructor(path: string, code: number, log: string) {
    super(`query ${path} failed with code ${code}`, { details: log });
    this.code = code;
  }
}

/** {@link waitForQuality} gave up: the request was not final in time. */
export class QualityTimeoutError extends BaseError {
  override name = "QualityTimeoutError" as const;
  readonly requestId: bigint;
  /** The last status seen, "" when the request was never read. */
  readonly lastStatus: string;

  constructor(requestId: bigint, timeoutMs: number, lastStatus: string) {
    super(`request ${requestId} not final after ${timeoutMs} ms`, {
      details: `last status ${lastStatus || "unknown"}`,
    });
    this.requestId = requestId;
    this.lastStatus = lastStatus;
  }
}

/** Typed reads of the poq module. */
export interface PoqQueryClient {
  /** The request, or undefined when it does not exist. */
  getRequest(id: bigint): Promise<RequestRecord | undefined>;
  getNode(operator: string): Promise<NodeRecord | undefined>;
  getParams(): Promise<Record<string, unknown>>;
  disconnect(): void;
}

/**
 * Connects to a node's RPC for PoQ queries.
 *
 * @example
 * const query = await createPoqQueryClient("http://127.0.0.1:26657");
 * const request = await query.getRequest(1n);
 * query.disconnect();
 */
export async function createPoqQueryClient(rpcUrl: string): Promise<PoqQueryClient> {
  const comet: CometClient = await connectComet(rpcUrl);
  const query = async (path: string, request: object): Promise<Record<string, unknown> | undefined> => {
    const res = await comet.abciQuery({ path, data: new TextEncoder().encode(JSON.stringify(request)) });
    if (res.code !== undefined && res.code !== 0) {
      if (/not found/i.test(res.log ?? "")) return undefined;
      throw new PoqQueryError(path, res.code, res.log ?? "");
    }
    return JSON.parse(new TextDecoder().decode(res.value)) as Record<string, unknown>;
  };
  return {
    async getRequest(id) {
      return (await query(PoqQueryPath.Request, { id: id.toString() }))?.["request"] as
        RequestRecord | undefined;
    },
    async getNode(operator) {
      return (await query(PoqQueryPath.Node, { address: operator }))?.["node"] as NodeRecord | undefined;
    },
    async getParams() {
      return ((await query(PoqQueryPath.Params, {}))?.["params"] ?? {}) as Record<string, unknown>;
    },
    disconnect: () => comet.disconnect(),
  };
}

/** Options for {@link waitForQuality}. */
export interface WaitForQualityOptions {
  /** Give up after this long; default 120 s. */
  timeoutMs?: number;
  /** Poll interval; default 1 s. */
  pollMs?: number;
  /** Called each time the status changes, with the request as read. */
  onStatus?: (status: string, request: RequestRecord) => void;
}

/**
 * Polls a request until its status is final (FINALIZED, EXPIRED or UNSCORED) and returns it;
 * `request.quality.score` is the consensus score in basis points when FINALIZED. Throws a
 * {@link QualityTimeoutError} after `timeoutMs`.
 *
 * @example
 * const request = await waitForQuality(query, requestId, { timeoutMs: 60_000 });
 * console.log(request.status, request.quality?.score);
 */
export async function waitForQuality(
  query: Pick<PoqQueryClient, "getRequest">,
  requestId: bigint,
  opts: WaitForQualityOptions = {},
): Promise<RequestRecord> {
  return pollRequest(
    query,
    requestId,
    (r) => FINAL_STATUSES.has(r.status),
    opts,
    (ms, last) => {
      throw new QualityTimeoutError(requestId, ms, last);
    },
  );
}

/** {@link waitForAssignment} gave up: the request was still PENDING (or unreadable) in time. */
export class AssignmentTimeoutError extends BaseError {
  override name = "AssignmentTimeoutError" as const;
  readonly requestId: bigint;

  constructor(requestId: bigint, timeoutMs: number) {
    super(`request ${requestId} has no node after ${timeoutMs / 1000} s`, {
      details:
        "nodes are drawn from the beacon of a later block; a request no node can take waits up to request_ttl blocks",
    });
    this.requestId = requestId;
  }
}

/**
 * Polls a request until it has left PENDING and returns it: ASSIGNED (or already further) with
 * `assigned_nodes` and `assigned_height`, or EXPIRED when no node took it within `request_ttl`
 * blocks. A request's nodes are drawn in EndBlock of a block after the one that included it, from
 * the randomness beacon mixed there (module README "Assignment"), so the transaction that sends it
 * cannot say who serves it. Throws an {@link AssignmentTimeoutError} after `timeoutMs`.
 *
 * @example
 * const r = await waitForAssignment(query, requestId, { timeoutMs: 30_000 });
 * console.log(r.assigned_nodes, r.assigned_height);
 */
export async function waitForAssignment(
  query: Pick<PoqQueryClient, "getRequest">,
  requestId: bigint,
  opts: WaitForQualityOptions = {},
): Promise<RequestRecord> {
  return pollRequest(
    query,
    requestId,
    (r) => r.status !== "PENDING",
    opts,
    (ms) => {
      throw new AssignmentTimeoutError(requestId, ms);
    },
  );
}

async function pollRequest(
  query: Pick<PoqQueryClient, "getRequest">,
  requestId: bigint,
  done: (r: RequestRecord) => boolean,
  opts: WaitForQualityOptions,
  timedOut: (timeoutMs: number, lastStatus: string) => never,
): Promise<RequestRecord> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const request = await query.getRequest(requestId);
    if (request && request.status !== last) {
      last = request.status;
      opts.onStatus?.(last, request);
    }
    if (request && done(request)) return request;
    if (Date.now() >= deadline) timedOut(timeoutMs, last);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}
