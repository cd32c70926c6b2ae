import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStateStore, type StateStore } from "./state.js";
import { decodeProof, encodeProof, verifyProof } from "./proof.js";
import { prefixEnd } from "./key-codec.js";
import { CommittedDb, type KeyRange } from "./committed.js";
import { LayeredStore } from "./layered.js";
import { referenceRoot } from "./reference-root.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

let dir: string;
let n = 0;
function open(name = `db${n++}`): StateStore {
  return createStateStore({ path: join(dir, name, "app.db") });
}
function keys(it: Iterable<[Uint8Array, Uint8Array]>): string[] {
  return [...it].map(([k, v]) => `${dec(k)}=${dec(v)}`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-store-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("checkpoints", () => {
  it("nested revert drops only the inner writes, commit folds them down", () => {
    const s = open();
    const d = s.deliver;
    d.set(enc("a"), enc("1"));
    d.checkpoint();
    d.set(enc("a"), enc("2"));
    d.set(enc("b"), enc("2"));
    d.checkpoint();
    d.delete(enc("a"));
    d.set(enc("c"), enc("3"));
    assert.equal(d.get(enc("a")), undefined);
    d.revert();
    assert.equal(dec(d.get(enc("a"))), "2");
    assert.equal(d.get(enc("c")), undefined);
    d.checkpoint();
    d.set(enc("c"), enc("3"));
    d.commit();
    d.revert();
    assert.equal(dec(d.get(enc("a"))), "1");
    assert.equal(d.get(enc("b")), undefined);
    assert.equal(d.get(enc("c")), undefined);
    assert.throws(() => d.revert(), /revert without a checkpoint/);
    assert.throws(() => d.commit(), /commit without a checkpoint/);
    s.close();
  });

  it("values are copied on write", () => {
    const s = open();
    const v = enc("x");
    s.deliver.set(enc("k"), v);
    v[0] = 0;
    assert.equal(dec(s.deliver.get(enc("k"))), "x");
    s.close();
  });
});

describe("pending and committed reads", () => {
  it("committed values are copied on read, from SQLite and from the read cache alike", () => {
    const name = `db${n++}`;
    const first = open(name);
    first.deliver.set(enc("k"), enc("v1"));
    first.commit(1n);
    first.close();
    // Reopened: an empty read cache, so the first read comes from SQLite, the second from the cache.
    const s = open(name);
    for (let i = 0; i < 3; i++) {
      const v = s.deliver.get(enc("k")) as Uint8Array;
      v[0] = 0;
      assert.equal(dec(s.deliver.get(enc("k"))), "v1", `read ${i}`);
    }
    assert.equal(s.deliver.has(enc("k")), true);
    assert.equal(s.deliver.has(enc("absent")), false);
    s.deliver.delete(enc("k"));
    assert.equal(s.deliver.has(enc("k")), false);
    assert.equal(s.committedView().has(enc("k")), true);
    s.close();
  });

  it("deliver and check states see committed state, not each other's pending writes", () => {
    const s = open();
    s.deliver.set(enc("k"), enc("v1"));
    assert.equal(s.getCommitted(enc("k")), undefined);
    s.commit(1n);
    assert.equal(dec(s.getCommitted(enc("k"))), "v1");
    s.deliver.set(enc("k"), enc("v2"));
    s.check.set(enc("k"), enc("check"));
    assert.equal(dec(s.deliver.get(enc("k"))), "v2");
    assert.equal(dec(s.check.get(enc("k"))), "check");
    assert.equal(dec(s.committedView().get(enc("k"))), "v1");
    s.deliver.delete(enc("k"));
    assert.equal(s.deliver.has(enc("k")), false);
    s.commit(2n);
    assert.equal(s.getCommitted(enc("k")), undefined);
    assert.equal(s.check.get(enc("k")), undefined, "commit resets the check state");
    s.close();
  });
});

describe("iteration", () => {
  it("merges committed and pending layers in byte order, hiding deletions", () => {
    const s = open();
    for (const k of ["p/a", "p/c", "p/e", "p/g", "q/a", "o/z"]) s.deliver.set(enc(k), enc("c"));
    s.commit(1n);
    const d = s.deliver;
    d.set(enc("p/b"), enc("d0"));
    d.delete(enc("p/c"));
    d.checkpoint();
    d.set(enc("p/c"), enc("d1"));
    d.delete(enc("p/e"));
    d.set(enc("p/f"), enc("d1"));
    d.set(enc("p/a"), enc("d1"));
    assert.deepEqual(keys(d.iterate(enc("p/"))), ["p/a=d1", "p/b=d0", "p/c=d1", "p/f=d1", "p/g=c"]);
    assert.deepEqual(keys(d.iterate(enc("p/"), { reverse: true })), [
      "p/g=c",
      "p/f=d1",
      "p/c=d1",
      "p/b=d0",
      "p/a=d1",
    ]);
    assert.deepEqual(keys(d.iterate(enc("p/"), { start: enc("p/c"), limit: 2 })), ["p/c=d1", "p/f=d1"]);
    assert.deepEqual(keys(d.iterate(enc("p/"), { start: enc("p/d"), reverse: true })), [
      "p/c=d1",
      "p/b=d0",
      "p/a=d1",
    ]);
    d.revert();
    assert.deepEqual(keys(d.iterate(enc("p/"))), ["p/a=c", "p/b=d0", "p/e=c", "p/g=c"]);
    assert.deepEqual(keys(d.iterate(new Uint8Array(0))).length, 6);
    s.close();
  });

  it("pages through many committed keys and tolerates writes while iterating", () => {
    const s = open();
    const key = (i: number): Uint8Array => Uint8Array.of(7, i >> 8, i & 0xff);
    for (let i = 0; i < 1000; i++) s.deliver.set(key(i), Uint8Array.of(1));
    s.commit(1n);
    for (let i = 0; i < 1000; i += 3) s.deliver.delete(key(i));
    let count = 0;
    let last = -1;
    for (const [k] of s.deliver.iterate(Uint8Array.of(7))) {
      const i = ((k[1] ?? 0) << 8) | (k[2] ?? 0);
      assert.ok(i > last && i % 3 !== 0);
      last = i;
      count++;
      s.deliver.set(Uint8Array.of(8, ...k), Uint8Array.of(2));
    }
    assert.equal(count, 666);
    s.close();
  });

  it("reads SQLite in pages that start small: an iteration that stops early reads a few rows", () => {
    const path = join(dir, `paging${n++}`, "app.db");
    const s = createStateStore({ path });
    const key = (i: number): Uint8Array => Uint8Array.of(7, i >> 8, i & 0xff);
    for (let i = 0; i < 1000; i++) s.deliver.set(key(i), Uint8Array.of(i & 0xff));
    s.commit(1n);
    s.close();
    const db = CommittedDb.open(path);
    const asked: number[] = [];
    let read = 0;
    const spied = {
      get: (k: Uint8Array) => db.get(k),
      has: (k: Uint8Array) => db.has(k),
      page: (range: KeyRange, reverse: boolean, limit: number) => {
        asked.push(limit);
        const rows = db.page(range, reverse, limit);
        read += rows.length;
        return rows;
      },
    };
    const view = new LayeredStore(spied);
    const index = (k: Uint8Array): number => ((k[1] ?? 0) << 8) | (k[2] ?? 0);
    assert.deepEqual(
      [...view.iterate(Uint8Array.of(7), { limit: 1 })].map(([k]) => index(k)),
      [0],
    );
    assert.equal(read, 1);
    // Pending deletions hide the first 40 committed rows: short pages until the first 5 that remain.
    for (let i = 0; i < 40; i++) view.delete(key(i));
    asked.length = 0;
    assert.deepEqual(
      [...view.iterate(Uint8Array.of(7), { limit: 5 })].map(([k]) => index(k)),
      [40, 41, 42, 43, 44],
    );
    assert.deepEqual(asked, [5, 5, 5, 5, 5, 5, 5, 5, 5]);
    assert.deepEqual(
      [...view.iterate(Uint8Array.of(7), { reverse: true, limit: 3 })].map(([k]) => index(k)),
      [999, 998, 997],
    );
    // A whole scan: pages of 16, 32, ... up to 256 rows, and every remaining key once, in order.
    asked.length = 0;
    const all = [...view.iterate(Uint8Array.of(7))].map(([k]) => index(k));
    assert.deepEqual(
      all,
      Array.from({ length: 960 }, (_, i) => i + 40),
    );
    assert.deepEqual(asked, [16, 32, 64, 128, 256, 256, 256]);
    db.close();
  });

  it("prefixEnd handles 0xff bytes", () => {
    assert.deepEqual(prefixEnd(Uint8Array.of(1, 0xff)), Uint8Array.of(2));
    assert.equal(prefixEnd(Uint8Array.of(0xff, 0xff)), undefined);
    const s = open();
    s.deliver.set(Uint8Array.of(0xff, 0xff, 1), enc("x"));
    s.commit(1n);
    assert.equal([...s.deliver.iterate(Uint8Array.of(0xff, 0xff))].length, 1);
    s.close();
  });
});

describe("app hash", () => {
  const writes: [string, string][] = [
    ["balances/alice", "100"],
    ["balances/bob", "50"],
    ["accounts/alice", "seq=1"],
  ];

  it("matches the golden vector for fixed writes", () => {
    const s = open();
    for (const [k, v] of writes) s.deliver.set(enc(k), enc(v));
    const h = s.commit(1n);
    assert.equal(hex(h), GOLDEN_APP_HASH);
    assert.equal(hex(s.lastAppHash), GOLDEN_APP_HASH);
    s.close();
  });

  it("does not depend on write order or on how writes are split into blocks", () => {
    const a = open();
    for (const [k, v] of [...writes].reverse()) a.deliver.set(enc(k), enc(v));
    a.deliver.set(enc("tmp"), enc("gone"));
    a.deliver.delete(enc("tmp"));
    const b = open();
    b.deliver.set(enc("balances/alice"), enc("1"));
    b.deliver.set(enc("tmp"), enc("x"));
    b.commit(1n);
    b.deliver.set(enc("balances/alice"), enc("100"));
    b.deliver.set(enc("balances/bob"), enc("50"));
    b.deliver.delete(enc("tmp"));
    b.commit(2n);
    b.deliver.set(enc("accounts/alice"), enc("seq=1"));
    assert.equal(hex(a.workingHash()), GOLDEN_APP_HASH);
    assert.equal(hex(b.workingHash()), GOLDEN_APP_HASH);
    a.close();
    b.close();
  });

  it("matches the golden vector for 20,000 entries, whether written in one block or many", () => {
    const a = open();
    for (let i = 0; i < 20_000; i++) a.deliver.set(enc(`k${i}`), enc(`v${i}`));
    assert.equal(hex(a.commit(1n)), GOLDEN_20K_APP_HASH);
    a.close();
    // Grown in blocks, with entries written, overwritten and deleted on the way.
    const b = open();
    let height = 0n;
    for (let start = 0; start < 20_000; start += 5_000) {
      for (let i = start; i < start + 5_000; i++) {
        b.deliver.set(enc(`k${i}`), enc(i % 7 ? `v${i}` : "tmp"));
        if (i % 11 === 0) b.deliver.set(enc(`x${i}`), enc("extra"));
      }
      b.commit(++height);
    }
    for (let i = 0; i < 20_000; i += 7) b.deliver.set(enc(`k${i}`), enc(`v${i}`));
    for (let i = 0; i < 20_000; i += 11) b.deliver.delete(enc(`x${i}`));
    assert.equal(hex(b.commit(++height)), GOLDEN_20K_APP_HASH);
    b.close();
  });

  it("writes that change nothing are neither hashed nor persisted, and the hash is the same", () => {
    const s = open();
    for (const [k, v] of writes) s.deliver.set(enc(k), enc(v));
    s.commit(1n);
    // Block 2: one real change, and three writes that leave the state as it was.
    s.deliver.set(enc("balances/alice"), enc("99"));
    s.deliver.set(enc("balances/bob"), enc("50")); // written back unchanged
    s.deliver.set(enc("index/tmp"), enc("x")); // created and deleted within the block
    s.deliver.delete(enc("index/tmp"));
    s.deliver.delete(enc("never/there")); // deleted, never committed
    const expected = hex(
      referenceRoot(
        [
          ["balances/alice", "99"],
          ["balances/bob", "50"],
          ["accounts/alice", "seq=1"],
        ].map(([k, v]) => ({
          key: enc(k as string),
          value: enc(v as string),
        })),
      ),
    );
    assert.equal(hex(s.workingHash()), expected);
    assert.equal(s.hashWrites, 1, "only balances/alice changed");
    // A value that differs only in length is a change, and so is deleting a committed key.
    s.deliver.set(enc("balances/bob"), enc("500"));
    s.deliver.delete(enc("accounts/alice"));
    s.workingHash();
    assert.equal(s.hashWrites, 3);
    s.deliver.set(enc("balances/bob"), enc("50"));
    s.deliver.set(enc("accounts/alice"), enc("seq=1"));
    assert.equal(hex(s.commit(2n)), expected);
    s.close();
    const again = open(s.path.split("/").slice(-2)[0]);
    assert.equal(hex(again.lastAppHash), expected);
    assert.equal(dec(again.getCommitted(enc("balances/alice"))), "99");
    assert.equal(again.getCommitted(enc("index/tmp")), undefined);
    again.close();
  });

  it("the empty state has the root of empty buckets; a pending hash leaves the committed one", () => {
    const s = open();
    assert.equal(hex(s.lastAppHash), "");
    const empty = s.workingHash();
    s.deliver.set(enc("x"), enc("y"));
    assert.notEqual(hex(s.workingHash()), hex(empty));
    assert.equal(hex(s.prove(enc("x")).root), hex(empty));
    s.close();
  });
});

describe("crash safety", () => {
  it("reopening without Commit gives the last committed height, hash and state; replay gives the same hash", () => {
    const path = "crash";
    const s = open(path);
    s.deliver.set(enc("a"), enc("1"));
    const h1 = s.commit(1n);
    s.deliver.set(enc("a"), enc("2"));
    s.deliver.set(enc("b"), enc("2"));
    const pending = s.workingHash();
    s.close(); // crash between FinalizeBlock and Commit

    const r = open(path);
    assert.equal(r.lastHeight, 1n);
    assert.equal(hex(r.lastAppHash), hex(h1));
    assert.equal(dec(r.deliver.get(enc("a"))), "1");
    assert.equal(r.deliver.get(enc("b")), undefined);
    r.deliver.set(enc("a"), enc("2"));
    r.deliver.set(enc("b"), enc("2"));
    assert.equal(hex(r.commit(2n)), hex(pending));
    r.close();

    const again = open(path);
    assert.equal(again.lastHeight, 2n);
    assert.equal(hex(again.lastAppHash), hex(pending));
    assert.equal(hex(again.prove(enc("a")).root), hex(pending), "tree rebuilt from persisted buckets");
    again.close();
  });
});

describe("proofs", () => {
  it("prove membership and absence; tampered values and roots fail", () => {
    const s = open();
    for (let i = 0; i < 200; i++) s.deliver.set(enc(`k${i}`), enc(`v${i}`));
    const root = s.commit(1n);
    const m = s.prove(enc("k42"));
    assert.equal(dec(m.value), "v42");
    assert.equal(hex(m.root), hex(root));
    const proof = decodeProof(encodeProof(m.proof));
    assert.ok(verifyProof(root, enc("k42"), enc("v42"), proof));
    assert.ok(!verifyProof(root, enc("k42"), enc("v43"), proof));
    assert.ok(!verifyProof(root, enc("k42"), undefined, proof));
    const wrongRoot = Uint8Array.from(root);
    wrongRoot[0] = (wrongRoot[0] ?? 0) ^ 1;
    assert.ok(!verifyProof(wrongRoot, enc("k42"), enc("v42"), proof));

    const a = s.prove(enc("missing"));
    assert.equal(a.value, undefined);
    assert.ok(verifyProof(root, enc("missing"), undefined, a.proof));
    assert.ok(!verifyProof(root, enc("missing"), enc("v1"), a.proof));
    assert.ok(!verifyProof(root, enc("k42"), enc("v42"), a.proof), "proof of another bucket");
    assert.throws(() => decodeProof(encodeProof(m.proof).subarray(0, 20)), /truncated|sibling/);
    s.close();
  });
});

/** Root of the three `writes` above, computed by an independent Python script following app/store/README.md. */
const GOLDEN_APP_HASH = "5681047035ab94c0a10e4e426a291337ed55f503628f4e6f95337b83e1ed3a87";
/** Root of `k{i}` = `v{i}` for i < 20,000 (up to 5 entries a bucket), by the same script. */
const GOLDEN_20K_APP_HASH = "8797618170f12156ea4c117f37824858dda4aee5671e52569bcc7566dec29b8e";
