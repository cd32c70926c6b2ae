import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { HotPages, type HotPagePolicy } from "./hot-pages.js";
import { createStateStore, type StateStore } from "./state.js";
import { verifyProof } from "./proof.js";

const policy: HotPagePolicy = { promoteAfter: 4, maxGap: 1, coolAfter: 6, maxHot: 3 };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** The bytes of a row that stays (their content does not matter to the placement). */
const ROW = Uint8Array.of(1);

/** Runs blocks `from..to` that each write `ids` through `hot` (plan, then record); the last plan. */
function blocks(hot: HotPages, from: number, to: number, ids: string[], stays = true) {
  let plan = { promote: new Set<string>(), demote: [] as string[] };
  for (let b = from; b <= to; b++) {
    const writes = new Map(ids.map((id) => [id, stays ? ROW : undefined]));
    plan = hot.plan(b, writes);
    hot.record(b, writes, plan);
  }
  return plan;
}

describe("hot page placement", () => {
  it("promotes a row written in promoteAfter blocks in a row, gaps up to maxGap included", () => {
    const hot = new HotPages(policy);
    blocks(hot, 1, 3, ["a"]);
    assert.equal(hot.has("a"), false, "three blocks are not enough");
    const plan = blocks(hot, 4, 4, ["a"]);
    assert.deepEqual([...plan.promote], ["a"]);
    assert.equal(hot.has("a"), true);

    // b: written every other block (a gap of one), promoted at its fourth write.
    for (const b of [1, 3, 5]) blocks(hot, b, b, ["b"]);
    assert.equal(hot.has("b"), false);
    blocks(hot, 7, 7, ["b"]);
    assert.equal(hot.has("b"), true);

    // c: a gap of two starts the run over.
    for (const b of [1, 2, 3, 6, 7, 8]) blocks(hot, b, b, ["c"]);
    assert.equal(hot.has("c"), false, "runs of three, broken by a gap of two");
  });

  it("demotes a hot row no block wrote for coolAfter blocks, and forgets a deleted one", () => {
    const hot = new HotPages(policy);
    blocks(hot, 1, 4, ["a", "b"]);
    assert.equal(hot.size, 2);
    // a keeps being written; b is last written at 4 and cools after block 10.
    blocks(hot, 5, 10, ["a"]);
    assert.equal(hot.has("b"), true, "six blocks without a write: not yet");
    const plan = blocks(hot, 11, 11, ["a"]);
    assert.deepEqual(plan.demote, ["b"]);
    assert.equal(hot.has("b"), false);
    assert.equal(hot.has("a"), true);

    blocks(hot, 12, 12, ["a"], false);
    assert.equal(hot.has("a"), false, "a deleted row is in neither table");
    assert.equal(hot.size, 0);
  });

  it("holds at most maxHot rows", () => {
    const hot = new HotPages(policy);
    const plan = blocks(hot, 1, 4, ["a", "b", "c", "d", "e"]);
    assert.equal(plan.promote.size, 3);
    assert.equal(hot.size, 3);
    blocks(hot, 5, 8, ["a", "b", "c", "d", "e"]);
    assert.equal(hot.size, 3, "still full: the others stay where they are");
  });
});

describe("trie_hot in a store", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "poq-hot-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const rows = (path: string): { hot: number; cold: number } => {
    const db = new Database(path, { readonly: true });
    try {
      const count = (table: string): number =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { hot: count("trie_hot"), cold: count("trie_pages") };
    } finally {
      db.close();
    }
  };

  it("moves the pages of a key written every block to trie_hot and back, with the same app hashes as a store that never does", () => {
    const hotPath = join(dir, "hot", "app.db");
    const plainPath = join(dir, "plain", "app.db");
    const open = (path: string, hotPages: HotPagePolicy): StateStore => createStateStore({ path, hotPages });
    let hot = open(hotPath, { ...policy, maxHot: 64 });
    const plain = open(plainPath, { ...policy, maxHot: 0 });
    let height = 0n;
    const block = (writes: [string, string | undefined][]): void => {
      height++;
      for (const s of [hot, plain]) {
        for (const [k, v] of writes) {
          if (v === undefined) s.deliver.delete(enc(k));
          else s.deliver.set(enc(k), enc(v));
        }
      }
      assert.equal(hex(hot.commit(height)), hex(plain.commit(height)), `app hash at ${height}`);
    };

    block(Array.from({ length: 200 }, (_, i): [string, string] => [`cold/${i}`, `v${i}`]));
    assert.equal(rows(hotPath).hot, 0);
    for (let i = 0; i < 4; i++) block([["fee-collector", `balance ${i}`]]);
    const promoted = rows(hotPath);
    assert.ok(promoted.hot >= 1, "the fee collector's pages are hot after four blocks in a row");
    assert.equal(rows(plainPath).hot, 0, "maxHot 0 keeps every row in trie_pages");
    assert.equal(
      promoted.hot + promoted.cold,
      rows(plainPath).cold,
      "the same rows, in one table or the other, never both",
    );

    // A restart reads the hot rows: the same root, values and proofs.
    hot.close();
    hot = open(hotPath, { ...policy, maxHot: 64 });
    const proved = hot.prove(enc("fee-collector"));
    assert.ok(verifyProof(proved.root, enc("fee-collector"), enc("balance 3"), proved.proof));
    assert.equal(hex(proved.root), hex(plain.prove(enc("fee-collector")).root));
    block([["fee-collector", "balance 4"]]);

    // Seven blocks that leave it alone: its rows cool and go back.
    for (let i = 0; i < 7; i++) block([[`cold/${i}`, `w${i}`]]);
    const cooled = rows(hotPath);
    assert.equal(cooled.hot, 0, "no block wrote it for coolAfter blocks");
    assert.equal(cooled.cold, rows(plainPath).cold);

    // Hot again, then deleted: its rows leave trie_hot with it.
    for (let i = 0; i < 4; i++) block([["fee-collector", `again ${i}`]]);
    assert.ok(rows(hotPath).hot >= 1);
    block([["fee-collector", undefined]]);
    const after = rows(hotPath);
    assert.equal(after.hot + after.cold, rows(plainPath).cold);
    hot.close();
    plain.close();
  });
});
