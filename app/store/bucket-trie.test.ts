import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStateStore, type StateStore } from "./state.js";
import { bucketOf } from "./merkle.js";
import { BUCKET_BITS } from "./merkle.js";
import { decodeProof, encodeProof, verifyProof } from "./proof.js";
import { referenceRoot } from "./reference-root.js";
import Database from "better-sqlite3";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Keys ground into one bucket, as an attacker would grind addresses next to a hot key. */
function groundKeys(bucket: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (bucketOf(enc(`g${i}`)) === bucket) out.push(`g${i}`);
  return out;
}

let dir: string;
let n = 0;
const open = (): StateStore => createStateStore({ path: join(dir, `db${n++}`, "app.db") });
let pool: string[];
const HOT = "hot";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-trie-"));
  pool = groundKeys(bucketOf(enc(HOT)), 32);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("bucket tries", () => {
  it("incremental hashing of one crowded bucket equals the from-scratch root, block after block", () => {
    const s = open();
    const model = new Map<string, string>();
    let seed = 7;
    const rnd = (m: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % m;
    };
    for (let h = 1n; h <= 12n; h++) {
      for (let i = rnd(24); i > 0; i--) {
        const k = rnd(5) === 0 ? HOT : (pool[rnd(pool.length)] as string);
        if (rnd(3) === 0) {
          s.deliver.delete(enc(k));
          model.delete(k);
        } else {
          const v = `v${rnd(4)}`;
          s.deliver.set(enc(k), enc(v));
          model.set(k, v);
        }
      }
      const expected = hex(referenceRoot([...model].map(([k, v]) => ({ key: enc(k), value: enc(v) }))));
      assert.equal(hex(s.workingHash()), expected, `pending hash at height ${h}`);
      assert.equal(hex(s.commit(h)), expected, `app hash at height ${h}`);
    }
    // Every key of the bucket, present or not, has a proof that checks against the app hash.
    const root = s.committedRoot();
    for (const k of [HOT, ...pool]) {
      const { value, proof } = s.prove(enc(k));
      assert.equal(value && new TextDecoder().decode(value), model.get(k));
      const decoded = decodeProof(encodeProof(proof));
      assert.ok(verifyProof(root, enc(k), value, decoded), `proof of ${k}`);
      assert.ok(!verifyProof(root, enc(k), value ? undefined : enc("x"), decoded), `forged proof of ${k}`);
    }
    s.close();
  });

  it("a change in a crowded bucket reads the nodes on its path, not the bucket's other entries", () => {
    const s = open();
    for (const k of pool) s.deliver.set(enc(k), enc("balance"));
    s.deliver.set(enc(HOT), enc("0"));
    s.commit(1n);
    for (let h = 2n; h < 6n; h++) {
      s.deliver.set(enc(HOT), enc(String(h)));
      s.commit(h);
      const depth = s.prove(enc(HOT)).proof.trieSiblings.length;
      // One read for the node at each level of the path and one for its sibling, plus the leaf.
      assert.ok(
        s.hashReads <= 2 * depth + 2,
        `${s.hashReads} reads for a path of depth ${BUCKET_BITS + depth}`,
      );
      assert.ok(s.hashReads < pool.length / 2, `${s.hashReads} reads in a bucket of ${pool.length + 1}`);
    }
    s.close();
  });

  it("deleting a crowded bucket down to nothing leaves no trie nodes and the empty root", () => {
    const s = open();
    const empty = hex(s.workingHash());
    for (const k of pool) s.deliver.set(enc(k), enc("x"));
    s.commit(1n);
    for (const k of pool.slice(0, 24)) s.deliver.delete(enc(k));
    s.commit(2n);
    for (const k of pool.slice(24)) s.deliver.delete(enc(k));
    assert.equal(hex(s.commit(3n)), empty);
    const { proof } = s.prove(enc(pool[0] as string));
    assert.equal(proof.leaf, undefined);
    assert.equal(proof.trieSiblings.length, 0);
    s.close();
  });

  it("refuses a database written with the earlier bucket-list layout", () => {
    const path = join(dir, "old", "app.db");
    const s = createStateStore({ path });
    s.deliver.set(enc("a"), enc("1"));
    s.commit(1n);
    s.close();
    // What a database of the earlier layout looks like: state, but no `layout` row.
    const db = new Database(path);
    db.prepare("DELETE FROM meta WHERE name = 'layout'").run();
    db.close();
    assert.throws(() => createStateStore({ path }), /layout 1.*re-create/);
  });
});
