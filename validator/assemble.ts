/**
 * Assembles the full application a validator runs: the core modules (auth, bank, validators) and,
 * on top, the PoQ module. One place, so that `poq start`, the devnet and the tests run the same app.
 */
import { createApp, type AppLogger, type PoqApp, type ProposalHooks } from "../app/app.js";
import { createCoreModules } from "../app/core-modules.js";

export interface AssembleAppOptions {
  /** Node home: the database is `<home>/data/application.db`. */
  home: string;
  chainId?: string;
  logger?: AppLogger;
  /** Vote-extension and proposal hooks (the validator's scorer plugs in here). */
  proposal?: ProposalHooks;
}

/**
 * Creates the validator's application over its database in `home`.
 *
 * @example
 * const app = assembleApp({ home: "/tmp/poq/node0", chainId: "poq-devnet-1" });
 */
export function assembleApp(opts: AssembleAppOptions): PoqApp {
  const core = createCoreModules();
  return createApp({
    home: opts.home,
    modules: core.modules,
    ante: core.ante,
    ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.proposal ? { proposal: opts.proposal } : {}),
  });
}
