/**
 * Snapshots on disk, under `<home>/data/snapshots/`: one folder `<height>-<format>` per snapshot with
 * `metadata` (the metadata bytes) and `chunk-<index>` files. A snapshot is written into
 * `<height>-<format>.tmp` and renamed when complete, so a folder without `.tmp` is always whole.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Snapshot } from "../../abci/application.js";
import {
  snapshotFormatOfLayout,
  chunkHash,
  decodeMetadata,
  encodeChunks,
  encodeMetadata,
  snapshotHash,
  type SnapshotEntry,
} from "../../app/store/snapshot-format.js";

/** What a snapshot is taken from: one committed state (see `CommittedDb.openReader`). */
export interface SnapshotSource {
  readonly height: bigint;
  readonly appHash: Uint8Array;
  /** The store layout the state hashes with: it names the snapshot's format. */
  readonly layout: number;
  entries(): Iterable<SnapshotEntry>;
}

const folderName = (height: bigint, format: number): string => `${height}-${format}`;
const SNAPSHOT_FOLDER = /^(\d+)-(\d+)$/;

/**
 * Writes a snapshot of `source` into `dir` and returns it as ListSnapshots lists it.
 *
 * @example
 * const reader = CommittedDb.openReader(dbPath);
 * const snapshot = writeSnapshot(reader, join(home, "data", "snapshots"), 4 * 1024 * 1024);
 */
export function writeSnapshot(source: SnapshotSource, dir: string, chunkBytes: number): Snapshot {
  const format = snapshotFormatOfLayout(source.layout);
  if (format === undefined)
    throw new Error(`no snapshot format carries a state of store layout ${source.layout}`);
  const final = join(dir, folderName(source.height, format));
  const tmp = `${final}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const chunkHashes: Uint8Array[] = [];
  let entries = 0;
  const counted = function* (): Generator<SnapshotEntry> {
    for (const e of source.entries()) {
      entries++;
      yield e;
    }
  };
  for (const chunk of encodeChunks(counted(), chunkBytes)) {
    writeFileSync(join(tmp, `chunk-${chunkHashes.length}`), chunk);
    chunkHashes.push(chunkHash(chunk));
  }
  const metadata = encodeMetadata({
    format,
    height: source.height,
    appHash: source.appHash,
    entries,
    chunkHashes,
  });
  writeFileSync(join(tmp, "metadata"), metadata);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return {
    height: source.height,
    format,
    chunks: chunkHashes.length,
    hash: snapshotHash(metadata),
    metadata,
  };
}

/**
 * The complete snapshots in `dir`, newest first. Leftovers of an interrupted write (`.tmp`) and
 * folders whose metadata is unreadable are deleted.
 */
export function scanSnapshots(dir: string): Snapshot[] {
  if (!existsSync(dir)) return [];
  const out: Snapshot[] = [];
  for (const name of readdirSync(dir)) {
    const m = SNAPSHOT_FOLDER.exec(name);
    if (!m) {
      if (name.endsWith(".tmp")) rmSync(join(dir, name), { recursive: true, force: true });
      continue;
    }
    try {
      const metadata = readFileSync(join(dir, name, "metadata"));
      const meta = decodeMetadata(metadata);
      if (meta.height !== BigInt(m[1] as string) || meta.format !== Number(m[2])) throw new Error("misnamed");
      out.push({
        height: meta.height,
        format: meta.format,
        chunks: meta.chunkHashes.length,
        hash: snapshotHash(metadata),
        metadata,
      });
    } catch {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  return out.sort((a, b) => (a.height > b.height ? -1 : a.height < b.height ? 1 : 0));
}

/** A chunk's bytes as stored, or empty when this node does not have it (CometBFT asks another peer). */
export function readChunk(dir: string, height: bigint, format: number, index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) return new Uint8Array(0);
  const file = join(dir, folderName(height, format), `chunk-${index}`);
  return existsSync(file) ? readFileSync(file) : new Uint8Array(0);
}

/** Keeps the newest `keep` of `snapshots` (newest first) on disk; returns those kept. */
export function pruneSnapshots(dir: string, snapshots: Snapshot[], keep: number): Snapshot[] {
  for (const s of snapshots.slice(keep)) {
    try {
      rmSync(join(dir, folderName(s.height, s.format)), { recursive: true, force: true });
    } catch {
      // Something else is writing there; the next snapshot's pruning or the next start-up retries.
    }
  }
  return snapshots.slice(0, keep);
}
