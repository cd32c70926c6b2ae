/**
 * What the base app itself keeps in state: the chain id (under `baseapp/chain_id`), so that a
 * restarted app knows which chain its database belongs to, and the height from which precommits
 * carry vote extensions (under `baseapp/ve_enable_height`, big-endian u64), from InitChain's
 * consensus params (it cannot change once reached).
 */
import type { KVStore } from "../types.js";

const CHAIN_ID_KEY = new TextEncoder().encode("baseapp/chain_id");

/** The stored chain id, or undefined before InitChain's first block was committed. */
export function readChainId(store: KVStore): string | undefined {
  const v = store.get(CHAIN_ID_KEY);
  return v ? new TextDecoder().decode(v) : undefined;
}

/** Records the chain id (InitChain). */
export function writeChainId(store: KVStore, chainId: string): void {
  store.set(CHAIN_ID_KEY, new TextEncoder().encode(chainId));
}

const VE_ENABLE_HEIGHT_KEY = new TextEncoder().encode("baseapp/ve_enable_height");

/** `abci.vote_extensions_enable_height` from genesis; 0 when vote extensions are off. */
export function readVoteExtensionsEnableHeight(store: KVStore): bigint {
  const v = store.get(VE_ENABLE_HEIGHT_KEY);
  return v ? new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(0) : 0n;
}

/** Records the enable height (InitChain). */
export function writeVoteExtensionsEnableHeight(store: KVStore, height: bigint): void {
  const v = new Uint8Array(8);
  new DataView(v.buffer).setBigUint64(0, height);
  store.set(VE_ENABLE_HEIGHT_KEY, v);
}

const BLOCK_LIMITS_KEY = new TextEncoder().encode("baseapp/block_limits");

/** CometBFT's defaults: 21 MiB blocks, no gas limit. */
export const DEFAULT_BLOCK_LIMITS = { maxBytes: 22_020_096n, maxGas: -1n } as const;

/** The block limits of InitChain's consensus params: `max_bytes`, and `max_gas` (-1: unlimited). */
export function readBlockLimits(store: KVStore): { maxBytes: bigint; maxGas: bigint } {
  const v = store.get(BLOCK_LIMITS_KEY);
  if (!v) return { ...DEFAULT_BLOCK_LIMITS };
  const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return { maxBytes: d.getBigInt64(0), maxGas: d.getBigInt64(8) };
}

/**
 * Records the block limits (InitChain; the app never changes consensus params afterwards). A zero or
 * absent `max_bytes` stands for CometBFT's default.
 */
export function writeBlockLimits(
  store: KVStore,
  limits: { maxBytes?: bigint; maxGas?: bigint } | undefined,
): void {
  const v = new Uint8Array(16);
  const d = new DataView(v.buffer);
  const maxBytes = limits?.maxBytes && limits.maxBytes > 0n ? limits.maxBytes : DEFAULT_BLOCK_LIMITS.maxBytes;
  d.setBigInt64(0, maxBytes);
  d.setBigInt64(8, limits?.maxGas ?? DEFAULT_BLOCK_LIMITS.maxGas);
  store.set(BLOCK_LIMITS_KEY, v);
}
