/**
 * The validators module: the consensus validator set and its operator accounts (see README.md).
 */
import type { Module } from "../../types.js";
import { initValidatorsGenesis, parseValidatorsGenesis } from "./genesis.js";
import { createValidatorsKeeper, type ValidatorsKeeper } from "./keeper.js";
import { VALIDATORS_MODULE } from "./keys.js";

/** The module and its keeper (other modules take the keeper as a `ValidatorsView`). */
export interface ValidatorsModule extends Module {
  readonly keeper: ValidatorsKeeper;
}

/**
 * Creates the validators module.
 *
 * @example
 * const validators = createValidatorsModule();
 * const app = createApp({ dbPath, modules: [auth, bank, validators] });
 */
export function createValidatorsModule(): ValidatorsModule {
  const keeper = createValidatorsKeeper();
  return {
    name: VALIDATORS_MODULE,
    keeper,
    msgs: [],
    // The staking query paths are the staking module's; this module answers none of its own.
    queries: {},
    validateGenesis: (raw) => void parseValidatorsGenesis(raw),
    initGenesis: (ctx, raw, chain) => initValidatorsGenesis(keeper, ctx, raw, chain),
    // The view as it is (see genesis.ts): powers, and the validators no account operates.
    exportGenesis: (ctx) => ({
      validators: keeper.list(ctx).map((v) => ({
        pub_key: Buffer.from(v.pubKey).toString("base64"),
        operator: v.operator,
        moniker: v.moniker,
        power: v.power.toString(),
      })),
    }),
  };
}
