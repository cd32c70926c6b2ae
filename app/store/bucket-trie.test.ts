import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStateStore, type StateStore } from "./state.js";
import { BUCKET_BITS, bucketOf, sha256 } from "./merkle.js";
import { childKey, nodeId, nodeKey } from "./bucket-trie.js";
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

  it("node ids keep their persisted byte format: prefix bytes with the bits from d on cleared, then u16be(d)", () => {
    // The format the trie table was written with (layout 2), built the plain way.
    const reference = (path: Uint8Array, d: number): string => {
      const bytes = Math.ceil(d / 8);
      const id = Buffer.alloc(bytes + 2);
      id.set(path.subarray(0, bytes));
      if (d % 8) id[bytes - 1] = (id[bytes - 1] as number) & (0xff << (8 - (d % 8)));
      id.writeUInt16BE(d, bytes);
      return id.toString("latin1");
    };
    for (let i = 0; i < 64; i++) {
      const path = sha256(enc(`id${i}`));
      for (const d of [16, 17, 20, 23, 24, 25, 31, 32, 33, 100, 255, 256]) {
        assert.equal(nodeKey(path, d), reference(path, d), `depth ${d}`);
        assert.equal(Buffer.from(nodeId(path, d)).toString("latin1"), reference(path, d));
        if (d === 256) continue;
        for (const bit of [0, 1]) {
          const flipped = Buffer.from(path);
          const mask = 0x80 >> (d % 8);
          flipped[d >> 3] = bit ? (flipped[d >> 3] as number) | mask : (flipped[d >> 3] as number) & ~mask;
          assert.equal(childKey(path, d, bit), reference(flipped, d + 1), `child ${bit} at depth ${d}`);
        }
      }
    }
  });

  it("keys changed again read their trie paths from the node cache, which never goes stale", () => {
    const path = join(dir, "cache", "app.db");
    const s = createStateStore({ path });
    const model = new Map<string, string>();
    const put = (k: string, v: string): void => {
      s.deliver.set(enc(k), enc(v));
      model.set(k, v);
    };
    for (const k of pool) put(k, "balance");
    for (let i = 0; i < 2000; i++) put(`spread/${i}`, String(i));
    s.commit(1n);
    const expected = (): string =>
      hex(referenceRoot([...model].map(([k, v]) => ({ key: enc(k), value: enc(v) }))));
    // The same keys block after block (a hot key and its crowded bucket, busy accounts elsewhere),
    // with deletions and re-insertions that collapse and split the cached paths.
    const busy = [HOT, ...pool.slice(0, 12), ...Array.from({ length: 40 }, (_, i) => `spread/${i * 7}`)];
    for (let h = 2n; h <= 8n; h++) {
      for (const [i, k] of busy.entries()) {
        if ((i + Number(h)) % 5 === 0 && model.has(k)) {
          s.deliver.delete(enc(k));
          model.delete(k);
        } else put(k, `v${h}`);
      }
      assert.equal(hex(s.workingHash()), expected(), `pending hash at height ${h}`);
      assert.ok(s.hashReads > busy.length, `${s.hashReads} trie nodes visited`);
      if (h >= 3n)
        assert.ok(s.hashDbReads < s.hashReads / 4, `${s.hashDbReads} of ${s.hashReads} from SQLite`);
      assert.equal(hex(s.commit(h)), expected());
    }
    s.close();
    // A fresh process (no cache) finds the same trie in SQLite: the same next block, the same hash.
    const again = createStateStore({ path });
    assert.equal(hex(again.committedRoot()), expected());
    for (const k of busy) {
      again.deliver.set(enc(k), enc("last"));
      model.set(k, "last");
    }
    assert.equal(hex(again.commit(9n)), expected());
    // A fresh store reads each page on the paths from SQLite once; a page holds several nodes.
    assert.ok(again.hashDbReads > 0, "a fresh store reads its pages from SQLite");
    assert.ok(
      again.hashDbReads < again.hashReads / 2,
      `${again.hashDbReads} pages for ${again.hashReads} nodes`,
    );
    again.close();
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
