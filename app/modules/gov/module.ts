/**
 * The gov module (`cosmos.gov.v1`, SDK v0.50 rules; see README.md): proposals whose messages the gov
 * module account executes when a stake-weighted vote passes.
 */
import type { Module } from "../../types.js";
import type { BankKeeper } from "../bank/keeper.js";
import { exportGovGenesis, initGovGenesis, parseGovGenesis } from "./genesis.js";
import { createGovKeeper, type GovKeeper } from "./keeper.js";
import { GOV_MODULE } from "./keys.js";
import { createGovMsgs } from "./msg-server.js";
import { govEndBlock, type GovDeps, type GovMsgRouter } from "./proposals.js";
import { createGovQueries } from "./queries.js";
import type { GovStakeView } from "./stake.js";

export interface GovModule extends Module {
  readonly keeper: GovKeeper;
  /**
   * Gives gov the app's message router (after `createApp`): proposals are checked against it at
   * submission and their messages run through it at the end of voting.
   */
  bindRouter(router: GovMsgRouter): void;
}

export interface CreateGovModuleOptions {
  bank: GovDeps["bank"] & Pick<BankKeeper, "getBalance">;
  stake: GovStakeView;
}

/**
 * Creates the gov module. Its module account (`gov`, permission `burner`) must be registered with
 * auth; call `bindRouter(app.router)` once the app exists.
 *
 * @example
 * const gov = createGovModule({ bank: core.bank.keeper, stake: stakingStakeView(core.staking.keeper) });
 * const app = createApp({ ..., modules: [...core.modules, poq, gov] });
 * gov.bindRouter(app.router);
 */
export function createGovModule(opts: CreateGovModuleOptions): GovModule {
  const keeper = createGovKeeper();
  let router: GovMsgRouter | undefined;
  const deps: GovDeps = {
    keeper,
    bank: opts.bank,
    stake: opts.stake,
    router: () => {
      if (!router) throw new Error("gov: bindRouter was not called");
      return router;
    },
  };
  return {
    name: GOV_MODULE,
    keeper,
    bindRouter(r) {
      router = r;
    },
    msgs: createGovMsgs(deps),
    queries: createGovQueries(keeper, opts.stake),
    validateGenesis: (raw) => void parseGovGenesis(raw),
    initGenesis: (ctx, raw) => initGovGenesis(ctx, keeper, parseGovGenesis(raw), opts.bank),
    exportGenesis: (ctx) => exportGovGenesis(ctx, keeper),
    endBlock: (ctx) => govEndBlock(ctx, deps),
  };
}
