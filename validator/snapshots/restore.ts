/**
 * The restoring side of state sync: OfferSnapshot checks a peer's snapshot against the format and
 * the app hash the light client trusts; ApplySnapshotChunk checks each chunk against the sha256 the
 * metadata lists (a bad chunk is refetched and its sender rejected), spools it under
 * `<dir>/restore/`, and after the last one rebuilds the state from all of them in one transaction
 * (`PoqApp.restore`), which keeps it only if it hashes to the trusted app hash.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApplySnapshotChunkResult,
  OfferSnapshotResult,
  type ApplySnapshotChunkRequest,
  type ApplySnapshotChunkResponse,
  type OfferSnapshotRequest,
  type OfferSnapshotResponse,
} from "../../abci/application.js";
import {
  layoutOfSnapshotFormat,
  SnapshotFormatError,
  chunkHash,
  decodeChunk,
  decodeMetadata,
  snapshotHash,
  type SnapshotEntry,
  type SnapshotMetadata,
} from "../../app/store/snapshot-format.js";
import type { JsonLogger } from "../logger.js";

export interface SnapshotRestorerOptions {
  /** `<home>/data/snapshots`; chunks wait in its `restore/` folder. */
  dir: string;
  /** The app's committed height: only an empty node (0) restores. */
  lastHeight(): bigint;
  /**
   * `PoqApp.restore`: all or nothing, throws when the state does not hash to `appHash` under store
   * `layout` (the snapshot format's).
   */
  restore(height: bigint, appHash: Uint8Array, entries: Iterable<SnapshotEntry>, layout: number): number;
  log: JsonLogger;
}

export interface SnapshotRestorer {
  offer(req: OfferSnapshotRequest): OfferSnapshotResponse;
  apply(req: ApplySnapshotChunkRequest): ApplySnapshotChunkResponse;
}

interface Pending {
  meta: SnapshotMetadata;
  /** The store layout its format restores to. */
  layout: number;
  trustedAppHash: Uint8Array;
  received: boolean[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const answer = (
  result: ApplySnapshotChunkResult,
  refetchChunks: number[] = [],
  rejectSenders: string[] = [],
): ApplySnapshotChunkResponse => ({ result, refetchChunks, rejectSenders });

/**
 * @example
 * const restorer = createSnapshotRestorer({ dir, lastHeight: () => app.state.lastHeight, restore: app.restore, log });
 * restorer.offer({ snapshot, appHash }); // Accept
 */
export function createSnapshotRestorer(opts: SnapshotRestorerOptions): SnapshotRestorer {
  const spool = join(opts.dir, "restore");
  const { log } = opts;
  let pending: Pending | undefined;

  const reset = (): void => {
    pending = undefined;
    rmSync(spool, { recursive: true, force: true });
  };

  /** The spooled chunks' entries in order, checked ascending across chunks and counted. */
  function* entriesOf(p: Pending): Generator<SnapshotEntry> {
    let last: Uint8Array | undefined;
    let count = 0;
    for (let i = 0; i < p.meta.chunkHashes.length; i++) {
      const chunk = readFileSync(join(spool, `chunk-${i}`));
      if (!Buffer.from(chunkHash(chunk)).equals(Buffer.from(p.meta.chunkHashes[i] as Uint8Array)))
        throw new SnapshotFormatError(`spooled chunk ${i} changed on disk`);
      for (const entry of decodeChunk(chunk, last)) {
        last = entry[0];
        count++;
        yield entry;
      }
    }
    if (count !== p.meta.entries)
      throw new SnapshotFormatError(`the chunks hold ${count} entries, the metadata says ${p.meta.entries}`);
  }

  return {
    /**
     * OfferSnapshot: a peer's snapshot, with the app hash of its height from the light client.
     * Unknown formats answer REJECT_FORMAT; metadata that is malformed, does not match the snapshot
     * hash or is of another state answers REJECT; otherwise ACCEPT, and the chunks follow.
     */
    offer(req) {
      const s = req.snapshot;
      if (!s) return { result: OfferSnapshotResult.Reject };
      if (opts.lastHeight() !== 0n) {
        log.error("refusing a snapshot: this node already has state", { height: opts.lastHeight() });
        return { result: OfferSnapshotResult.Abort };
      }
      const layout = layoutOfSnapshotFormat(s.format);
      if (layout === undefined) {
        log.info("snapshot of an unknown format refused", { height: s.height, format: s.format });
        return { result: OfferSnapshotResult.RejectFormat };
      }
      let meta: SnapshotMetadata;
      try {
        meta = decodeMetadata(s.metadata);
      } catch (err) {
        log.error("snapshot refused: bad metadata", { height: s.height, error: (err as Error).message });
        return { result: OfferSnapshotResult.Reject };
      }
      const why = !Buffer.from(snapshotHash(s.metadata)).equals(Buffer.from(s.hash))
        ? "its hash is not the sha256 of its metadata"
        : meta.format !== s.format || meta.height !== s.height || meta.chunkHashes.length !== s.chunks
          ? "its metadata names another height, format or chunk count"
          : !Buffer.from(meta.appHash).equals(Buffer.from(req.appHash))
            ? `its app hash ${hex(meta.appHash)} is not the trusted ${hex(req.appHash)}`
            : undefined;
      if (why) {
        log.error("snapshot refused", { height: s.height, why });
        return { result: OfferSnapshotResult.Reject };
      }
      reset();
      mkdirSync(spool, { recursive: true });
      pending = {
        meta,
        layout,
        trustedAppHash: Uint8Array.from(req.appHash),
        received: meta.chunkHashes.map(() => false),
      };
      log.info("snapshot accepted", { height: s.height, chunks: s.chunks, appHash: hex(req.appHash) });
      return { result: OfferSnapshotResult.Accept };
    },

    /**
     * ApplySnapshotChunk: one chunk of the accepted snapshot. A chunk whose sha256 is not the listed
     * one answers RETRY, refetching it and rejecting its sender; a listed chunk that does not parse,
     * or a complete state that does not hash to the trusted app hash, REJECT_SNAPSHOT (and the state
     * stays empty). After the last chunk the state is restored and Info reports its height.
     */
    apply(req) {
      const p = pending;
      if (!p) return answer(ApplySnapshotChunkResult.Abort);
      const expected = p.meta.chunkHashes[req.index];
      if (!expected) {
        log.error("chunk index out of range", { index: req.index, chunks: p.meta.chunkHashes.length });
        reset();
        return answer(ApplySnapshotChunkResult.RejectSnapshot);
      }
      if (!Buffer.from(chunkHash(req.chunk)).equals(Buffer.from(expected))) {
        log.error("chunk refused: its sha256 is not the one in the metadata; refetching it", {
          height: p.meta.height,
          index: req.index,
          sender: req.sender,
        });
        return answer(ApplySnapshotChunkResult.Retry, [req.index], req.sender ? [req.sender] : []);
      }
      try {
        decodeChunk(req.chunk);
      } catch (err) {
        log.error("snapshot rejected: a listed chunk is malformed", {
          index: req.index,
          error: (err as Error).message,
        });
        reset();
        return answer(ApplySnapshotChunkResult.RejectSnapshot);
      }
      writeFileSync(join(spool, `chunk-${req.index}`), req.chunk);
      p.received[req.index] = true;
      if (!p.received.every(Boolean)) return answer(ApplySnapshotChunkResult.Accept);
      try {
        const entries = opts.restore(p.meta.height, p.trustedAppHash, entriesOf(p), p.layout);
        log.info("snapshot restored", { height: p.meta.height, entries });
        reset();
        return answer(ApplySnapshotChunkResult.Accept);
      } catch (err) {
        log.error("snapshot rejected: restoring it failed, nothing kept", {
          height: p.meta.height,
          error: (err as Error).message,
        });
        reset();
        return answer(ApplySnapshotChunkResult.RejectSnapshot);
      }
    },
  };
}
