/**
 * The request lifecycle up to the response: escrow, assignment, waiting, expiry, missed deadlines.
 */
import { ChainError } from "../../errors.js";
import type { Context } from "../../types.js";
import type { PoqDeps } from "./deps.js";
import { assignmentSeed, releaseAssignment, requeue, tryAssign } from "./eligibility.js";
import { readyBeacon } from "./beacon.js";
import { readySet } from "./node-index.js";
import { MAX_PENDING_TRIES_PER_BLOCK, markRetry, pendingOfModel, takeDueRetries } from "./pending-index.js";
import { selectCommitteeFor } from "./scoring.js";
import {
  ErrInvalidCommitment,
  ErrNotAssignedNode,
  ErrNotAwaitingResponse,
  ErrRequestNotFound,
  ErrResponseDeadlinePassed,
} from "./errors.js";
import { PoqEvent, poqEvent } from "./events.js";
import type { PoqParams } from "./params.js";
import { payFromEscrow } from "./escrow.js";
import { penalizeNode } from "./penalties.js";
import { isReplicated, revealResponse, tryAssignReplicas } from "./replicas.js";
import { consAddressBytes, incDecimal, RequestStatus, type RequestRecord } from "./state.js";

export { tryAssign } from "./eligibility.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** Ends a request (or an answer) that never got an answer: full refund of its fee, EXPIRED. */
export function expire(ctx: Ctx, deps: PoqDeps, req: RequestRecord, reason: string): void {
  payFromEscrow(ctx, deps, req.requester, req.fee.denom, BigInt(req.fee.amount));
  deps.keeper.setPending(ctx, req, false);
  deps.keeper.setRequest(ctx, {
    ...req,
    status: RequestStatus.Expired,
    finalized_height: ctx.blockHeight.toString(),
  });
  ctx.emitEvent(
    poqEvent(PoqEvent.RequestExpired, {
      request_id: req.id,
      requester: req.requester,
      refund: req.fee.amount,
      reason,
    }),
  );
}

/**
 * EndBlock part (after the injected commit mixed this block's beacon): waiting requests get their
 * nodes from the beacon (never in the block that included them: {@link assignmentSeed}). Only the
 * models whose retry is due are tried (a request's first try in the block after it, then whenever
 * the model's ready set gains), at most {@link MAX_PENDING_TRIES_PER_BLOCK} requests per block; the
 * rest resumes in the next block (review M4). Nothing is tried without a ready beacon: the retries
 * stay for a block that has one. Expiry `requestTtl` blocks after inclusion is a deadline
 * ({@link expireWaiting}).
 */
export function processPending(ctx: Ctx, deps: PoqDeps, params: PoqParams): void {
  if (readyBeacon(ctx, deps) === undefined) return;
  let budget = MAX_PENDING_TRIES_PER_BLOCK;
  for (const { model, fromId } of takeDueRetries(ctx.store, ctx.blockHeight)) {
    // One more id than the budget allows, to know where to resume.
    const ids = pendingOfModel(ctx.store, model, fromId, budget + 1);
    for (const id of ids) {
      if (budget === 0) {
        markRetry(ctx.store, model, ctx.blockHeight + 1n, id);
        break;
      }
      // No node of the model has room: nothing here can be assigned until one does (which asks again).
      if (readySet(ctx.store, model).total() === 0n) break;
      const req = deps.keeper.getRequest(ctx, id);
      if (req?.status !== RequestStatus.Pending) {
        if (req) deps.keeper.setPending(ctx, req, false);
        continue;
      }
      if (ctx.blockHeight <= BigInt(req.created_height)) {
        markRetry(ctx.store, model, ctx.blockHeight + 1n, id); // included in this block
        continue;
      }
      budget--;
      const assigned = isReplicated(req)
        ? tryAssignReplicas(ctx, deps, req, params) !== undefined
        : tryAssign(ctx, deps, req, params) !== undefined;
      if (assigned) deps.keeper.setRequest(ctx, req);
    }
  }
}

/** EndBlock at a waiting request's expiry (a deadline `requestTtl` blocks after inclusion): refund. */
export function expireWaiting(ctx: Ctx, deps: PoqDeps, req: RequestRecord): void {
  expire(ctx, deps, req, assignmentSeed(ctx, deps, req, 0) ? "no node" : "no beacon");
}

/**
 * EndBlock part for an ASSIGNED request at its response deadline: the node pays a penalty sized to
 * the fee (into the pool) and is jailed, its other requests are handed on, and this one goes to
 * another node (up to `maxReassignments`) or is refunded.
 */
export function handleMissedResponse(ctx: Ctx, deps: PoqDeps, req: RequestRecord, params: PoqParams): void {
  const id = BigInt(req.id);
  releaseAssignment(ctx, deps, req.node, id);
  const node = deps.keeper.getNode(ctx, req.node);
  if (node) deps.keeper.setNode(ctx, { ...node, missed_deadlines: incDecimal(node.missed_deadlines) });
  penalizeNode(ctx, deps, params, {
    operator: req.node,
    fee: BigInt(req.fee.amount),
    fractionBp: params.slashMissedDeadlineBp,
    reason: "missed_deadline",
    requestId: id,
  });
  const reassignments = req.assigned_nodes.length - 1;
  // An answer of a replicated request is never handed on: a late node would answer after the others
  // were public. Its share is refunded instead.
  const reassignable = req.parent === "0" && reassignments < params.maxReassignments;
  if (reassignable && tryAssign(ctx, deps, req, params) !== undefined) {
    deps.keeper.setRequest(ctx, req);
    return;
  }
  if (reassignable && assignmentSeed(ctx, deps, req, 0) === undefined) {
    // No ready beacon in this block: the request waits for one (processPending), as a new one does.
    requeue(ctx, deps, params, req);
    deps.keeper.setRequest(ctx, req);
    return;
  }
  expire(ctx, deps, req, "missed_deadline");
}

/**
 * MsgSubmitResponse after its stateless checks: the sender must be the assigned node, in time.
 * The request moves to SCORING and gets its committee. A replicated request's reveals go to
 * {@link revealResponse}.
 */
export function submitResponse(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  msg: { node: string; requestId: bigint; response: string; salt?: Uint8Array | undefined },
): RequestRecord {
  const req = deps.keeper.getRequest(ctx, msg.requestId);
  if (!req) throw new ChainError(ErrRequestNotFound, `request ${msg.requestId} does not exist`);
  if (req.replicas >= 2 && req.parent === "0") return revealResponse(ctx, deps, req, msg);
  if (req.parent !== "0") {
    throw new ChainError(
      ErrNotAwaitingResponse,
      `${req.id} is an answer of request ${req.parent}: reveal it with request_id ${req.parent}`,
    );
  }
  if ((msg.salt?.length ?? 0) > 0) {
    throw new ChainError(ErrInvalidCommitment, `request ${req.id} is not replicated: it takes no salt`);
  }
  if (req.status !== RequestStatus.Assigned) {
    throw new ChainError(ErrNotAwaitingResponse, `request ${req.id} is ${req.status}`);
  }
  if (req.node !== msg.node) {
    throw new ChainError(ErrNotAssignedNode, `request ${req.id} is assigned to ${req.node}, not ${msg.node}`);
  }
  if (ctx.blockHeight > BigInt(req.response_deadline)) {
    throw new ChainError(ErrResponseDeadlinePassed, `deadline was height ${req.response_deadline}`);
  }
  deps.keeper.removeDeadline(ctx, BigInt(req.response_deadline), msg.requestId);
  return startScoring(ctx, deps, params, req, msg.response);
}

/**
 * An answer enters scoring: its committee is drawn and its score commit and reveal windows start
 * now. The caller has removed its response deadline.
 */
export function startScoring(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  req: RequestRecord,
  response: string,
): RequestRecord {
  const id = BigInt(req.id);
  // The node is done with it: it has room for another request again.
  releaseAssignment(ctx, deps, req.node, id);
  // The committee is drawn in EndBlock of the next block from the beacon mixed there, which the node
  // could not know when it submitted (beacon.ts, review H3); the windows count from that block.
  const commitDeadline = ctx.blockHeight + 1n + params.commitWindow;
  const revealDeadline = commitDeadline + params.revealWindow;
  const next: RequestRecord = {
    ...req,
    status: RequestStatus.Scoring,
    response,
    responded_height: ctx.blockHeight.toString(),
    commit_deadline: commitDeadline.toString(),
    reveal_deadline: revealDeadline.toString(),
    committee: [],
  };
  deps.keeper.setRequest(ctx, next);
  deps.keeper.setAwaitingCommittee(ctx, id, true);
  const node = deps.keeper.getNode(ctx, req.node);
  if (node) deps.keeper.setNode(ctx, { ...node, served: incDecimal(node.served) });
  ctx.emitEvent(
    poqEvent(PoqEvent.ResponseSubmitted, {
      request_id: req.parent === "0" ? req.id : req.parent,
      response_id: req.id,
      node: req.node,
      commit_deadline: next.commit_deadline,
      reveal_deadline: next.reveal_deadline,
    }),
  );
  return next;
}

/**
 * EndBlock part: the answers submitted in an earlier block get their committee from this block's
 * beacon, and their commit and reveal deadlines start to run.
 */
export function drawAwaitingCommittees(ctx: Ctx, deps: PoqDeps, params: PoqParams): void {
  for (const id of deps.keeper.awaitingCommittee(ctx)) {
    const req = deps.keeper.getRequest(ctx, id);
    if (req && BigInt(req.responded_height) >= ctx.blockHeight) continue;
    deps.keeper.setAwaitingCommittee(ctx, id, false);
    if (req?.status !== RequestStatus.Scoring) continue;
    const committee = selectCommitteeFor(ctx, deps, params, id);
    deps.keeper.setRequest(ctx, { ...req, committee });
    deps.keeper.openSeatsFor(
      ctx,
      id,
      committee.map((c) => consAddressBytes(c.validator)),
    );
    deps.keeper.addDeadline(ctx, BigInt(req.commit_deadline), id);
    deps.keeper.addDeadline(ctx, BigInt(req.reveal_deadline), id);
    ctx.emitEvent(
      poqEvent(PoqEvent.CommitteeDrawn, {
        request_id: req.parent === "0" ? req.id : req.parent,
        response_id: req.id,
        committee: committee.map((c) => c.validator).join(","),
        commit_deadline: req.commit_deadline,
        reveal_deadline: req.reveal_deadline,
      }),
    );
  }
}
