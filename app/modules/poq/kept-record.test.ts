import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatAccountAddress, moduleAddress } from "../auth/address.js";
import { LayeredStore } from "../../store/layered.js";
import { COMPACT_RECORD_V1, decodeRequestRecord, encodeRequestRecord } from "./kept-record.js";
import { createPoqKeeper } from "./keeper.js";
import { requestKey } from "./keys.js";
import { prunedRecord } from "./prune.js";
import { consAddress, RequestStatus, toBytes, type RequestRecord } from "./state.js";
import { requestRecord } from "../../../test/request-record.js";

const addr = (n: number): string => formatAccountAddress(new Uint8Array(20).fill(n));
const cons = (n: number): string => consAddress(new Uint8Array(20).fill(n));

/** A FINALIZED single-answer request as the chain writes it, with a five-seat committee. */
function finalized(id: number): RequestRecord {
  const seats = [1, 2, 3, 4, 5];
  return requestRecord(id, {
    requester: addr(200),
    model: "llama-3-8b-instruct",
    prompt: "p".repeat(1000),
    max_tokens: 512,
    fee: { denom: "upoq", amount: "1000000" },
    min_quality: 2500,
    status: RequestStatus.Finalized,
    node: addr(100),
    response: "r".repeat(3000),
    created_height: "1000001",
    assigned_height: "1000002",
    responded_height: "1000003",
    finalized_height: "1000006",
    response_deadline: "1000022",
    commit_deadline: "1000006",
    reveal_deadline: "1000009",
    assigned_nodes: [addr(99), addr(100)],
    committee: seats.map((v) => ({ validator: cons(v), power: "1" })),
    quality: {
      score: 7718,
      scores: seats.map((v) => ({ validator: cons(v), score: 7700 + v, power: String(6000 + v) })),
      revealed_power: "5",
      committee_power: "5",
    },
    payout: {
      node: "617440",
      validators: seats.map((v) => ({ validator: cons(v), operator: addr(v), amount: "40000" })),
      refund: "182560",
      slashed: "0",
    },
  });
}

const roundTrip = (r: RequestRecord): Uint8Array => {
  const bytes = encodeRequestRecord(r);
  assert.deepEqual(decodeRequestRecord(bytes), r);
  assert.equal(
    Buffer.from(toBytes(decodeRequestRecord(bytes))).toString(),
    Buffer.from(toBytes(r)).toString(),
    "the same JSON, key order included",
  );
  return bytes;
};

describe("the kept (pruned) request record (issue 14)", () => {
  it("stores a pruned request in a few hundred bytes and reads it back field for field", () => {
    const full = finalized(123_456);
    const pruned = prunedRecord(full, 1_100_006n);
    const bytes = roundTrip(pruned);
    assert.equal(bytes[0], COMPACT_RECORD_V1);
    const json = toBytes(pruned).length;
    assert.ok(bytes.length < 500, `compact record ${bytes.length} bytes`);
    assert.ok(bytes.length * 4 < json, `${bytes.length} bytes against ${json} of JSON`);
    // Each address once: requester, 2 nodes, 5 validators and their 5 operators.
    assert.equal(bytes[1], 13, "entries in the address table");
  });

  it("keeps records that are not pruned as JSON, byte for byte as before", () => {
    const full = finalized(7);
    assert.deepEqual(encodeRequestRecord(full), toBytes(full));
    assert.deepEqual(decodeRequestRecord(toBytes(full)), full);
  });

  it("round-trips every shape: expired without node or scores, replicated request and answer", () => {
    const expired: RequestRecord = {
      ...finalized(9),
      status: RequestStatus.Expired,
      node: "",
      response: "",
      assigned_height: "0",
      responded_height: "0",
      assigned_nodes: [],
      committee: [],
      quality: null,
      payout: { node: "0", validators: [], refund: "1000000", slashed: "0" },
    };
    assert.equal(roundTrip(prunedRecord(expired, 2_000_000n))[0], COMPACT_RECORD_V1);
    const unscored: RequestRecord = {
      ...finalized(10),
      status: RequestStatus.Unscored,
      quality: null,
      payout: null,
    };
    assert.equal(roundTrip(prunedRecord(unscored, 2_000_000n))[0], COMPACT_RECORD_V1);
    const parent: RequestRecord = {
      ...finalized(20),
      replicas: 3,
      response_ids: ["21", "22", "23"],
      reveal_height: "1000004",
      committee: [],
    };
    assert.equal(roundTrip(prunedRecord(parent, 2_000_000n))[0], COMPACT_RECORD_V1);
    const answer: RequestRecord = {
      ...finalized(21),
      parent: "20",
      response_ids: [],
      commitment: "ab".repeat(32),
      committed_height: "1000003",
      // A height before the request's (a delta below zero) still reads back.
      reveal_height: "999999",
    };
    assert.equal(roundTrip(prunedRecord(answer, 2_000_000n))[0], COMPACT_RECORD_V1);
    // A module account (32 bytes) and a model id with any UTF-8.
    const odd: RequestRecord = { ...finalized(30), requester: moduleAddress("gov"), model: "modèle/ü-7b" };
    assert.equal(roundTrip(prunedRecord(odd, 2_000_000n))[0], COMPACT_RECORD_V1);
  });

  it("falls back to JSON for a record the compact form cannot give back exactly", () => {
    const base = prunedRecord(finalized(40), 2_000_000n);
    const leadingZero = { ...base, fee: { denom: "upoq", amount: "007" } };
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as RequestRecord; // same fields, another key order
    const badAddress = { ...base, requester: "not-an-address" };
    const upperHex = { ...base, prompt_sha256: base.prompt_sha256!.toUpperCase() };
    for (const r of [leadingZero, reordered, badAddress, upperHex]) {
      const bytes = encodeRequestRecord(r);
      assert.deepEqual(bytes, toBytes(r), "stored as JSON");
      assert.deepEqual(decodeRequestRecord(bytes), r);
    }
  });

  it("refuses damaged compact bytes", () => {
    const bytes = encodeRequestRecord(prunedRecord(finalized(50), 2_000_000n));
    assert.throws(() => decodeRequestRecord(Uint8Array.of(...bytes, 0)), /trailing bytes/);
    assert.throws(() => decodeRequestRecord(bytes.subarray(0, bytes.length - 5)), /truncated|bad varint/);
    assert.throws(() => decodeRequestRecord(Uint8Array.of(0x02, ...bytes.subarray(1))), /unknown version/);
  });

  it("the keeper writes the compact form and every reader gets the record", () => {
    const keeper = createPoqKeeper();
    const ctx = { store: new LayeredStore({ get: () => undefined, page: () => [] }) };
    const pruned = prunedRecord(finalized(60), 2_000_000n);
    keeper.setRequest(ctx, pruned);
    assert.equal(ctx.store.get(requestKey(60n))![0], COMPACT_RECORD_V1);
    assert.deepEqual(keeper.getRequest(ctx, 60n), pruned);
    assert.deepEqual([...keeper.requests(ctx)], [pruned]);
  });
});
