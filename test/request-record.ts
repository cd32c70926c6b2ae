/**
 * A request record for tests and benches: every field at its zero value, with `fields` over them,
 * so a caller names only what its case is about. The key order is `RequestRecord`'s (a field given
 * in `fields` keeps its place), which tests of the stored JSON rely on.
 */
import { RequestStatus, type RequestRecord } from "../app/modules/poq/state.js";

/**
 * @example
 * requestRecord(7, { status: RequestStatus.Finalized, requester: alice });
 */
export function requestRecord(id: number, fields: Partial<RequestRecord> = {}): RequestRecord {
  const z = "0";
  return {
    id: String(id),
    requester: "",
    model: "m",
    prompt: "",
    max_tokens: 1,
    fee: { denom: "upoq", amount: "1" },
    min_quality: 0,
    status: RequestStatus.Pending,
    node: "",
    response: "",
    created_height: z,
    assigned_height: z,
    responded_height: z,
    finalized_height: z,
    response_deadline: z,
    commit_deadline: z,
    reveal_deadline: z,
    assigned_nodes: [],
    committee: [],
    quality: null,
    payout: null,
    replicas: 1,
    response_ids: [String(id)],
    parent: "0",
    commitment: "",
    committed_height: z,
    reveal_height: z,
    ...fields,
  };
}
