import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Application, CheckTxResponse, InfoResponse } from "./application.js";
import { createFrameDecoder, encodeFrame, encodeUvarint } from "./framing.js";
import { parseAbciAddress, startAbciServer, type AbciLogger } from "./server.js";
import { toBigInt } from "./codec-scalars.js";
import { tendermint } from "../proto/gen/tendermint.js";

import pb = tendermint.abci;

const notUsed = (): never => {
  throw new Error("not used in this test");
};

/** A small application whose methods can be slowed down and that records how many calls overlap. */
function createProbeApp(opts: { infoDelayMs?: number; checkTxDelayMs?: number } = {}) {
  const calls: string[] = [];
  let active = 0;
  let maxActive = 0;
  async function track<T>(name: string, delayMs: number, result: T): Promise<T> {
    active += 1;
    maxActive = Math.max(maxActive, active);
    calls.push(`${name}:start`);
    await sleep(delayMs);
    calls.push(`${name}:end`);
    active -= 1;
    return result;
  }
  const info: InfoResponse = {
    data: "probe",
    version: "1",
    appVersion: 1n,
    lastBlockHeight: 2n ** 60n,
    lastBlockAppHash: Uint8Array.of(1, 2, 3),
  };
  const app: Application = {
    info: () => track("info", opts.infoDelayMs ?? 0, info),
    checkTx: (req) => {
      const text = new TextDecoder().decode(req.tx);
      if (text === "boom") throw new Error("probe app exploded");
      const res: CheckTxResponse = {
        code: Number(text.length),
        data: req.tx,
        log: text,
        info: "",
        gasWanted: 1n,
        gasUsed: 1n,
        events: [],
        codespace: "",
      };
      return track(`checkTx(${text})`, opts.checkTxDelayMs ?? 0, res);
    },
    initChain: notUsed,
    query: notUsed,
    commit: notUsed,
    listSnapshots: () => ({ snapshots: [] }),
    offerSnapshot: notUsed,
    loadSnapshotChunk: notUsed,
    applySnapshotChunk: notUsed,
    prepareProposal: notUsed,
    processProposal: notUsed,
    extendVote: notUsed,
    verifyVoteExtension: notUsed,
    finalizeBlock: notUsed,
  };
  return { app, calls, maxActive: () => maxActive };
}

/** A raw client: writes request frames and collects decoded responses. */
async function openClient(address: string) {
  const parsed = parseAbciAddress(address);
  const socket: Socket =
    parsed.kind === "unix" ? connect(parsed.path) : connect({ host: parsed.host, port: parsed.port });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const decoder = createFrameDecoder();
  const responses: pb.Response[] = [];
  const raw: Uint8Array[] = [];
  let closed = false;
  socket.on("data", (chunk: Buffer) => {
    decoder.push(chunk, (frame) => {
      raw.push(frame);
      responses.push(pb.Response.decode(frame));
    });
  });
  socket.on("close", () => (closed = true));
  return {
    socket,
    responses,
    raw,
    isClosed: () => closed,
    send(...requests: pb.IRequest[]) {
      socket.write(Buffer.concat(requests.map((r) => encodeFrame(pb.Request.encode(r).finish()))));
    },
    async waitFor(count: number, timeoutMs = 3000) {
      const start = Date.now();
      while (responses.length < count) {
        if (Date.now() - start > timeoutMs) throw new Error(`got ${responses.length} of ${count} responses`);
        await sleep(5);
      }
      return responses;
    },
  };
}

function recordingLogger() {
  const errors: string[] = [];
  const logger: AbciLogger = {
    info() {},
    error: (message, fields) => errors.push(`${message} ${fields?.error}`),
  };
  return { logger, errors };
}

const tmp = mkdtempSync(join(tmpdir(), "poq-abci-server-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("ABCI socket server", () => {
  it("answers Flush with exactly 02 1a 00 and Echo without the app", async () => {
    const { app, calls } = createProbeApp();
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0" });
    try {
      const client = await openClient(server.address);
      client.socket.write(Uint8Array.of(0x02, 0x12, 0x00));
      await client.waitFor(1);
      assert.deepEqual([...(client.raw[0] ?? [])], [0x1a, 0x00]);
      client.send({ echo: { message: "hello" } }, { flush: {} });
      const [, echo, flush] = await client.waitFor(3);
      assert.equal(echo?.echo?.message, "hello");
      assert.equal(flush?.value, "flush");
      assert.deepEqual(calls, []);
      client.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("answers in request order even when an earlier app call is slow", async () => {
    const { app } = createProbeApp({ infoDelayMs: 80 });
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0" });
    try {
      const client = await openClient(server.address);
      client.send({ info: { version: "0.38.26" } }, { echo: { message: "after" } }, { flush: {} });
      const responses = await client.waitFor(3);
      assert.deepEqual(
        responses.map((r) => r.value),
        ["info", "echo", "flush"],
      );
      assert.equal(toBigInt(responses[0]?.info?.lastBlockHeight), 2n ** 60n);
      assert.deepEqual([...(responses[0]?.info?.lastBlockAppHash ?? [])], [1, 2, 3]);
      client.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("never runs two app calls at once, across connections", async () => {
    const { app, calls, maxActive } = createProbeApp({ checkTxDelayMs: 15, infoDelayMs: 15 });
    const server = await startAbciServer({ app, address: `unix://${join(tmp, "app.sock")}` });
    try {
      const mempool = await openClient(server.address);
      const query = await openClient(server.address);
      const tx = (s: string): pb.IRequest => ({ checkTx: { tx: new TextEncoder().encode(s) } });
      mempool.send(tx("a"), tx("bb"), tx("ccc"), { flush: {} });
      query.send({ info: {} }, { info: {} }, { flush: {} });
      const fromMempool = await mempool.waitFor(4);
      await query.waitFor(3);
      assert.equal(maxActive(), 1, `overlapping calls: ${calls.join(" ")}`);
      assert.deepEqual(
        fromMempool.map((r) => r.checkTx?.code ?? r.value),
        [1, 2, 3, "flush"],
      );
      // Each call ends before the next starts.
      for (let i = 0; i < calls.length; i += 2) {
        assert.equal(calls[i]?.replace(":start", ""), calls[i + 1]?.replace(":end", ""));
      }
      assert.equal(server.connectionCount, 2);
      mempool.socket.destroy();
      query.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("answers a throwing CheckTx with a rejection code, a throwing consensus method with Response.exception", async () => {
    const { app } = createProbeApp();
    const { logger, errors } = recordingLogger();
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0", logger });
    try {
      const client = await openClient(server.address);
      // CheckTx runs on user input: a throw there is a rejection (code 1), never the fatal exception.
      client.send(
        { checkTx: { tx: new TextEncoder().encode("boom") } },
        { finalizeBlock: { height: 1 } },
        { flush: {} },
      );
      const [rejected, failure, flush] = await client.waitFor(3);
      assert.equal(rejected?.value, "checkTx");
      assert.equal(rejected?.checkTx?.code, 1);
      assert.equal(rejected?.checkTx?.codespace, "undefined");
      assert.match(rejected?.checkTx?.log ?? "", /probe app exploded/);
      // A consensus method that throws still answers with the exception.
      assert.equal(failure?.value, "exception");
      assert.match(failure?.exception?.error ?? "", /not used in this test/);
      assert.equal(flush?.value, "flush");
      assert.equal(errors.length, 2);
      assert.match(errors[0] ?? "", /probe app exploded/);
      client.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("closes a connection that announces an oversized frame, with a clear error", async () => {
    const { app } = createProbeApp();
    const { logger, errors } = recordingLogger();
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0", maxMessageBytes: 64, logger });
    try {
      const client = await openClient(server.address);
      client.send({ echo: { message: "first" } });
      client.socket.write(encodeUvarint(65));
      const [echo, failure] = await client.waitFor(2);
      assert.equal(echo?.echo?.message, "first");
      assert.match(failure?.exception?.error ?? "", /exceeds the maximum of 64 bytes/);
      const start = Date.now();
      while (!client.isClosed() && Date.now() - start < 2000) await sleep(5);
      assert.ok(client.isClosed(), "the server closed the connection");
      assert.match(errors.join("\n"), /framing error/);
    } finally {
      await server.close();
    }
  });

  it("refuses connections past the limit, and keeps serving the ones it has", async () => {
    const { app } = createProbeApp();
    const { logger, errors } = recordingLogger();
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0", maxConnections: 2, logger });
    try {
      const [a, b] = [await openClient(server.address), await openClient(server.address)];
      const extra = await openClient(server.address);
      const start = Date.now();
      while (!extra.isClosed() && Date.now() - start < 2000) await sleep(5);
      assert.ok(extra.isClosed(), "the third connection was closed");
      assert.match(errors.join("\n"), /too many open/);
      for (const c of [a, b]) {
        c.send({ echo: { message: "still here" } });
        assert.equal((await c.waitFor(1))[0]?.echo?.message, "still here");
        c.socket.destroy();
      }
    } finally {
      await server.close();
    }
  });

  it("closes a connection whose frame stalls half received; an idle one stays open", async () => {
    const { app } = createProbeApp();
    const { logger, errors } = recordingLogger();
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0", stalledFrameMs: 150, logger });
    try {
      const idle = await openClient(server.address);
      const stalled = await openClient(server.address);
      stalled.socket.write(Uint8Array.of(50, 0x12, 0x00)); // announces 50 bytes, sends 2
      await sleep(600);
      assert.ok(stalled.isClosed(), "the stalled connection was closed");
      assert.match(stalled.responses[0]?.exception?.error ?? "", /stalled half received/);
      assert.ok(!idle.isClosed(), "nothing half received: never timed out");
      idle.send({ echo: { message: "awake" } });
      assert.equal((await idle.waitFor(1))[0]?.echo?.message, "awake");
      assert.match(errors.join("\n"), /stalled/);
      idle.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("caps the unfinished bytes buffered over all connections", async () => {
    const { app } = createProbeApp();
    const { logger } = recordingLogger();
    const server = await startAbciServer({
      app,
      address: "tcp://127.0.0.1:0",
      maxMessageBytes: 1000,
      maxBufferedBytes: 1000,
      logger,
    });
    try {
      const first = await openClient(server.address);
      const second = await openClient(server.address);
      const part = (n: number) => Buffer.concat([Buffer.from(encodeUvarint(900)), Buffer.alloc(n)]);
      first.socket.write(part(600));
      await sleep(50);
      second.socket.write(part(600)); // 1200 unfinished bytes in all: this one goes
      const start = Date.now();
      while (!second.isClosed() && Date.now() - start < 2000) await sleep(5);
      assert.ok(second.isClosed(), "the connection that passed the cap was closed");
      assert.match(second.responses[0]?.exception?.error ?? "", /passed 1000 bytes/);
      assert.ok(!first.isClosed(), "the first one keeps its frame");
      first.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("close() lets a request in flight finish, then stops listening", async () => {
    const { app, calls } = createProbeApp({ infoDelayMs: 100 });
    const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0" });
    const client = await openClient(server.address);
    client.send({ info: {} }, { flush: {} });
    await sleep(20);
    await server.close();
    assert.deepEqual(calls, ["info:start", "info:end"]);
    const { port } = parseAbciAddress(server.address) as { port: number };
    await assert.rejects(
      new Promise((resolve, reject) =>
        connect({ host: "127.0.0.1", port }).once("connect", resolve).once("error", reject),
      ),
      /ECONNREFUSED/,
    );
  });

  it("parses only tcp:// and unix:// addresses", () => {
    assert.deepEqual(parseAbciAddress("tcp://[::1]:26658"), { kind: "tcp", host: "::1", port: 26658 });
    assert.throws(() => parseAbciAddress("127.0.0.1:26658"), /tcp:\/\/host:port/);
    assert.throws(() => parseAbciAddress("tcp://127.0.0.1:70000"));
  });
  it("answers a query through queryOffThread while the queue is busy, and in order on its connection", async () => {
    const { app, calls } = createProbeApp({ infoDelayMs: 400 });
    const queryResponse = (log: string) => ({
      code: 0,
      log,
      info: "",
      index: 0n,
      key: new Uint8Array(0),
      value: new Uint8Array(0),
      height: 7n,
      codespace: "",
    });
    const served: Application = {
      ...app,
      query: (req) => {
        calls.push(`query(${req.path})`);
        return queryResponse("main");
      },
      queryOffThread: async (req) => {
        if (req.path === "/main") return undefined;
        await sleep(20);
        return queryResponse("worker");
      },
    };
    const server = await startAbciServer({ app: served, address: "tcp://127.0.0.1:0" });
    try {
      const consensus = await openClient(server.address);
      const queries = await openClient(server.address);
      consensus.send({ info: {} });
      while (!calls.includes("info:start")) await sleep(5);
      queries.send(
        { query: { path: "/worker" } },
        { echo: { message: "after" } },
        { query: { path: "/main" } },
      );
      const [worker, echo] = await queries.waitFor(2);
      assert.equal(worker?.query?.log, "worker");
      assert.equal(echo?.echo?.message, "after");
      assert.ok(!calls.includes("info:end"), "answered while Info still held the queue");
      // Handed back: through the queue, after Info.
      const [, , main] = await queries.waitFor(3);
      assert.equal(main?.query?.log, "main");
      assert.deepEqual(calls, ["info:start", "info:end", "query(/main)"]);
      await consensus.waitFor(1);
      consensus.socket.destroy();
      queries.socket.destroy();
    } finally {
      await server.close();
    }
  });
});
