import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service";
import type { FinalizeBlockRequest, QueryRequest, QueryResponse } from "../../abci/application.js";
import { createApp, type PoqApp } from "../app.js";
import { createCoreModules } from "../core-modules.js";
import { createQueryService, MAX_FAILED_STARTS } from "./query-service.js";
import { RAW_STORE_PATH, SIMULATE_PATH } from "./query.js";
import { testQueryModule } from "../../test/query-test-router.js";
import { testKey } from "../../test/raw-signer.js";

const CHAIN = "poq-query-worker-1";
const alice = testKey("alice");
const ROUTER = new URL("../../test/query-test-router.js", import.meta.url);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** A response with its bytes as hex (the worker's are Uint8Array, the main thread's may be Buffer). */
const plain = (r: QueryResponse) => ({ ...r, key: hex(r.key), value: hex(r.value) });

let dir: string;
let n = 0;

function newApp(timeoutMs = 20_000): PoqApp {
  const core = createCoreModules();
  return createApp({
    dbPath: join(dir, `app${n++}.db`),
    modules: [...core.modules, testQueryModule()],
    ante: core.ante,
    chainId: CHAIN,
    queryWorker: { router: ROUTER, timeoutMs },
  });
}

function genesis(app: PoqApp): void {
  app.initChain({
    timeNanos: 1_700_000_000_000_000_000n,
    chainId: CHAIN,
    validators: [],
    appStateBytes: utf8(
      JSON.stringify({
        bank: { balances: [{ address: alice.address, coins: [{ denom: "upoq", amount: "1000000" }] }] },
      }),
    ),
    initialHeight: 1n,
  });
}

function block(height: bigint): FinalizeBlockRequest {
  return {
    txs: [],
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(Number(height)),
    height,
    timeNanos: 1_700_000_000_000_000_000n + height * 1_000_000_000n,
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}

/** Commits the next block, with `writes` staged in it first. */
function commitBlock(app: PoqApp, writes: [Uint8Array, Uint8Array][] = []): void {
  for (const [k, v] of writes) app.state.deliver.set(k, v);
  app.finalizeBlock(block(app.state.lastHeight + 1n));
  app.commit();
}

const balanceQuery = (height = 0n): QueryRequest => ({
  path: "/cosmos.bank.v1beta1.Query/Balance",
  data: QueryBalanceRequest.encode({ address: alice.address, denom: "upoq" }).finish(),
  height,
  prove: false,
});

async function offThread(app: PoqApp, req: QueryRequest): Promise<QueryResponse> {
  assert.ok(app.queryOffThread, "the app has a query worker");
  const res = await app.queryOffThread(req);
  assert.ok(res, `${req.path} was answered by the worker`);
  return res;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-query-worker-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("queries off the consensus thread", () => {
  it("hands queries back to the main thread before the first block, then answers them as the main thread would", async () => {
    const app = newApp();
    try {
      genesis(app);
      // Height 0: a genesis may be half written to the database; the main thread answers.
      assert.equal(await app.queryOffThread?.(balanceQuery()), undefined);
      commitBlock(app);
      const worker = await offThread(app, balanceQuery());
      const main = app.query(balanceQuery());
      assert.equal(worker.code, 0, worker.log);
      assert.equal(worker.height, 1n);
      assert.deepEqual(plain(worker), plain(main));
      assert.equal(QueryBalanceResponse.decode(worker.value).balance?.amount, "1000000");
      // An explicit height: the latest is answered, an older or newer one refused as before.
      assert.equal((await offThread(app, balanceQuery(1n))).code, 0);
      const old = await offThread(app, balanceQuery(5n));
      assert.equal(old.code, 26);
      assert.equal(old.codespace, "sdk");
      assert.deepEqual(plain(old), plain(app.query(balanceQuery(5n))));
      // Unknown paths fail the same way in both places.
      const unknown = { path: "/nope.Query/X", data: new Uint8Array(0), height: 0n, prove: false };
      assert.deepEqual(plain(await offThread(app, unknown)), plain(app.query(unknown)));
    } finally {
      app.close();
    }
  });

  it("leaves Simulate and proven reads to the main thread; answers unproven raw reads", async () => {
    const app = newApp();
    try {
      genesis(app);
      const key = utf8("test/raw");
      commitBlock(app, [[key, utf8("v1")]]);
      const raw = { path: RAW_STORE_PATH, data: key, height: 0n, prove: false };
      assert.deepEqual(plain(await offThread(app, raw)), plain(app.query(raw)));
      assert.equal(hex((await offThread(app, raw)).value), hex(utf8("v1")));
      assert.equal(await app.queryOffThread?.({ ...raw, prove: true }), undefined);
      const sim = {
        path: SIMULATE_PATH,
        data: SimulateRequest.encode({ txBytes: new Uint8Array(0) }).finish(),
        height: 0n,
        prove: false,
      };
      assert.equal(await app.queryOffThread?.(sim), undefined);
    } finally {
      app.close();
    }
  });

  it("runs one query in one read transaction while the main thread commits the next block", async () => {
    const app = newApp();
    try {
      genesis(app);
      const key = utf8("test/moving");
      commitBlock(app, [[key, utf8("old")]]);
      const data = new Uint8Array(new SharedArrayBuffer(4 + key.length));
      data.set(key, 4);
      const flag = new Int32Array(data.buffer, 0, 1);
      const pending = offThread(app, { path: "/test.Query/ReadTwice", data, height: 0n, prove: false });
      // The worker has read once and now waits: the main thread is free to finalize and commit.
      while (Atomics.load(flag, 0) !== 1) await new Promise((r) => setTimeout(r, 5));
      commitBlock(app, [[key, utf8("new")]]);
      assert.equal(app.state.lastHeight, 2n);
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);
      const res = await pending;
      assert.equal(res.code, 0, res.log);
      assert.equal(res.height, 1n, "the height its read transaction saw");
      assert.deepEqual(JSON.parse(new TextDecoder().decode(res.value)), {
        first: hex(utf8("old")),
        second: hex(utf8("old")),
      });
      // The next query sees the new block.
      const after = await offThread(app, { path: "/test.Query/Key", data: key, height: 0n, prove: false });
      assert.equal(after.height, 2n);
      assert.equal(hex(after.value), hex(utf8("new")));
    } finally {
      app.close();
    }
  });

  it("answers a query that runs past the timeout with an error and restarts the worker", async () => {
    const app = newApp(500);
    try {
      genesis(app);
      commitBlock(app);
      const hang = await offThread(app, {
        path: "/test.Query/Hang",
        data: new Uint8Array(0),
        height: 0n,
        prove: false,
      });
      assert.equal(hang.code, 1);
      assert.match(hang.log, /ran past 500 ms/);
      const next = await offThread(app, balanceQuery());
      assert.equal(next.code, 0, next.log);
      assert.equal(next.height, 1n);
    } finally {
      app.close();
    }
  });

  it("survives a worker that dies: that query gets an internal error, the next one a new worker", async () => {
    const app = newApp();
    try {
      genesis(app);
      commitBlock(app);
      assert.equal((await offThread(app, balanceQuery())).code, 0);
      const died = await offThread(app, {
        path: "/test.Query/Exit",
        data: new Uint8Array(0),
        height: 0n,
        prove: false,
      });
      assert.equal(died.code, 1);
      assert.match(died.log, /internal error: the query worker stopped/);
      const next = await offThread(app, balanceQuery());
      assert.equal(next.code, 0, next.log);
    } finally {
      app.close();
    }
  });

  it(`gives the worker up after ${MAX_FAILED_STARTS} that die before answering: queries go to the main thread`, async () => {
    const app = newApp();
    app.close();
    const errors: string[] = [];
    const service = createQueryService({
      dbPath: join(dir, `app${n - 1}.db`),
      router: new URL("./no-such-router.js", import.meta.url),
      logger: { info: () => undefined, error: (msg) => errors.push(msg) },
    });
    try {
      for (let i = 0; i < MAX_FAILED_STARTS; i++) {
        const res = await service.query(balanceQuery());
        assert.equal(res?.code, 1);
      }
      assert.equal(service.started, MAX_FAILED_STARTS);
      assert.equal(await service.query(balanceQuery()), undefined);
      assert.equal(service.started, MAX_FAILED_STARTS, "no more workers started");
      assert.ok(
        errors.some((e) => /queries run on the main thread/.test(e)),
        errors.join("; "),
      );
    } finally {
      await service.close();
    }
  });

  it("stops a worker that never gets ready: its queries get an error, and it counts as a failed start", async () => {
    const app = newApp();
    app.close();
    const service = createQueryService({
      dbPath: join(dir, `app${n - 1}.db`),
      router: new URL("../../test/query-test-router-stuck.js", import.meta.url),
      startTimeoutMs: 300,
    });
    try {
      const res = await service.query(balanceQuery());
      assert.equal(res?.code, 1);
      assert.match(res?.log ?? "", /the query worker stopped/);
      assert.equal(service.started, 1);
    } finally {
      await service.close();
    }
  });

  it("after close, hands every query back and stops the worker", async () => {
    const app = newApp();
    genesis(app);
    commitBlock(app);
    assert.equal((await offThread(app, balanceQuery())).code, 0);
    app.close();
    assert.equal(await app.queryOffThread?.(balanceQuery()), undefined);
  });
});
