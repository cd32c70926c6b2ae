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
