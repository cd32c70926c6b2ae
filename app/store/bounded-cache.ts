/**
 * A bounded cache in two generations, for the store's read caches and the memos.
 *
 * Each generation holds at most half the budget (a count, or bytes by a weight function). New
 * entries, and hits in the old generation, go to the young one; when the young one is full it
 * becomes the old one and the old one is dropped whole. So an entry used again within half the
 * budget's worth of insertions stays, and every operation is O(1).
 *
 * The obvious alternative, a single `Map` that evicts its oldest key (`keys().next()`) on every
 * insertion once full, is not O(1) in V8: deleted entries stay in the hash table as holes until it
 * is rebuilt, and the iterator walks past all of them at the front. A full 60,000-entry cache paid
 * about 8 µs a insertion that way against 0.5 µs without evicting, and on a grown chain the read
 * cache is full: every key a block wrote paid it in Commit.
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private youngWeight = 0;

  /**
   * @param budget what both generations hold together at most, in `weigh` units.
   * @param weigh an entry's weight (default 1: the budget is a count).
   */
  constructor(
    private readonly budget: number,
    private readonly weigh: (key: string, value: V) => number = () => 1,
  ) {
    if (!(budget >= 2)) throw new RangeError(`a cache budget must be at least 2, got ${budget}`);
  }

  /** The cached value (moved to the young generation if it was old), or undefined. */
  get(key: string): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  /** Whether `key` is cached; unlike {@link get}, does not move it. */
  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  /** Caches `value` under `key` in the young generation (replacing what either held). */
  set(key: string, value: V): void {
    const previous = this.young.get(key);
    if (previous !== undefined) this.youngWeight -= this.weigh(key, previous);
    else this.old.delete(key);
    this.young.set(key, value);
    this.youngWeight += this.weigh(key, value);
    if (this.youngWeight >= this.budget / 2) {
      this.old = this.young;
      this.young = new Map();
      this.youngWeight = 0;
    }
  }

  /** Replaces the value of a cached key where it is, without moving it; false when not cached. */
  replace(key: string, value: V): boolean {
    const previous = this.young.get(key);
    if (previous !== undefined) {
      this.youngWeight += this.weigh(key, value) - this.weigh(key, previous);
      this.young.set(key, value);
      return true;
    }
    if (!this.old.has(key)) return false;
    this.old.set(key, value);
    return true;
  }

  delete(key: string): void {
    const previous = this.young.get(key);
    if (previous !== undefined) {
      this.young.delete(key);
      this.youngWeight -= this.weigh(key, previous);
    }
    this.old.delete(key);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.youngWeight = 0;
  }

  /** Entries held, both generations. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
