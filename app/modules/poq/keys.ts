/**
 * Every key the poq module writes, in one place; the byte layout is documented in README.md (State).
 * All keys start with `poq/`; integers are big-endian so that iteration order is numeric order.
 */
import { uintBE } from "./types/wire.js";

export const POQ_MODULE = "poq";
/** Module account that receives slashed node stake (a community pool): never a requester (review C1). */
export const POQ_POOL_MODULE = "poq_pool";

const PREFIX = new TextEncoder().encode("poq/");

export const KeyTag = {
  Params: 0x00,
  NextRequestId: 0x01,
  Request: 0x02,
  Node: 0x03,
  /** Requests whose deadline (response or reveal) is at a height: checked in EndBlock. */
  Deadline: 0x04,
  /** Requests waiting for a node. */
  Pending: 0x05,
  /** Requests that received a reveal in the current block (finality check in EndBlock, then deleted). */
  Touched: 0x06,
  Commitment: 0x07,
  Reveal: 0x08,
  Trust: 0x09,
  /** Node stakes to return at a height. */
  Unbonding: 0x0a,
  /** Retired (the per-block seed from the previous app hash, before the beacon); not to be reused. */
  RetiredBlockSeed: 0x0b,
  /** Requests assigned to a node and not yet answered (reassigned when the node is jailed). */
  NodeAssignment: 0x0c,
  /** A validator's last beacon commitment. */
  BeaconCommitment: 0x0d,
  /** The randomness beacon: its value and the height it was mixed at. */
  Beacon: 0x0e,
  /** Answers waiting for their committee (drawn from the beacon of the next block). */
  AwaitingCommittee: 0x0f,
  /** Per model: capacity and next slot of its ready set (node-index.ts). */
  ReadyMeta: 0x10,
  /** Per model: Fenwick tree of the stakes of its ready nodes. */
  ReadyTree: 0x11,
  /** Per model: the operator in a slot of the ready set. */
  ReadySlot: 0x12,
  /** Per model: free slots of the ready set. */
  ReadyFree: 0x13,
  /** Per node and model: its slot and weight in the model's ready set. */
  ReadyMember: 0x14,
  /** Per model: offering nodes by min_fee. */
  Offer: 0x15,
  /** Per model: from which request id and height its waiting requests are tried again. */
  PendingRetry: 0x16,
  /** Per model: its waiting requests. */
  PendingByModel: 0x17,
  /** Number of waiting requests. */
  PendingCount: 0x18,
  /** Open committee seats: a validator's seat on a request in SCORING. */
  Seat: 0x19,
  /** Number of open seats of a validator. */
  SeatCount: 0x1a,
  /** The status a request is indexed under (one byte, {@link requestStatusCode}). */
  RequestIndexedStatus: 0x20,
  /** Request ids by status, requester and node, for the `Requests` query (review M7). */
  RequestsByStatus: 0x21,
  RequestsByRequester: 0x22,
  RequestsByNode: 0x23,
  /** Finished requests by the height they finished at, until their texts are pruned (prune.ts). */
  FinishedRequest: 0x24,
} as const;

/** `poq/ tag | parts...`. */
export function keyOf(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(PREFIX.length + 1 + parts.reduce((n, p) => n + p.length, 0));
  out.set(PREFIX, 0);
  out[PREFIX.length] = tag;
  let pos = PREFIX.length + 1;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const key = keyOf;

const u64 = (v: bigint): Uint8Array => uintBE(v, 8);
const lenPrefixed = (b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(b.length + 1);
  out[0] = b.length;
  out.set(b, 1);
  return out;
};

/** `poq/ 0x00` → params JSON. */
export const paramsKey = (): Uint8Array => key(KeyTag.Params);
/** `poq/ 0x01` → next request id, u64 big-endian. */
export const nextRequestIdKey = (): Uint8Array => key(KeyTag.NextRequestId);
/** `poq/ 0x02 | u64 id` → request JSON. */
export const requestKey = (id: bigint): Uint8Array => key(KeyTag.Request, u64(id));
export const requestsPrefix = (): Uint8Array => key(KeyTag.Request);
/** `poq/ 0x03 | len | operator address bytes` → node JSON. */
export const nodeKey = (operator: Uint8Array): Uint8Array => key(KeyTag.Node, lenPrefixed(operator));
export const nodesPrefix = (): Uint8Array => key(KeyTag.Node);
/** `poq/ 0x04 | u64 height | u64 id` → empty. */
export const deadlineKey = (height: bigint, id: bigint): Uint8Array =>
  key(KeyTag.Deadline, u64(height), u64(id));
export const deadlinesPrefix = (): Uint8Array => key(KeyTag.Deadline);
/** `poq/ 0x05 | u64 id` → empty. */
export const pendingKey = (id: bigint): Uint8Array => key(KeyTag.Pending, u64(id));
export const pendingPrefix = (): Uint8Array => key(KeyTag.Pending);
/** `poq/ 0x06 | u64 id` → empty. */
export const touchedKey = (id: bigint): Uint8Array => key(KeyTag.Touched, u64(id));
export const touchedPrefix = (): Uint8Array => key(KeyTag.Touched);
/** `poq/ 0x07 | u64 id | validator address (20)` → commitment JSON. */
export const commitmentKey = (id: bigint, validator: Uint8Array): Uint8Array =>
  key(KeyTag.Commitment, u64(id), validator);
/** `poq/ 0x08 | u64 id | validator address (20)` → reveal JSON. */
export const revealKey = (id: bigint, validator: Uint8Array): Uint8Array =>
  key(KeyTag.Reveal, u64(id), validator);
export const revealsOfPrefix = (id: bigint): Uint8Array => key(KeyTag.Reveal, u64(id));
/** `poq/ 0x09 | validator address` → trust record JSON. */
export const trustKey = (validator: Uint8Array): Uint8Array => key(KeyTag.Trust, validator);
export const trustPrefix = (): Uint8Array => key(KeyTag.Trust);
/** `poq/ 0x0a | u64 height | len | operator` → amount, decimal ASCII. */
export const unbondingKey = (height: bigint, operator: Uint8Array): Uint8Array =>
  key(KeyTag.Unbonding, u64(height), lenPrefixed(operator));
export const unbondingPrefix = (): Uint8Array => key(KeyTag.Unbonding);
/** `poq/ 0x0b` → 32-byte seed of the current block. */

/** `poq/ 0x0c | len | operator | u64 id` → empty. */
export const nodeAssignmentKey = (operator: Uint8Array, id: bigint): Uint8Array =>
  key(KeyTag.NodeAssignment, lenPrefixed(operator), u64(id));
export const nodeAssignmentsPrefix = (operator: Uint8Array): Uint8Array =>
  key(KeyTag.NodeAssignment, lenPrefixed(operator));

/** `poq/ 0x0d | validator address (20)` → beacon commitment JSON. */
export const beaconCommitmentKey = (validator: Uint8Array): Uint8Array =>
  key(KeyTag.BeaconCommitment, validator);
/** `poq/ 0x0e` → beacon JSON `{value, height}`. */
export const beaconKey = (): Uint8Array => key(KeyTag.Beacon);
/** `poq/ 0x0f | u64 id` → empty. */
export const awaitingCommitteeKey = (id: bigint): Uint8Array => key(KeyTag.AwaitingCommittee, u64(id));
export const awaitingCommitteePrefix = (): Uint8Array => key(KeyTag.AwaitingCommittee);

/** `poq/ 0x19 | validator (20) | u64 id` → empty. */
export const seatKey = (validator: Uint8Array, id: bigint): Uint8Array =>
  key(KeyTag.Seat, validator, u64(id));
export const seatsOfPrefix = (validator: Uint8Array): Uint8Array => key(KeyTag.Seat, validator);
/** `poq/ 0x1a | validator (20)` → u64 number of open seats. */
export const seatCountKey = (validator: Uint8Array): Uint8Array => key(KeyTag.SeatCount, validator);
/** `poq/ 0x20 | u64 id` → one byte: the status code the request is indexed under. */
export const requestIndexedStatusKey = (id: bigint): Uint8Array => key(KeyTag.RequestIndexedStatus, u64(id));
/** `poq/ 0x21 | status code | u64 id` → empty. */
export const requestByStatusKey = (code: number, id: bigint): Uint8Array =>
  key(KeyTag.RequestsByStatus, Uint8Array.of(code), u64(id));
export const requestsByStatusPrefix = (code: number): Uint8Array =>
  key(KeyTag.RequestsByStatus, Uint8Array.of(code));
/** `poq/ 0x22 | len | requester | u64 id` → empty. */
export const requestByRequesterKey = (requester: Uint8Array, id: bigint): Uint8Array =>
  key(KeyTag.RequestsByRequester, lenPrefixed(requester), u64(id));
export const requestsByRequesterPrefix = (requester: Uint8Array): Uint8Array =>
  key(KeyTag.RequestsByRequester, lenPrefixed(requester));
/** `poq/ 0x23 | len | node operator | u64 id` → empty (every node ever assigned the request). */
export const requestByNodeKey = (operator: Uint8Array, id: bigint): Uint8Array =>
  key(KeyTag.RequestsByNode, lenPrefixed(operator), u64(id));
export const requestsByNodePrefix = (operator: Uint8Array): Uint8Array =>
  key(KeyTag.RequestsByNode, lenPrefixed(operator));

/** `poq/ 0x24 | u64 finished height | u64 id` → empty: a finished request whose texts are still in state. */
export const finishedRequestKey = (height: bigint, id: bigint): Uint8Array =>
  key(KeyTag.FinishedRequest, u64(height), u64(id));
export const finishedRequestsPrefix = (): Uint8Array => key(KeyTag.FinishedRequest);

/** Reads the last 8 bytes of a key as a u64 (the id at the end of an index key). */
export function keyTrailingU64(k: Uint8Array): bigint {
  let v = 0n;
  for (let i = k.length - 8; i < k.length; i++) v = (v << 8n) | BigInt(k[i] ?? 0);
  return v;
}

/** Reads the u64 at `offset` after the `poq/ tag` header of a key. */
export function keyU64(k: Uint8Array, offset = 0): bigint {
  const start = PREFIX.length + 1 + offset;
  let v = 0n;
  for (let i = start; i < start + 8; i++) v = (v << 8n) | BigInt(k[i] ?? 0);
  return v;
}
