/**
 * State access of the poq module: the read-only {@link PoqView} (queries, REST, the validator's
 * extension planner) and the writing {@link PoqKeeper} (message handlers and block hooks).
 */
import type { Context } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import {
  commitmentKey,
  deadlineKey,
  nextRequestIdKey,
  nodeKey,
  nodesPrefix,
  paramsKey,
  pendingKey,
  pendingPrefix,
  requestKey,
  requestsPrefix,
  revealKey,
  revealsOfPrefix,
  touchedKey,
  touchedPrefix,
  unbondingKey,
  unbondingPrefix,
  deadlinesPrefix,
  trustKey,
  trustPrefix,
  keyU64,
  nodeAssignmentKey,
  nodeAssignmentsPrefix,
  beaconCommitmentKey,
  beaconKey,
  awaitingCommitteeKey,
  awaitingCommitteePrefix,
  seatKey,
  seatsOfPrefix,
  seatCountKey,
  keyTrailingU64,
  requestByNodeKey,
  requestByRequesterKey,
  requestByStatusKey,
  requestIndexedStatusKey,
  requestsByNodePrefix,
  requestsByRequesterPrefix,
  requestsByStatusPrefix,
  finishedRequestKey,
  finishedRequestsPrefix,
} from "./keys.js";
import { defaultPoqParams, type PoqParams } from "./params.js";
import {
  consAddress,
  fromBytes,
  toBytes,
  type CommitmentRecord,
  type NodeRecord,
  type RequestRecord,
  type RevealRecord,
  type TrustJson,
  isFinalStatus,
  requestStatusCode,
  requestStatusOfCode,
  withNodeDefaults,
} from "./state.js";
import { newTrustRecord, type TrustRecord } from "./trust.js";
import { decodeRequestRecord, encodeRequestRecord } from "./kept-record.js";
import { readUintBE, uintBE } from "./types/wire.js";
import { createLastBytesMemo } from "../../store/memo.js";
import { syncNodeIndex } from "./node-index.js";
import { markRetry, notePending, pendingOfModel } from "./pending-index.js";

export type StoreContext = Pick<Context, "store">;

/** A secondary index of requests (see {@link PoqView.requestIdsBy}). */
export type RequestIndex =
  { by: "status"; status: string } | { by: "requester"; address: string } | { by: "node"; address: string };

function requestIndexPrefix(index: RequestIndex): Uint8Array | undefined {
  switch (index.by) {
    case "status": {
      const code = requestStatusCode(index.status);
      return code === undefined ? undefined : requestsByStatusPrefix(code);
    }
    case "requester":
      return requestsByRequesterPrefix(parseAccountAddress(index.address, "requester"));
    case "node":
      return requestsByNodePrefix(parseAccountAddress(index.address, "node"));
  }
}

/**
 * Keeps a request's index entries in step with the record: the requester once, the status when it
 * changes (a one-byte key remembers the indexed one, so no old record is parsed), and each node
 * assigned. Writes only what changed.
 */
function indexRequest(ctx: StoreContext, r: RequestRecord, id: bigint): void {
  const code = requestStatusCode(r.status);
  if (code === undefined) throw new RangeError(`request ${r.id} has no status code for ${r.status}`);
  const statusKey = requestIndexedStatusKey(id);
  const indexed = ctx.store.get(statusKey)?.[0];
  if (indexed === undefined) {
    ctx.store.set(requestByRequesterKey(parseAccountAddress(r.requester, "requester"), id), new Uint8Array());
  }
  if (indexed !== code) {
    if (indexed !== undefined) ctx.store.delete(requestByStatusKey(indexed, id));
    ctx.store.set(statusKey, Uint8Array.of(code));
    ctx.store.set(requestByStatusKey(code, id), new Uint8Array());
    // A request (not an answer: its request prunes it) that just finished waits to be pruned.
    const wasFinal = indexed !== undefined && isFinalStatus(requestStatusOfCode(indexed) ?? "");
    if (r.parent === "0" && isFinalStatus(r.status) && !wasFinal && r.pruned_height === undefined) {
      ctx.store.set(finishedRequestKey(BigInt(r.finalized_height), id), new Uint8Array());
    }
  }
  const nodes =
    r.node === "" || r.assigned_nodes.includes(r.node) ? r.assigned_nodes : [...r.assigned_nodes, r.node];
  for (const node of nodes) {
    const k = requestByNodeKey(parseAccountAddress(node, "node"), id);
    if (!ctx.store.has(k)) ctx.store.set(k, new Uint8Array());
  }
}

export interface PoqView {
  getParams(ctx: StoreContext): PoqParams;
  getRequest(ctx: StoreContext, id: bigint): RequestRecord | undefined;
  /** Requests ascending by id, from `startId` (inclusive). */
  requests(ctx: StoreContext, startId?: bigint): Iterable<RequestRecord>;
  /**
   * Ids of the requests (and answers) in an index, ascending from `startId` (inclusive): by
   * status, by requester, or by node (every node ever assigned it). Reads index keys only.
   */
  requestIdsBy(ctx: StoreContext, index: RequestIndex, startId: bigint): Iterable<bigint>;
  /** A request's status from its one-byte index entry, without reading the record. */
  requestStatus(ctx: StoreContext, id: bigint): string | undefined;
  getNode(ctx: StoreContext, operator: string): NodeRecord | undefined;
  /** Nodes ascending by operator address bytes. */
  nodes(ctx: StoreContext): NodeRecord[];
  getCommitment(ctx: StoreContext, id: bigint, validator: Uint8Array): CommitmentRecord | undefined;
  getReveal(ctx: StoreContext, id: bigint, validator: Uint8Array): RevealRecord | undefined;
  /** Whether a commitment is recorded (without parsing it: ExtendVote asks for each request). */
  hasCommitment(ctx: StoreContext, id: bigint, validator: Uint8Array): boolean;
  /** Whether a reveal is recorded. */
  hasReveal(ctx: StoreContext, id: bigint, validator: Uint8Array): boolean;
  /** Reveals of a request, keyed by validator address bytes (ascending). */
  reveals(ctx: StoreContext, id: bigint): { validator: Uint8Array; reveal: RevealRecord }[];
  getTrust(ctx: StoreContext, validator: Uint8Array): TrustRecord;
  /** Trust records ascending by validator address. */
  trustRecords(ctx: StoreContext): { validator: Uint8Array; record: TrustRecord }[];
  /** Requests waiting for a node, ascending by id. */
  pendingIds(ctx: StoreContext): bigint[];
  /** Ids of the requests assigned to a node and not yet answered, ascending. */
  assignmentsOf(ctx: StoreContext, operator: string): bigint[];
  /** The randomness beacon (zero bytes at height 0 before any mix). */
  beacon(ctx: StoreContext): BeaconRecord;
  /** A validator's last beacon commitment. */
  getBeaconCommitment(ctx: StoreContext, validator: Uint8Array): CommitmentRecord | undefined;
  /** Answers waiting for their committee, ascending by id. */
  awaitingCommittee(ctx: StoreContext): bigint[];
  /** Whether the validator holds a seat on request `id`, which is in SCORING (no request parse). */
  hasSeat(ctx: StoreContext, id: bigint, validator: Uint8Array): boolean;
  /** Number of the validator's open seats (requests in SCORING it sits on). */
  openSeats(ctx: StoreContext, validator: Uint8Array): bigint;
  /** Ids of the requests in SCORING the validator sits on, ascending from `startId`, at most `limit`. */
  seatsOf(ctx: StoreContext, validator: Uint8Array, startId?: bigint, limit?: number): bigint[];
}

/** The beacon as stored: hex value, the height it was mixed at, and the power that revealed into it. */
export interface BeaconRecord {
  value: string;
  height: string;
  /** Power of the valid reveals mixed at `height` (decimal; absent before any mix). */
  revealed_power?: string;
  /** Power of every vote of the commit mixed at `height` (decimal). */
  total_power?: string;
}

export interface PoqKeeper extends PoqView {
  setParams(ctx: StoreContext, params: PoqParams): void;
  /** Allocates the next request id (starting at 1). */
  nextRequestId(ctx: StoreContext): bigint;
  setRequest(ctx: StoreContext, r: RequestRecord): void;
  setNode(ctx: StoreContext, n: NodeRecord): void;
  deleteNode(ctx: StoreContext, operator: string): void;
  setCommitment(ctx: StoreContext, id: bigint, validator: Uint8Array, c: CommitmentRecord): void;
  setReveal(ctx: StoreContext, id: bigint, validator: Uint8Array, r: RevealRecord): void;
  /**
   * Drops the commitments and reveals of a finished request (its outcome lives in the request);
   * `validators` is its committee, the only validators that can have any.
   */
  clearScores(ctx: StoreContext, id: bigint, validators: readonly Uint8Array[]): void;
  /** Records the seats of a request's committee (drawn: it is in SCORING); {@link clearScores} ends them. */
  openSeatsFor(ctx: StoreContext, id: bigint, validators: readonly Uint8Array[]): void;
  setTrust(ctx: StoreContext, validator: Uint8Array, t: TrustRecord): void;
  addDeadline(ctx: StoreContext, height: bigint, id: bigint): void;
  removeDeadline(ctx: StoreContext, height: bigint, id: bigint): void;
  /** Adds a request to (or removes it from) the waiting set and its model's waiting index. */
  setPending(ctx: StoreContext, req: Pick<RequestRecord, "id" | "model">, pending: boolean): void;
  markTouched(ctx: StoreContext, id: bigint): void;
  addUnbonding(ctx: StoreContext, height: bigint, operator: string): void;
  /** Operators whose unbonding completes at or before `height`, removing their entries. */
  takeUnbondings(ctx: StoreContext, height: bigint): string[];
  /** Request ids with a deadline at or before `height`, ascending by (height, id). */
  dueDeadlines(ctx: StoreContext, height: bigint): { height: bigint; id: bigint }[];
  /** Request ids that received a reveal this block, clearing the marks. */
  takeTouched(ctx: StoreContext): bigint[];
  /**
   * Whether anything waits on future blocks: a request waiting for a node, an answer waiting for its
   * committee, a deadline (response, commit or reveal), a reveal to check or a stake to return. An
   * idle chain has none, and its blocks change no state (the beacon is not mixed; see scoring.ts).
   */
  hasOpenWork(ctx: StoreContext): boolean;
  /** A request waits for its node, an answer, a committee or its scores (a subset of open work). */
  hasRequestsInFlight(ctx: StoreContext): boolean;
  setAssignment(ctx: StoreContext, operator: string, id: bigint, assigned: boolean): void;
  setBeacon(ctx: StoreContext, b: BeaconRecord): void;
  setBeaconCommitment(ctx: StoreContext, validator: Uint8Array, c: CommitmentRecord): void;
  setAwaitingCommittee(ctx: StoreContext, id: bigint, awaiting: boolean): void;
  /**
   * Finished requests whose texts are still in state and that finished at or before `height`,
   * ascending by (finished height, id), at most `limit` (the index 0x24; no record is read).
   */
  finishedThrough(ctx: StoreContext, height: bigint, limit: number): { height: bigint; id: bigint }[];
  /** Takes a request off the finished index (it was pruned). */
  removeFinished(ctx: StoreContext, height: bigint, id: bigint): void;
}

/** The indexes that hold a request while it waits for its node, an answer, a committee or scores. */
const inFlightPrefixes = (): Uint8Array[] => [pendingPrefix(), awaitingCommitteePrefix(), deadlinesPrefix()];

/** Whether any key lies under one of `prefixes`. */
const anyUnder = (ctx: StoreContext, prefixes: Uint8Array[]): boolean =>
  prefixes.some((p) => [...ctx.store.iterate(p, { limit: 1 })].length > 0);

const PARAMS_BIGINT = [
  "commitWindow",
  "revealWindow",
  "maxCommitExtension",
  "responseTimeout",
  "requestTtl",
  "minNodeStake",
  "minRequestFee",
  "unbondingBlocks",
  "exclusionBlocks",
  "requestRetentionBlocks",
] as const;

/** `committeeSize` -> `committee_size`: params are JSON in the Cosmos convention (snake_case). */
export function paramJsonKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Params as stored, served and written in genesis: snake_case keys, bigints as decimal strings. */
export function paramsToJson(p: PoqParams): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p) as [string, string | number | bigint][]) {
    out[paramJsonKey(k)] = typeof v === "bigint" ? v.toString() : v;
  }
  return out;
}

/**
 * Inverse of {@link paramsToJson}; missing keys take defaults, so old genesis files keep working,
 * and an unknown key is an error (a typo must not silently leave a default in place).
 */
export function paramsFromJson(json: Readonly<Record<string, unknown>>): PoqParams {
  const p = defaultPoqParams() as unknown as Record<string, unknown>;
  const byJsonKey = new Map(Object.keys(p).map((k) => [paramJsonKey(k), k]));
  for (const jsonKey of Object.keys(json).sort()) {
    const key = byJsonKey.get(jsonKey);
    if (key === undefined) throw new TypeError(`unknown param "${jsonKey}"`);
    const v = json[jsonKey];
    if ((PARAMS_BIGINT as readonly string[]).includes(key)) {
      if (typeof v !== "string" || !/^[0-9]{1,20}$/.test(v))
        throw new TypeError(`param ${jsonKey} must be a decimal string`);
      p[key] = BigInt(v);
    } else if (typeof v !== typeof p[key]) throw new TypeError(`param ${jsonKey} has the wrong type`);
    else p[key] = v;
  }
  return p as unknown as PoqParams;
}

function trustToJson(validator: Uint8Array, t: TrustRecord): TrustJson {
  return {
    validator: consAddress(validator),
    trust_bp: t.trustBp,
    committees: t.committees.toString(),
    revealed: t.revealed.toString(),
    missed: t.missed.toString(),
    deviated: t.deviated.toString(),
    deviation_sum_bp: t.deviationSumBp.toString(),
    consecutive_misses: t.consecutiveMisses,
    excluded_until: t.excludedUntil.toString(),
  };
}

function trustFromJson(j: TrustJson): TrustRecord {
  return {
    trustBp: j.trust_bp,
    committees: BigInt(j.committees),
    revealed: BigInt(j.revealed),
    missed: BigInt(j.missed),
    deviated: BigInt(j.deviated),
    deviationSumBp: BigInt(j.deviation_sum_bp),
    consecutiveMisses: j.consecutive_misses,
    excludedUntil: BigInt(j.excluded_until),
  };
}

/**
 * Creates the poq keeper over the shared store.
 *
 * @example
 * const keeper = createPoqKeeper();
 * const params = keeper.getParams(ctx);
 */
export function createPoqKeeper(): PoqKeeper {
  // Every ExtendVote and most handlers read the params; parsing (and validating) their JSON each
  // time showed up in both. The last parse is kept (frozen) while the stored bytes are equal.
  const decodeParams = createLastBytesMemo((raw) => paramsFromJson(fromBytes(raw)));
  const view: PoqView = {
    getParams(ctx) {
      const b = ctx.store.get(paramsKey());
      return b ? decodeParams(b) : defaultPoqParams();
    },
    getRequest(ctx, id) {
      const b = ctx.store.get(requestKey(id));
      return b ? decodeRequestRecord(b) : undefined;
    },
    *requests(ctx, startId = 1n) {
      for (const [, v] of ctx.store.iterate(requestsPrefix(), { start: requestKey(startId) })) {
        yield decodeRequestRecord(v);
      }
    },
    *requestIdsBy(ctx, index, startId) {
      const prefix = requestIndexPrefix(index);
      if (!prefix) return;
      const start = new Uint8Array(prefix.length + 8);
      start.set(prefix);
      start.set(uintBE(startId, 8), prefix.length);
      for (const [k] of ctx.store.iterate(prefix, { start })) yield keyTrailingU64(k);
    },
    requestStatus(ctx, id) {
      const code = ctx.store.get(requestIndexedStatusKey(id))?.[0];
      return code === undefined ? undefined : requestStatusOfCode(code);
    },
    getNode(ctx, operator) {
      const b = ctx.store.get(nodeKey(parseAccountAddress(operator, "operator")));
      return b ? withNodeDefaults(fromBytes<NodeRecord>(b), view.getParams(ctx).denom) : undefined;
    },
    nodes(ctx) {
      const denom = view.getParams(ctx).denom;
      return [...ctx.store.iterate(nodesPrefix())].map(([, v]) =>
        withNodeDefaults(fromBytes<NodeRecord>(v), denom),
      );
    },
    getCommitment(ctx, id, validator) {
      const b = ctx.store.get(commitmentKey(id, validator));
      return b ? fromBytes<CommitmentRecord>(b) : undefined;
    },
    getReveal(ctx, id, validator) {
      const b = ctx.store.get(revealKey(id, validator));
      return b ? fromBytes<RevealRecord>(b) : undefined;
    },
    hasCommitment: (ctx, id, validator) => ctx.store.get(commitmentKey(id, validator)) !== undefined,
    hasReveal: (ctx, id, validator) => ctx.store.get(revealKey(id, validator)) !== undefined,
    reveals(ctx, id) {
      const prefix = revealsOfPrefix(id);
      return [...ctx.store.iterate(prefix)].map(([k, v]) => ({
        validator: Uint8Array.from(k.subarray(prefix.length)),
        reveal: fromBytes<RevealRecord>(v),
      }));
    },
    getTrust(ctx, validator) {
      const b = ctx.store.get(trustKey(validator));
      return b ? trustFromJson(fromBytes<TrustJson>(b)) : newTrustRecord(view.getParams(ctx));
    },
    trustRecords(ctx) {
      const prefix = trustPrefix();
      return [...ctx.store.iterate(prefix)].map(([k, v]) => ({
        validator: Uint8Array.from(k.subarray(prefix.length)),
        record: trustFromJson(fromBytes<TrustJson>(v)),
      }));
    },
    pendingIds: (ctx) => [...ctx.store.iterate(pendingPrefix())].map(([k]) => keyU64(k)),
    beacon(ctx) {
      const b = ctx.store.get(beaconKey());
      return b ? fromBytes<BeaconRecord>(b) : { value: "00".repeat(32), height: "0" };
    },
    getBeaconCommitment(ctx, validator) {
      const b = ctx.store.get(beaconCommitmentKey(validator));
      return b ? fromBytes<CommitmentRecord>(b) : undefined;
    },
    awaitingCommittee: (ctx) => [...ctx.store.iterate(awaitingCommitteePrefix())].map(([k]) => keyU64(k)),
    hasSeat: (ctx, id, validator) => ctx.store.has(seatKey(validator, id)),
    openSeats(ctx, validator) {
      const b = ctx.store.get(seatCountKey(validator));
      return b ? readUintBE(b) : 0n;
    },
    seatsOf(ctx, validator, startId = 0n, limit) {
      const prefix = seatsOfPrefix(validator);
      const opts =
        limit === undefined
          ? { start: seatKey(validator, startId) }
          : { start: seatKey(validator, startId), limit };
      return [...ctx.store.iterate(prefix, opts)].map(([k]) => readUintBE(k.subarray(k.length - 8)));
    },
    assignmentsOf(ctx, operator) {
      const prefix = nodeAssignmentsPrefix(parseAccountAddress(operator, "operator"));
      return [...ctx.store.iterate(prefix)].map(([k]) => readUintBE(k.subarray(k.length - 8)));
    },
  };
  return {
    ...view,
    setParams: (ctx, params) => ctx.store.set(paramsKey(), toBytes(paramsToJson(params))),
    nextRequestId(ctx) {
      const b = ctx.store.get(nextRequestIdKey());
      const id = b ? readUintBE(b) : 1n;
      ctx.store.set(nextRequestIdKey(), uintBE(id + 1n, 8));
      return id;
    },
    setRequest(ctx, r) {
      const id = BigInt(r.id);
      ctx.store.set(requestKey(id), encodeRequestRecord(r));
      indexRequest(ctx, r, id);
    },
    setNode(ctx, n) {
      // The per-model indexes follow every write of a record (node-index.ts), from the stored one.
      const k = nodeKey(parseAccountAddress(n.operator, "operator"));
      const params = view.getParams(ctx);
      const before = ctx.store.get(k);
      const prev = before && withNodeDefaults(fromBytes<NodeRecord>(before), params.denom);
      // Waiting requests of a model whose ready set gained are worth another try (review M4).
      for (const model of syncNodeIndex(ctx.store, params, prev, n)) {
        if (pendingOfModel(ctx.store, model, 0n, 1).length > 0) markRetry(ctx.store, model, 0n, 0n);
      }
      ctx.store.set(k, toBytes(n));
    },
    deleteNode(ctx, operator) {
      const k = nodeKey(parseAccountAddress(operator, "operator"));
      const params = view.getParams(ctx);
      const before = ctx.store.get(k);
      if (!before) return;
      syncNodeIndex(
        ctx.store,
        params,
        withNodeDefaults(fromBytes<NodeRecord>(before), params.denom),
        undefined,
      );
      ctx.store.delete(k);
    },
    setCommitment: (ctx, id, v, c) => ctx.store.set(commitmentKey(id, v), toBytes(c)),
    setReveal: (ctx, id, v, r) => ctx.store.set(revealKey(id, v), toBytes(r)),
    clearScores(ctx, id, validators) {
      // Delete only what exists: the same writes (and app hash) as a scan of the request's prefixes.
      for (const v of validators) {
        for (const k of [commitmentKey(id, v), revealKey(id, v)]) if (ctx.store.get(k)) ctx.store.delete(k);
        if (ctx.store.has(seatKey(v, id))) {
          ctx.store.delete(seatKey(v, id));
          const n = view.openSeats(ctx, v);
          if (n > 1n) ctx.store.set(seatCountKey(v), uintBE(n - 1n, 8));
          else ctx.store.delete(seatCountKey(v));
        }
      }
    },
    openSeatsFor(ctx, id, validators) {
      for (const v of validators) {
        if (ctx.store.has(seatKey(v, id))) continue;
        ctx.store.set(seatKey(v, id), new Uint8Array());
        ctx.store.set(seatCountKey(v), uintBE(view.openSeats(ctx, v) + 1n, 8));
      }
    },
    setTrust: (ctx, v, t) => ctx.store.set(trustKey(v), toBytes(trustToJson(v, t))),
    addDeadline: (ctx, h, id) => ctx.store.set(deadlineKey(h, id), new Uint8Array()),
    removeDeadline: (ctx, h, id) => ctx.store.delete(deadlineKey(h, id)),
    setPending(ctx, req, pending) {
      const id = BigInt(req.id);
      if (ctx.store.has(pendingKey(id)) === pending) return;
      if (pending) ctx.store.set(pendingKey(id), new Uint8Array());
      else ctx.store.delete(pendingKey(id));
      notePending(ctx.store, req.model, id, pending);
    },
    markTouched: (ctx, id) => ctx.store.set(touchedKey(id), new Uint8Array()),
    addUnbonding: (ctx, h, operator) =>
      ctx.store.set(unbondingKey(h, parseAccountAddress(operator, "operator")), toBytes({ operator })),
    takeUnbondings(ctx, height) {
      const due: [Uint8Array, string][] = [];
      for (const [k, v] of ctx.store.iterate(unbondingPrefix())) {
        if (keyU64(k) > height) break;
        due.push([k, fromBytes<{ operator: string }>(v).operator]);
      }
      for (const [k] of due) ctx.store.delete(k);
      return due.map(([, op]) => op);
    },
    hasOpenWork(ctx) {
      return anyUnder(ctx, [...inFlightPrefixes(), touchedPrefix(), unbondingPrefix()]);
    },
    hasRequestsInFlight(ctx) {
      return anyUnder(ctx, inFlightPrefixes());
    },
    dueDeadlines(ctx, height) {
      const due: { height: bigint; id: bigint }[] = [];
      for (const [k] of ctx.store.iterate(deadlinesPrefix())) {
        const h = keyU64(k);
        if (h > height) break;
        due.push({ height: h, id: keyU64(k, 8) });
      }
      return due;
    },
    setBeacon: (ctx, b) =>
      ctx.store.set(
        beaconKey(),
        toBytes({
          value: b.value,
          height: b.height,
          revealed_power: b.revealed_power ?? "0",
          total_power: b.total_power ?? "0",
        }),
      ),
    setBeaconCommitment: (ctx, v, c) =>
      ctx.store.set(beaconCommitmentKey(v), toBytes({ commitment: c.commitment, height: c.height })),
    setAwaitingCommittee(ctx, id, awaiting) {
      if (awaiting) ctx.store.set(awaitingCommitteeKey(id), new Uint8Array());
      else ctx.store.delete(awaitingCommitteeKey(id));
    },
    setAssignment(ctx, operator, id, assigned) {
      const k = nodeAssignmentKey(parseAccountAddress(operator, "operator"), id);
      if (assigned) ctx.store.set(k, new Uint8Array());
      else ctx.store.delete(k);
    },
    finishedThrough(ctx, height, limit) {
      const out: { height: bigint; id: bigint }[] = [];
      for (const [k] of ctx.store.iterate(finishedRequestsPrefix(), { limit })) {
        const h = keyU64(k);
        if (h > height) break;
        out.push({ height: h, id: keyU64(k, 8) });
      }
      return out;
    },
    removeFinished: (ctx, h, id) => ctx.store.delete(finishedRequestKey(h, id)),
    takeTouched(ctx) {
      const ids = [...ctx.store.iterate(touchedPrefix())].map(([k]) => keyU64(k));
      for (const id of ids) ctx.store.delete(touchedKey(id));
      return ids;
    },
  };
}
