/**
 * Whole-app genesis export: every module's `exportGenesis` over one committed state, and CometBFT's
 * genesis validators for a chain that starts from it (`poq export`, the export/import test).
 *
 * The new chain starts at `initial_height` = the exported height + 1 (heights inside the state are
 * absolute, as in the SDK's exports). Its genesis validators are the set staking last sent to CometBFT
 * (`staking.last_validator_powers`) plus the consensus view's validators no account operates: the set
 * in force from the exported height + 2 on. A change staking sent at the exported height itself
 * therefore takes effect one block early in the new chain (as an SDK export does); the consensus view
 * follows the same two-block timing as before (`staking.pending_validator_updates`).
 */
import type { ValidatorUpdate } from "../abci/application.js";
import type { AppState } from "./genesis.js";
import type { Context, Module } from "./types.js";

/**
 * Every module's exported section, in module order.
 *
 * @example
 * const appState = exportAppState(modules, ctx);
 */
export function exportAppState(modules: readonly Module[], ctx: Context): AppState {
  const out: AppState = {};
  for (const m of modules) {
    const section = m.exportGenesis?.(ctx);
    if (section !== undefined) out[m.name] = section;
  }
  return out;
}

/** One CometBFT genesis validator (base64 ed25519 key). */
export interface ExportedValidator {
  pubKey: string;
  power: bigint;
  name: string;
}

interface StakingSection {
  validators?: {
    operator_address: string;
    consensus_pubkey: { key: string };
    description: { moniker: string };
  }[];
  last_validator_powers?: { address: string; power: string }[];
}

interface ValidatorsSection {
  validators?: { pub_key: string; operator: string; moniker: string; power?: string }[];
}

/**
 * CometBFT's genesis validators for an exported `app_state` (see the file comment), bonded ones in
 * `last_validator_powers` order, then the unmanaged ones in the view's order.
 *
 * @example
 * const validators = genesisValidatorsOf(appState);
 */
export function genesisValidatorsOf(appState: AppState): ExportedValidator[] {
  const staking = (appState["staking"] ?? {}) as StakingSection;
  const view = (appState["validators"] ?? {}) as ValidatorsSection;
  const byOperator = new Map((staking.validators ?? []).map((v) => [v.operator_address, v]));
  const out: ExportedValidator[] = [];
  for (const l of staking.last_validator_powers ?? []) {
    const v = byOperator.get(l.address);
    if (!v) throw new Error(`staking.last_validator_powers names ${l.address}, which is not a validator`);
    out.push({ pubKey: v.consensus_pubkey.key, power: BigInt(l.power), name: v.description.moniker });
  }
  for (const v of view.validators ?? [])
    if (v.operator === "" && v.power !== undefined)
      out.push({ pubKey: v.pub_key, power: BigInt(v.power), name: v.moniker });
  return out;
}

/** The same validators as InitChain receives them. */
export function genesisValidatorUpdates(validators: readonly ExportedValidator[]): ValidatorUpdate[] {
  return validators.map((v) => ({
    pubKeyEd25519: Uint8Array.from(Buffer.from(v.pubKey, "base64")),
    power: v.power,
  }));
}
