/**
 * Pruning of finished requests (issue 14, review M6): `request_retention_blocks` after a request
 * finished (FINALIZED, EXPIRED or UNSCORED), EndBlock drops its prompt and answer texts from state,
 * and those of its answers if it was replicated. The record stays, small: ids, status, heights,
 * parties, scores and payouts, plus the sha256 of each text (`prompt_sha256`, `response_sha256`) and
 * `pruned_height`, stored compact (`kept-record.ts`, through the keeper). The texts stay readable from the transactions that carried them
 * (`MsgRequestInference`, `MsgSubmitResponse`) in CometBFT's tx index; readers check them against
 * these hashes (`client/pruned-texts.ts`).
 *
 * The work is driven by the finished index (`0x24 | finished height | id`, written with the record
 * when it finishes) in index order, and bounded: at most {@link MAX_PRUNED_RECORDS_PER_BLOCK} records
 * per block; a backlog (a burst of finished requests, or a lower retention by governance) drains
 * over the next blocks. Only integers and index order: part of the state machine.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Context } from "../../types.js";
import type { PoqDeps } from "./deps.js";
import { PoqEvent, poqEvent } from "./events.js";
import type { PoqParams } from "./params.js";
import type { RequestRecord } from "./state.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** Records (a request and each answer of a replicated one) pruned in one block at most. */
export const MAX_PRUNED_RECORDS_PER_BLOCK = 200;

const utf8 = new TextEncoder();

/** sha256 (hex) of a text as UTF-8; "" for an empty text (nothing to read back). */
export function textSha256(text: string): string {
  return text === "" ? "" : Buffer.from(sha256(utf8.encode(text))).toString("hex");
}

/** The record with its texts dropped: the same fields, `prompt` and `response` "", plus the hashes. */
export function prunedRecord(r: RequestRecord, height: bigint): RequestRecord {
  return {
    ...r,
    prompt: "",
    response: "",
    pruned_height: height.toString(),
    prompt_sha256: textSha256(r.prompt),
    response_sha256: textSha256(r.response),
  };
}

/**
 * EndBlock part: prunes the requests that finished at least `request_retention_blocks` ago, oldest
 * first, up to the per-block cap. Returns the number of records pruned.
 *
 * @example
 * pruneFinishedRequests(ctx, deps, params);
 */
export function pruneFinishedRequests(ctx: Ctx, deps: Pick<PoqDeps, "keeper">, params: PoqParams): number {
  const { keeper } = deps;
  const through = ctx.blockHeight - params.requestRetentionBlocks;
  if (through <= 0n) return 0;
  let budget = MAX_PRUNED_RECORDS_PER_BLOCK;
  for (const due of keeper.finishedThrough(ctx, through, MAX_PRUNED_RECORDS_PER_BLOCK)) {
    const req = keeper.getRequest(ctx, due.id);
    const answerIds = req && req.replicas >= 2 && req.parent === "0" ? req.response_ids : [];
    // A request and its answers go in the same block (1 + replicas records); the first of a block
    // always goes, so that no request larger than the cap can stop the queue.
    if (1 + answerIds.length > budget && budget < MAX_PRUNED_RECORDS_PER_BLOCK) break;
    budget -= Math.min(budget, 1 + answerIds.length);
    keeper.removeFinished(ctx, due.height, due.id);
    if (!req || req.pruned_height !== undefined) continue;
    for (const id of answerIds) {
      const answer = keeper.getRequest(ctx, BigInt(id));
      if (answer && answer.pruned_height === undefined)
        keeper.setRequest(ctx, prunedRecord(answer, ctx.blockHeight));
    }
    keeper.setRequest(ctx, prunedRecord(req, ctx.blockHeight));
    ctx.emitEvent(
      poqEvent(PoqEvent.RequestPruned, {
        request_id: req.id,
        finished_height: due.height.toString(),
      }),
    );
  }
  return MAX_PRUNED_RECORDS_PER_BLOCK - budget;
}
