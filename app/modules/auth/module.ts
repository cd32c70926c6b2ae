/**
 * The auth module: accounts, sequences, public keys, module accounts and the transaction
 * parameters the ante handler enforces (see README.md).
 */
import type { Module } from "../../types.js";
import { exportAuthGenesis, initAuthGenesis, parseAuthGenesis } from "./genesis.js";
import { type AccountKeeper, createAccountKeeper, type CreateAccountKeeperOptions } from "./keeper.js";
import { AUTH_MODULE } from "./keys.js";
import { createAuthQueries } from "./queries.js";

export interface AuthModule extends Module {
  readonly keeper: AccountKeeper;
}

/**
 * Creates the auth module. It has no messages: accounts change through the ante handler
 * (sequence, public key) and the bank (creation on first receipt).
 *
 * @example
 * const auth = createAuthModule({ moduleAccounts: { poq: ["burner"] } });
 * auth.keeper.moduleAddress("poq");
 */
export function createAuthModule(opts: CreateAccountKeeperOptions = {}): AuthModule {
  const keeper = createAccountKeeper(opts);
  return {
    name: AUTH_MODULE,
    keeper,
    msgs: [],
    queries: createAuthQueries(keeper),
    validateGenesis: (raw) => void parseAuthGenesis(raw),
    initGenesis: (ctx, raw) => initAuthGenesis(ctx, keeper, parseAuthGenesis(raw)),
    exportGenesis: (ctx) => exportAuthGenesis(ctx, keeper),
  };
}
