/**
 * The snapshot settings of a node, in the `[state-sync]` section of `<home>/config/app.toml` (the
 * application's own config file; CometBFT's is config.toml):
 *
 * ```toml
 * [state-sync]
 * snapshot-interval = 1000     # take a snapshot every N blocks; 0 = never
 * snapshot-keep-recent = 2     # how many snapshots to keep on disk
 * ```
 *
 * A home without the file (made before state sync existed) takes no snapshots; it can still be
 * restored from a peer's snapshot.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BaseError } from "../../app/errors.js";
import { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES } from "../../app/store/snapshot-format.js";

export class AppConfigError extends BaseError {
  override name = "AppConfigError" as const;
}

export interface SnapshotConfig {
  /** Take a snapshot after the Commit of every height divisible by it; 0: never. */
  interval: number;
  /** Snapshots kept on disk (the newest); at least 1. */
  keepRecent: number;
  /**
   * Bytes per chunk (format 1). Every node must use the same value to offer the same snapshot, so
   * operators leave it at the default; tests lower it to get many chunks from a small state.
   */
  chunkBytes: number;
}

/** What a home without app.toml uses. */
export const NO_SNAPSHOTS: SnapshotConfig = { interval: 0, keepRecent: 2, chunkBytes: DEFAULT_CHUNK_BYTES };

/** What `poq init` and the local networks write: a snapshot every 1,000 blocks, the last two kept. */
export const DEFAULT_SNAPSHOTS: SnapshotConfig = {
  interval: 1000,
  keepRecent: 2,
  chunkBytes: DEFAULT_CHUNK_BYTES,
};

/** The path of a home's app.toml. */
export const appConfigPath = (home: string): string => join(home, "config", "app.toml");

const KEYS: Record<string, { field: keyof SnapshotConfig; min: number; max: number }> = {
  "snapshot-interval": { field: "interval", min: 0, max: 1_000_000_000 },
  "snapshot-keep-recent": { field: "keepRecent", min: 1, max: 1000 },
  "snapshot-chunk-bytes": { field: "chunkBytes", min: 1024, max: MAX_CHUNK_BYTES },
};

/**
 * Reads `[state-sync]` from app.toml text: integer keys only; unknown keys in that section, or a
 * value out of range, are errors (a typo must not silently disable snapshots).
 *
 * @example
 * parseSnapshotConfig("[state-sync]\nsnapshot-interval = 500\n").interval; // 500
 */
export function parseSnapshotConfig(text: string): SnapshotConfig {
  const out: SnapshotConfig = { ...NO_SNAPSHOTS };
  let section = "";
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = (header[1] as string).trim();
      continue;
    }
    if (section !== "state-sync") continue;
    const m = /^([a-z-]+)\s*=\s*(\d+)$/.exec(line);
    const spec = m ? KEYS[m[1] as string] : undefined;
    if (!m || !spec)
      throw new AppConfigError(`app.toml line ${i + 1}: not a [state-sync] setting: ${raw.trim()}`);
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value) || value < spec.min || value > spec.max)
      throw new AppConfigError(`app.toml line ${i + 1}: ${m[1]} must be from ${spec.min} to ${spec.max}`);
    out[spec.field] = value;
  }
  return out;
}

/** The snapshot settings of `home` ({@link NO_SNAPSHOTS} without app.toml). */
export function readSnapshotConfig(home: string): SnapshotConfig {
  const file = appConfigPath(home);
  return existsSync(file) ? parseSnapshotConfig(readFileSync(file, "utf8")) : { ...NO_SNAPSHOTS };
}

/**
 * Writes `<home>/config/app.toml` (replacing it) with these snapshot settings.
 *
 * @example
 * writeAppConfig(home, DEFAULT_SNAPSHOTS);
 */
export function writeAppConfig(home: string, c: SnapshotConfig = DEFAULT_SNAPSHOTS): void {
  const lines = [
    "# PoQ application settings (CometBFT's are in config.toml).",
    "",
    "[state-sync]",
    "# Take a state-sync snapshot after every N-th block (0: never). Peers that join with",
    "# `poq start --state-sync` restore from them instead of replaying every block.",
    `snapshot-interval = ${c.interval}`,
    "# Snapshots kept under data/snapshots (the newest).",
    `snapshot-keep-recent = ${c.keepRecent}`,
  ];
  if (c.chunkBytes !== DEFAULT_CHUNK_BYTES) {
    lines.push("# Chunk size in bytes: all nodes must agree to offer the same snapshot.");
    lines.push(`snapshot-chunk-bytes = ${c.chunkBytes}`);
  }
  writeFileSync(appConfigPath(home), `${lines.join("\n")}\n`);
}
