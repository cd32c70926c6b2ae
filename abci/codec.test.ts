import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromBigInt, fromNanos, toBigInt, toNanos } from "./codec-scalars.js";
import * as codec from "./codec.js";
import { google, tendermint } from "../proto/gen/tendermint.js";

import pb = tendermint.abci;

/** Encodes with the generated writer and decodes again, as the wire would. */
function roundTrip<T>(
  type: { encode(m: T): { finish(): Uint8Array }; decode(b: Uint8Array): T },
  message: T,
): T {
  return type.decode(type.encode(message).finish());
}

describe("ABCI codec", () => {
  it("keeps every 64-bit value exact through protobuf", () => {
    const signed = [0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
    for (const v of signed) {
      const decoded = roundTrip(pb.RequestQuery, { height: fromBigInt(v) });
      assert.equal(toBigInt(decoded.height), v);
    }
    const unsigned = [0n, 2n ** 64n - 1n, 2n ** 32n];
    for (const v of unsigned) {
      const decoded = roundTrip(pb.RequestInfo, { blockVersion: fromBigInt(v, true) });
      assert.equal(toBigInt(decoded.blockVersion), v);
    }
    // Out of range saturates (a throw while encoding a response would stop CometBFT).
    assert.equal(
      toBigInt(roundTrip(pb.RequestQuery, { height: fromBigInt(2n ** 63n) }).height),
      2n ** 63n - 1n,
    );
    assert.equal(
      toBigInt(roundTrip(pb.RequestQuery, { height: fromBigInt(-(2n ** 70n)) }).height),
      -(2n ** 63n),
    );
    assert.equal(
      toBigInt(roundTrip(pb.RequestInfo, { blockVersion: fromBigInt(-1n, true) }).blockVersion),
      0n,
    );
    assert.equal(toBigInt(7), 7n);
    assert.equal(toBigInt(null), 0n);
  });

  it("converts timestamps to nanoseconds and back, before the epoch too", () => {
    for (const nanos of [0n, 1n, 1_700_000_000_123_456_789n, -1n, -1_000_000_000n]) {
      const ts = fromNanos(nanos);
      assert.ok((ts.nanos ?? 0) >= 0 && (ts.nanos ?? 0) < 1e9);
      assert.equal(toNanos(roundTrip(google.protobuf.Timestamp, ts)), nanos);
    }
  });

  it("decodes InitChain with validators, params and app state", () => {
    const key = new Uint8Array(32).fill(9);
    const request = roundTrip(pb.RequestInitChain, {
      time: { seconds: 1_700_000_000, nanos: 5 },
      chainId: "poq-test-1",
      consensusParams: {
        block: { maxBytes: 22020096, maxGas: -1 },
        abci: { voteExtensionsEnableHeight: 2 },
      },
      validators: [{ pubKey: { ed25519: key }, power: 10 }],
      appStateBytes: new TextEncoder().encode('{"a":1}'),
      initialHeight: 1,
    });
    const plain = codec.toInitChainRequest(request);
    assert.equal(plain.timeNanos, 1_700_000_000_000_000_005n);
    assert.equal(plain.chainId, "poq-test-1");
    assert.deepEqual(plain.consensusParams, {
      block: { maxBytes: 22020096n, maxGas: -1n },
      abci: { voteExtensionsEnableHeight: 2n },
    });
    assert.deepEqual(plain.validators, [{ pubKeyEd25519: Uint8Array.from(key), power: 10n }]);
    assert.equal(new TextDecoder().decode(plain.appStateBytes), '{"a":1}');
    assert.equal(plain.initialHeight, 1n);
  });

  it("refuses validator keys it cannot represent", () => {
    const request = roundTrip(pb.RequestInitChain, {
      validators: [{ pubKey: { secp256k1: new Uint8Array(33) }, power: 1 }],
    });
    assert.throws(() => codec.toInitChainRequest(request), codec.UnsupportedRequestError);
  });

  it("reads absent fields as proto3 defaults", () => {
    const plain = codec.toFinalizeBlockRequest(roundTrip(pb.RequestFinalizeBlock, {}));
    assert.deepEqual(plain.txs, []);
    assert.deepEqual(plain.decidedLastCommit, { round: 0, votes: [] });
    assert.equal(plain.height, 0n);
    assert.equal(plain.hash.length, 0);
  });

  it("decodes the extended commit of PrepareProposal", () => {
    const request = roundTrip(pb.RequestPrepareProposal, {
      height: 6,
      localLastCommit: {
        round: 1,
        votes: [
          {
            validator: { address: new Uint8Array(20).fill(1), power: 5 },
            voteExtension: Uint8Array.of(0xaa),
            extensionSignature: new Uint8Array(64).fill(2),
            blockIdFlag: tendermint.types.BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
          },
        ],
      },
    });
    const plain = codec.toPrepareProposalRequest(request);
    assert.equal(plain.localLastCommit.round, 1);
    const vote = plain.localLastCommit.votes[0];
    assert.equal(vote?.validator.power, 5n);
    assert.deepEqual(vote?.voteExtension, Uint8Array.of(0xaa));
    assert.equal(vote?.extensionSignature.length, 64);
    assert.equal(vote?.blockIdFlag, 2);
  });

  it("encodes FinalizeBlock results so that they decode to the same values", () => {
    const encoded = codec.encodeResponse({
      finalizeBlock: codec.fromFinalizeBlockResponse({
        events: [{ type: "block", attributes: [{ key: "k", value: "v", index: true }] }],
        txResults: [
          {
            code: 5,
            data: Uint8Array.of(1),
            log: "insufficient funds",
            info: "",
            gasWanted: 200_000n,
            gasUsed: 2n ** 40n,
            events: [],
            codespace: "sdk",
          },
        ],
        validatorUpdates: [{ pubKeyEd25519: new Uint8Array(32).fill(3), power: 0n }],
        consensusParamUpdates: { abci: { voteExtensionsEnableHeight: 10n } },
        appHash: new Uint8Array(32).fill(4),
      }),
    });
    const response = pb.Response.decode(encoded);
    assert.equal(response.value, "finalizeBlock");
    const fb = response.finalizeBlock as pb.ResponseFinalizeBlock;
    assert.equal(fb.txResults[0]?.code, 5);
    assert.equal(fb.txResults[0]?.codespace, "sdk");
    assert.equal(toBigInt(fb.txResults[0]?.gasUsed), 2n ** 40n);
    assert.equal(fb.events[0]?.attributes?.[0]?.index, true);
    assert.equal(toBigInt(fb.consensusParamUpdates?.abci?.voteExtensionsEnableHeight), 10n);
    assert.equal(fb.validatorUpdates[0]?.pubKey?.ed25519?.length, 32);
    assert.deepEqual(Uint8Array.from(fb.appHash), new Uint8Array(32).fill(4));
  });
});
