/**
 * Which nodes may take a request, and the bookkeeping of what each node has in flight (review C1,
 * H5): a node takes a request only when it serves the model, is active and not jailed, the fee
 * (share) meets its declared `min_fee`, and it has room under its `max_in_flight`. Every assignment
 * is indexed by node so that a jailed node's other requests can be handed on at once.
 */
import type { Context } from "../../types.js";
import { offersUpTo, readySet } from "./node-index.js";
import { markRetry } from "./pending-index.js";
import type { PoqDeps } from "./deps.js";
import { PoqEvent, poqEvent } from "./events.js";
import type { PoqParams } from "./params.js";
import { readyBeacon } from "./beacon.js";
import { deriveSeed, drawBelow } from "./seed.js";
import { incDecimal, NodeStatus, RequestStatus, type NodeRecord, type RequestRecord } from "./state.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** The in-flight limit that applies to a node (its own, or the chain default when it declared 0). */
export function maxInFlightOf(node: NodeRecord, params: PoqParams): number {
  return node.max_in_flight > 0 ? node.max_in_flight : params.defaultMaxInFlight;
}

/**
 * Whether a node's record meets a requester's `min_quality`: its average finalized quality, or any
 * node without a scored answer yet (so that new nodes can start). This is all `min_quality` does:
 * it picks nodes, it never lowers what a scored answer costs (review M1).
 */
export function meetsMinQuality(node: NodeRecord, minQuality: number): boolean {
  const scored = BigInt(node.scored);
  return minQuality <= 0 || scored === 0n || BigInt(node.quality_sum) >= BigInt(minQuality) * scored;
}

/**
 * Whether a node could ever take a request for `model` at `feeShare` with `minQuality` (ignoring
 * its current load).
 */
export function offersModel(
  node: NodeRecord,
  params: PoqParams,
  p: { model: string; feeShare: bigint; minQuality?: number },
): boolean {
  return (
    node.status === NodeStatus.Active &&
    !node.jailed &&
    node.models.includes(p.model) &&
    BigInt(node.min_fee.amount) <= p.feeShare &&
    BigInt(node.stake.amount) >= params.minNodeStake &&
    meetsMinQuality(node, p.minQuality ?? 0)
  );
}

export interface EligibleNodesParams {
  model: string;
  /** The fee each assigned node would be paid from (the fee, or fee / replicas). */
  feeShare: bigint;
  /** The request's `min_quality`: only nodes whose average quality meets it. */
  minQuality?: number;
  /** Nodes that must not get this request (already assigned it, or missed it). */
  exclude?: readonly string[];
}

/**
 * Most draws one assignment makes: a drawn node that the request's own terms rule out (its
 * `min_fee`, `min_quality`) is taken out and the draw repeated, so a draw reads O(log n) keys per try
 * and at most this many tries (review H2). A request that misses every try waits.
 */
export const MAX_ASSIGN_DRAWS = 16;

/**
 * Whether a node takes this request now: it offers the model at the fee share and quality, has
 * room, and is not excluded.
 */
export function takesRequest(node: NodeRecord, params: PoqParams, p: EligibleNodesParams): boolean {
  return (
    !(p.exclude ?? []).includes(node.operator) &&
    offersModel(node, params, p) &&
    BigInt(node.in_flight) < BigInt(maxInFlightOf(node, params))
  );
}

/**
 * Draws the node for a request from the model's ready set (node-index.ts), stake-weighted: draw i
 * is `drawBelow(seed, i, stake left)` over the cumulative stake of the ready nodes not taken out;
 * excluded nodes are taken out first and a drawn node that does not take the request (its price or
 * quality) after it is drawn, so the chosen node has probability proportional to its stake among
 * the nodes that take the request, as a draw over them alone. Reads O(log n) keys per draw, at most
 * {@link MAX_ASSIGN_DRAWS} draws. Returns the operator, or undefined when no draw found one.
 *
 * @example
 * const node = drawNode(ctx, deps, params, { model: "llama", feeShare: 1000n, seed });
 */
export function drawNode(
  ctx: Pick<Context, "store">,
  deps: Pick<PoqDeps, "keeper">,
  params: PoqParams,
  p: EligibleNodesParams & { seed: Uint8Array },
): string | undefined {
  const set = readySet(ctx.store, p.model);
  for (const operator of p.exclude ?? []) {
    const member = set.memberOf(operator);
    if (member) set.takeOut(member);
  }
  for (let i = 0; i < MAX_ASSIGN_DRAWS; i++) {
    const total = set.total();
    if (total <= 0n) return undefined;
    const member = set.find(drawBelow(p.seed, i, total));
    const node = deps.keeper.getNode(ctx, member.operator);
    if (node && takesRequest(node, params, p)) return member.operator;
    set.takeOut(member);
  }
  return undefined;
}

/**
 * Whether any node would ever take a request for `model` at `feeShare` with `minQuality` (its load
 * aside): the model's offer list from the cheapest node on, reading at most
 * {@link OFFER_CHECK_LIMIT} nodes; when that many are cheap enough and none meets `minQuality` the
 * answer is yes (the request may wait and expire with a full refund), never a wrong no.
 */
export function anyNodeOffers(
  ctx: Pick<Context, "store">,
  deps: Pick<PoqDeps, "keeper">,
  params: PoqParams,
  p: { model: string; feeShare: bigint; minQuality: number },
): boolean {
  const cheap = offersUpTo(ctx.store, p.model, p.feeShare, OFFER_CHECK_LIMIT);
  if (cheap.length === 0) return false;
  if (p.minQuality <= 0 || cheap.length === OFFER_CHECK_LIMIT) return true;
  return cheap.some((op) => {
    const node = deps.keeper.getNode(ctx, op);
    return node !== undefined && offersModel(node, params, p);
  });
}

/** Most offering nodes {@link anyNodeOffers} reads. */
export const OFFER_CHECK_LIMIT = 16;

/** Counts a new assignment on the node (load, statistics, index); returns the updated record. */
export function takeAssignment(ctx: Ctx, deps: PoqDeps, operator: string, requestId: bigint): NodeRecord {
  const rec = deps.keeper.getNode(ctx, operator) as NodeRecord;
  const next = { ...rec, assigned: incDecimal(rec.assigned), in_flight: incDecimal(rec.in_flight) };
  deps.keeper.setNode(ctx, next);
  deps.keeper.setAssignment(ctx, operator, requestId, true);
  return next;
}

/** Ends an assignment (answered, missed or handed on): the node has room again. */
export function releaseAssignment(ctx: Ctx, deps: PoqDeps, operator: string, requestId: bigint): void {
  deps.keeper.setAssignment(ctx, operator, requestId, false);
  const rec = deps.keeper.getNode(ctx, operator);
  if (!rec) return;
  const left = BigInt(rec.in_flight) > 0n ? BigInt(rec.in_flight) - 1n : 0n;
  deps.keeper.setNode(ctx, { ...rec, in_flight: left.toString() });
}

/**
 * The seed of draw `attempt` for assigning `req` in this block, or undefined when it may not be
 * assigned in this block: never in the block that included it (its proposer and its requester knew
 * everything that block's state holds), and only from a ready beacon (beacon.ts: mixed in this
 * block from secrets revealed after the request's block was decided). The request id is fixed at
 * inclusion, before that beacon existed, so neither the order of requests in a block nor the block a
 * requester aims for chooses its node (SPEC 4, review H3).
 *
 * @example
 * const seed = assignmentSeed(ctx, deps, req, req.assigned_nodes.length);
 */
export function assignmentSeed(
  ctx: Ctx,
  deps: Pick<PoqDeps, "keeper">,
  req: Pick<RequestRecord, "id" | "created_height">,
  attempt: number,
): Uint8Array | undefined {
  if (ctx.blockHeight <= BigInt(req.created_height)) return undefined;
  const beacon = readyBeacon(ctx, deps);
  return beacon && deriveSeed("assign", beacon, BigInt(req.id), attempt);
}

/**
 * Tries to hand a request to a node; on success it becomes ASSIGNED with a response deadline.
 * Returns the node's operator, or undefined when no node may take it now (or no seed exists yet:
 * {@link assignmentSeed}). The node is drawn from the model's ready set ({@link drawNode}).
 */
export function tryAssign(
  ctx: Ctx,
  deps: PoqDeps,
  req: RequestRecord,
  params: PoqParams,
): string | undefined {
  const seed = assignmentSeed(ctx, deps, req, req.assigned_nodes.length);
  if (seed === undefined) return undefined;
  const node = drawNode(ctx, deps, params, {
    model: req.model,
    feeShare: BigInt(req.fee.amount),
    minQuality: req.min_quality,
    exclude: req.assigned_nodes,
    seed,
  });
  if (node === undefined) return undefined;
  const deadline = ctx.blockHeight + params.responseTimeout;
  Object.assign(req, {
    status: RequestStatus.Assigned,
    node,
    assigned_height: ctx.blockHeight.toString(),
    response_deadline: deadline.toString(),
    assigned_nodes: [...req.assigned_nodes, node],
  });
  takeAssignment(ctx, deps, node, BigInt(req.id));
  leavePending(ctx, deps, params, req);
  deps.keeper.addDeadline(ctx, deadline, BigInt(req.id));
  ctx.emitEvent(
    poqEvent(PoqEvent.RequestAssigned, { request_id: req.id, node, response_deadline: deadline.toString() }),
  );
  return node;
}

/**
 * Hands every request a (just jailed) node still holds to another node, or back to the waiting
 * queue when none may take it; `except` is the request being settled by the caller. The node is
 * not penalised for these: only the request it actually failed costs it (review H5).
 */
export function reassignInFlight(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  operator: string,
  except: bigint,
): void {
  for (const id of deps.keeper.assignmentsOf(ctx, operator)) {
    if (id === except) continue;
    const req = deps.keeper.getRequest(ctx, id);
    // An answer of a replicated request is never handed on (a late node would answer after the
    // others are public): it stays with the node, which may still answer it.
    if (req && req.parent !== undefined && req.parent !== "0") continue;
    releaseAssignment(ctx, deps, operator, id);
    if (req?.status !== RequestStatus.Assigned || req.node !== operator) continue;
    deps.keeper.removeDeadline(ctx, BigInt(req.response_deadline), id);
    if (tryAssign(ctx, deps, req, params) === undefined) requeue(ctx, deps, params, req);
    deps.keeper.setRequest(ctx, req);
  }
}

/**
 * Puts an assigned request back into the waiting set (the caller stores it): it is tried again from
 * the next block, then when its model's ready set gains, and expires `requestTtl` blocks after its
 * inclusion (at the next block when that is past).
 */
export function requeue(ctx: Ctx, deps: PoqDeps, params: PoqParams, req: RequestRecord): void {
  const id = BigInt(req.id);
  Object.assign(req, { status: RequestStatus.Pending, node: "", response_deadline: "0" });
  deps.keeper.setPending(ctx, req, true);
  const ttl = BigInt(req.created_height) + params.requestTtl;
  deps.keeper.addDeadline(ctx, ttl > ctx.blockHeight ? ttl : ctx.blockHeight + 1n, id);
  markRetry(ctx.store, req.model, ctx.blockHeight + 1n, id);
}

/**
 * A waiting request got its node(s): out of the waiting set, and its expiry deadline (request_ttl
 * after inclusion) goes too, so that nothing stays open for an idle chain (hasOpenWork). An expiry
 * set for the next block by {@link requeue} is taken by that block's deadline pass.
 */
export function leavePending(
  ctx: Ctx,
  deps: Pick<PoqDeps, "keeper">,
  params: PoqParams,
  req: RequestRecord,
): void {
  deps.keeper.setPending(ctx, req, false);
  const ttl = BigInt(req.created_height) + params.requestTtl;
  if (ttl > ctx.blockHeight) deps.keeper.removeDeadline(ctx, ttl, BigInt(req.id));
}
