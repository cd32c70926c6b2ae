import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createStateStore } from "./state.js";
import { PLAIN_PATH_LAYOUT } from "./layouts.js";
import { BUCKET_BITS, bucketOf, plainPath, sha256 } from "./merkle.js";
import {
  nodeKey,
  pathBit,
  updateBucket,
  type PathWrite,
  type TrieRow,
  type TrieWrite,
} from "./bucket-trie.js";
import { PAGE_LEVELS, PAGE_SLOTS, TriePage, editPage, pageOfNode } from "./trie-pages.js";
import { verifyProof } from "./proof.js";
import { referenceRoot } from "./reference-root.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-pages-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Keys ground into the bucket of `of`. */
/** Slot to node for every non-empty slot of `nodes` (the whole page, as `editPage` takes it). */
function slotMap(nodes: readonly (TrieRow | undefined)[]): Map<number, TrieRow | undefined> {
  return new Map(nodes.map((n, slot) => [slot, n]));
}

function crowd(of: string, count: number): string[] {
  const bucket = bucketOf(enc(of));
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (bucketOf(enc(`c${i}`)) === bucket) out.push(`c${i}`);
  return out;
}

describe("trie pages", () => {
  it("a node's page is anchored at most four levels up at a depth 16 + 4k, and its slot is its heap position below", () => {
    for (let i = 0; i < 40; i++) {
      const path = sha256(enc(`p${i}`));
      assert.deepEqual(pageOfNode(nodeKey(path, BUCKET_BITS)), {
        page: nodeKey(path, BUCKET_BITS),
        slot: PAGE_SLOTS - 1,
      });
      for (let d = BUCKET_BITS + 1; d <= 256; d++) {
        const anchor = d - 1 - ((d - 1 - BUCKET_BITS) % PAGE_LEVELS);
        let bits = 0;
        for (let j = anchor; j < d; j++) bits = bits * 2 + pathBit(path, j);
        const { page, slot } = pageOfNode(nodeKey(path, d));
        assert.equal(page, nodeKey(path, anchor), `page of depth ${d}`);
        assert.equal(slot, 2 ** (d - anchor) - 2 + bits, `slot of depth ${d}`);
      }
    }
    // The 30 nodes below one anchor land in 30 different slots of its page; the root page has the root too.
    const path = sha256(enc("root"));
    const root = BUCKET_BITS + 2 * PAGE_LEVELS;
    const slots = new Set<number>();
    for (let r = 1; r <= PAGE_LEVELS; r++) {
      for (let bits = 0; bits < 2 ** r; bits++) {
        const p = Buffer.from(path);
        for (let j = 0; j < r; j++) {
          const d = root + j;
          const mask = 0x80 >> (d % 8);
          const bit = (bits >> (r - 1 - j)) & 1;
          p[d >> 3] = bit ? (p[d >> 3] as number) | mask : (p[d >> 3] as number) & ~mask;
        }
        const at = pageOfNode(nodeKey(p, root + r));
        assert.equal(at.page, nodeKey(path, root));
        slots.add(at.slot);
      }
    }
    assert.equal(slots.size, PAGE_SLOTS - 1);
    assert.ok(!slots.has(PAGE_SLOTS - 1));
  });

  it("encodes and decodes its nodes, and refuses damaged rows", () => {
    assert.equal(editPage(undefined, new Map([[3, undefined]])), undefined, "an empty page has no row");
    const nodes = new Array<TrieRow | undefined>(PAGE_SLOTS).fill(undefined);
    nodes[0] = { hash: sha256(enc("inner")), leaf: null };
    nodes[5] = { hash: sha256(enc("leaf")), leaf: enc("balances/alice") };
    nodes[PAGE_SLOTS - 1] = { hash: sha256(enc("last")), leaf: new Uint8Array(0) };
    const bytes = editPage(undefined, slotMap(nodes));
    assert.ok(bytes);
    const page = new TriePage(bytes);
    for (let slot = 0; slot < PAGE_SLOTS; slot++) {
      const got = page.node(slot);
      const want = nodes[slot];
      if (!want) {
        assert.equal(got, undefined, `slot ${slot}`);
        continue;
      }
      assert.ok(got, `slot ${slot}`);
      assert.equal(hex(got.hash), hex(want.hash));
      assert.equal(got.leaf && hex(got.leaf), want.leaf && hex(want.leaf));
    }
    const decoded = Array.from({ length: PAGE_SLOTS }, (_, slot) => page.node(slot));
    assert.deepEqual(editPage(undefined, slotMap(decoded)), bytes, "re-encoding gives the same row");
    assert.deepEqual(editPage(page, new Map()), bytes, "a page edited nowhere keeps its row");
    assert.throws(() => new TriePage(bytes.subarray(0, bytes.length - 1)), /ends inside a node/);
    assert.throws(() => new TriePage(Buffer.concat([bytes, Buffer.of(0)])), /no slot owns/);
    assert.throws(() => new TriePage(Buffer.of(1, 2)), /shorter than its bitmap/);
  });

  it("an edited page is the page encoded afresh with the same nodes, for any mix of kept, changed and removed slots", () => {
    // Deterministic draws: byte i of sha256(seed).
    let seed = sha256(enc("edit-page"));
    let at = 0;
    const draw = (n: number): number => {
      if (at === seed.length) [seed, at] = [sha256(seed), 0];
      return (seed[at++] as number) % n;
    };
    const randomNode = (tag: string): TrieRow | undefined => {
      const kind = draw(3);
      if (kind === 0) return undefined;
      const hash = sha256(enc(`${tag}/${draw(256)}`));
      return { hash, leaf: kind === 1 ? null : enc(`key/${tag}/`.padEnd(draw(90), "x")) };
    };
    for (let trial = 0; trial < 300; trial++) {
      const before = Array.from({ length: PAGE_SLOTS }, (_, slot) => randomNode(`b${trial}/${slot}`));
      const row = editPage(undefined, slotMap(before));
      const base = row && new TriePage(row);
      const after = [...before];
      const edits = new Map<number, TrieRow | undefined>();
      for (let slot = 0; slot < PAGE_SLOTS; slot++) {
        if (draw(4) !== 0) continue; // most slots are kept
        const n = randomNode(`a${trial}/${slot}`);
        edits.set(slot, n);
        after[slot] = n;
      }
      assert.deepEqual(editPage(base, edits), editPage(undefined, slotMap(after)), `trial ${trial}`);
    }
  });

  it("a changed key reads one row per four levels of its path from a fresh store", () => {
    const path = join(dir, "fresh", "app.db");
    const s = createStateStore({ path });
    const keys = crowd("hot", 48);
    for (const k of ["hot", ...keys]) s.deliver.set(enc(k), enc("v0"));
    s.commit(1n);
    s.close();
    for (const k of ["hot", ...keys.slice(0, 8)]) {
      const again = createStateStore({ path });
      again.deliver.set(enc(k), enc("v1"));
      again.workingHash();
      const depth = again.prove(enc(k)).proof.trieSiblings.length;
      // Nodes at depths 16 .. 16 + depth, each with its sibling in the page anchored above them.
      const pages = depth === 0 ? 1 : Math.floor((depth - 1) / PAGE_LEVELS) + 1;
      assert.equal(again.hashDbReads, pages, `${k} at trie depth ${depth}`);
      assert.ok(again.hashReads > again.hashDbReads);
      again.discardPending();
      again.close();
    }
  });

  it("converts a layout-2 database (a trie node per row) in place, keeping the app hash", () => {
    const path = join(dir, "layout2", "app.db");
    const { model, root } = committedModel(path);
    // Rewrite the trie the way layout 2 stored it: every node of every bucket's trie in its own row,
    // and the bucket hashes in a table.
    const writes: PathWrite[] = [...model]
      .map(([k, v]) => ({ key: enc(k), path: sha256(enc(k)), valueHash: sha256(enc(v)) }))
      .sort((a, b) => Buffer.compare(a.path, b.path));
    const nodes = new Map<string, TrieWrite>();
    const bucketHashes = new Map<number, Uint8Array>();
    const none = { node: () => undefined };
    for (let lo = 0; lo < writes.length;) {
      const bucket = bucketOf((writes[lo] as PathWrite).key, plainPath);
      let hi = lo + 1;
      while (hi < writes.length && bucketOf((writes[hi] as PathWrite).key, plainPath) === bucket) hi++;
      bucketHashes.set(bucket, updateBucket(none, writes.slice(lo, hi), nodes, plainPath));
      lo = hi;
    }
    const db = new Database(path);
    db.exec(`
      DELETE FROM trie_pages;
      CREATE TABLE trie (id BLOB PRIMARY KEY, hash BLOB NOT NULL, leaf BLOB) WITHOUT ROWID;
      CREATE TABLE buckets (bucket INTEGER PRIMARY KEY, hash BLOB NOT NULL);
    `);
    const insert = db.prepare("INSERT INTO trie (id, hash, leaf) VALUES (?, ?, ?)");
    for (const n of nodes.values())
      if (n.row) insert.run(Buffer.from(n.id, "latin1"), n.row.hash, n.row.leaf);
    const insertBucket = db.prepare("INSERT INTO buckets (bucket, hash) VALUES (?, ?)");
    for (const [bucket, hash] of bucketHashes) insertBucket.run(bucket, hash);
    db.prepare("UPDATE meta SET value = ? WHERE name = 'layout'").run(Buffer.from("2"));
    db.close();
    assertConvertedStore(path, model, root);
  });

  it("converts a layout-3 database (bucket hashes also in a table) in place, reading them from the roots' pages", () => {
    const path = join(dir, "layout3", "app.db");
    const { model, root } = committedModel(path);
    // Layout 3 also kept the bucket hashes in a table of their own. Filled with zeros here: the
    // converted store must take the hashes from the roots' pages, not from that table.
    const db = new Database(path);
    db.exec("CREATE TABLE buckets (bucket INTEGER PRIMARY KEY, hash BLOB NOT NULL)");
    const insertBucket = db.prepare("INSERT OR IGNORE INTO buckets (bucket, hash) VALUES (?, ?)");
    for (const k of model.keys()) insertBucket.run(bucketOf(enc(k), plainPath), Buffer.alloc(32));
    db.prepare("UPDATE meta SET value = ? WHERE name = 'layout'").run(Buffer.from("3"));
    db.close();
    assertConvertedStore(path, model, root);
  });
});

/**
 * A store at `path` with a hot key, 40 keys crowding its path and 3,000 spread ones, committed at
 * height 7 and closed: the entries and the app hash (hex).
 */
function committedModel(path: string): { model: Map<string, string>; root: string } {
  const s = createStateStore({ path, layout: PLAIN_PATH_LAYOUT });
  const model = new Map<string, string>();
  for (const k of ["hot", ...crowd("hot", 40)]) model.set(k, `v${k}`);
  for (let i = 0; i < 3000; i++) model.set(`spread/${i}`, String(i));
  for (const [k, v] of model) s.deliver.set(enc(k), enc(v));
  const root = hex(s.commit(7n));
  s.close();
  return { model, root };
}

/**
 * Opens the converted store at `path`: it has the app hash `root`, is in layout 4, proves keys of
 * `model` and an absent one, and its next block hashes as the reference does.
 */
function assertConvertedStore(path: string, model: Map<string, string>, root: string): void {
  const again = createStateStore({ path });
  assert.equal(hex(again.committedRoot()), root);
  assertConverted(path);
  for (const k of ["hot", "spread/17", "absent"]) {
    const { value, proof } = again.prove(enc(k));
    assert.ok(verifyProof(again.committedRoot(), enc(k), value, proof, plainPath), `proof of ${k}`);
  }
  // The next block hashes from the converted pages as from pages written by blocks.
  again.deliver.set(enc("hot"), enc("changed"));
  again.deliver.delete(enc("spread/5"));
  const next = new Map(model).set("hot", "changed");
  next.delete("spread/5");
  const expected = hex(
    referenceRoot(
      [...next].map(([k, v]) => ({ key: enc(k), value: enc(v) })),
      plainPath,
    ),
  );
  assert.equal(hex(again.commit(8n)), expected);
  again.close();
}

/** The database at `path` is in layout 4: trie pages, no table of an older layout left. */
function assertConverted(path: string): void {
  const check = new Database(path, { readonly: true });
  const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  for (const old of ["trie", "buckets"]) assert.ok(!tables.includes(old), `table ${old} is gone`);
  assert.ok(tables.includes("trie_pages"));
  assert.equal(String(check.prepare("SELECT value FROM meta WHERE name = 'layout'").pluck().get()), "4");
  check.close();
}
