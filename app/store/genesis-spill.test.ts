import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStateStore } from "./state.js";
import { referenceRoot } from "./reference-root.js";
import Database from "better-sqlite3";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The app hash of a set of entries, computed from scratch. */
function expectedRoot(entries: Map<string, string>): string {
  return hex(referenceRoot([...entries].map(([k, v]) => ({ key: enc(k), value: enc(v) }))));
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-genesis-spill-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("a genesis larger than the in-memory spill threshold", () => {
  it("gives the app hash of its entries, reads back while written, and survives a restart", () => {
    const path = join(dir, "big", "app.db");
    const state = createStateStore({ path });
    state.deliver.set(enc("stale"), enc("from an earlier attempt"));
    state.commitGenesis();
    state.wipe();
    const expected = new Map<string, string>();
    // Read before it exists (the read cache remembers the absence), written later, spilled.
    assert.equal(state.deliver.get(enc("late")), undefined);
    for (let i = 0; i < 45_000; i++) {
      state.deliver.set(enc(`k${i}`), enc(`v${i}`));
      expected.set(`k${i}`, `v${i}`);
    }
    // Overwrite and delete entries that were already spilled to SQLite.
    state.deliver.set(enc("k7"), enc("seven"));
    expected.set("k7", "seven");
    state.deliver.delete(enc("k8"));
    expected.delete("k8");
    state.deliver.set(enc("late"), enc("here"));
    expected.set("late", "here");
    assert.equal(new TextDecoder().decode(state.deliver.get(enc("k1"))), "v1");
    assert.equal(state.deliver.get(enc("k8")), undefined);
    assert.ok(state.deliver.pendingCount < 45_000, "genesis writes were spilled, not all held");

    const root = hex(state.commitGenesis());
    assert.equal(root, expectedRoot(expected));
    assert.equal(hex(state.committedRoot()), root);
    assert.equal(state.getCommitted(enc("stale")), undefined);
    assert.equal(new TextDecoder().decode(state.getCommitted(enc("late"))), "here");
    assert.equal(new TextDecoder().decode(state.getCommitted(enc("k7"))), "seven");

    // Block 1 on top, then a restart: the tree rebuilt from the persisted bucket hashes agrees.
    state.deliver.set(enc("k9"), enc("nine"));
    expected.set("k9", "nine");
    const appHash = hex(state.commit(1n));
    assert.equal(appHash, expectedRoot(expected));
    state.close();
    const reopened = createStateStore({ path });
    assert.equal(hex(reopened.lastAppHash), appHash);
    assert.equal(hex(reopened.committedRoot()), appHash);
    reopened.close();
    // The bucket index the genesis hashed through is gone: blocks do not maintain it.
    const db = new Database(path, { readonly: true });
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kv'")
      .pluck()
      .all();
    db.close();
    assert.deepEqual(indexes, []);
  });

  it("a block after genesis never spills: its writes stay pending until Commit", () => {
    const state = createStateStore({ path: join(dir, "block", "app.db") });
    state.wipe();
    state.deliver.set(enc("g"), enc("1"));
    state.commitGenesis();
    for (let i = 0; i < 25_000; i++) state.deliver.set(enc(`b${i}`), enc("x"));
    assert.equal(state.deliver.pendingCount, 25_000);
    assert.equal(state.getCommitted(enc("b1")), undefined);
    state.discardPending();
    state.close();
  });
});
