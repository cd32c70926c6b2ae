/**
 * The application's ABCI socket under fuzzed input, seeded and bounded for CI: the real application
 * (SQLite, every module) behind the real socket server, fed over many connections with random bytes,
 * frames whose length prefix lies (too long, truncated, non-minimal, over the cap), and mutations of
 * well-formed requests of every kind. The server must never stop: after each connection a fresh one
 * still gets Echo and Info answered, and the process sees no uncaught error.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createFrameDecoder, encodeFrame } from "../abci/framing.js";
import { startAbciServer, type AbciServer } from "../abci/server.js";
import { tendermint } from "../proto/gen/tendermint.js";
import { createPoqBenchChain, POQ_BENCH_CHAIN_ID, type PoqBenchChain } from "./poq-app-chain.js";
import { msgSendAny, signDirect, testKey } from "./raw-signer.js";
import { mutateBytes, mutateStructure, prng, type Prng } from "./wire-mutator.js";

import pb = tendermint.abci;

const alice = testKey("abci-fuzz-alice");

/**
 * Writes `bytes` on a fresh connection, waits a little for answers, then closes it. Returns how many
 * responses came back (the server may also hang up on bad input: that is allowed).
 */
async function throwAt(address: { host: string; port: number }, bytes: Uint8Array): Promise<number> {
  const socket: Socket = connect(address);
  await new Promise<void>((resolve) => {
    socket.once("connect", resolve).once("error", () => resolve());
  });
  socket.on("error", () => {});
  let answered = 0;
  const decoder = createFrameDecoder();
  socket.on("data", (chunk: Buffer) => {
    try {
      decoder.push(chunk, () => answered++);
    } catch {
      // not ours to judge here; stillServes checks the server
    }
  });
  socket.write(bytes);
  await sleep(15);
  socket.destroy();
  return answered;
}

/** Echo and Info on a fresh connection: the server still serves. */
async function stillServes(address: { host: string; port: number }): Promise<string> {
  const socket: Socket = connect(address);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const decoder = createFrameDecoder();
  const responses: pb.Response[] = [];
  socket.on("data", (chunk: Buffer) => decoder.push(chunk, (f) => responses.push(pb.Response.decode(f))));
  socket.write(
    Buffer.concat(
      [{ echo: { message: "alive?" } }, { info: { version: "0.38" } }, { flush: {} }].map((r) =>
        encodeFrame(pb.Request.encode(r).finish()),
      ),
    ),
  );
  for (let i = 0; responses.length < 3 && i < 400; i++) await sleep(5);
  socket.destroy();
  assert.equal(responses[0]?.echo?.message, "alive?", "Echo answered");
  assert.ok(responses[1]?.info, "Info answered");
  return Buffer.from(responses[1]!.info!.lastBlockAppHash ?? []).toString("hex");
}

/** Frames of every request kind CometBFT sends, with real content where it matters. */
function seedRequests(chain: PoqBenchChain): Uint8Array[] {
  const tx = signDirect({
    key: alice,
    chainId: POQ_BENCH_CHAIN_ID,
    accountNumber: 0n,
    sequence: 0n,
    messages: [msgSendAny(alice.address, alice.address, 1n)],
  });
  const requests: pb.IRequest[] = [
    { echo: { message: "x" } },
    { flush: {} },
    { info: { version: "0.38.26", blockVersion: 11, p2pVersion: 8, abciVersion: "2.0.0" } },
    {
      query: {
        path: "/cosmos.bank.v1beta1.Query/Balance",
        data: Uint8Array.of(10, 3, 97, 98, 99),
        height: 0,
      },
    },
    { query: { path: "/poq/requests", data: new Uint8Array(), height: 2 ** 40 } },
    { checkTx: { tx, type: pb.CheckTxType.NEW } },
    { checkTx: { tx, type: pb.CheckTxType.RECHECK } },
    { listSnapshots: {} },
    {
      verifyVoteExtension: {
        hash: new Uint8Array(32),
        validatorAddress: new Uint8Array(20),
        height: 5,
        voteExtension: Uint8Array.of(1, 2),
      },
    },
    { processProposal: { txs: [tx], height: Number(chain.height) + 1, hash: new Uint8Array(32) } },
  ];
  return requests.map((r) => pb.Request.encode(r).finish());
}

/** One fuzzed write: a lying length prefix, random bytes, or a mutated request in a frame. */
function fuzzedBytes(r: Prng, seeds: readonly Uint8Array[]): Uint8Array {
  const request = r.pick(seeds);
  switch (r.int(6)) {
    case 0: // random bytes
      return Uint8Array.from({ length: 1 + r.int(64) }, () => r.int(256));
    case 1: // a length prefix longer than what follows (a truncated frame)
      return Uint8Array.from(
        Buffer.concat([encodeFrame(request)]).subarray(0, 1 + r.int(request.length + 1)),
      );
    case 2: // an absurd length (over any cap), or ten 0xff bytes (a varint that never ends)
      return r.int(2)
        ? Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
        : Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x08);
    case 3:
      return encodeFrame(mutateBytes(request, r));
    default:
      return encodeFrame(mutateStructure(request, r));
  }
}

describe("the ABCI socket of the real application, fuzzed", { timeout: 120_000 }, () => {
  let chain: PoqBenchChain;
  let server: AbciServer & { address: string };
  let address: { host: string; port: number };
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  before(async () => {
    process.on("uncaughtException", onUncaught);
    chain = createPoqBenchChain({ validators: 1, accounts: [alice] });
    chain.runBlock([]);
    server = await startAbciServer({
      app: chain.app,
      address: "tcp://127.0.0.1:0",
      logger: { info() {}, error() {} },
      maxConnections: 4,
      stalledFrameMs: 200,
    });
    const port = Number(server.address.split(":").at(-1));
    address = { host: "127.0.0.1", port };
  });

  after(async () => {
    process.off("uncaughtException", onUncaught);
    await server?.close();
    chain?.cleanup();
  });

  it("keeps serving after 300 fuzzed writes on 60 connections", async () => {
    const r = prng(1203);
    const seeds = seedRequests(chain);
    const appHash = await stillServes(address);
    let answered = 0;
    for (let c = 0; c < 60; c++) {
      const parts = Array.from({ length: 1 + r.int(9) }, () => fuzzedBytes(r, seeds));
      answered += await throwAt(address, Uint8Array.from(Buffer.concat(parts)));
      if (c % 10 === 9) assert.equal(await stillServes(address), appHash, `after connection ${c}`);
    }
    assert.equal(await stillServes(address), appHash, "no committed state changed");
    assert.deepEqual(uncaught, []);
    // Mutated requests that still decode reached the application and were answered.
    assert.ok(answered >= 20, `${answered} responses to fuzzed requests`);
    console.log(`${answered} responses to fuzzed requests`);
  });
});
