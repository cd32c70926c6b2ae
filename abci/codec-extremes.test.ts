/**
 * Every ABCI response path with every 64-bit field at the extremes (and at pseudo-random values of up
 * to 100 bits): encoding must never throw, because a throw becomes the `exception` answer and CometBFT
 * stops. Values out of range saturate at the field's bound.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type * as abci from "./application.js";
import { saturate, toBigInt, type WireInt64 } from "./codec-scalars.js";
import * as codec from "./codec.js";
import { tendermint } from "../proto/gen/tendermint.js";

import pb = tendermint.abci;

const I64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const U64 = [0n, 2n ** 64n - 1n] as const;
const EMPTY = new Uint8Array(0);

/** One response path: builds the plain response with every 64-bit field set to `v`, reads them back. */
interface PathCase {
  name: string;
  build(v: bigint): pb.IResponse;
  /** The 64-bit fields of the decoded response, each with its range. */
  read(r: pb.Response): [WireInt64, readonly [bigint, bigint]][];
}

function params(v: bigint): abci.ConsensusParams {
  return {
    block: { maxBytes: v, maxGas: v },
    evidence: { maxAgeNumBlocks: v, maxAgeDurationNanos: v, maxBytes: v },
    validator: { pubKeyTypes: ["ed25519"] },
    version: { app: v },
    abci: { voteExtensionsEnableHeight: v },
  };
}

function readParams(p: tendermint.types.IConsensusParams | null | undefined) {
  return [
    [p?.block?.maxBytes, I64],
    [p?.block?.maxGas, I64],
    [p?.evidence?.maxAgeNumBlocks, I64],
    [p?.evidence?.maxBytes, I64],
    [p?.version?.app, U64],
    [p?.abci?.voteExtensionsEnableHeight, I64],
  ] as [WireInt64, readonly [bigint, bigint]][];
}

function txResult(v: bigint): abci.ExecTxResult {
  return {
    code: 18,
    codespace: "sdk",
    log: "x",
    info: "",
    data: EMPTY,
    gasWanted: v,
    gasUsed: v,
    events: [{ type: "tx", attributes: [{ key: "fee", value: String(v), index: true }] }],
  };
}

const PATHS: PathCase[] = [
  {
    name: "Info",
    build: (v) => ({
      info: codec.fromInfoResponse({
        data: "poq",
        version: "1",
        appVersion: v,
        lastBlockHeight: v,
        lastBlockAppHash: EMPTY,
      }),
    }),
    read: (r) => [
      [r.info?.appVersion, U64],
      [r.info?.lastBlockHeight, I64],
    ],
  },
  {
    name: "InitChain",
    build: (v) => ({
      initChain: codec.fromInitChainResponse({
        consensusParams: params(v),
        validators: [{ pubKeyEd25519: new Uint8Array(32), power: v }],
        appHash: EMPTY,
      }),
    }),
    read: (r) => [...readParams(r.initChain?.consensusParams), [r.initChain?.validators?.[0]?.power, I64]],
  },
  {
    name: "Query",
    build: (v) => ({
      query: codec.fromQueryResponse({
        code: 0,
        log: "",
        info: "",
        index: v,
        key: EMPTY,
        value: EMPTY,
        height: v,
        codespace: "",
      }),
    }),
    read: (r) => [
      [r.query?.index, I64],
      [r.query?.height, I64],
    ],
  },
  {
    name: "CheckTx",
    build: (v) => ({ checkTx: codec.fromTxResult(txResult(v)) }),
    read: (r) => [
      [r.checkTx?.gasWanted, I64],
      [r.checkTx?.gasUsed, I64],
    ],
  },
  {
    name: "Commit",
    build: (v) => ({ commit: codec.fromCommitResponse({ retainHeight: v }) }),
    read: (r) => [[r.commit?.retainHeight, I64]],
  },
  {
    name: "ListSnapshots",
    build: (v) => ({
      listSnapshots: codec.fromListSnapshotsResponse({
        snapshots: [{ height: v, format: 1, chunks: 1, hash: EMPTY, metadata: EMPTY }],
      }),
    }),
    read: (r) => [[r.listSnapshots?.snapshots?.[0]?.height, U64]],
  },
  {
    name: "FinalizeBlock",
    build: (v) => ({
      finalizeBlock: codec.fromFinalizeBlockResponse({
        events: [],
        txResults: [txResult(v), txResult(v)],
        validatorUpdates: [{ pubKeyEd25519: new Uint8Array(32), power: v }],
        consensusParamUpdates: params(v),
        appHash: new Uint8Array(32),
      }),
    }),
    read: (r) => [
      ...(r.finalizeBlock?.txResults ?? []).flatMap(
        (t) =>
          [
            [t.gasWanted, I64],
            [t.gasUsed, I64],
          ] as [WireInt64, readonly [bigint, bigint]][],
      ),
      [r.finalizeBlock?.validatorUpdates?.[0]?.power, I64],
      ...readParams(r.finalizeBlock?.consensusParamUpdates),
    ],
  },
];

const EXTREMES = [
  0n,
  1n,
  -1n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  2n ** 64n,
  -(2n ** 63n),
  -(2n ** 63n) - 1n,
  2n ** 100n,
  -(2n ** 100n),
];

/** A fixed xorshift sequence: the same values on every run. */
function* pseudoRandom(count: number): Generator<bigint> {
  let x = 0x9e3779b97f4a7c15n;
  const mask = 2n ** 64n - 1n;
  for (let i = 0; i < count; i++) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    const bits = x % 101n;
    const sign = (x >> 8n) & 1n ? -1n : 1n;
    yield sign * ((x * (x >> 3n)) % 2n ** bits);
  }
}

function check(path: PathCase, v: bigint): void {
  let bytes: Uint8Array;
  try {
    bytes = codec.encodeResponse(path.build(v));
  } catch (err) {
    assert.fail(`${path.name} with ${v}: encoding threw ${String(err)}`);
  }
  const fields = path.read(pb.Response.decode(bytes));
  assert.ok(fields.length > 0, `${path.name}: no 64-bit field read back`);
  for (const [i, [wire, [min, max]]] of fields.entries()) {
    const unsigned = min === 0n;
    const got = unsigned ? BigInt.asUintN(64, toBigInt(wire)) : toBigInt(wire);
    assert.equal(got, saturate(v, min, max), `${path.name} field #${i} with ${v}`);
  }
}

describe("ABCI responses at 64-bit extremes", () => {
  for (const path of PATHS) {
    it(`${path.name} encodes every extreme, saturated to the field's range`, () => {
      for (const v of EXTREMES) check(path, v);
      for (const v of pseudoRandom(300)) check(path, v);
    });
  }
});
