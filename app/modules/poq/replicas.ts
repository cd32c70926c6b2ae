/**
 * Replicated requests (`replicas = k >= 2`): k distinct nodes answer the same prompt, each first
 * committing to its answer (MsgCommitResponse), then revealing it (MsgSubmitResponse with the salt)
 * once every node committed or the commit deadline passed; the answers are then scored, each with the
 * others as peers, and settled one by one.
 *
 * Each answer is its own request-shaped record (`parent` = the request's id, fee = its share of the
 * fee) whose id is the answer's response id: from the moment it is revealed it goes through the same
 * scoring, finality and payout as a single-answer request. The request record keeps the answers' ids,
 * the reveal phase and, once every answer is closed, the best answer and the totals.
 *
 * Timeline (module README): assignment at A, commit deadline A + response_timeout; the reveal phase
 * opens at the end of the block of the last commitment (or at the commit deadline) and reveals are
 * accepted after it, up to response_timeout blocks later. Scoring starts for all revealed answers
 * together in the block of the last reveal (or at the reveal deadline).
 */
import { ChainError } from "../../errors.js";
import type { Context } from "../../types.js";
import { answerMatches, ANSWER_COMMITMENT_BYTES, ANSWER_SALT_BYTES } from "./answer-commitment.js";
import type { PoqDeps } from "./deps.js";
import {
  ErrAlreadyCommitted,
  ErrCommitPhaseOver,
  ErrInvalidCommitment,
  ErrNotAssignedNode,
  ErrNotAwaitingResponse,
  ErrNotCommitted,
  ErrNotReplicated,
  ErrRequestNotFound,
  ErrResponseDeadlinePassed,
  ErrRevealMismatch,
  ErrRevealNotOpen,
} from "./errors.js";
import { payFromEscrow } from "./escrow.js";
import { PoqEvent, poqEvent } from "./events.js";
import type { PoqParams } from "./params.js";
import { handleMissedResponse, startScoring } from "./requests.js";
import { assignmentSeed, drawNode, leavePending, takeAssignment } from "./eligibility.js";
import { RequestStatus, type PayoutJson, type RequestRecord } from "./state.js";
import { fromHex, toHex } from "./types/wire.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** Whether a record is one answer of a replicated request. */
export const isAnswer = (r: RequestRecord): boolean => r.parent !== "0";

/** Whether a request is replicated (its answers are separate records). */
export const isReplicated = (r: RequestRecord): boolean => r.replicas >= 2 && !isAnswer(r);

/** Each answer's share of a replicated request's fee (the remainder is refunded when it closes). */
export const feeShare = (r: RequestRecord): bigint => BigInt(r.fee.amount) / BigInt(r.replicas);

/** The answer records of a replicated request, in response id order. */
export function answersOf(ctx: Ctx, deps: PoqDeps, req: RequestRecord): RequestRecord[] {
  return req.response_ids.flatMap((id) => deps.keeper.getRequest(ctx, BigInt(id)) ?? []);
}

/**
 * Assigns k distinct nodes to a replicated request (stake-weighted, drawn without replacement) and
 * creates its k answer records, ASSIGNED with a common commit deadline. Returns the nodes, or
 * undefined (nothing changed) when fewer than k nodes are eligible.
 */
export function tryAssignReplicas(
  ctx: Ctx,
  deps: PoqDeps,
  req: RequestRecord,
  params: PoqParams,
): string[] | undefined {
  const share = feeShare(req);
  const chosen: string[] = [];
  for (let i = 0; i < req.replicas; i++) {
    const seed = assignmentSeed(ctx, deps, req, i);
    if (seed === undefined) return undefined;
    const node = drawNode(ctx, deps, params, {
      model: req.model,
      feeShare: share,
      minQuality: req.min_quality,
      exclude: chosen,
      seed,
    });
    if (node === undefined) return undefined;
    chosen.push(node);
  }
  const height = ctx.blockHeight.toString();
  const deadline = ctx.blockHeight + params.responseTimeout;
  const ids: string[] = [];
  for (const node of chosen) {
    const id = deps.keeper.nextRequestId(ctx);
    ids.push(id.toString());
    deps.keeper.setRequest(ctx, {
      ...req,
      id: id.toString(),
      fee: { denom: req.fee.denom, amount: share.toString() },
      status: RequestStatus.Assigned,
      node,
      assigned_height: height,
      response_deadline: deadline.toString(),
      assigned_nodes: [node],
      response_ids: [],
      parent: req.id,
    });
    takeAssignment(ctx, deps, node, id);
    deps.keeper.addDeadline(ctx, deadline, id);
    ctx.emitEvent(
      poqEvent(PoqEvent.RequestAssigned, {
        request_id: req.id,
        response_id: id.toString(),
        node,
        response_deadline: deadline.toString(),
      }),
    );
  }
  Object.assign(req, {
    status: RequestStatus.Assigned,
    assigned_height: height,
    response_deadline: deadline.toString(),
    assigned_nodes: chosen,
    response_ids: ids,
  });
  leavePending(ctx, deps, params, req);
  return chosen;
}

/** The request and the answer of `node`, or a ChainError. */
function answerFor(
  ctx: Ctx,
  deps: PoqDeps,
  requestId: bigint,
  node: string,
): { req: RequestRecord; answer: RequestRecord } {
  const req = deps.keeper.getRequest(ctx, requestId);
  if (!req) throw new ChainError(ErrRequestNotFound, `request ${requestId} does not exist`);
  if (!isReplicated(req)) throw new ChainError(ErrNotReplicated, `request ${req.id} is not replicated`);
  const answer = answersOf(ctx, deps, req).find((a) => a.node === node);
  if (!answer) throw new ChainError(ErrNotAssignedNode, `${node} is not assigned to request ${req.id}`);
  return { req, answer };
}

/**
 * MsgCommitResponse: an assigned node commits to its answer, once, before the commit deadline and
 * while the reveal phase is closed. The last commitment opens the reveal phase at the end of its block.
 */
export function commitResponse(
  ctx: Ctx,
  deps: PoqDeps,
  msg: { node: string; requestId: bigint; commitment: Uint8Array },
): void {
  if (msg.commitment.length !== ANSWER_COMMITMENT_BYTES)
    throw new ChainError(ErrInvalidCommitment, `commitment must be ${ANSWER_COMMITMENT_BYTES} bytes`);
  const { req, answer } = answerFor(ctx, deps, msg.requestId, msg.node);
  if (answer.commitment !== "")
    throw new ChainError(ErrAlreadyCommitted, `${msg.node} committed at height ${answer.committed_height}`);
  if (req.reveal_height !== "0" || answer.status !== RequestStatus.Assigned)
    throw new ChainError(ErrCommitPhaseOver, `request ${req.id} is past its commit phase`);
  if (ctx.blockHeight > BigInt(answer.response_deadline))
    throw new ChainError(ErrResponseDeadlinePassed, `commit deadline was height ${answer.response_deadline}`);
  const committed = {
    ...answer,
    commitment: toHex(msg.commitment),
    committed_height: ctx.blockHeight.toString(),
  };
  deps.keeper.setRequest(ctx, committed);
  ctx.emitEvent(
    poqEvent(PoqEvent.ResponseCommitted, { request_id: req.id, response_id: answer.id, node: msg.node }),
  );
  // Whether this was the last commitment is settled in EndBlock (advanceReplicated), so that the
  // last node's transaction does not pay the gas of opening the phase for everyone.
  deps.keeper.markTouched(ctx, BigInt(req.id));
}

/**
 * EndBlock for a replicated request that got a commitment or a reveal in this block: the reveal
 * phase opens when every assigned answer is committed; scoring starts when every committed answer
 * is revealed.
 */
export function advanceReplicated(ctx: Ctx, deps: PoqDeps, params: PoqParams, req: RequestRecord): void {
  const answers = answersOf(ctx, deps, req);
  const open = answers.filter((a) => a.status === RequestStatus.Assigned);
  if (open.length === 0) return;
  if (req.reveal_height === "0") {
    if (open.every((a) => a.commitment !== "")) openRevealPhase(ctx, deps, params, req, answers);
  } else if (open.every((a) => a.responded_height !== "0")) startScoringAll(ctx, deps, params, req, answers);
}

/** Opens the reveal phase after this block: committed answers get the reveal deadline. */
function openRevealPhase(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  req: RequestRecord,
  answers: readonly RequestRecord[],
): void {
  const deadline = ctx.blockHeight + params.responseTimeout;
  let committed = 0;
  for (const a of answers) {
    if (a.status !== RequestStatus.Assigned || a.commitment === "") continue;
    committed++;
    deps.keeper.removeDeadline(ctx, BigInt(a.response_deadline), BigInt(a.id));
    deps.keeper.addDeadline(ctx, deadline, BigInt(a.id));
    deps.keeper.setRequest(ctx, { ...a, response_deadline: deadline.toString() });
  }
  deps.keeper.setRequest(ctx, {
    ...req,
    reveal_height: ctx.blockHeight.toString(),
    response_deadline: deadline.toString(),
  });
  ctx.emitEvent(
    poqEvent(PoqEvent.RevealPhaseOpened, {
      request_id: req.id,
      reveal_height: ctx.blockHeight.toString(),
      reveal_deadline: deadline.toString(),
      committed: String(committed),
    }),
  );
}

/**
 * MsgSubmitResponse of a replicated request: the node reveals the answer it committed, after the
 * reveal phase opened and by the reveal deadline. When every committed answer is revealed, all of
 * them enter scoring together. Returns the answer record.
 */
export function revealResponse(
  ctx: Ctx,
  deps: PoqDeps,
  req: RequestRecord,
  msg: { node: string; requestId: bigint; response: string; salt?: Uint8Array | undefined },
): RequestRecord {
  const { answer } = answerFor(ctx, deps, BigInt(req.id), msg.node);
  if (req.reveal_height === "0" || ctx.blockHeight <= BigInt(req.reveal_height))
    throw new ChainError(ErrRevealNotOpen, `request ${req.id} does not take reveals yet`);
  if (answer.status !== RequestStatus.Assigned || answer.responded_height !== "0")
    throw new ChainError(ErrNotAwaitingResponse, `answer ${answer.id} is ${answer.status}, already revealed`);
  if (answer.commitment === "") throw new ChainError(ErrNotCommitted, `${msg.node} did not commit in time`);
  if (ctx.blockHeight > BigInt(answer.response_deadline))
    throw new ChainError(ErrResponseDeadlinePassed, `reveal deadline was height ${answer.response_deadline}`);
  const salt = msg.salt ?? new Uint8Array();
  if (salt.length !== ANSWER_SALT_BYTES)
    throw new ChainError(ErrInvalidCommitment, `salt must be ${ANSWER_SALT_BYTES} bytes`);
  const opens = answerMatches(fromHex(answer.commitment), {
    requestId: BigInt(req.id),
    node: msg.node,
    salt,
    response: msg.response,
  });
  if (!opens) throw new ChainError(ErrRevealMismatch, `the reveal does not match ${msg.node}'s commitment`);
  const revealed = { ...answer, response: msg.response, responded_height: ctx.blockHeight.toString() };
  deps.keeper.setRequest(ctx, revealed);
  deps.keeper.markTouched(ctx, BigInt(req.id)); // the last reveal starts scoring in EndBlock
  return revealed;
}

/** Every revealed answer enters scoring in this block, so that each is scored with all the others. */
function startScoringAll(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  req: RequestRecord,
  answers: readonly RequestRecord[],
): void {
  let scoring = 0;
  for (const a of answers) {
    if (a.status !== RequestStatus.Assigned || a.responded_height === "0") continue;
    deps.keeper.removeDeadline(ctx, BigInt(a.response_deadline), BigInt(a.id));
    startScoring(ctx, deps, params, a, a.response);
    scoring++;
  }
  if (scoring > 0) {
    const current = deps.keeper.getRequest(ctx, BigInt(req.id)) as RequestRecord;
    deps.keeper.setRequest(ctx, {
      ...current,
      status: RequestStatus.Scoring,
      responded_height: ctx.blockHeight.toString(),
    });
  }
}

/**
 * EndBlock at an answer's deadline. At the commit deadline, nodes that did not commit are penalised
 * as for a missed response (their share refunded) and the reveal phase opens for the others; at the
 * reveal deadline, nodes that committed and did not reveal are penalised the same way and the
 * revealed answers enter scoring. All answers of the request are handled at once (they share
 * their deadlines).
 */
export function handleAnswerDeadline(
  ctx: Ctx,
  deps: PoqDeps,
  answer: RequestRecord,
  params: PoqParams,
): void {
  const req = deps.keeper.getRequest(ctx, BigInt(answer.parent));
  if (!req) return;
  const commitPhase = req.reveal_height === "0";
  for (const a of answersOf(ctx, deps, req)) {
    if (a.status !== RequestStatus.Assigned || BigInt(a.response_deadline) > ctx.blockHeight) continue;
    const missed = commitPhase ? a.commitment === "" : a.responded_height === "0";
    if (!missed) continue;
    deps.keeper.removeDeadline(ctx, BigInt(a.response_deadline), BigInt(a.id));
    handleMissedResponse(ctx, deps, a, params);
  }
  const answers = answersOf(ctx, deps, req);
  if (!answers.some((a) => a.status === RequestStatus.Assigned)) return;
  if (commitPhase) openRevealPhase(ctx, deps, params, req, answers);
  else startScoringAll(ctx, deps, params, req, answers);
}

const CLOSED: ReadonlySet<string> = new Set([
  RequestStatus.Finalized,
  RequestStatus.Unscored,
  RequestStatus.Expired,
]);

/**
 * Closes a replicated request once every answer is closed: the remainder of the fee that no share
 * took goes back to the requester, and the request takes the best-scored answer's node, response and
 * quality (ties: the lowest response id). FINALIZED when any answer was scored, else UNSCORED when
 * any was revealed, else EXPIRED. Returns whether it closed.
 */
export function closeReplicated(ctx: Ctx, deps: PoqDeps, requestId: bigint): boolean {
  const req = deps.keeper.getRequest(ctx, requestId);
  if (!req || !isReplicated(req) || CLOSED.has(req.status)) return false;
  const answers = answersOf(ctx, deps, req);
  if (answers.length === 0 || answers.some((a) => !CLOSED.has(a.status))) return false;
  const remainder = BigInt(req.fee.amount) - feeShare(req) * BigInt(answers.length);
  payFromEscrow(ctx, deps, req.requester, req.fee.denom, remainder);
  let best: RequestRecord | undefined;
  for (const a of answers) {
    if (a.status !== RequestStatus.Finalized || !a.quality) continue;
    if (!best || a.quality.score > (best.quality?.score ?? -1)) best = a;
  }
  const status = best
    ? RequestStatus.Finalized
    : answers.some((a) => a.status === RequestStatus.Unscored)
      ? RequestStatus.Unscored
      : RequestStatus.Expired;
  const sum = (f: (p: PayoutJson) => string): bigint =>
    answers.reduce((s, a) => s + (a.payout ? BigInt(f(a.payout)) : 0n), 0n);
  // An expired answer has no payout record: its whole share went back to the requester.
  const expiredShares = answers.reduce(
    (s, a) => s + (a.status === RequestStatus.Expired ? BigInt(a.fee.amount) : 0n),
    0n,
  );
  const payout: PayoutJson = {
    node: sum((p) => p.node).toString(),
    validators: answers.flatMap((a) => a.payout?.validators ?? []),
    refund: (sum((p) => p.refund) + expiredShares + remainder).toString(),
    slashed: sum((p) => p.slashed).toString(),
  };
  deps.keeper.setRequest(ctx, {
    ...req,
    status,
    node: best?.node ?? "",
    response: best?.response ?? "",
    quality: best?.quality ?? null,
    finalized_height: ctx.blockHeight.toString(),
    payout,
  });
  ctx.emitEvent(
    poqEvent(PoqEvent.RequestSettled, {
      request_id: req.id,
      status,
      best_response_id: best?.id ?? "0",
      node: best?.node ?? "",
      score: best?.quality ? String(best.quality.score) : "",
      requester: req.requester,
      refund: payout.refund,
    }),
  );
  return true;
}
