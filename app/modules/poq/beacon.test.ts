import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import { createContext } from "../../context.js";
import { LayeredStore } from "../../store/layered.js";
import { beaconCommitment, mixBeacon, readyBeacon } from "./beacon.js";
import { createPoqKeeper } from "./keeper.js";
import { decodeVoteExtension, encodeVoteExtension } from "./vote-extension.js";

const addr = (n: number): Uint8Array => new Uint8Array(20).fill(n);
const secret = (v: number, h: bigint): Uint8Array => sha256(new TextEncoder().encode(`s/${v}/${h}`));

function world() {
  const store = new LayeredStore({ get: () => undefined, page: () => [] });
  const keeper = createPoqKeeper();
  const ctx = (h: bigint) => createContext({ store, chainId: "t", blockHeight: h, blockTimeNanos: 0n });
  /** Block h carries the extensions of h-1: commitments of h-1 and reveals of h-2. */
  const block = (h: bigint, validators: number[], reveal = (v: number) => secret(v, h - 2n)) =>
    mixBeacon(
      ctx(h),
      { keeper },
      validators.map((v) => ({
        validator: addr(v),
        power: 10n,
        commitment: beaconCommitment(h - 1n, addr(v), secret(v, h - 1n)),
        reveal: reveal(v),
      })),
      60n, // six validators of power 10 in the set; the others' votes are absent
    );
  return { keeper, ctx, block };
}

describe("randomness beacon (review H3)", () => {
  it("counts only reveals that match the commitment of two heights before", () => {
    const w = world();
    assert.equal(w.block(2n, [1, 2, 3]), 0, "nothing committed yet");
    assert.equal(w.block(3n, [1, 2, 3]), 3);
    assert.equal(
      w.block(4n, [1, 2, 3], (v) => (v === 2 ? secret(9, 2n) : secret(v, 2n))),
      2,
      "a wrong secret does not count",
    );
    assert.equal(w.keeper.beacon(w.ctx(4n)).height, "4");
  });

  it("is a function of every counted secret: one validator's secret changes it", () => {
    const a = world();
    const b = world();
    for (const h of [2n, 3n]) {
      a.block(h, [1, 2, 3]);
      b.block(h, [1, 2, 3]);
    }
    assert.equal(a.keeper.beacon(a.ctx(3n)).value, b.keeper.beacon(b.ctx(3n)).value, "deterministic");
    a.block(4n, [1, 2, 3]);
    b.block(4n, [1, 2]); // validator 3 withholds its reveal (and its next commitment)
    assert.notEqual(a.keeper.beacon(a.ctx(4n)).value, b.keeper.beacon(b.ctx(4n)).value);
  });

  it("is ready for assignment only in its own block and with reveals of more than a third of the power", () => {
    const w = world();
    w.block(2n, [1, 2, 3]);
    assert.equal(readyBeacon(w.ctx(2n), w), undefined, "no reveals yet");
    w.block(3n, [1, 2, 3]);
    const ready = readyBeacon(w.ctx(3n), w);
    assert.equal(Buffer.from(ready ?? []).toString("hex"), w.keeper.beacon(w.ctx(3n)).value, "30 of 60");
    assert.equal(readyBeacon(w.ctx(4n), w), undefined, "a beacon of an earlier block is never used");
    w.block(4n, [1, 2]);
    assert.equal(w.keeper.beacon(w.ctx(4n)).revealed_power, "20");
    assert.equal(readyBeacon(w.ctx(4n), w), undefined, "20 of 60 is not more than a third");
  });

  it("rides in the vote extension, strictly decoded", () => {
    const c = beaconCommitment(5n, addr(1), secret(1, 5n));
    const bytes = encodeVoteExtension({
      commitments: [],
      reveals: [],
      beaconCommitment: c,
      beaconReveal: secret(1, 4n),
    });
    const ext = decodeVoteExtension(bytes, 1024);
    assert.deepEqual(ext.beaconCommitment, c);
    assert.deepEqual(ext.beaconReveal, secret(1, 4n));
    assert.throws(() => decodeVoteExtension(Uint8Array.from([0x1a, 2, 1, 2]), 1024), "not 32 bytes");
  });
});
