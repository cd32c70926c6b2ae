/**
 * What the base app itself keeps in state: the chain id (under `baseapp/chain_id`), so that a
 * restarted app knows which chain its database belongs to.
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
