/**
 * A query-router module whose loading never ends (app/baseapp/query-service.test.ts: a worker that
 * never becomes ready is stopped after `startTimeoutMs`).
 */
import type { Router } from "../app/router.js";

const never = new Int32Array(new SharedArrayBuffer(4));
for (;;) Atomics.wait(never, 0, 0, 1000);

/** Never reached. */
export function createQueryRouter(): Router {
  throw new Error("unreachable");
}
