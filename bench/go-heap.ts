/**
 * CometBFT's live Go heap split by what holds it, read from the heap profile its `rpc.pprof_laddr`
 * serves (`/debug/pprof/heap`, gzipped `profile.proto`). The soak uses it to tell goleveldb's caches,
 * which fill up to a fixed bound as the databases grow and are read, from everything else, which must
 * stay flat (issue 17; bench/RESULTS.md has the profiles that led here).
 *
 * What is bounded, in goleveldb as CometBFT v0.38 opens it (cometbft-db with goleveldb's defaults, one
 * database each for the block store, state, tx index and evidence):
 * - the block cache: an LRU of 8 MiB per database, charged with each block's buffer capacity. In the
 *   heap it is a little more: Go rounds the 4,101- and 8,202-byte block buffers up to 4,864- and
 *   9,472-byte size classes, and each cached block has a small header and cache node, so
 *   {@link BLOCK_CACHE_BOUND_BYTES} allows 10 MiB per database;
 * - the memtables: a 4 MiB write buffer per database (two while one is being flushed);
 * - buffers pooled for table reads and writes (a `sync.Pool`, emptied by two collections).
 * And in CometBFT itself: the mempool's cache of seen txs, an LRU of `mempool.cache_size` entries.
 */
import { gunzipSync } from "node:zlib";
import { BinaryReader } from "cosmjs-types/binary";

/** What the heap profile says is in use, in bytes. */
export interface GoHeapParts {
  /** goleveldb's block cache, per database ("blockstore", "state", "tx_index", "evidence", "other"). */
  block_cache: Record<string, number>;
  /** goleveldb's memtables (write buffers and their skiplist index), all databases. */
  memtables: number;
  /** goleveldb's pooled read and write buffers outside the cache, all databases. */
  pooled_buffers: number;
  /** The mempool's cache of seen txs (an LRU of `mempool.cache_size` entries, 10,000 by default). */
  mempool_cache: number;
  /** The profiler's own, from writing an earlier profile (the soak's measuring, not the node's). */
  profiler: number;
  /** Everything else. */
  rest: number;
  total: number;
}

/** The block cache's bound per database in the heap (8 MiB capacity, see the file's head). */
export const BLOCK_CACHE_BOUND_BYTES = 10 * 1024 * 1024;

/** One sample of a profile: its stack as function names, innermost first, and its in-use bytes. */
export interface HeapSample {
  stack: string[];
  inuse_bytes: number;
}

/** Reads a length-delimited field's bytes as its own reader. */
function sub(r: BinaryReader): BinaryReader {
  return new BinaryReader(r.bytes());
}

/** A repeated integer field, packed or not. */
function pushInts(r: BinaryReader, wireType: number, into: number[]): void {
  if (wireType === 2) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) into.push(Number(r.int64()));
  } else into.push(Number(r.int64()));
}

/**
 * Decodes a Go heap profile (gzipped or not) into samples carrying `inuse_space` (values in Go's
 * protobuf heap profiles are already scaled for the sampling rate).
 *
 * @example
 * const samples = parseHeapProfile(readFileSync("v0-600s.pb.gz"));
 */
export function parseHeapProfile(data: Uint8Array): HeapSample[] {
  const raw = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
  const r = new BinaryReader(raw);
  const sampleTypes: number[] = [];
  const samples: { locations: number[]; values: number[] }[] = [];
  const locations = new Map<number, number[]>(); // location id -> function ids, innermost first
  const functions = new Map<number, number>(); // function id -> name's string index
  const strings: string[] = [];
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field === 1) {
      const t = sub(r);
      while (t.pos < t.len) {
        const [f, w] = t.tag();
        if (f === 1) sampleTypes.push(Number(t.int64()));
        else t.skipType(w);
      }
    } else if (field === 2) {
      const s = sub(r);
      const sample = { locations: [] as number[], values: [] as number[] };
      while (s.pos < s.len) {
        const [f, w] = s.tag();
        if (f === 1) pushInts(s, w, sample.locations);
        else if (f === 2) pushInts(s, w, sample.values);
        else s.skipType(w);
      }
      samples.push(sample);
    } else if (field === 4) {
      const l = sub(r);
      let id = 0;
      const fns: number[] = [];
      while (l.pos < l.len) {
        const [f, w] = l.tag();
        if (f === 1) id = Number(l.uint64());
        else if (f === 4) {
          const line = sub(l);
          while (line.pos < line.len) {
            const [lf, lw] = line.tag();
            if (lf === 1) fns.push(Number(line.uint64()));
            else line.skipType(lw);
          }
        } else l.skipType(w);
      }
      locations.set(id, fns);
    } else if (field === 5) {
      const fn = sub(r);
      let id = 0;
      let name = 0;
      while (fn.pos < fn.len) {
        const [f, w] = fn.tag();
        if (f === 1) id = Number(fn.uint64());
        else if (f === 2) name = Number(fn.int64());
        else fn.skipType(w);
      }
      functions.set(id, name);
    } else if (field === 6) strings.push(r.string());
    else r.skipType(wireType);
  }
  const inuse = sampleTypes.findIndex((t) => strings[t] === "inuse_space");
  if (inuse < 0) throw new Error("not a Go heap profile: no inuse_space sample type");
  return samples.map((s) => ({
    stack: s.locations.flatMap((id) =>
      (locations.get(id) ?? []).map((fn) => strings[functions.get(fn) ?? 0] ?? ""),
    ),
    inuse_bytes: s.values[inuse] ?? 0,
  }));
}

const GOLEVELDB = "github.com/syndtr/goleveldb/leveldb/";
/** A block (or filter block) read into the cache: the callback the cache runs on a miss, or the cache's own nodes. */
const CACHED_BLOCK =
  /^github\.com\/syndtr\/goleveldb\/leveldb\/(table\.\(\*Reader\)\.read(Filter)?BlockCached\.func1|cache\.)/;
/** Which of CometBFT's databases a stack reads, from its outermost CometBFT frame that touches one. */
const DATABASES: [string, RegExp][] = [
  ["tx_index", /^github\.com\/cometbft\/cometbft\/state\/(txindex|indexer)\//],
  ["blockstore", /^github\.com\/cometbft\/cometbft\/store\./],
  ["state", /^github\.com\/cometbft\/cometbft\/state\./],
  ["evidence", /^github\.com\/cometbft\/cometbft\/evidence\./],
];

const MEMPOOL_CACHE = /^github\.com\/cometbft\/cometbft\/mempool\.(\(\*LRUTxCache\)|NewLRUTxCache)/;

function databaseOf(stack: string[]): string {
  for (const frame of stack) for (const [db, re] of DATABASES) if (re.test(frame)) return db;
  return "other";
}

/**
 * Splits a heap profile's in-use bytes into goleveldb's bounded parts and the rest.
 *
 * @example
 * const parts = goHeapParts(parseHeapProfile(readFileSync("v0-600s.pb.gz")));
 * console.log(parts.block_cache.tx_index, parts.rest);
 */
export function goHeapParts(samples: HeapSample[]): GoHeapParts {
  const parts: GoHeapParts = {
    block_cache: {},
    memtables: 0,
    pooled_buffers: 0,
    mempool_cache: 0,
    profiler: 0,
    rest: 0,
    total: 0,
  };
  for (const { stack, inuse_bytes: bytes } of samples) {
    if (bytes === 0) continue;
    parts.total += bytes;
    if (stack.some((f) => f.startsWith("runtime/pprof.") || f.startsWith("net/http/pprof.")))
      parts.profiler += bytes;
    else if (stack.some((f) => CACHED_BLOCK.test(f))) {
      const db = databaseOf(stack);
      parts.block_cache[db] = (parts.block_cache[db] ?? 0) + bytes;
    } else if (stack.some((f) => f.startsWith(`${GOLEVELDB}memdb.`))) parts.memtables += bytes;
    else if (stack.some((f) => f.startsWith(`${GOLEVELDB}util.(*BufferPool).Get`)))
      parts.pooled_buffers += bytes;
    else if (stack.some((f) => MEMPOOL_CACHE.test(f))) parts.mempool_cache += bytes;
    else parts.rest += bytes;
  }
  return parts;
}

/** The bounded parts together (goleveldb's block caches, memtables and pooled buffers, the mempool's cache), in bytes. */
export function boundedBytes(p: GoHeapParts): number {
  return (
    Object.values(p.block_cache).reduce((a, b) => a + b, 0) + p.memtables + p.pooled_buffers + p.mempool_cache
  );
}

/** Fetches a CometBFT's heap profile from its pprof address and splits it; undefined when it does not answer. */
export async function fetchGoHeapParts(pprofUrl: string): Promise<GoHeapParts | undefined> {
  const res = await fetch(`${pprofUrl}/debug/pprof/heap`, { signal: AbortSignal.timeout(10_000) }).catch(
    () => undefined,
  );
  if (!res?.ok) return undefined;
  return goHeapParts(parseHeapProfile(new Uint8Array(await res.arrayBuffer())));
}
