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

/**
 * The reveal step of an answer: the committed entry's answer, salt and request, unsigned, under the
 * response id itself (the commit entry keeps its own transaction).
 *
 * @example
 * ledger.put(revealEntry(ledger.get(commitKey("6"))!, "6", "40"));
 */
export function revealEntry(
  committed: SubmissionEntry,
  responseId: string,
  deadline: string,
): SubmissionEntry {
  const { txBytes: _bytes, txHash: _hash, height: _height, error: _error, ...answer } = committed;
  return { ...answer, requestId: responseId, state: "answered", kind: "reveal", deadline };
}
