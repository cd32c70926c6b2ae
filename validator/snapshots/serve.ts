/**
 * Wires state sync into the validator process: the app's four snapshot methods answered from this
 * node's snapshot store and restorer, and a snapshot pinned after each due Commit.
 */
import { join } from "node:path";
import type { PoqApp } from "../../app/app.js";
import type { JsonLogger } from "../logger.js";
import { readSnapshotConfig } from "./config.js";
import { createSnapshotRestorer } from "./restore.js";
import { createSnapshotStore, type SnapshotStore } from "./store.js";

/** `<home>/data/snapshots` */
export const snapshotDir = (home: string): string => join(home, "data", "snapshots");

/**
 * The app with state sync: snapshots as `<home>/config/app.toml` asks, served to peers, and restored
 * from peers on a new node.
 *
 * @example
 * const { app: served, snapshots } = withSnapshots(app, home, log);
 * await startAbciServer({ app: served, address });
 */
export function withSnapshots(
  app: PoqApp,
  home: string,
  log: JsonLogger,
): { app: PoqApp; snapshots: SnapshotStore } {
  const dir = snapshotDir(home);
  const config = readSnapshotConfig(home);
  const snapshots = createSnapshotStore({ dir, dbPath: app.state.path, config, log });
  const restorer = createSnapshotRestorer({
    dir,
    lastHeight: () => app.state.lastHeight,
    restore: (height, appHash, entries, layout) => app.restore(height, appHash, entries, layout),
    log,
  });
  if (config.interval > 0) {
    log.info("state-sync snapshots on", { interval: config.interval, keepRecent: config.keepRecent, dir });
  }
  return {
    snapshots,
    app: {
      ...app,
      commit() {
        const res = app.commit();
        snapshots.afterCommit(app.state.lastHeight);
        return res;
      },
      /** ListSnapshots: this node's snapshots, newest first, for peers that state-sync. */
      listSnapshots: () => ({ snapshots: snapshots.list() }),
      /** LoadSnapshotChunk: a chunk as stored; empty when this node does not have it. */
      loadSnapshotChunk: (req) => ({ chunk: snapshots.loadChunk(req.height, req.format, req.chunk) }),
      offerSnapshot: (req) => restorer.offer(req),
      applySnapshotChunk: (req) => restorer.apply(req),
    },
  };
}
