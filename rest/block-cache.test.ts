/** The per-block cache: answers are reused within a block and dropped at the next one. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChainReader } from "./chain-reader.js";
import { createBlockCachedReader } from "./block-cache.js";

function countingReader(): ChainReader & { calls: number; height: bigint | undefined } {
  const r = {
    calls: 0,
    height: 10n as bigint | undefined,
    async abciQuery() {
      r.calls++;
      return { code: 0, codespace: "", log: "", value: Uint8Array.of(r.calls), height: r.height ?? 0n };
    },
    broadcastTx: () => Promise.reject(new Error("unused")),
    tx: () => Promise.reject(new Error("unused")),
    async status() {
      if (r.height === undefined) throw new Error("node down");
      return {
        node_info: {} as never,
        sync_info: { latest_block_height: String(r.height), latest_block_time: "", catching_up: false },
      };
    },
    block: () => Promise.reject(new Error("unused")),
    txSearch: () => Promise.reject(new Error("unused")),
  };
  return r;
}

describe("block cache", () => {
  it("reuses answers within a block, refetches after the next, and passes through while the node is down", async () => {
    const inner = countingReader();
    const reader = await createBlockCachedReader(inner, { pollMs: 20, cacheable: () => true });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      const a = await reader.abciQuery("/p", Uint8Array.of(1));
      const b = await reader.abciQuery("/p", Uint8Array.of(1));
      assert.deepEqual(b.value, a.value);
      await reader.abciQuery("/p", Uint8Array.of(2));
      assert.equal(inner.calls, 2, "same query, same block: one call");
      inner.height = 11n;
      await sleep(80);
      const c = await reader.abciQuery("/p", Uint8Array.of(1));
      assert.notDeepEqual(c.value, a.value);
      assert.equal(inner.calls, 3);
      inner.height = undefined;
      await sleep(80);
      assert.equal(reader.stats.height, undefined);
      await reader.abciQuery("/p", Uint8Array.of(1));
      await reader.abciQuery("/p", Uint8Array.of(1));
      assert.equal(inner.calls, 5);
    } finally {
      reader.close();
    }
  });

  it("never caches account and balance reads by default (wallets sign with the sequence they return)", async () => {
    const inner = countingReader();
    const reader = await createBlockCachedReader(inner, { pollMs: 20 });
    try {
      await reader.abciQuery("/cosmos.auth.v1beta1.Query/Account", Uint8Array.of(1));
      await reader.abciQuery("/cosmos.auth.v1beta1.Query/Account", Uint8Array.of(1));
      assert.equal(inner.calls, 2);
      await reader.abciQuery("/poq.v1.Query/Request", Uint8Array.of(1));
      await reader.abciQuery("/poq.v1.Query/Request", Uint8Array.of(1));
      assert.equal(inner.calls, 3);
    } finally {
      reader.close();
    }
  });
});
