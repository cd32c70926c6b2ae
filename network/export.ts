/**
 * `poq export`: a node's committed state as a CometBFT genesis for a new chain (the SDK's `export`).
 *
 * Reads `<home>/data/application.db` through a read-only SQLite connection, in one read transaction
 * (a running node keeps committing; the export is the state of one height), and writes:
 *
 * - `app_state`: every module's exported section (`app/export.ts`), checked with the app's own genesis
 *   validation before it is returned;
 * - `initial_height`: the exported height + 1;
 * - `validators`: staking's bonded set and the consensus view's validators without an operator;
 * - `consensus_params`: the home's genesis ones with the block limits the chain has now (a governance
 *   change of `max_bytes`/`max_gas` is kept; CometBFT keeps evidence and validator params, which the
 *   app does not store, so those come from the old genesis file);
 * - `chain_id`: the chain's own unless another is given; `genesis_time`: the one given, else now.
 *
 * The vote-extension enable height stays the old one (the app records it, and the consensus module
 * refuses to move it): the new chain's first block has no last commit, which the PoQ app takes as
 * nothing to inject (`injectionRequired`), so the genesis state is the exported one entry for entry.
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { BaseError } from "../app/errors.js";
import { createContext } from "../app/context.js";
import { exportAppState, genesisValidatorsOf } from "../app/export.js";
import { validateAppState } from "../app/genesis.js";
import { readBlockLimits, readChainId } from "../app/baseapp/chain-meta.js";
import { LayeredStore } from "../app/store/layered.js";
import { QueryReader } from "../app/store/query-reader.js";
import { consensusAddress } from "../app/modules/validators/keeper.js";
import { createChainModules } from "../validator/assemble.js";
import type { Module } from "../app/types.js";
import { applyGenesisPatch, genesisPath, readGenesis, type CometGenesis } from "./comet-genesis.js";

export class ExportError extends BaseError {
  override name = "ExportError" as const;
}

export interface ExportOptions {
  /** The node's home (`config/genesis.json`, `data/application.db`). */
  home: string;
  /** Chain id of the new chain (default: the exported chain's). */
  chainId?: string;
  /** Genesis time of the new chain, RFC 3339 (default: now). */
  genesisTime?: string;
}

export interface ExportResult {
  genesis: CometGenesis;
  /** The exported height (the new chain starts at the next). */
  height: bigint;
}

/**
 * Exports the committed state of the node in `home` (see the file comment).
 *
 * @example
 * const { genesis, height } = exportNodeGenesis({ home: "/tmp/poq" });
 */
export function exportNodeGenesis(opts: ExportOptions): ExportResult {
  const dbPath = join(opts.home, "data", "application.db");
  if (!existsSync(genesisPath(opts.home)) || !existsSync(dbPath))
    throw new ExportError(`${opts.home} holds no node`, {
      details: `need ${genesisPath(opts.home)} and ${dbPath} (for a devnet, name one node's home: --home <devnet>/node0)`,
    });
  const old = readGenesis(opts.home);
  const modules = createChainModules();
  const list: Module[] = [
    ...modules.core.modules,
    modules.distribution,
    modules.poq,
    modules.gov,
    modules.consensus,
  ];
  const reader = QueryReader.open(dbPath);
  try {
    return reader.read((snapshot) => {
      if (snapshot.height === 0n)
        throw new ExportError(`${opts.home} has no committed block yet`, {
          details: "export a node that has run at least one block",
        });
      const store = new LayeredStore(snapshot);
      const chainId = readChainId(store) ?? old.chain_id;
      const ctx = createContext({ store, chainId, blockHeight: snapshot.height, blockTimeNanos: 0n });
      const appState = JSON.parse(JSON.stringify(exportAppState(list, ctx))) as Record<string, unknown>;
      validateAppState(list, appState);
      const limits = readBlockLimits(store);
      const validators = genesisValidatorsOf(appState);
      const genesis = applyGenesisPatch(old, {
        chainId: opts.chainId ?? chainId,
        genesisTime: opts.genesisTime ?? new Date(),
        initialHeight: snapshot.height + 1n,
        block: { maxBytes: limits.maxBytes, maxGas: limits.maxGas },
        appState,
      });
      genesis.app_hash = "";
      genesis.validators = validators.map((v) => ({
        address: Buffer.from(consensusAddress(Buffer.from(v.pubKey, "base64")))
          .toString("hex")
          .toUpperCase(),
        pub_key: { type: "tendermint/PubKeyEd25519", value: v.pubKey },
        power: v.power.toString(),
        name: v.name,
      }));
      return { genesis, height: snapshot.height };
    });
  } finally {
    reader.close();
  }
}
