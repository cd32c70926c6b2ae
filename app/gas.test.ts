import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChainError } from "./errors.js";
import { createGasMeter, withGas } from "./gas.js";
import { createStateStore } from "./store/state.js";

describe("gas", () => {
  it("charges the SDK's KV costs and fails with sdk 11 past the limit", () => {
    const state = createStateStore({ path: ":memory:" });
    const meter = createGasMeter(10_000n);
    const store = withGas(state.deliver, meter);
    store.set(Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5));
    assert.equal(meter.consumed, 2000n + 30n * 2n + 30n * 3n);
    store.get(Uint8Array.of(1, 2));
    assert.equal(meter.consumed, 2150n + 1000n + 3n * 2n + 3n * 3n);
    store.has(Uint8Array.of(9));
    store.delete(Uint8Array.of(9));
    assert.equal(meter.consumed, 3165n + 2000n);
    assert.equal([...store.iterate(Uint8Array.of(1))].length, 1);
    assert.equal(meter.consumed, 5165n + 3n * 5n + 30n + 30n);
    assert.throws(
      () => store.set(new Uint8Array(100), new Uint8Array(100)),
      (e: unknown) =>
        e instanceof ChainError &&
        e.code === 11 &&
        e.codespace === "sdk" &&
        /WriteFlat|WritePerByte/.test(e.message),
    );
    state.close();
  });
});
