/**
 * The message a ledger entry signs: a single answer's MsgSubmitResponse, or for an answer of a
 * replicated request the MsgCommitResponse over its answer and salt, then the MsgSubmitResponse that
 * reveals them. Built from the entry alone, so a restarted node signs exactly what it committed to.
 */
import { fromHex } from "@cosmjs/encoding";
import { answerCommitment } from "../app/modules/poq/answer-commitment.js";
import { PoqTypeUrl, type MsgCommitResponse, type MsgSubmitResponse } from "../app/modules/poq/types/msgs.js";
import type { SubmissionEntry } from "./ledger.js";

/** The ledger key of an answer's commit step (its reveal uses the response id itself). */
export const commitKey = (responseId: string): string => `commit:${responseId}`;

/**
 * The encode-object of the entry's transaction message.
 *
 * @example
 * const msg = entryMessage(entry, "poq1..."); // { typeUrl: "/poq.v1.MsgCommitResponse", value: {...} }
 */
export function entryMessage(
  entry: SubmissionEntry,
  node: string,
): { typeUrl: string; value: MsgSubmitResponse | MsgCommitResponse } {
  if (entry.kind === undefined)
    return {
      typeUrl: PoqTypeUrl.SubmitResponse,
      value: { node, requestId: BigInt(entry.requestId), response: entry.response },
    };
  if (entry.parent === undefined || entry.salt === undefined)
    throw new Error(`ledger entry ${entry.requestId} lacks its request id or salt`);
  const requestId = BigInt(entry.parent);
  const salt = fromHex(entry.salt);
  if (entry.kind === "commit") {
    const commitment = answerCommitment({ requestId, node, salt, response: entry.response });
    return { typeUrl: PoqTypeUrl.CommitResponse, value: { node, requestId, commitment } };
  }
  return { typeUrl: PoqTypeUrl.SubmitResponse, value: { node, requestId, response: entry.response, salt } };
}
