/**
 * Gas: a meter per transaction and a store wrapper that charges the Cosmos SDK's KV costs, so
 * that gas estimates from `Simulate` and the limits wallets set behave as on any SDK chain.
 */
import { ChainError } from "./errors.js";
import { ErrOutOfGas } from "./sdk-errors.js";
import type { GasMeter, KVStore } from "./types.js";

/** The SDK's `KVGasConfig()` (store/types/gas.go). */
export const KV_GAS_COSTS = {
  hasCost: 1000n,
  deleteCost: 1000n,
  readCostFlat: 1000n,
  readCostPerByte: 3n,
  writeCostFlat: 2000n,
  writeCostPerByte: 30n,
  iterNextCostFlat: 30n,
} as const;

/** The largest uint64: the limit of meters that must never run out (genesis, blocks, queries). */
export const MAX_GAS = (1n << 64n) - 1n;

class BasicGasMeter implements GasMeter {
  consumed = 0n;

  constructor(readonly limit: bigint) {}

  consume(amount: bigint, descriptor: string): void {
    this.consumed += amount;
    if (this.consumed > this.limit) {
      throw new ChainError(
        ErrOutOfGas,
        `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.consumed}`,
      );
    }
  }
}

/**
 * A meter that throws `ErrOutOfGas` (sdk 11) once more than `limit` is consumed. `consumed`
 * includes the charge that passed the limit, as the SDK reports it.
 *
 * @example
 * const meter = createGasMeter(200_000n);
 * meter.consume(1000n, "ReadFlat");
 */
export function createGasMeter(limit: bigint): GasMeter {
  return new BasicGasMeter(limit);
}

/**
 * A meter that counts but never runs out (limit 2^64 - 1).
 *
 * @example
 * const meter = createInfiniteGasMeter();
 */
export function createInfiniteGasMeter(): GasMeter {
  return new BasicGasMeter(MAX_GAS);
}

const len = (b: Uint8Array): bigint => BigInt(b.length);

/**
 * Wraps a store so every access charges `meter` as the SDK's gaskv store does: reads a flat cost
 * plus per byte of key and value, writes likewise, `has` and `delete` flat, and each iterated item
 * a flat cost plus its bytes.
 *
 * @example
 * const store = withGas(checkpointStore, createGasMeter(100_000n));
 */
export function withGas(store: KVStore, meter: GasMeter): KVStore {
  const c = KV_GAS_COSTS;
  return {
    get(key) {
      meter.consume(c.readCostFlat, "ReadFlat");
      const value = store.get(key);
      meter.consume(c.readCostPerByte * len(key), "ReadPerByte");
      if (value) meter.consume(c.readCostPerByte * len(value), "ReadPerByte");
      return value;
    },
    has(key) {
      meter.consume(c.hasCost, "Has");
      return store.has(key);
    },
    set(key, value) {
      meter.consume(c.writeCostFlat, "WriteFlat");
      meter.consume(c.writeCostPerByte * len(key), "WritePerByte");
      meter.consume(c.writeCostPerByte * len(value), "WritePerByte");
      store.set(key, value);
    },
    delete(key) {
      meter.consume(c.deleteCost, "Delete");
      store.delete(key);
    },
    *iterate(prefix, opts) {
      for (const [k, v] of store.iterate(prefix, opts)) {
        meter.consume(c.readCostPerByte * (len(k) + len(v)), "ValuePerByte");
        meter.consume(c.iterNextCostFlat, "IterNextFlat");
        yield [k, v];
      }
      meter.consume(c.iterNextCostFlat, "IterNextFlat");
    },
  };
}
