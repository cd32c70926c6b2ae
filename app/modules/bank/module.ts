/**
 * The bank module: balances, supply, MsgSend, and the keeper other modules move coins with
 * (see README.md).
 */
import type { Module } from "../../types.js";
import type { AccountKeeper } from "../auth/keeper.js";
import { exportBankGenesis, initBankGenesis, parseBankGenesis } from "./genesis.js";
import { type BankKeeper, createBankKeeper } from "./keeper.js";
import { BANK_MODULE } from "./keys.js";
import { createMsgSendDescriptor } from "./msg-server.js";
import { createBankQueries } from "./queries.js";

export interface BankModule extends Module {
  readonly keeper: BankKeeper;
}

export interface CreateBankModuleOptions {
  /** The auth module's keeper (accounts are created on first receipt). */
  accounts: AccountKeeper;
}

/**
 * Creates the bank module. Its genesis runs after auth's (list auth first in the app's modules).
 *
 * @example
 * const auth = createAuthModule({ moduleAccounts: { poq: ["burner"] } });
 * const bank = createBankModule({ accounts: auth.keeper });
 */
export function createBankModule(opts: CreateBankModuleOptions): BankModule {
  const keeper = createBankKeeper({ accounts: opts.accounts });
  return {
    name: BANK_MODULE,
    keeper,
    msgs: [createMsgSendDescriptor({ bank: keeper, accounts: opts.accounts })],
    queries: createBankQueries(keeper),
    validateGenesis: (raw) => void parseBankGenesis(raw),
    initGenesis: (ctx, raw) => initBankGenesis(ctx, keeper, opts.accounts, parseBankGenesis(raw)),
    exportGenesis: (ctx) => exportBankGenesis(ctx, keeper),
  };
}
