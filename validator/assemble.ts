/**
 * Assembles the full application a validator runs: the core modules (auth, bank, validators, staking,
 * slashing), distribution (its hooks registered with staking), gov and the PoQ module on top, with PoQ's proposal and vote-extension hooks. One place, so that `poq start`,
 * the devnet, the tests and the benchmarks run the same app.
 */
import { createApp, type AppLogger, type PoqApp } from "../app/app.js";
import type { ProposalHooks } from "../app/baseapp/proposal.js";
import { createCoreModules, type CoreModules } from "../app/core-modules.js";
import { BLOCK_REWARDS_MODULE, DISTRIBUTION_MODULE } from "../app/modules/distribution/keys.js";
import { createDistributionModule, type DistributionModule } from "../app/modules/distribution/module.js";
import type { LocalScore } from "../app/modules/poq/extension-planner.js";
import { POQ_MODULE, POQ_POOL_MODULE } from "../app/modules/poq/keys.js";
import { createPoqModule, type PoqModule } from "../app/modules/poq/module.js";
import { createPoqProposalHooks } from "../app/poq-proposal.js";
import { GOV_MODULE } from "../app/modules/gov/keys.js";
import { createGovModule, type GovModule } from "../app/modules/gov/module.js";
import { stakingStakeView } from "../app/modules/gov/stake.js";
import { createConsensusModule, type ConsensusModule } from "../app/modules/consensus/module.js";
import type { Module } from "../app/types.js";
import type { HotPagePolicy } from "../app/store/hot-pages.js";

/** The chain's modules: core, distribution, PoQ, gov and consensus, in genesis order. */
export interface ChainModules {
  core: CoreModules;
  /** Fees and block rewards to validators and delegators; its hooks are registered with staking. */
  distribution: DistributionModule;
  poq: PoqModule;
  gov: GovModule;
  /** `cosmos.consensus.v1.MsgUpdateParams`; after gov, so a passed proposal's update leaves with its block. */
  consensus: ConsensusModule;
}

/** Creates the modules (the PoQ escrow is the `poq` module account). */
export function createChainModules(): ChainModules {
  const core = createCoreModules({
    moduleAccounts: {
      [POQ_MODULE]: [],
      [POQ_POOL_MODULE]: [],
      [GOV_MODULE]: ["burner"],
      [DISTRIBUTION_MODULE]: [],
      [BLOCK_REWARDS_MODULE]: [],
    },
  });
  const distribution = createDistributionModule({
    bank: core.bank.keeper,
    accounts: core.auth.keeper,
    staking: core.staking.keeper,
  });
  core.staking.keeper.addHooks(distribution.hooks);
  const poq = createPoqModule({ bank: core.bank.keeper, validators: core.validators.keeper });
  const gov = createGovModule({ bank: core.bank.keeper, stake: stakingStakeView(core.staking.keeper) });
  return { core, distribution, poq, gov, consensus: createConsensusModule() };
}

/** The modules in the order the app runs them (genesis, block hooks, routes). */
export function chainModuleList(m: ChainModules): Module[] {
  // Distribution after staking (its genesis runs after staking's hooks created its records).
  return [...m.core.modules, m.distribution, m.poq, m.gov, m.consensus];
}

export interface AssembleAppOptions {
  /** Node home: the database is `<home>/data/application.db`. */
  home: string;
  chainId?: string;
  logger?: AppLogger;
  /** Modules made beforehand (when the scorer needs the poq module); default fresh ones. */
  modules?: ChainModules;
  /** This validator's consensus address and its ready scores, for ExtendVote. */
  validatorAddress?: Uint8Array;
  localScores?: () => ReadonlyMap<bigint, LocalScore>;
  /** This validator's beacon secrets by height (validator/beacon-secrets.ts). */
  beaconSecrets?: (height: bigint) => { secret: Uint8Array; previous?: Uint8Array | undefined };
  /** Changes the hooks after they are built (test behaviours such as a forging proposer). */
  wrapHooks?: (hooks: ProposalHooks) => ProposalHooks;
  /**
   * Queries served by a worker thread over its own read-only connection (validator/query-router.ts
   * builds its routes), off the consensus thread. Default true; false answers them on the main thread.
   */
  queryWorker?: boolean;
  /** The store layout a new database gets (`CreateAppOptions.storeLayout`). */
  storeLayout?: number;
  /** Where the store keeps trie page rows (`CreateAppOptions.hotPages`). */
  hotPages?: Readonly<HotPagePolicy>;
}

/**
 * Creates the validator's application over its database in `home`.
 *
 * @example
 * const app = assembleApp({ home: "/tmp/poq/node0", chainId: "poq-devnet-1" });
 */
export function assembleApp(opts: AssembleAppOptions): PoqApp {
  const modules = opts.modules ?? createChainModules();
  const { core, poq, gov } = modules;
  const hooks = createPoqProposalHooks({
    poq,
    ...(opts.validatorAddress ? { validatorAddress: opts.validatorAddress } : {}),
    ...(opts.localScores ? { localScores: opts.localScores } : {}),
    ...(opts.beaconSecrets ? { beaconSecrets: opts.beaconSecrets } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const app = createApp({
    home: opts.home,
    modules: chainModuleList(modules),
    ante: core.ante,
    proposal: opts.wrapHooks ? opts.wrapHooks(hooks) : hooks,
    ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}),
    ...(opts.storeLayout !== undefined ? { storeLayout: opts.storeLayout } : {}),
    ...(opts.hotPages !== undefined ? { hotPages: opts.hotPages } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.queryWorker !== false
      ? { queryWorker: { router: new URL("./query-router.js", import.meta.url) } }
      : {}),
  });
  gov.bindRouter(app.router);
  return app;
}
