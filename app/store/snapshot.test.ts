import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommittedDb } from "./committed.js";
import { SnapshotMismatchError, StoreCorruptError, createStateStore, type StateStore } from "./state.js";
import { verifyProof } from "./proof.js";
import {
  SNAPSHOT_FORMAT,
  SnapshotFormatError,
  decodeChunk,
  decodeMetadata,
  encodeChunks,
  encodeMetadata,
  type SnapshotEntry,
} from "./snapshot-format.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

let dir: string;
let n = 0;
const open = (): StateStore => createStateStore({ path: join(dir, `db${n++}`, "app.db") });

/** Every committed entry of a store, as `key=value` hex pairs, through a snapshot reader. */
function dump(s: StateStore): string[] {
  const r = CommittedDb.openReader(s.path);
  try {
    return [...r.entries()].map(([k, v]) => `${hex(k)}=${hex(v)}`);
  } finally {
    r.close();
  }
}

/** A store with 3,000 entries written over several blocks, some overwritten and deleted. */
function populated(): StateStore {
  const s = open();
  for (let h = 1; h <= 5; h++) {
    for (let i = 0; i < 600; i++) s.deliver.set(enc(`acct/${h}/${i}`), enc(`balance ${h * i}`));
    if (h > 1) {
      for (let i = 0; i < 50; i++) s.deliver.delete(enc(`acct/${h - 1}/${i}`));
      s.deliver.set(enc(`acct/${h - 1}/100`), enc("changed"));
    }
    s.commit(BigInt(h));
  }
  return s;
}

function snapshotOf(
  s: StateStore,
  chunkBytes: number,
): { height: bigint; appHash: Uint8Array; chunks: Uint8Array[] } {
  const r = CommittedDb.openReader(s.path);
  try {
    return { height: r.height, appHash: r.appHash, chunks: [...encodeChunks(r.entries(), chunkBytes)] };
  } finally {
    r.close();
  }
}

function entriesOf(chunks: Uint8Array[]): SnapshotEntry[] {
  let last: Uint8Array | undefined;
  const out: SnapshotEntry[] = [];
  for (const c of chunks) {
    for (const e of decodeChunk(c, last)) {
      out.push(e);
      last = e[0];
    }
  }
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-snapshot-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("snapshot restore", () => {
  it("gives the same app hash and entries, and the next blocks hash alike", () => {
    const a = populated();
    const snap = snapshotOf(a, 16 * 1024);
    assert.ok(snap.chunks.length > 5, `${snap.chunks.length} chunks`);
    assert.ok(snap.chunks.every((c) => c.length <= 16 * 1024));
    const b = open();
    const count = b.restore(snap.height, snap.appHash, entriesOf(snap.chunks));
    assert.equal(count, 5 * 600 - 4 * 50);
    assert.equal(b.lastHeight, 5n);
    assert.equal(hex(b.lastAppHash), hex(a.lastAppHash));
    assert.equal(hex(b.committedRoot()), hex(a.lastAppHash));
    assert.deepEqual(dump(b), dump(a));
    // Proofs come from the rebuilt tries.
    const p = b.prove(enc("acct/4/100"));
    assert.equal(new TextDecoder().decode(p.value), "changed");
    assert.ok(verifyProof(a.lastAppHash, enc("acct/4/100"), p.value, p.proof));
    // The tries are complete: incremental updates after the restore hash as on the original.
    for (const s of [a, b]) {
      s.deliver.set(enc("acct/5/7"), enc("new"));
      s.deliver.delete(enc("acct/3/300"));
      s.deliver.set(enc("fresh"), enc("1"));
      s.commit(6n);
    }
    assert.equal(hex(b.lastAppHash), hex(a.lastAppHash));
    b.close();
    // And the restored database reopens (start-up checks the bucket hashes against the app hash).
    const reopened = createStateStore({ path: b.path });
    assert.equal(hex(reopened.lastAppHash), hex(a.lastAppHash));
    reopened.close();
    a.close();
  });

  it("a state that does not hash to the trusted app hash is refused and nothing is kept", () => {
    const a = populated();
    const snap = snapshotOf(a, 64 * 1024);
    const b = open();
    // b holds a genesis at height 0 (InitChain before a state sync was configured).
    b.deliver.set(enc("genesis"), enc("g"));
    const genesisRoot = b.commitGenesis();
    const entries = entriesOf(snap.chunks);
    const tampered = entries.map(([k, v], i): SnapshotEntry => [k, i === 1234 ? enc("minted") : v]);
    assert.throws(() => b.restore(snap.height, snap.appHash, tampered), SnapshotMismatchError);
    const wrongRoot = Uint8Array.from(snap.appHash).fill(7, 0, 1);
    assert.throws(() => b.restore(snap.height, wrongRoot, entries), SnapshotMismatchError);
    // An entries source that fails half-way (a chunk that does not parse) leaves nothing either.
    const failing = function* (): Generator<SnapshotEntry> {
      yield* entries.slice(0, 100);
      throw new SnapshotFormatError("bad chunk");
    };
    assert.throws(() => b.restore(snap.height, snap.appHash, failing()), SnapshotFormatError);
    assert.equal(b.lastHeight, 0n);
    assert.deepEqual(dump(b), [`${hex(enc("genesis"))}=${hex(enc("g"))}`]);
    assert.equal(hex(b.committedRoot()), hex(genesisRoot));
    // The same store then restores the right snapshot.
    b.restore(snap.height, snap.appHash, entries);
    assert.equal(hex(b.lastAppHash), hex(a.lastAppHash));
    assert.throws(
      () => b.restore(snap.height, snap.appHash, entries),
      StoreCorruptError,
      "only an empty node restores",
    );
    a.close();
    b.close();
  });
});

describe("snapshot format 1", () => {
  it("chunks hold whole entries in key order; a chunk that breaks that is refused", () => {
    const entries: SnapshotEntry[] = [
      [enc("a"), enc("1")],
      [enc("b"), new Uint8Array(3000)],
      [enc("c"), enc("3")],
    ];
    const chunks = [...encodeChunks(entries, 1024)];
    assert.equal(chunks.length, 3, "an entry over the chunk size gets a chunk of its own");
    const pairs = (es: SnapshotEntry[]) => es.map(([k, v]) => `${hex(k)}=${hex(v)}`);
    assert.deepEqual(pairs(entriesOf(chunks)), pairs(entries));
    const [first, , third] = chunks as [Uint8Array, Uint8Array, Uint8Array];
    assert.throws(() => decodeChunk(first.subarray(0, first.length - 1)), /chunk ends inside a value/);
    assert.throws(() => decodeChunk(first.subarray(0, 2)), /inside the length/);
    assert.throws(() => decodeChunk(third, enc("c")), /not strictly ascending/);
    const swapped = [...encodeChunks([entries[2] as SnapshotEntry, entries[0] as SnapshotEntry])];
    assert.throws(() => decodeChunk(swapped[0] as Uint8Array), /not strictly ascending/);
    assert.throws(() => decodeChunk(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0)), /empty key/);
  });

  it("metadata round-trips and anything but its canonical form is refused", () => {
    const m = {
      format: SNAPSHOT_FORMAT,
      height: 2000n,
      appHash: new Uint8Array(32).fill(1),
      entries: 12,
      chunkHashes: [new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)],
    };
    const bytes = encodeMetadata(m);
    assert.deepEqual(decodeMetadata(bytes), {
      ...m,
      appHash: Buffer.from(m.appHash),
      chunkHashes: m.chunkHashes.map((h) => Buffer.from(h)),
    });
    const json = JSON.parse(Buffer.from(bytes).toString()) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>): Uint8Array =>
      Buffer.from(JSON.stringify({ ...json, ...patch }));
    assert.throws(() => decodeMetadata(enc("{")), /not JSON/);
    assert.throws(() => decodeMetadata(bad({ height: "0" })), /height/);
    assert.throws(() => decodeMetadata(bad({ height: 2000 })), /height/);
    assert.throws(() => decodeMetadata(bad({ app_hash: "00" })), /app_hash/);
    assert.throws(() => decodeMetadata(bad({ chunks: [] })), /chunks/);
    assert.throws(() => decodeMetadata(bad({ entries: 0 })), /entries/);
    assert.throws(() => decodeMetadata(bad({ extra: 1 })), /canonical/);
    assert.throws(() => decodeMetadata(Buffer.from(` ${Buffer.from(bytes).toString()}`)), /canonical/);
  });
});
