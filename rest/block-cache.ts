/**
 * A per-block cache in front of a {@link ChainReader}'s ABCI queries. State only changes when a
 * block commits, so an answer is reusable until the next one: the cache watches the node's latest
 * height (CometBFT `status`, every `pollMs`, which never reaches the app) and empties itself at each
 * new height. Answers may therefore lag a new block by up to `pollMs`. While the node cannot be
 * reached, every query goes to it uncached.
 *
 * Why: each uncached query crosses HTTP, CometBFT and the app's single ABCI query lane, which waits
 * while the app finalizes and commits a block; popular reads (a request being watched by many
 * clients) should not queue behind that.
 */
import type { AbciQueryResult, ChainReader } from "./chain-reader.js";

/** Options for {@link createBlockCachedReader}. */
export interface BlockCacheOptions {
  /** How often to read the latest height; default 200 ms (shorter than any block interval we run). */
  pollMs?: number;
  /** Most entries kept per block; default 10,000. */
  maxEntries?: number;
  /**
   * Which query paths may be served from the cache. Default: the PoQ queries only. Account and
   * balance reads always go to the node, because wallets sign with the sequence they return and a
   * lagging answer would make them sign with a used one.
   */
  cacheable?: (path: string) => boolean;
}

/** A reader with a `close()` for the height watcher, and counters for tests. */
export interface BlockCachedReader extends ChainReader {
  readonly stats: { hits: number; misses: number; height: bigint | undefined };
  close(): void;
}

/**
 * Wraps a reader with the per-block query cache.
 *
 * @example
 * const reader = await createBlockCachedReader(createRpcChainReader({ rpcUrl }));
 * await reader.abciQuery("/poq.v1.Query/Request", bytes); // from the node
 * await reader.abciQuery("/poq.v1.Query/Request", bytes); // from the cache, until the next block
 */
export async function createBlockCachedReader(
  inner: ChainReader,
  opts: BlockCacheOptions = {},
): Promise<BlockCachedReader> {
  const maxEntries = opts.maxEntries ?? 10_000;
  const cacheable = opts.cacheable ?? ((path: string) => path.startsWith("/poq.v1."));
  const cache = new Map<string, Promise<AbciQueryResult>>();
  const stats: { hits: number; misses: number; height: bigint | undefined } = {
    hits: 0,
    misses: 0,
    height: undefined,
  };
  const reset = (height: bigint | undefined) => {
    stats.height = height;
    cache.clear();
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const watch = async (): Promise<void> => {
    try {
      const height = BigInt((await inner.status()).sync_info.latest_block_height);
      if (height !== stats.height) reset(height);
    } catch {
      reset(undefined);
    }
    if (!stopped) {
      timer = setTimeout(() => void watch(), opts.pollMs ?? 200);
      timer.unref(); // the watcher never keeps a process alive
    }
  };
  await watch();

  return {
    ...inner,
    stats,
    abciQuery(path, data) {
      const height = stats.height;
      if (height === undefined || !cacheable(path)) return inner.abciQuery(path, data);
      const key = `${path}\n${Buffer.from(data).toString("base64")}`;
      const hit = cache.get(key);
      if (hit) {
        stats.hits++;
        return hit;
      }
      stats.misses++;
      const pending = inner.abciQuery(path, data);
      // Keep only answers about the block the cache is for; failures (node unreachable) are not kept.
      if (cache.size < maxEntries) cache.set(key, pending);
      pending.then(
        (r) => {
          if (r.height < height && cache.get(key) === pending) cache.delete(key);
        },
        () => {
          if (cache.get(key) === pending) cache.delete(key);
        },
      );
      return pending;
    },
    close() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
