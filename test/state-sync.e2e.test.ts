/**
 * Issue 16, state sync, against real CometBFT: a new node joins a running network from a snapshot
 * instead of replaying its blocks, refuses the corrupted chunks one peer serves and fetches them again
 * from the other, ends with the network's app hash and keeps following blocks. The scenario is
 * `bench/state-sync.ts` on a short chain (the 2,000-block run, with its catch-up time, is
 * `poq bench state-sync`, in bench/RESULTS.md). Ports 29200-29222 (the bench's default, 29100, is
 * distribution's range).
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStateSync } from "../bench/state-sync.js";

const dir = mkdtempSync(join(tmpdir(), "poq-statesync-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("state sync (issue 16)", () => {
  it("a new node restores a snapshot, refusing a peer's corrupted chunks, then agrees and follows", async (t) => {
    const f = await runStateSync({
      dir,
      blocks: 200,
      interval: 100,
      accounts: 1500,
      chunkBytes: 2048,
      corruptPeer: true,
      basePort: 29200,
      say: (line) => t.diagnostic(line),
    });
    t.diagnostic(JSON.stringify(f));
    assert.ok(
      f.snapshot_height >= 100 && f.snapshot_height % 100 === 0,
      `restored height ${f.snapshot_height}`,
    );
    assert.ok(f.snapshot_chunks >= 50, `${f.snapshot_chunks} chunks`);
    assert.ok(f.network_height_at_start >= 200);
    assert.ok(f.restored_entries > 3000, `${f.restored_entries} entries`);
    assert.ok(f.corrupted_chunk_files > 0);
    assert.ok(f.refused_chunks >= 1, "a corrupted chunk was refused (and the restore still completed)");
    assert.equal(f.earliest_block_height, f.snapshot_height + 1, "no block before the snapshot was replayed");
    assert.ok(f.app_hash_checked_at > f.snapshot_height);
    assert.ok(f.blocks_followed >= 20);
  });
});
