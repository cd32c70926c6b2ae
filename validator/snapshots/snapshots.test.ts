import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApplySnapshotChunkResult,
  OfferSnapshotResult,
  type FinalizeBlockRequest,
  type Snapshot,
} from "../../abci/application.js";
import type { PoqApp } from "../../app/app.js";
import { CommittedDb } from "../../app/store/committed.js";
import {
  SNAPSHOT_FORMAT,
  encodeMetadata,
  decodeMetadata,
  snapshotHash,
} from "../../app/store/snapshot-format.js";
import {
  createPoqBenchChain,
  registerNodeMsg,
  requestInferenceMsg,
  type PoqBenchChain,
} from "../../test/poq-app-chain.js";
import { testKey } from "../../test/raw-signer.js";
import { assembleApp, createChainModules } from "../assemble.js";
import type { JsonLogger } from "../logger.js";
import {
  AppConfigError,
  DEFAULT_SNAPSHOTS,
  parseSnapshotConfig,
  readSnapshotConfig,
  writeAppConfig,
} from "./config.js";
import { createSnapshotRestorer, type SnapshotRestorer } from "./restore.js";
import { createSnapshotStore, type SnapshotStore } from "./store.js";
import type { RequestRecord } from "../../app/modules/poq/state.js";

const requester = testKey("sync-requester");
const node = testKey("sync-node");
const INFO = { version: "", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" };
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

let dir: string;
let n = 0;
const fresh = (name: string): string => join(dir, `${name}-${n++}`);

/** Collects log lines so that tests can assert what an operator would read. */
function memoryLog(): JsonLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg, f) =>
      lines.push(
        `info ${msg} ${JSON.stringify(f, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v))}`,
      ),
    error: (msg, f) =>
      lines.push(
        `error ${msg} ${JSON.stringify(f, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v))}`,
      ),
  };
}

function dump(app: PoqApp): string[] {
  const r = CommittedDb.openReader(app.state.path);
  try {
    return [...r.entries()].map(([k, v]) => `${hex(k)}=${hex(v)}`);
  } finally {
    r.close();
  }
}

/** A non-validator node's app over an empty home, as a state-syncing node starts. */
function emptyNode(): { app: PoqApp; home: string } {
  const home = fresh("node");
  return { home, app: assembleApp({ home, chainId: "poq-bench-2", modules: createChainModules() }) };
}

/** A poq chain with a node registered and two requests in flight, FinalizeBlock requests recorded. */
function busyChain(): { chain: PoqBenchChain; blocks: FinalizeBlockRequest[] } {
  const chain = createPoqBenchChain({
    validators: 4,
    accounts: [requester, node],
    params: { responseTimeout: "20" },
  });
  const blocks: FinalizeBlockRequest[] = [];
  const finalize = chain.app.finalizeBlock.bind(chain.app);
  chain.app.finalizeBlock = (req) => {
    blocks.push(req);
    return finalize(req);
  };
  chain.runBlock([chain.signed(node, [registerNodeMsg(node.address, ["m"], 5_000_000n)])]);
  chain.runBlock([]);
  chain.runBlock([
    chain.signed(requester, [requestInferenceMsg(requester.address, "m", "What is 2+2?", 1000n)]),
    chain.signed(requester, [requestInferenceMsg(requester.address, "m", "And 3+3?", 1000n)]),
  ]);
  chain.runBlock([]);
  return { chain, blocks };
}

/** Offers `snapshot` and applies every chunk from `store`. */
function restoreFrom(
  restorer: SnapshotRestorer,
  store: SnapshotStore,
  snapshot: Snapshot,
  appHash: Uint8Array,
): ApplySnapshotChunkResult[] {
  assert.equal(restorer.offer({ snapshot, appHash }).result, OfferSnapshotResult.Accept);
  const results: ApplySnapshotChunkResult[] = [];
  for (let i = 0; i < snapshot.chunks; i++) {
    const chunk = store.loadChunk(snapshot.height, snapshot.format, i);
    results.push(restorer.apply({ index: i, chunk, sender: "peer-a" }).result);
  }
  return results;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-sync-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("state-sync snapshots of the poq chain", () => {
  it("a snapshot taken with requests in flight restores to the same state, which then follows the chain", async () => {
    const { chain, blocks } = busyChain();
    const a = chain.app;
    const log = memoryLog();
    const snapDir = fresh("snapshots");
    const store = createSnapshotStore({
      dir: snapDir,
      dbPath: a.state.path,
      config: { interval: 5, keepRecent: 2, chunkBytes: 2048 },
      log,
    });
    try {
      const status = (app: PoqApp) =>
        (chain.modules.poq.keeper.getRequest({ store: app.state.committedView() }, 1n) as RequestRecord)
          .status;
      assert.ok(["PENDING", "ASSIGNED"].includes(status(a)), `request 1 is ${status(a)}`);
      const height = a.state.lastHeight;
      assert.equal(height, 5n);
      const appHash5 = Uint8Array.from(a.state.lastAppHash);
      store.afterCommit(height);
      // The next block commits while the worker writes: the snapshot still holds height 5.
      chain.runBlock([]);
      await store.idle();
      const [snapshot] = store.list();
      assert.ok(snapshot, log.lines.join("\n"));
      assert.equal(snapshot.height, 5n);
      assert.ok(snapshot.chunks > 3, `${snapshot.chunks} chunks`);
      assert.equal(hex(snapshotHash(snapshot.metadata)), hex(snapshot.hash));
      assert.notEqual(hex(a.state.lastAppHash), hex(appHash5), "block 6 changed the state");

      const b = emptyNode();
      const restorer = createSnapshotRestorer({
        dir: join(b.home, "data", "snapshots"),
        lastHeight: () => b.app.state.lastHeight,
        restore: (h, hash, entries, layout) => b.app.restore(h, hash, entries, layout),
        log,
      });
      const results = restoreFrom(restorer, store, snapshot, appHash5);
      assert.ok(
        results.every((r) => r === ApplySnapshotChunkResult.Accept),
        results.join(),
      );
      assert.equal(b.app.info(INFO).lastBlockHeight, 5n);
      assert.equal(hex(b.app.info(INFO).lastBlockAppHash), hex(appHash5));
      assert.equal(status(b.app), "ASSIGNED");
      assert.ok(!existsSync(join(b.home, "data", "snapshots", "restore")), "the spooled chunks are gone");
      // The restored node runs the chain's next blocks to the same app hashes as the chain.
      const next = blocks.filter((req) => req.height > 5n);
      assert.ok(next.length >= 1);
      for (const req of next) {
        const res = b.app.finalizeBlock(req);
        b.app.commit();
        assert.equal(hex(res.appHash), hex(b.app.state.lastAppHash));
      }
      assert.equal(hex(b.app.state.lastAppHash), hex(a.state.lastAppHash));
      assert.deepEqual(dump(b.app), dump(a));
      b.app.close();
    } finally {
      await store.close();
      chain.cleanup();
    }
  });

  it("a tampered chunk is refused and refetched; a state that is not the trusted one leaves nothing", async () => {
    const { chain } = busyChain();
    const log = memoryLog();
    const store = createSnapshotStore({
      dir: fresh("snapshots"),
      dbPath: chain.app.state.path,
      config: { interval: 1, keepRecent: 1, chunkBytes: 2048 },
      log,
    });
    try {
      store.afterCommit(chain.app.state.lastHeight);
      await store.idle();
      const snapshot = store.list()[0] as Snapshot;
      const appHash = chain.app.state.lastAppHash;
      const b = emptyNode();
      const restorer = createSnapshotRestorer({
        dir: join(b.home, "data", "snapshots"),
        lastHeight: () => b.app.state.lastHeight,
        restore: (h, hash, entries, layout) => b.app.restore(h, hash, entries, layout),
        log,
      });
      assert.equal(restorer.offer({ snapshot, appHash }).result, OfferSnapshotResult.Accept);
      const chunk = (i: number) => store.loadChunk(snapshot.height, snapshot.format, i);
      const bad = Uint8Array.from(chunk(1));
      bad[10] = (bad[10] ?? 0) ^ 0xff;
      assert.equal(
        restorer.apply({ index: 0, chunk: chunk(0), sender: "good" }).result,
        ApplySnapshotChunkResult.Accept,
      );
      assert.deepEqual(restorer.apply({ index: 1, chunk: bad, sender: "evil" }), {
        result: ApplySnapshotChunkResult.Retry,
        refetchChunks: [1],
        rejectSenders: ["evil"],
      });
      assert.match(log.lines.join("\n"), /chunk refused: its sha256 is not the one in the metadata/);
      for (let i = 1; i < snapshot.chunks; i++) {
        assert.equal(
          restorer.apply({ index: i, chunk: chunk(i), sender: "good" }).result,
          ApplySnapshotChunkResult.Accept,
        );
      }
      assert.equal(hex(b.app.state.lastAppHash), hex(appHash));

      // The light client trusts another app hash: the complete snapshot is rejected, the state stays empty.
      const c = emptyNode();
      const restorerC = createSnapshotRestorer({
        dir: join(c.home, "data", "snapshots"),
        lastHeight: () => c.app.state.lastHeight,
        restore: (h, hash, entries, layout) => c.app.restore(h, hash, entries, layout),
        log,
      });
      // A snapshot whose metadata claims the other app hash (chunks as listed): refused only at the end.
      const meta = decodeMetadata(snapshot.metadata);
      const lying = encodeMetadata({ ...meta, appHash: new Uint8Array(32).fill(9) });
      const liar: Snapshot = { ...snapshot, metadata: lying, hash: snapshotHash(lying) };
      const results = restoreFrom(restorerC, store, liar, new Uint8Array(32).fill(9));
      assert.equal(results.at(-1), ApplySnapshotChunkResult.RejectSnapshot);
      assert.equal(c.app.info(INFO).lastBlockHeight, 0n);
      assert.deepEqual(dump(c.app), []);
      assert.match(log.lines.join("\n"), /restoring it failed, nothing kept.*not the trusted app hash/);
      b.app.close();
      c.app.close();
    } finally {
      await store.close();
      chain.cleanup();
    }
  });

  it("OfferSnapshot refuses unknown formats, bad metadata and other states", async () => {
    const { chain } = busyChain();
    const log = memoryLog();
    const store = createSnapshotStore({
      dir: fresh("snapshots"),
      dbPath: chain.app.state.path,
      config: { interval: 1, keepRecent: 1, chunkBytes: 1 << 20 },
      log,
    });
    try {
      store.afterCommit(chain.app.state.lastHeight);
      await store.idle();
      const s = store.list()[0] as Snapshot;
      const appHash = chain.app.state.lastAppHash;
      const b = emptyNode();
      const restorer = createSnapshotRestorer({
        dir: join(b.home, "data", "snapshots"),
        lastHeight: () => b.app.state.lastHeight,
        restore: (h, hash, entries, layout) => b.app.restore(h, hash, entries, layout),
        log,
      });
      const offer = (snapshot: Snapshot, trusted = appHash) =>
        restorer.offer({ snapshot, appHash: trusted }).result;
      assert.equal(offer({ ...s, format: SNAPSHOT_FORMAT + 1 }), OfferSnapshotResult.RejectFormat);
      assert.equal(offer({ ...s, hash: new Uint8Array(32) }), OfferSnapshotResult.Reject);
      assert.equal(offer({ ...s, metadata: new TextEncoder().encode("{}") }), OfferSnapshotResult.Reject);
      assert.equal(offer({ ...s, height: s.height + 1n }), OfferSnapshotResult.Reject);
      assert.equal(offer({ ...s, chunks: s.chunks + 1 }), OfferSnapshotResult.Reject);
      assert.equal(offer(s, new Uint8Array(32).fill(1)), OfferSnapshotResult.Reject);
      assert.equal(
        restorer.apply({ index: 0, chunk: new Uint8Array(), sender: "" }).result,
        ApplySnapshotChunkResult.Abort,
      );
      assert.equal(offer(s), OfferSnapshotResult.Accept);
      // A node that already has state does not restore.
      assert.equal(
        createSnapshotRestorer({
          dir: fresh("x"),
          lastHeight: () => chain.app.state.lastHeight,
          restore: () => 0,
          log,
        }).offer({ snapshot: s, appHash }).result,
        OfferSnapshotResult.Abort,
      );
      b.app.close();
    } finally {
      await store.close();
      chain.cleanup();
    }
  });

  it("keeps the newest snapshots on disk, lists them after a restart, and deletes half-written ones", async () => {
    const { chain } = busyChain();
    const log = memoryLog();
    const snapDir = fresh("snapshots");
    const config = { interval: 2, keepRecent: 2, chunkBytes: 4096 };
    const folder = (height: number): string => `${height}-${SNAPSHOT_FORMAT}`;
    let store = createSnapshotStore({ dir: snapDir, dbPath: chain.app.state.path, config, log });
    try {
      for (let i = 0; i < 7; i++) {
        chain.runBlock([]);
        store.afterCommit(chain.app.state.lastHeight);
        await store.idle();
      }
      // Heights 6..12: snapshots at 6, 8, 10, 12; the newest two kept.
      assert.deepEqual(
        store.list().map((s) => s.height),
        [12n, 10n],
      );
      assert.deepEqual(readdirSync(snapDir).sort(), [folder(10), folder(12)]);
      await store.close();
      writeFileSync(join(snapDir, "leftover"), "");
      rmSync(join(snapDir, folder(10), "metadata"));
      const tmp = join(snapDir, `${folder(14)}.tmp`);
      rmSync(tmp, { recursive: true, force: true });
      writeFileSync(join(snapDir, `${folder(14)}.tmp`), "");
      store = createSnapshotStore({ dir: snapDir, dbPath: chain.app.state.path, config, log });
      assert.deepEqual(
        store.list().map((s) => s.height),
        [12n],
      );
      assert.deepEqual(readdirSync(snapDir).sort(), [folder(12), "leftover"]);
      const s = store.list()[0] as Snapshot;
      assert.deepEqual(
        store.loadChunk(s.height, SNAPSHOT_FORMAT, 0),
        readFileSync(join(snapDir, folder(12), "chunk-0")),
      );
      assert.equal(store.loadChunk(s.height, SNAPSHOT_FORMAT, s.chunks).length, 0);
      assert.equal(store.loadChunk(10n, SNAPSHOT_FORMAT, 0).length, 0);
    } finally {
      await store.close();
      chain.cleanup();
    }
  });
});

describe("app.toml [state-sync]", () => {
  it("reads the interval and retention, refuses typos, and defaults to no snapshots", () => {
    assert.deepEqual(
      parseSnapshotConfig("[state-sync]\nsnapshot-interval = 500 # blocks\nsnapshot-keep-recent = 3\n"),
      {
        interval: 500,
        keepRecent: 3,
        chunkBytes: DEFAULT_SNAPSHOTS.chunkBytes,
      },
    );
    assert.equal(parseSnapshotConfig("[other]\nsnapshot-intervall = x\n").interval, 0);
    assert.throws(() => parseSnapshotConfig("[state-sync]\nsnapshot-intervall = 5\n"), AppConfigError);
    assert.throws(() => parseSnapshotConfig("[state-sync]\nsnapshot-keep-recent = 0\n"), /from 1/);
    const home = fresh("home");
    assert.equal(readSnapshotConfig(home).interval, 0);
    mkdirSync(join(home, "config"), { recursive: true });
    writeAppConfig(home);
    assert.deepEqual(readSnapshotConfig(home), DEFAULT_SNAPSHOTS);
    writeAppConfig(home, { interval: 7, keepRecent: 1, chunkBytes: 4096 });
    assert.deepEqual(readSnapshotConfig(home), { interval: 7, keepRecent: 1, chunkBytes: 4096 });
  });
});
