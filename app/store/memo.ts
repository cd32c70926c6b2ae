/**
 * Memos of pure functions, keyed by their exact input. They can only save work, never change a
 * result: the same input always gave the same output, so a hit returns what a call would have.
 * Consensus code uses them for work that repeats on every transaction (address decoding, public
 * key checks, parameter decoding); only successful results are kept, errors are recomputed.
 */
import { BoundedCache } from "./bounded-cache.js";

/**
 * A bounded memo of `fn` over string inputs: at most `maxEntries` kept, in two generations
 * (`bounded-cache.ts`), so an input used again within `maxEntries / 2` new inputs stays. Returned
 * values are shared: store only immutable ones.
 *
 * @example
 * const decode = createStringMemo(10_000, (s: string) => s.length);
 * decode("poq1..."); // computed once, then read from the memo
 */
export function createStringMemo<V>(maxEntries: number, fn: (input: string) => V): (input: string) => V {
  if (!Number.isInteger(maxEntries) || maxEntries < 2) {
    throw new RangeError(`maxEntries must be an integer of at least 2, got ${maxEntries}`);
  }
  const entries = new BoundedCache<V>(maxEntries);
  return (input) => {
    const hit = entries.get(input);
    if (hit !== undefined) return hit;
    const value = fn(input);
    if (pauseDepth > 0) return value;
    entries.set(input, value);
    return value;
  };
}

/** Nesting depth of {@link withMemosPaused}: while above 0, memos read but do not add entries. */
let pauseDepth = 0;

/**
 * Runs `fn` while no string memo adds entries (hits are still served). For one-off bulk work such
 * as a genesis with 100,000 accounts: every address would pass through the memos once, each entry
 * would outlive the young generation and then be evicted, and that garbage piles up in V8's old
 * space (tens of MB of RSS at the genesis peak). Results are unchanged: a memo only saves work.
 *
 * @example
 * withMemosPaused(() => initGenesis(ctx, appState));
 */
export function withMemosPaused<T>(fn: () => T): T {
  pauseDepth++;
  try {
    return fn();
  } finally {
    pauseDepth--;
  }
}

/** Bytes as a string that identifies them exactly (one latin1 character per byte), for memo keys. */
export { keyToString as bytesKey } from "./key-codec.js";

/**
 * A memo of the last decoding of a stored value (such as module parameters, read on every
 * transaction and rarely changed): while the stored bytes are the same, the decoded value is
 * reused. The value is frozen, so that no caller can change what the next one reads.
 *
 * @example
 * const params = createLastBytesMemo((raw) => JSON.parse(new TextDecoder().decode(raw)));
 * params(store.get(paramsKey())!);
 */
export function createLastBytesMemo<V extends object>(
  decode: (raw: Uint8Array) => V,
): (raw: Uint8Array) => V {
  let lastRaw: Buffer | undefined;
  let lastValue: V | undefined;
  return (raw) => {
    if (lastRaw && lastValue && lastRaw.equals(raw)) return lastValue;
    const value = deepFreeze(decode(raw));
    lastRaw = Buffer.from(raw);
    lastValue = value;
    return value;
  };
}

function deepFreeze<V>(value: V): V {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
