/**
 * The in-memory write layers above the committed state: a stack of checkpoints.
 *
 * Layer 0 holds the block's (or the check state's) writes until Commit; each `checkpoint()`
 * pushes a layer, `commit()` folds the top layer into the one below, `revert()` drops it. So a
 * transaction has exactly one revert path, and a failing message inside a transaction can be
 * reverted without losing the fee the ante handler charged.
 */
import type { CheckpointStore } from "../types.js";
import { BaseError } from "../errors.js";
import { keyToString, prefixEnd, stringToKey } from "./key-codec.js";
import type { KeyRange } from "./committed.js";

/** What the layers read through to: the committed state. */
export interface CommittedReader {
  get(key: Uint8Array): Uint8Array | undefined;
  /** Whether the key exists, without copying its value out (`get` is used when absent). */
  has?(key: Uint8Array): boolean;
  page(range: KeyRange, reverse: boolean, limit: number): [Uint8Array, Uint8Array][];
}

/** `null` marks a deletion, which hides the committed value. */
type Pending = Uint8Array | null;

class Layer {
  readonly writes = new Map<string, Pending>();
  /** The keys of `writes`, sorted; rebuilt lazily after a new key is added. */
  private sorted: string[] | undefined = undefined;

  set(k: string, v: Pending): void {
    if (this.sorted && !this.writes.has(k)) this.sorted = undefined;
    this.writes.set(k, v);
  }

  sortedKeys(): string[] {
    this.sorted ??= [...this.writes.keys()].sort();
    return this.sorted;
  }
}

/** Thrown when checkpoints are used out of order (a bug in the caller, never a tx result). */
export class CheckpointError extends BaseError {
  override name = "CheckpointError" as const;
}

/**
 * Rows fetched from SQLite per page while iterating: the first page is small and each next one
 * twice as large, up to {@link PAGE_SIZE}, and never more than the rows still wanted. Most
 * iterations in a block stop early (the first entry of an index, the entries due by a height), and
 * a page of 256 rows cost them up to 255 rows read, copied and dropped; a long scan pays a few more
 * queries.
 */
const FIRST_PAGE_SIZE = 16;
const PAGE_SIZE = 256;

/**
 * A {@link CheckpointStore} over the committed state.
 *
 * Iteration follows `KVStore.iterate`: keys with `prefix`, ascending; with `start`, from `start`
 * (inclusive) onwards, or with `reverse` from `start` (inclusive) downwards.
 */
export class LayeredStore implements CheckpointStore {
  private layers: Layer[] = [new Layer()];
  private changes = 0;

  /**
   * @param base the committed state the layers read through to.
   * @param afterWrite called after every `set`/`delete` (the state store uses it to spill a large
   *   genesis to SQLite as it is written).
   */
  constructor(
    private readonly base: CommittedReader,
    private readonly afterWrite?: () => void,
  ) {}

  /** Number of pending writes in layer 0 (the block's or the genesis's, not yet committed). */
  get pendingCount(): number {
    return this.layers[0]?.writes.size ?? 0;
  }

  /** Increases with every change of the pending writes (to tell whether a computed hash is still current). */
  get version(): number {
    return this.changes;
  }

  /** Number of open checkpoints. */
  get depth(): number {
    return this.layers.length - 1;
  }

  private top(): Layer {
    const top = this.layers[this.layers.length - 1];
    if (!top) throw new CheckpointError("store has no layer");
    return top;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.pending(keyToString(key));
    return v === undefined ? this.base.get(key) : (v ?? undefined);
  }

  has(key: Uint8Array): boolean {
    const v = this.pending(keyToString(key));
    if (v !== undefined) return v !== null;
    return this.base.has ? this.base.has(key) : this.base.get(key) !== undefined;
  }

  /** The top-most pending write of a key (null: deleted), or undefined when no layer has one. */
  private pending(k: string): Pending | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      // One lookup per layer: a pending value is never undefined (a deletion is null).
      const v = this.layers[i]?.writes.get(k);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.changes++;
    this.top().set(keyToString(key), Uint8Array.from(value));
    this.afterWrite?.();
  }

  delete(key: Uint8Array): void {
    this.changes++;
    this.top().set(keyToString(key), null);
    this.afterWrite?.();
  }

  checkpoint(): void {
    this.layers.push(new Layer());
  }

  commit(): void {
    if (this.layers.length < 2) throw new CheckpointError("commit without a checkpoint");
    this.changes++;
    const top = this.layers.pop() as Layer;
    const below = this.top();
    for (const [k, v] of top.writes) below.set(k, v);
  }

  revert(): void {
    if (this.layers.length < 2) throw new CheckpointError("revert without a checkpoint");
    this.changes++;
    this.layers.pop();
  }

  /** The writes of layer 0, ascending by key; only valid with no checkpoint open. */
  pendingWrites(): [Uint8Array, Uint8Array | undefined][] {
    if (this.layers.length !== 1) throw new CheckpointError(`${this.depth} checkpoint(s) still open`);
    const layer = this.top();
    return layer.sortedKeys().map((k) => [stringToKey(k), layer.writes.get(k) ?? undefined]);
  }

  /** Drops every layer: the store reads the committed state again. */
  reset(): void {
    this.changes++;
    this.layers = [new Layer()];
  }

  *iterate(
    prefix: Uint8Array,
    opts: { reverse?: boolean; limit?: number; start?: Uint8Array } = {},
  ): Iterable<[Uint8Array, Uint8Array]> {
    const reverse = opts.reverse ?? false;
    const range = rangeOf(prefix, opts.start, reverse);
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return;
    const pending = this.pendingInRange(range, reverse);
    let p = 0;
    let yielded = 0;
    let page: [Uint8Array, Uint8Array][] = [];
    let c = 0;
    let exhausted = false;
    let pageSize = FIRST_PAGE_SIZE;
    const before = (a: string, b: string): boolean => (reverse ? a > b : a < b);
    for (;;) {
      if (c >= page.length && !exhausted) {
        // Pending deletions can hide committed rows, so a short page only means another query.
        const rows = Math.min(pageSize, Math.max(1, limit - yielded));
        page = this.base.page(range, reverse, rows);
        pageSize = Math.min(2 * pageSize, PAGE_SIZE);
        c = 0;
        exhausted = page.length < rows;
        const last = page[page.length - 1];
        if (last) {
          if (reverse) range.upper = { key: last[0], inclusive: false };
          else range.lower = { key: last[0], inclusive: false };
        }
      }
      const committed = page[c];
      const pend = pending[p];
      if (!committed && !pend) return;
      const ck = committed ? keyToString(committed[0]) : undefined;
      let out: [Uint8Array, Uint8Array] | undefined;
      if (pend && (ck === undefined || !before(ck, pend[0]))) {
        if (ck === pend[0]) c++;
        p++;
        if (pend[1] !== null) out = [stringToKey(pend[0]), pend[1]];
      } else if (committed) {
        c++;
        out = committed;
      }
      if (out) {
        yield out;
        if (++yielded >= limit) return;
      }
    }
  }

  /** Pending writes of all layers within `range`, the top layer winning, in iteration order. */
  private pendingInRange(range: KeyRange, reverse: boolean): [string, Pending][] {
    const lo = range.lower ? keyToString(range.lower.key) : undefined;
    const hi = range.upper ? keyToString(range.upper.key) : undefined;
    const merged = new Map<string, Pending>();
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i] as Layer;
      const keys = layer.sortedKeys();
      for (let j = lo === undefined ? 0 : lowerBound(keys, lo); j < keys.length; j++) {
        const k = keys[j] as string;
        if (range.lower && !range.lower.inclusive && k === lo) continue;
        if (hi !== undefined && (k > hi || (k === hi && !range.upper?.inclusive))) break;
        if (!merged.has(k)) merged.set(k, layer.writes.get(k) ?? null);
      }
    }
    const keys = [...merged.keys()].sort();
    if (reverse) keys.reverse();
    return keys.map((k) => [k, merged.get(k) ?? null]);
  }
}

function lowerBound(sorted: string[], k: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The key range of `prefix`, narrowed by `start` in the iteration direction. */
function rangeOf(prefix: Uint8Array, start: Uint8Array | undefined, reverse: boolean): KeyRange {
  const range: KeyRange = { lower: { key: prefix, inclusive: true } };
  const end = prefixEnd(prefix);
  if (end) range.upper = { key: end, inclusive: false };
  if (start) {
    const s = keyToString(start);
    if (!reverse && s > keyToString(prefix)) range.lower = { key: start, inclusive: true };
    if (reverse && (!end || s < keyToString(end))) range.upper = { key: start, inclusive: true };
  }
  return range;
}
