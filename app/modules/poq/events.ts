/**
 * Event types and attribute names of the poq module, and their constructors. Every attribute value
 * is a string; `request_id` and addresses are indexed so that `tx_search`/`block_search` find them.
 */
import type { Event } from "../../../abci/application.js";

export const PoqEvent = {
  RequestCreated: "poq_request_created",
  RequestAssigned: "poq_request_assigned",
  ResponseSubmitted: "poq_response_submitted",
  ScoreCommitted: "poq_score_committed",
  CommitWindowExtended: "poq_commit_window_extended",
  ScoreRevealed: "poq_score_revealed",
  QualityFinalized: "poq_quality_finalized",
  RequestUnscored: "poq_request_unscored",
  Paid: "poq_paid",
  Slashed: "poq_slashed",
  RequestExpired: "poq_request_expired",
  NodeRegistered: "poq_node_registered",
  NodeUnregistered: "poq_node_unregistered",
  NodeUnbonded: "poq_node_unbonded",
  ValidatorExcluded: "poq_validator_excluded",
  NodeJailed: "poq_node_jailed",
  CommitteeDrawn: "poq_committee_drawn",
  NodeUnjailed: "poq_node_unjailed",
  ResponseCommitted: "poq_response_committed",
  RevealPhaseOpened: "poq_reveal_phase_opened",
  /** A replicated request closed: every answer final, unscored or expired. */
  RequestSettled: "poq_request_settled",
  /** A finished request's texts left state after `request_retention_blocks` (prune.ts). */
  RequestPruned: "poq_request_pruned",
} as const;

export type PoqEventType = (typeof PoqEvent)[keyof typeof PoqEvent];

const INDEXED = new Set(["request_id", "node", "requester", "validator", "operator", "recipient"]);

/**
 * Builds an event; attributes keep the given order.
 *
 * @example
 * poqEvent(PoqEvent.RequestCreated, { request_id: "1", requester: "poq1...", model: "m" });
 */
export function poqEvent(type: PoqEventType, attrs: Readonly<Record<string, string>>): Event {
  return {
    type,
    attributes: Object.entries(attrs).map(([key, value]) => ({ key, value, index: INDEXED.has(key) })),
  };
}
