/**
 * Waiting requests by model, and when to try them again (review M4): a waiting request is tried in
 * the block after it was included, and then only when something changes for its model (a node joins
 * its ready set or gains stake there: node-index.ts), never every block; at most
 * {@link MAX_PENDING_TRIES_PER_BLOCK} tries per block, the rest resumes in the next one. The number of
 * waiting requests is capped ({@link MAX_PENDING_REQUESTS}); they expire through the deadline index.
 */
import type { KVStore } from "../../types.js";
import { KeyTag, keyOf } from "./keys.js";
import { modelOfKey, modelPart } from "./node-index.js";
import { readUintBE, uintBE } from "./types/wire.js";

type Store = Pick<KVStore, "get" | "set" | "delete" | "has" | "iterate">;

/** Most requests waiting for a node at once; MsgRequestInference is refused beyond (ErrPendingFull). */
export const MAX_PENDING_REQUESTS = 10_000;
/** Most assignment tries of waiting requests in one EndBlock. */
export const MAX_PENDING_TRIES_PER_BLOCK = 200;

/** `poq/ 0x16 | model` → u64 height, u64 request id: try the model's waiting requests from that id, at that height or later. */
const retryKey = (model: string): Uint8Array => keyOf(KeyTag.PendingRetry, modelPart(model));
const retryPrefix = (): Uint8Array => keyOf(KeyTag.PendingRetry);
/** `poq/ 0x17 | model | u64 id` → empty: a waiting request of the model. */
const byModelKey = (model: string, id: bigint): Uint8Array =>
  keyOf(KeyTag.PendingByModel, modelPart(model), uintBE(id, 8));
const byModelPrefix = (model: string): Uint8Array => keyOf(KeyTag.PendingByModel, modelPart(model));
/** `poq/ 0x18` → u64 number of waiting requests. */
const countKey = (): Uint8Array => keyOf(KeyTag.PendingCount);

/** Number of waiting requests. */
export function pendingCount(store: Pick<KVStore, "get">): bigint {
  const b = store.get(countKey());
  return b ? readUintBE(b) : 0n;
}

/** Keeps the by-model index and the count in line with the waiting set (called by the keeper). */
export function notePending(store: Store, model: string, id: bigint, pending: boolean): void {
  const count = pendingCount(store);
  if (pending) {
    store.set(byModelKey(model, id), new Uint8Array());
    store.set(countKey(), uintBE(count + 1n, 8));
  } else {
    store.delete(byModelKey(model, id));
    store.set(countKey(), uintBE(count > 0n ? count - 1n : 0n, 8));
  }
}

/**
 * Asks for the model's waiting requests to be tried from request `fromId` on, in EndBlock at
 * `height` or later. Two asks merge into the earliest height and the lowest id, so none is lost.
 */
export function markRetry(store: Store, model: string, height: bigint, fromId: bigint): void {
  const k = retryKey(model);
  const b = store.get(k);
  let h = height;
  let id = fromId;
  if (b) {
    const oldH = readUintBE(b.subarray(0, 8));
    const oldId = readUintBE(b.subarray(8, 16));
    if (oldH < h) h = oldH;
    if (oldId < id) id = oldId;
    if (oldH === h && oldId === id) return;
  }
  const out = new Uint8Array(16);
  out.set(uintBE(h, 8), 0);
  out.set(uintBE(id, 8), 8);
  store.set(k, out);
}

/** The retries due at `height`, removed from the state (the caller asks again for what it leaves). */
export function takeDueRetries(store: Store, height: bigint): { model: string; fromId: bigint }[] {
  const due: { key: Uint8Array; model: string; fromId: bigint }[] = [];
  for (const [k, v] of store.iterate(retryPrefix())) {
    if (readUintBE(v.subarray(0, 8)) > height) continue;
    due.push({ key: k, model: modelOfKey(k), fromId: readUintBE(v.subarray(8, 16)) });
  }
  for (const d of due) store.delete(d.key);
  return due.map(({ model, fromId }) => ({ model, fromId }));
}

/** Up to `limit` waiting request ids of a model, ascending from `fromId`. */
export function pendingOfModel(store: Store, model: string, fromId: bigint, limit: number): bigint[] {
  const prefix = byModelPrefix(model);
  const ids: bigint[] = [];
  for (const [k] of store.iterate(prefix, { start: byModelKey(model, fromId), limit })) {
    ids.push(readUintBE(k.subarray(k.length - 8)));
  }
  return ids;
}
