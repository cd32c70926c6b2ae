/**
 * The poq module's block hooks.
 *
 * BeginBlock: return stakes whose unbonding completed and delete those node records.
 * EndBlock: answers of the previous block get their committee and waiting requests their nodes, both
 * from this block's beacon (or they expire); replicated requests whose answers were committed or
 * revealed in this block move on (reveal phase, scoring), finality for requests that got reveals in this block
 * (the injected commit, the block's first transaction, recorded them), then every deadline reached:
 * missed responses (slash, reassign or refund), commit deadlines (the window grows while the
 * committed power is short of quorum) and reveal deadlines (final or UNSCORED); then replicated
 * requests whose answers all closed are settled; last, finished requests past the retention window
 * are pruned (prune.ts).
 */
import type { Context } from "../../types.js";
import type { PoqDeps } from "./deps.js";
import { payFromEscrow } from "./escrow.js";
import { PoqEvent, poqEvent } from "./events.js";
import { drawAwaitingCommittees, expireWaiting, handleMissedResponse, processPending } from "./requests.js";
import { checkFinality, extendCommitWindow } from "./scoring.js";
import {
  advanceReplicated,
  closeReplicated,
  handleAnswerDeadline,
  isAnswer,
  isReplicated,
} from "./replicas.js";
import { NodeStatus, RequestStatus, type RequestRecord } from "./state.js";
import { pruneFinishedRequests } from "./prune.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/**
 * BeginBlock of the poq module.
 *
 * @example
 * poqBeginBlock(ctx, deps);
 */
export function poqBeginBlock(ctx: Ctx, deps: PoqDeps): void {
  const { keeper } = deps;
  for (const operator of keeper.takeUnbondings(ctx, ctx.blockHeight)) {
    const node = keeper.getNode(ctx, operator);
    if (!node || node.status !== NodeStatus.Unbonding) continue;
    payFromEscrow(ctx, deps, operator, node.stake.denom, BigInt(node.stake.amount));
    // Nothing can slash it any more (its stake is back), so the record goes (review H2): dead records
    // would otherwise pile up for good. A later MsgRegisterNode starts a new record.
    keeper.deleteNode(ctx, operator);
    ctx.emitEvent(poqEvent(PoqEvent.NodeUnbonded, { operator, amount: node.stake.amount }));
  }
}

/**
 * EndBlock of the poq module.
 *
 * @example
 * poqEndBlock(ctx, deps);
 */
export function poqEndBlock(ctx: Ctx, deps: PoqDeps): void {
  const { keeper } = deps;
  const params = keeper.getParams(ctx);
  drawAwaitingCommittees(ctx, deps, params);
  // Assignment waits for EndBlock: the beacon it draws from is mixed by the block's injected commit.
  processPending(ctx, deps, params);
  // Replicated requests whose answers changed here: closed at the end once every answer is.
  const parents = new Set<bigint>();
  const note = (req: RequestRecord | undefined): void => {
    if (req && isAnswer(req)) parents.add(BigInt(req.parent));
  };
  for (const id of keeper.takeTouched(ctx)) {
    const req = keeper.getRequest(ctx, id);
    if (req && isReplicated(req)) advanceReplicated(ctx, deps, params, req);
    else if (req?.status === RequestStatus.Scoring) checkFinality(ctx, deps, params, req);
    note(req);
  }
  for (const due of keeper.dueDeadlines(ctx, ctx.blockHeight)) {
    keeper.removeDeadline(ctx, due.height, due.id);
    const req = keeper.getRequest(ctx, due.id);
    note(req);
    if (
      req?.status === RequestStatus.Pending &&
      BigInt(req.created_height) + params.requestTtl <= due.height
    ) {
      expireWaiting(ctx, deps, req);
    } else if (req?.status === RequestStatus.Assigned && BigInt(req.response_deadline) === due.height) {
      if (isAnswer(req)) handleAnswerDeadline(ctx, deps, req, params);
      else handleMissedResponse(ctx, deps, req, params);
    } else if (req?.status === RequestStatus.Scoring && BigInt(req.reveal_deadline) === due.height) {
      checkFinality(ctx, deps, params, req);
    } else if (req?.status === RequestStatus.Scoring && BigInt(req.commit_deadline) === due.height) {
      extendCommitWindow(ctx, deps, params, req);
    }
  }
  for (const id of [...parents].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) closeReplicated(ctx, deps, id);
  // Last: texts of requests finished `request_retention_blocks` ago leave state (bounded per block).
  pruneFinishedRequests(ctx, deps, params);
}
