/**
 * Reads and edits CometBFT's `genesis.json`: chain id, genesis time, initial height, consensus params
 * (vote extensions in particular) and the application's `app_state`.
 *
 * Genesis JSON writes 64-bit integers as strings ("22020096"); that convention is kept.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The genesis fields this project reads; the rest of the file is kept as it is. */
export interface CometGenesis {
  genesis_time: string;
  chain_id: string;
  initial_height: string;
  consensus_params: {
    block: { max_bytes: string; max_gas: string };
    evidence: Record<string, string>;
    validator: { pub_key_types: string[] };
    version: { app: string };
    abci: { vote_extensions_enable_height: string };
  };
  validators: GenesisValidator[];
  app_hash: string;
  app_state?: unknown;
}

export interface GenesisValidator {
  /** Upper-case hex of the first 20 bytes of sha256(pubkey). */
  address: string;
  pub_key: { type: string; value: string };
  power: string;
  name: string;
}

/** What to change; absent fields are left as they are. */
export interface GenesisPatch {
  chainId?: string;
  /** A Date, or an RFC 3339 string such as "2024-01-01T00:00:00Z". */
  genesisTime?: Date | string;
  initialHeight?: bigint | number;
  /** First height whose precommits carry vote extensions; 0 disables them. */
  voteExtensionsEnableHeight?: bigint | number;
  /** Block limits: `maxGas` -1 means unlimited. */
  block?: { maxBytes?: bigint | number; maxGas?: bigint | number };
  /** Any JSON value; it reaches the app as InitChain's `app_state_bytes`. */
  appState?: unknown;
}

/** The path of a home's genesis.json. */
export function genesisPath(home: string): string {
  return join(home, "config", "genesis.json");
}

/**
 * Reads `<home>/config/genesis.json`.
 *
 * @example
 * readGenesis("/tmp/node0").validators[0]?.pub_key.value; // base64 ed25519 key
 */
export function readGenesis(home: string): CometGenesis {
  return JSON.parse(readFileSync(genesisPath(home), "utf8")) as CometGenesis;
}

/**
 * Returns a copy of `genesis` with `patch` applied (the input is not changed).
 *
 * @example
 * applyGenesisPatch(genesis, { chainId: "poq-devnet-1", voteExtensionsEnableHeight: 1, appState: {} });
 */
export function applyGenesisPatch(genesis: CometGenesis, patch: GenesisPatch): CometGenesis {
  const out = structuredClone(genesis);
  if (patch.chainId !== undefined) out.chain_id = patch.chainId;
  if (patch.genesisTime !== undefined) {
    out.genesis_time =
      typeof patch.genesisTime === "string" ? patch.genesisTime : patch.genesisTime.toISOString();
  }
  if (patch.initialHeight !== undefined) out.initial_height = String(patch.initialHeight);
  if (patch.voteExtensionsEnableHeight !== undefined) {
    out.consensus_params.abci = { vote_extensions_enable_height: String(patch.voteExtensionsEnableHeight) };
  }
  if (patch.block?.maxBytes !== undefined)
    out.consensus_params.block.max_bytes = String(patch.block.maxBytes);
  if (patch.block?.maxGas !== undefined) out.consensus_params.block.max_gas = String(patch.block.maxGas);
  if (patch.appState !== undefined) out.app_state = patch.appState;
  return out;
}

/**
 * Serializes a genesis the way every node of a network must see it: the same bytes on all nodes.
 *
 * @example
 * writeGenesis("/tmp/node0", genesis);
 */
export function writeGenesis(home: string, genesis: CometGenesis): void {
  writeFileSync(genesisPath(home), JSON.stringify(genesis, null, 2) + "\n");
}
