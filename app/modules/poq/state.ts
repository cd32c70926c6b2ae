/**
 * The records the poq module stores, in their stored (and API) form: JSON with snake_case keys,
 * 64-bit integers and amounts as decimal strings, scores as integer basis points. Objects are always
 * built with the same key order, so their bytes are deterministic.
 */
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import { BECH32_PREFIX } from "../auth/address.js";
import { bytesKey, createStringMemo } from "../../store/memo.js";

export const RequestStatus = {
  Pending: "PENDING",
  Assigned: "ASSIGNED",
  Scoring: "SCORING",
  Finalized: "FINALIZED",
  Expired: "EXPIRED",
  Unscored: "UNSCORED",
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** Whether a request (or answer) in this status changes no more: FINALIZED, EXPIRED or UNSCORED. */
export function isFinalStatus(status: string): boolean {
  return (
    status === RequestStatus.Finalized ||
    status === RequestStatus.Expired ||
    status === RequestStatus.Unscored
  );
}

/** The one-byte code of a status in the request indexes (`keys.ts` 0x20, 0x21); never reused. */
const STATUS_CODES: Record<RequestStatus, number> = {
  PENDING: 1,
  ASSIGNED: 2,
  SCORING: 3,
  FINALIZED: 4,
  EXPIRED: 5,
  UNSCORED: 6,
};

/** The status of an index code, or undefined for a code that is none. */
export function requestStatusOfCode(code: number): RequestStatus | undefined {
  return (Object.keys(STATUS_CODES) as RequestStatus[]).find((s) => STATUS_CODES[s] === code);
}

/** A status's index code, or undefined for a string that is no status. */
export function requestStatusCode(status: string): number | undefined {
  return Object.hasOwn(STATUS_CODES, status) ? STATUS_CODES[status as RequestStatus] : undefined;
}

export interface CoinJson {
  denom: string;
  amount: string;
}

export interface CommitteeSeat {
  /** Consensus address, bech32 `poqvalcons...`. */
  validator: string;
  power: string;
}

export interface QualityJson {
  score: number;
  scores: { validator: string; score: number; power: string }[];
  revealed_power: string;
  committee_power: string;
}

export interface PayoutJson {
  node: string;
  validators: { validator: string; operator: string; amount: string }[];
  refund: string;
  /** Node stake slashed for this request (sent to the `poq_pool` community pool, never the requester). */
  slashed: string;
}

export interface RequestRecord {
  id: string;
  requester: string;
  model: string;
  prompt: string;
  max_tokens: number;
  fee: CoinJson;
  min_quality: number;
  status: RequestStatus;
  node: string;
  response: string;
  created_height: string;
  assigned_height: string;
  responded_height: string;
  finalized_height: string;
  response_deadline: string;
  commit_deadline: string;
  reveal_deadline: string;
  /** Nodes assigned so far (the current one last); a node is never assigned the same request twice. */
  assigned_nodes: string[];
  committee: CommitteeSeat[];
  quality: QualityJson | null;
  payout: PayoutJson | null;
  /** Independent answers asked for (1: a single answer). */
  replicas: number;
  /**
   * Answer records: for a request, the ids of its answers ("response ids"; a single-answer request
   * is its own answer, `[id]`); for an answer of a replicated request, empty.
   */
  response_ids: string[];
  /** For an answer of a replicated request, the request's id; "0" otherwise. */
  parent: string;
  /** For an answer of a replicated request: the node's commitment (hex), "" until it commits. */
  commitment: string;
  committed_height: string;
  /**
   * For a replicated request: the height whose end opened the reveal phase (every assigned node
   * committed, or the commit deadline passed); reveals are accepted after it. "0" until then.
   */
  reveal_height: string;
  /**
   * Only on a pruned record (`request_retention_blocks` after it finished, `prune.ts`): the height
   * whose EndBlock dropped `prompt` and `response` from state (both "" since), and the sha256 (hex)
   * of each as it was ("" for a text that was empty). Queries read the texts back from the
   * transactions that carried them and check them against these hashes.
   */
  pruned_height?: string;
  prompt_sha256?: string;
  response_sha256?: string;
}

/** One answer of a request as the API lists it (SPEC section 5: `responses`). */
export interface ResponseView {
  /** The answer's response id (the request's own id for a single answer). */
  id: string;
  node: string;
  status: RequestStatus;
  /** "" until the answer is revealed. */
  response: string;
  quality: QualityJson | null;
  payout: PayoutJson | null;
  /** Only when the answer was pruned: the sha256 (hex) of its text, "" when it had none. */
  response_sha256?: string;
}

/** A request as the queries and REST return it: the stored record plus every answer. */
export type RequestView = RequestRecord & { responses: ResponseView[] };

export const NodeStatus = { Active: "ACTIVE", Unbonding: "UNBONDING", Unbonded: "UNBONDED" } as const;
export type NodeStatus = (typeof NodeStatus)[keyof typeof NodeStatus];

export interface NodeRecord {
  operator: string;
  moniker: string;
  models: string[];
  stake: CoinJson;
  status: NodeStatus;
  registered_height: string;
  unbonding_height: string;
  /** Requests assigned. */
  assigned: string;
  /** Responses submitted in time. */
  served: string;
  /** Responses whose quality was finalized. */
  scored: string;
  quality_sum: string;
  earnings: string;
  slashed: string;
  slashes: string;
  missed_deadlines: string;
  /** The smallest fee (per answer) this node takes; at least the chain's `min_request_fee`. */
  min_fee: CoinJson;
  /** Most requests assigned to it and not yet answered; 0 = the chain's `default_max_in_flight`. */
  max_in_flight: number;
  /** Requests assigned to it and not yet answered or missed. */
  in_flight: string;
  /** Jailed after a missed deadline or a score under the floor: no new assignments until MsgUnjailNode. */
  jailed: boolean;
}

/**
 * A stored node record with the fields added for prices, load and jailing filled in when missing
 * (records written before they existed, and genesis files that leave them out).
 */
export function withNodeDefaults(n: NodeRecord, denom: string): NodeRecord {
  if (n.min_fee && n.in_flight !== undefined && n.max_in_flight !== undefined && n.jailed !== undefined)
    return n;
  return {
    ...n,
    min_fee: n.min_fee ?? { denom, amount: "0" },
    max_in_flight: n.max_in_flight ?? 0,
    in_flight: n.in_flight ?? "0",
    jailed: n.jailed ?? false,
  };
}

export interface CommitmentRecord {
  commitment: string;
  height: string;
}

export interface RevealRecord {
  score: number;
  height: string;
}

export interface TrustJson {
  validator: string;
  trust_bp: number;
  committees: string;
  revealed: string;
  missed: string;
  deviated: string;
  deviation_sum_bp: string;
  consecutive_misses: number;
  excluded_until: string;
}

// bech32 in both directions for every seat of every request finalizing in a block added up; the
// validator set is small, so both directions are remembered (the shared bounded memo: pure functions).
const MEMO_ENTRIES = 4096;
const consNames = createStringMemo(MEMO_ENTRIES, (bytes: string) =>
  bech32Encode(BECH32_PREFIX.consensus, Buffer.from(bytes, "latin1")),
);
const consBytes = createStringMemo(MEMO_ENTRIES, (address: string) => bech32Decode(address).data);

/** bech32 `poqvalcons` form of a consensus address. */
export function consAddress(address: Uint8Array): string {
  return consNames(bytesKey(address));
}

/** Bytes of a `poqvalcons` address (stored values only; never user input). */
export function consAddressBytes(address: string): Uint8Array {
  return Uint8Array.from(consBytes(address)); // callers may keep or change their copy
}

/** A stored decimal counter or amount plus `by` (default 1), as a decimal string again. */
export function incDecimal(value: string, by = 1n): string {
  return (BigInt(value) + by).toString();
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Serializes a record (key order is that of the object literal that built it). */
export function toBytes(record: object): Uint8Array {
  return enc.encode(JSON.stringify(record));
}

/** Parses a stored record. */
export function fromBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(dec.decode(bytes)) as T;
}
