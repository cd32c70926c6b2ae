/**
 * The chain's core modules wired together: auth, bank, validators and staking, and the ante handler bound
 * to the auth and bank keepers. The PoQ module is added on top by whoever assembles the full app:
 *
 * ```ts
 * const core = createCoreModules();
 * const poq = createPoqModule({ bank: core.bank.keeper, validators: core.validators.keeper, ... });
 * const app = createApp({ home, modules: [...core.modules, poq], ante: core.ante });
 * ```
 */
import type { AnteHandler } from "./baseapp/tx-runner.js";
import { createAuthModule, type AuthModule } from "./modules/auth/module.js";
import type { CreateAccountKeeperOptions } from "./modules/auth/keeper.js";
import { createBankModule, type BankModule } from "./modules/bank/module.js";
import {
  createStakingModule,
  STAKING_MODULE_ACCOUNTS,
  type StakingModule,
} from "./modules/staking/module.js";
import { createSlashingModule, type SlashingModule } from "./modules/slashing/module.js";
import { createValidatorsModule, type ValidatorsModule } from "./modules/validators/module.js";
import type { Module } from "./types.js";
import { runAnte } from "./tx/ante.js";

export interface CoreModules {
  auth: AuthModule;
  bank: BankModule;
  validators: ValidatorsModule;
  /** Bonded stake: the live validator set (writes CometBFT's set into `validators`). */
  staking: StakingModule;
  /** Downtime and double-sign penalties, MsgUnjail. */
  slashing: SlashingModule;
  /** `[auth, bank, validators, staking, slashing]`: genesis runs in this order (accounts before balances, the consensus set before stake). */
  modules: Module[];
  /** The SDK-order ante handler (fee, sequence, signatures) over these keepers. */
  ante: AnteHandler;
}

/**
 * Creates auth, bank and validators and the ante handler that ties them together.
 *
 * @example
 * const core = createCoreModules({ moduleAccounts: { poq: ["burner"] } });
 * const app = createApp({ dbPath, modules: core.modules, ante: core.ante });
 */
export function createCoreModules(authOptions: CreateAccountKeeperOptions = {}): CoreModules {
  const auth = createAuthModule({
    ...authOptions,
    moduleAccounts: { ...STAKING_MODULE_ACCOUNTS, ...authOptions.moduleAccounts },
  });
  const bank = createBankModule({ accounts: auth.keeper });
  const validators = createValidatorsModule();
  const staking = createStakingModule({ bank: bank.keeper, validators: validators.keeper });
  const slashing = createSlashingModule({ staking: staking.keeper });
  const ante: AnteHandler = (ctx, tx, opts) =>
    runAnte(ctx, tx, {
      simulate: opts.simulate,
      accounts: auth.keeper,
      bank: bank.keeper,
      ...(opts.sigCache ? { sigCache: opts.sigCache } : {}),
    });
  return {
    auth,
    bank,
    validators,
    staking,
    slashing,
    modules: [auth, bank, validators, staking, slashing],
    ante,
  };
}
