/**
 * Query routes for the query worker's tests (app/baseapp/query-service.test.ts): the core modules'
 * routes plus a `test` module whose queries misbehave on purpose, as the worker loads them.
 *
 * - `/test.Query/Key`: the raw committed value of the key in `data` (empty when absent).
 * - `/test.Query/ReadTwice`: `data` is [flag (4 bytes, over a SharedArrayBuffer), key...]. Reads the
 *   key, sets the flag to 1, waits until the test sets it to 2, reads the key again, and answers
 *   `{"first": hex, "second": hex}`: both reads must come from the same committed state.
 * - `/test.Query/Hang`: never returns. `/test.Query/Exit`: ends the worker thread.
 */
import { createCoreModules } from "../app/core-modules.js";
import { createRouter, type Router } from "../app/router.js";
import type { Module } from "../app/types.js";

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString("hex") : "");

/** The misbehaving test module (also registered in the main thread's app, so the routes agree). */
export function testQueryModule(): Module {
  return {
    name: "test",
    msgs: [],
    queries: {
      "/test.Query/Key": (ctx, data) => ctx.store.get(data) ?? new Uint8Array(0),
      "/test.Query/ReadTwice": (ctx, data) => {
        const flag = new Int32Array(data.buffer, data.byteOffset, 1);
        const key = data.subarray(4);
        const first = ctx.store.get(key);
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        Atomics.wait(flag, 0, 1, 20_000);
        const second = ctx.store.get(key);
        return new TextEncoder().encode(JSON.stringify({ first: hex(first), second: hex(second) }));
      },
      "/test.Query/Hang": () => {
        for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      },
      "/test.Query/Exit": () => process.exit(7),
    },
  };
}

/** The routes the worker builds: core modules, then the test module. */
export function createQueryRouter(): Router {
  return createRouter([...createCoreModules().modules, testQueryModule()]);
}
