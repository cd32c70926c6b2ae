/**
 * Indexes of the nodes that serve each model (review H2), kept in state next to the node records so
 * that no block and no message ever reads every node:
 *
 * - the ready set of a model: nodes that would take a request now (ACTIVE, not jailed, stake at
 *   least `min_node_stake`, room under `max_in_flight`), each in a slot of a Fenwick tree of stakes,
 *   so that a stake-weighted draw reads O(log n) keys;
 * - the offer list of a model: the same nodes whatever their load, ordered by `min_fee`, so that
 *   MsgRequestInference can tell at once whether any node would ever take its request.
 *
 * Both are updated by the keeper whenever a node record is written or deleted ({@link syncNodeIndex}),
 * so they cannot drift from the records. Slots are handed out in a fixed order (the last freed one,
 * else the next new one), so every replica of the state holds the same tree. No write iterates.
 */
import type { KVStore } from "../../types.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import { KeyTag, keyOf } from "./keys.js";
import type { PoqParams } from "./params.js";
import { NodeStatus, type NodeRecord } from "./state.js";
import { decodeUtf8, encodeUtf8, readUintBE, uintBE } from "./types/wire.js";

type Store = Pick<KVStore, "get" | "set" | "delete" | "iterate">;

/** A Fenwick node or a member's weight: 16 bytes big-endian (stakes are far below 2^128). */
const WEIGHT_BYTES = 16;
const SLOT_BYTES = 4;
/** Capacity of a new tree; it doubles when full (a power of two, as the descent needs). */
const INITIAL_CAPACITY = 16;

const u16 = (n: number): Uint8Array => uintBE(BigInt(n), 2);
const slotBytes = (slot: number): Uint8Array => uintBE(BigInt(slot), SLOT_BYTES);
/** `u16 length | model bytes`: model ids are short (params.max_model_id_bytes), but never ambiguous. */
export function modelPart(model: string): Uint8Array {
  const m = encodeUtf8(model);
  const out = new Uint8Array(2 + m.length);
  out.set(u16(m.length), 0);
  out.set(m, 2);
  return out;
}
function operatorPart(operator: string): Uint8Array {
  const a = parseAccountAddress(operator, "operator");
  const out = new Uint8Array(1 + a.length);
  out[0] = a.length;
  out.set(a, 1);
  return out;
}

/** `poq/ 0x10 | model` → u32 capacity, u32 next unused slot, u32 last freed slot. */
const metaKey = (m: Uint8Array): Uint8Array => keyOf(KeyTag.ReadyMeta, m);
/** `poq/ 0x11 | model | u32 i` → Fenwick node i (16-byte sum; absent = 0). */
const treeKey = (m: Uint8Array, i: number): Uint8Array => keyOf(KeyTag.ReadyTree, m, slotBytes(i));
/** `poq/ 0x12 | model | u32 slot` → operator (bech32, UTF-8). */
const ownerKey = (m: Uint8Array, slot: number): Uint8Array => keyOf(KeyTag.ReadySlot, m, slotBytes(slot));
/** `poq/ 0x13 | model | u32 slot` → u32 the slot freed before it (0: none): a stack of free slots. */
const freeKey = (m: Uint8Array, slot: number): Uint8Array => keyOf(KeyTag.ReadyFree, m, slotBytes(slot));
/** `poq/ 0x14 | operator | model` → u32 slot, 16-byte weight. */
const memberKey = (op: Uint8Array, m: Uint8Array): Uint8Array => keyOf(KeyTag.ReadyMember, op, m);
/** `poq/ 0x15 | model | 16-byte min_fee | len | operator` → empty. */
const offerKey = (m: Uint8Array, minFee: bigint, op: Uint8Array): Uint8Array =>
  keyOf(KeyTag.Offer, m, uintBE(minFee, WEIGHT_BYTES), op);
const offerPrefix = (m: Uint8Array): Uint8Array => keyOf(KeyTag.Offer, m);
/** The model id of a key `poq/ tag | model ...`. */
export function modelOfKey(k: Uint8Array): string {
  const head = keyOf(0).length;
  const len = Number(readUintBE(k.subarray(head, head + 2)));
  return decodeUtf8(k.subarray(head + 2, head + 2 + len));
}

/** Whether a node takes a new request now (its load aside from the request's own terms). */
export function isReady(n: NodeRecord, params: PoqParams): boolean {
  const max = n.max_in_flight > 0 ? n.max_in_flight : params.defaultMaxInFlight;
  return isOffering(n, params) && BigInt(n.in_flight) < BigInt(max);
}

/** Whether a node takes requests at all (whatever its load). */
export function isOffering(n: NodeRecord, params: PoqParams): boolean {
  return n.status === NodeStatus.Active && !n.jailed && BigInt(n.stake.amount) >= params.minNodeStake;
}

interface Meta {
  capacity: number;
  /** The next slot never used. */
  next: number;
  /** The last freed slot (a stack through the free keys), 0 when none. */
  free: number;
}
function readMeta(store: Store, m: Uint8Array): Meta {
  const b = store.get(metaKey(m));
  if (!b) return { capacity: 0, next: 1, free: 0 };
  const at = (i: number): number => Number(readUintBE(b.subarray(i, i + SLOT_BYTES)));
  return { capacity: at(0), next: at(4), free: at(8) };
}
function writeMeta(store: Store, m: Uint8Array, meta: Meta): void {
  const out = new Uint8Array(3 * SLOT_BYTES);
  out.set(slotBytes(meta.capacity), 0);
  out.set(slotBytes(meta.next), 4);
  out.set(slotBytes(meta.free), 8);
  store.set(metaKey(m), out);
}
const readTree = (store: Store, m: Uint8Array, i: number): bigint => {
  const b = store.get(treeKey(m, i));
  return b ? readUintBE(b) : 0n;
};
function addTree(store: Store, m: Uint8Array, capacity: number, slot: number, delta: bigint): void {
  for (let i = slot; i <= capacity; i += i & -i) {
    const v = readTree(store, m, i) + delta;
    if (v === 0n) store.delete(treeKey(m, i));
    else store.set(treeKey(m, i), uintBE(v, WEIGHT_BYTES));
  }
}

function readMember(
  store: Store,
  op: Uint8Array,
  m: Uint8Array,
): { slot: number; weight: bigint } | undefined {
  const b = store.get(memberKey(op, m));
  if (!b) return undefined;
  return { slot: Number(readUintBE(b.subarray(0, SLOT_BYTES))), weight: readUintBE(b.subarray(SLOT_BYTES)) };
}
function writeMember(store: Store, op: Uint8Array, m: Uint8Array, slot: number, weight: bigint): void {
  const out = new Uint8Array(SLOT_BYTES + WEIGHT_BYTES);
  out.set(slotBytes(slot), 0);
  out.set(uintBE(weight, WEIGHT_BYTES), SLOT_BYTES);
  store.set(memberKey(op, m), out);
}

/** Puts a node in a model's ready set, or changes its weight there. Returns whether the set gained. */
function upsertReady(store: Store, model: string, operator: string, weight: bigint): boolean {
  const m = modelPart(model);
  const op = operatorPart(operator);
  const member = readMember(store, op, m);
  const meta = readMeta(store, m);
  if (member) {
    if (member.weight === weight) return false;
    addTree(store, m, meta.capacity, member.slot, weight - member.weight);
    writeMember(store, op, m, member.slot, weight);
    return weight > member.weight;
  }
  let slot: number;
  if (meta.free !== 0) {
    slot = meta.free;
    const below = store.get(freeKey(m, slot));
    meta.free = below ? Number(readUintBE(below)) : 0;
    store.delete(freeKey(m, slot));
  } else {
    slot = meta.next;
    meta.next += 1;
    if (meta.capacity === 0) meta.capacity = INITIAL_CAPACITY;
    while (slot > meta.capacity) {
      // Doubling a Fenwick tree of a power-of-two size: the new root covers the old one and the
      // (empty) new half; every other new node covers empty slots only.
      const root = readTree(store, m, meta.capacity);
      if (root !== 0n) store.set(treeKey(m, meta.capacity * 2), uintBE(root, WEIGHT_BYTES));
      meta.capacity *= 2;
    }
  }
  writeMeta(store, m, meta);
  addTree(store, m, meta.capacity, slot, weight);
  store.set(ownerKey(m, slot), encodeUtf8(operator));
  writeMember(store, op, m, slot, weight);
  return true;
}

function removeReady(store: Store, model: string, operator: string): void {
  const m = modelPart(model);
  const op = operatorPart(operator);
  const member = readMember(store, op, m);
  if (!member) return;
  const meta = readMeta(store, m);
  addTree(store, m, meta.capacity, member.slot, -member.weight);
  store.delete(ownerKey(m, member.slot));
  store.set(freeKey(m, member.slot), slotBytes(meta.free));
  writeMeta(store, m, { ...meta, free: member.slot });
  store.delete(memberKey(op, m));
}

/**
 * Brings the indexes in line with a node record that changes from `prev` to `next` (either may be
 * undefined: a new or a deleted record). Returns the models whose ready set gained stake (a node
 * joined it or its stake grew), for which waiting requests are worth another try.
 *
 * @example
 * syncNodeIndex(store, params, before, after);
 */
export function syncNodeIndex(
  store: Store,
  params: PoqParams,
  prev: NodeRecord | undefined,
  next: NodeRecord | undefined,
): string[] {
  const operator = (next ?? prev)?.operator;
  if (operator === undefined) return [];
  const op = operatorPart(operator);
  const prevReady = prev && isReady(prev, params) ? prev.models : [];
  const nextReady = next && isReady(next, params) ? next.models : [];
  const gained: string[] = [];
  for (const model of prevReady) if (!nextReady.includes(model)) removeReady(store, model, operator);
  for (const model of nextReady) {
    if (upsertReady(store, model, operator, BigInt(next?.stake.amount ?? "0"))) gained.push(model);
  }
  const prevOffer = prev && isOffering(prev, params) ? prev : undefined;
  const nextOffer = next && isOffering(next, params) ? next : undefined;
  const prevFee = BigInt(prevOffer?.min_fee.amount ?? "0");
  const nextFee = BigInt(nextOffer?.min_fee.amount ?? "0");
  for (const model of prevOffer?.models ?? []) {
    if (!nextOffer?.models.includes(model) || prevFee !== nextFee)
      store.delete(offerKey(modelPart(model), prevFee, op));
  }
  for (const model of nextOffer?.models ?? [])
    store.set(offerKey(modelPart(model), nextFee, op), new Uint8Array());
  return gained;
}

/** A member of a ready set as a draw sees it. */
export interface ReadyMember {
  slot: number;
  operator: string;
  weight: bigint;
}

/**
 * A model's ready set for draws: total stake, the slot owning a given point of the cumulative
 * stake, and members taken out for this draw only (nodes already tried or excluded), all in O(log n)
 * reads of the state.
 */
export interface ReadySet {
  /** Stake of the members not taken out. */
  total(): bigint;
  /** The member whose share of the cumulative stake (slot order, taken-out members skipped) holds `r`. */
  find(r: bigint): ReadyMember;
  /** The member of `operator`, when it is in the set. */
  memberOf(operator: string): ReadyMember | undefined;
  /** Takes a member out of this draw (the state is not changed). */
  takeOut(member: ReadyMember): void;
}

/**
 * Opens a model's ready set for draws.
 *
 * @example
 * const set = readySet(ctx.store, "llama");
 * const m = set.find(drawBelow(seed, 0, set.total()));
 */
export function readySet(store: Store, model: string): ReadySet {
  const m = modelPart(model);
  const { capacity } = readMeta(store, m);
  const out: ReadyMember[] = [];
  // Fenwick node i sums slots (i - lowbit(i), i]; less the members taken out in that range.
  const node = (i: number): bigint => {
    let v = readTree(store, m, i);
    for (const t of out) if (t.slot <= i && t.slot > i - (i & -i)) v -= t.weight;
    return v;
  };
  return {
    total: () => (capacity === 0 ? 0n : node(capacity)),
    find(r) {
      let pos = 0;
      let rem = r;
      for (let step = capacity; step > 0; step >>= 1) {
        const v = node(pos + step);
        if (v <= rem) {
          pos += step;
          rem -= v;
        }
      }
      const slot = pos + 1;
      const owner = store.get(ownerKey(m, slot));
      if (!owner || slot > capacity) throw new RangeError(`ready set of ${model}: no slot at ${r}`);
      const operator = decodeUtf8(owner);
      const member = readMember(store, operatorPart(operator), m);
      return { slot, operator, weight: member?.weight ?? 0n };
    },
    memberOf(operator) {
      const member = readMember(store, operatorPart(operator), m);
      return member && { slot: member.slot, operator, weight: member.weight };
    },
    takeOut(member) {
      if (!out.some((t) => t.slot === member.slot)) out.push(member);
    },
  };
}

/**
 * Offering nodes of a model by ascending `min_fee` (then operator bytes), at most `limit`, stopping
 * at the first whose `min_fee` exceeds `maxFee`.
 */
export function offersUpTo(store: Store, model: string, maxFee: bigint, limit: number): string[] {
  const prefix = offerPrefix(modelPart(model));
  const ops: string[] = [];
  for (const [k] of store.iterate(prefix, { limit })) {
    const fee = readUintBE(k.subarray(prefix.length, prefix.length + WEIGHT_BYTES));
    if (fee > maxFee) break;
    ops.push(formatAccountAddress(k.subarray(prefix.length + WEIGHT_BYTES + 1)));
  }
  return ops;
}
