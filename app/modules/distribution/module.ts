/**
 * The distribution module: block rewards and fees to validators and delegators (F1), commission,
 * the community pool (see README.md).
 */
import type { Module } from "../../types.js";
import { formatAccountAddress } from "../auth/address.js";
import type { AccountView } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { StakingHooks, StakingView } from "../staking/hooks.js";
import { allocateTokens } from "./allocation.js";
import { exportDistributionGenesis, initDistributionGenesis, parseDistributionGenesis } from "./genesis.js";
import { createDistributionHooks } from "./hooks.js";
import { createDistributionKeeper, type DistributionKeeper } from "./keeper.js";
import { DISTRIBUTION_MODULE } from "./keys.js";
import { createDistributionMsgs } from "./msg-server.js";
import { createDistributionQueries } from "./queries.js";

export interface DistributionModule extends Module {
  readonly keeper: DistributionKeeper;
  /** Register with staking: `core.staking.keeper.addHooks(distribution.hooks)`. */
  readonly hooks: StakingHooks;
}

export interface CreateDistributionModuleOptions {
  bank: BankKeeper;
  accounts: AccountView;
  staking: StakingView;
}

/**
 * Creates the module. List it after bank and staking (its genesis checks the module account's
 * balance, and staking's genesis creates the validators' records through the hooks).
 *
 * @example
 * const distribution = createDistributionModule({ bank, accounts, staking: staking.keeper });
 * staking.keeper.addHooks(distribution.hooks);
 */
export function createDistributionModule(opts: CreateDistributionModuleOptions): DistributionModule {
  const keeper = createDistributionKeeper({ bank: opts.bank });
  const allocateDeps = {
    bank: opts.bank,
    keeper,
    validatorByConsAddr: (ctx: Parameters<typeof opts.staking.validatorByConsAddr>[0], addr: Uint8Array) =>
      opts.staking.validatorByConsAddr(ctx, addr),
  };
  return {
    name: DISTRIBUTION_MODULE,
    keeper,
    hooks: createDistributionHooks(keeper, opts.staking),
    msgs: createDistributionMsgs({ keeper, bank: opts.bank, accounts: opts.accounts, staking: opts.staking }),
    queries: createDistributionQueries(keeper, opts.staking),
    validateGenesis: (raw) => void parseDistributionGenesis(raw),
    initGenesis: (ctx, raw) => initDistributionGenesis(ctx, opts.bank, parseDistributionGenesis(raw)),
    exportGenesis: (ctx) =>
      exportDistributionGenesis(
        ctx,
        [...keeper.store.allWithdrawAddrs(ctx)].map((w) => ({
          delegator: formatAccountAddress(w.delegator),
          withdraw: formatAccountAddress(w.withdraw),
        })),
      ),
    // The SDK allocates from the second block on: the first has no previous commit.
    beginBlock(ctx, block) {
      if (block.height > 1n) allocateTokens(ctx, allocateDeps, block.decidedLastCommit?.votes ?? []);
    },
  };
}
