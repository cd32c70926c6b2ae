/**
 * State-sync snapshot formats 1 to 4: the committed state's entries in ascending key order, cut into
 * chunks, with a metadata document that lists each chunk's sha256 and that the snapshot hash commits
 * to. They differ only in the store layout the entries hash with (the chunks and metadata are the
 * same): format 1 is a layout-4 state (every key at sha256(key)), format 2 a layout-5 one (a poq
 * request's keys in the bucket of its record key's sha256), format 3 a layout-6 one (request `id`'s
 * keys in bucket `id mod 2^16`), format 4 a layout-7 one (the same buckets, a request's keys in a
 * subtree of their own; `app/store/README.md`), so a restore rebuilds the layout whose app hash the
 * chain carries.
 * Specified in `validator/snapshots/README.md`. Pure functions, no files: the snapshot store
 * (`validator/snapshots/`) writes and serves them, `StateStore.restore` rebuilds the state from them.
 */
import { BaseError } from "../errors.js";
import { sha256 } from "./merkle.js";
import { ANCHORED_PATH_LAYOUT, ID_BUCKET_LAYOUT, PLAIN_PATH_LAYOUT, STORE_LAYOUT } from "./layouts.js";

/** The format of a snapshot of a new chain (store layout {@link STORE_LAYOUT}). */
export const SNAPSHOT_FORMAT = 4;

/** The store layout of each format this code writes and accepts. */
const LAYOUT_OF_FORMAT = new Map<number, number>([
  [1, PLAIN_PATH_LAYOUT],
  [2, ANCHORED_PATH_LAYOUT],
  [3, ID_BUCKET_LAYOUT],
  [SNAPSHOT_FORMAT, STORE_LAYOUT],
]);

/** The store layout a snapshot of `format` restores to, or undefined for a format this code does not know. */
export function layoutOfSnapshotFormat(format: number): number | undefined {
  return LAYOUT_OF_FORMAT.get(format);
}

/** The format of a snapshot of a state in store `layout`, or undefined for a layout no format carries. */
export function snapshotFormatOfLayout(layout: number): number | undefined {
  for (const [format, l] of LAYOUT_OF_FORMAT) if (l === layout) return format;
  return undefined;
}

/** A chunk's entries take at most this many bytes, unless one entry alone is larger. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** The largest chunk a peer may send: CometBFT's own chunk message limit is 16 MiB. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** A snapshot, chunk or metadata that does not follow the format (never trusted, so never thrown past). */
export class SnapshotFormatError extends BaseError {
  override name = "SnapshotFormatError" as const;
}

/** What a snapshot's `metadata` bytes hold (JSON, fields in this order). */
export interface SnapshotMetadata {
  format: number;
  /** The height whose committed state the snapshot holds. */
  height: bigint;
  /** The app hash of that state: the header of `height + 1` carries it. */
  appHash: Uint8Array;
  /** State entries over all chunks. */
  entries: number;
  /** sha256 of each chunk's bytes, in chunk order. */
  chunkHashes: Uint8Array[];
}

/** One state entry. */
export type SnapshotEntry = [key: Uint8Array, value: Uint8Array];

const ENTRY_HEADER = 8;

/**
 * Cuts entries (ascending by key) into chunks of at most `chunkBytes` bytes: each entry is
 * `u32be(len key) || key || u32be(len value) || value`, and an entry never straddles two chunks.
 *
 * @example
 * for (const chunk of encodeChunks(entries)) write(chunk);
 */
export function* encodeChunks(
  entries: Iterable<SnapshotEntry>,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): Generator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let size = 0;
  for (const [key, value] of entries) {
    const bytes = ENTRY_HEADER + key.length + value.length;
    if (size > 0 && size + bytes > chunkBytes) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(key.length);
    const mid = Buffer.allocUnsafe(4);
    mid.writeUInt32BE(value.length);
    parts.push(head, key, mid, value);
    size += bytes;
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

/**
 * The entries of one chunk, checked: every length within the chunk, keys strictly ascending and
 * above `after` (the last key of the chunk before), nothing left over.
 *
 * @example
 * let last: Uint8Array | undefined;
 * for (const [key, value] of decodeChunk(chunk, last)) last = key;
 */
export function decodeChunk(chunk: Uint8Array, after?: Uint8Array): SnapshotEntry[] {
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const out: SnapshotEntry[] = [];
  let previous = after;
  let at = 0;
  const take = (what: string): Uint8Array => {
    if (at + 4 > buf.length) throw new SnapshotFormatError(`chunk ends inside the length of a ${what}`);
    const len = buf.readUInt32BE(at);
    at += 4;
    if (at + len > buf.length) throw new SnapshotFormatError(`chunk ends inside a ${what}`);
    const bytes = buf.subarray(at, at + len);
    at += len;
    return bytes;
  };
  while (at < buf.length) {
    const key = take("key");
    const value = take("value");
    if (key.length === 0) throw new SnapshotFormatError("an empty key");
    if (previous && Buffer.compare(previous, key) >= 0) {
      throw new SnapshotFormatError("keys are not strictly ascending");
    }
    out.push([key, value]);
    previous = key;
  }
  return out;
}

/**
 * The metadata bytes: canonical JSON `{"format","height","app_hash","entries","chunks"}` with the
 * height as a decimal string and hashes as lowercase hex, so that every node that took the snapshot
 * of the same state writes the same bytes (CometBFT groups peers by snapshot hash).
 */
export function encodeMetadata(m: SnapshotMetadata): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      format: m.format,
      height: m.height.toString(),
      app_hash: Buffer.from(m.appHash).toString("hex"),
      entries: m.entries,
      chunks: m.chunkHashes.map((h) => Buffer.from(h).toString("hex")),
    }),
  );
}

const HEX32 = /^[0-9a-f]{64}$/;

/**
 * Parses metadata bytes from a peer, refusing anything that is not exactly what
 * {@link encodeMetadata} writes.
 */
export function decodeMetadata(bytes: Uint8Array): SnapshotMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new SnapshotFormatError("metadata is not JSON");
  }
  const o = raw as Record<string, unknown>;
  if (typeof o !== "object" || o === null) throw new SnapshotFormatError("metadata is not an object");
  const { format, height, app_hash: appHash, entries, chunks } = o;
  if (typeof format !== "number" || !Number.isSafeInteger(format))
    throw new SnapshotFormatError("metadata format is not an integer");
  if (typeof height !== "string" || !/^[1-9]\d{0,19}$/.test(height))
    throw new SnapshotFormatError("metadata height is not a positive decimal");
  if (typeof appHash !== "string" || !HEX32.test(appHash))
    throw new SnapshotFormatError("metadata app_hash is not 32 bytes of hex");
  if (typeof entries !== "number" || !Number.isSafeInteger(entries) || entries < 1)
    throw new SnapshotFormatError("metadata entries is not a positive integer");
  if (
    !Array.isArray(chunks) ||
    chunks.length === 0 ||
    !chunks.every((c) => typeof c === "string" && HEX32.test(c))
  )
    throw new SnapshotFormatError("metadata chunks is not a non-empty list of sha256 hex digests");
  const m: SnapshotMetadata = {
    format,
    height: BigInt(height),
    appHash: Buffer.from(appHash, "hex"),
    entries,
    chunkHashes: (chunks as string[]).map((c) => Buffer.from(c, "hex")),
  };
  if (!Buffer.from(encodeMetadata(m)).equals(Buffer.from(bytes)))
    throw new SnapshotFormatError("metadata is not in canonical form");
  return m;
}

/** The snapshot hash CometBFT compares between peers: sha256 of the metadata bytes. */
export function snapshotHash(metadata: Uint8Array): Uint8Array {
  return sha256(metadata);
}

/** sha256 of a chunk, as listed in the metadata. */
export function chunkHash(chunk: Uint8Array): Uint8Array {
  return sha256(chunk);
}
