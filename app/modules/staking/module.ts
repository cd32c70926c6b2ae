/**
 * The staking module (see README.md): validators join and leave by stake, delegations, unbonding,
 * redelegation, and the `validator_updates` that make CometBFT follow the bonded set.
 */
import type { ValidatorUpdate } from "../../../abci/application.js";
import type { Context, Module } from "../../types.js";
import { moduleAddress } from "../auth/address.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { ValidatorsKeeper } from "../validators/keeper.js";
import { exportStakingGenesis, initStakingGenesis, parseStakingGenesis } from "./genesis.js";
import type { StakingHooks, StakingParams, StakingView } from "./hooks.js";
import { combineHooks, setJailed, slash, type StakingCore } from "./keeper.js";
import { BONDED_POOL, delegationsByValidatorPrefix, delegationsOfPrefix, STAKING_MODULE } from "./keys.js";
import { createStakingMsgs } from "./msg-server.js";
import { createStakingQueries } from "./queries.js";
import {
  accountBytes,
  readAllValidators,
  readDelegation,
  readParams,
  readValidator,
  readValidatorByCons,
  valoperBytes,
  writeParams,
  type StoreContext,
} from "./records.js";
import { byPowerIndex, stakingEndBlock } from "./validator-set.js";

/** The staking keeper other modules get: the read API, hook registration, and what slashing calls. */
export interface StakingKeeper extends StakingView {
  /** Registers hooks; call once per implementation when the app is assembled, before InitChain. */
  addHooks(hooks: StakingHooks): void;
  setParams(ctx: StoreContext, params: StakingParams): void;
  /** Slashes `fraction` (dec × 10^18) of the stake the validator had at `infractionHeight` with `power`; returns tokens burned. */
  slash(
    ctx: Context,
    consensusAddress: Uint8Array,
    infractionHeight: bigint,
    power: bigint,
    fraction: bigint,
  ): bigint;
  jail(ctx: Context, consensusAddress: Uint8Array): void;
  unjail(ctx: Context, consensusAddress: Uint8Array): void;
}

export interface StakingModule extends Module {
  readonly keeper: StakingKeeper;
}

export interface CreateStakingModuleOptions {
  bank: BankKeeper;
  /** The consensus view (`validators` module): staking writes CometBFT's set into it, two blocks late. */
  validators: ValidatorsKeeper;
}

/** Module accounts staking needs, with the SDK's permissions (for `createAuthModule`). */
export const STAKING_MODULE_ACCOUNTS = {
  bonded_tokens_pool: ["burner", "staking"],
  not_bonded_tokens_pool: ["burner", "staking"],
} as const;

/**
 * Creates the staking module.
 *
 * @example
 * const staking = createStakingModule({ bank: bank.keeper, validators: validators.keeper });
 * staking.keeper.addHooks(distribution.hooks);
 */
export function createStakingModule(opts: CreateStakingModuleOptions): StakingModule {
  const registered: StakingHooks[] = [];
  const core: StakingCore = { bank: opts.bank, hooks: combineHooks(registered) };
  const keeper: StakingKeeper = {
    addHooks: (h) => void registered.push(h),
    params: readParams,
    bondDenom: (ctx) => readParams(ctx).bondDenom,
    setParams: writeParams,
    validator: (ctx, address) => {
      const b = valoperBytes(address);
      return b ? readValidator(ctx, b) : undefined;
    },
    validatorByConsAddr: readValidatorByCons,
    bondedValidators: (ctx) =>
      readAllValidators(ctx)
        .filter((v) => v.status === "BOND_STATUS_BONDED" && !v.jailed)
        .sort(byPowerIndex),
    allValidators: readAllValidators,
    totalBonded: (ctx) =>
      opts.bank.getBalance(ctx, moduleAddress(BONDED_POOL), readParams(ctx).bondDenom).amount,
    delegation: (ctx, delegator, valoper) => {
      const d = accountBytes(delegator);
      const v = valoperBytes(valoper);
      return d && v ? readDelegation(ctx, d, v) : undefined;
    },
    delegationsOf: (ctx, delegator) => {
      const d = accountBytes(delegator);
      if (!d) return [];
      const prefix = delegationsOfPrefix(d);
      return [...ctx.store.iterate(prefix)].flatMap(([k]) => {
        const found = readDelegation(ctx, d, k.subarray(prefix.length));
        return found ? [found] : [];
      });
    },
    validatorDelegations: (ctx, valoper) => {
      const v = valoperBytes(valoper);
      if (!v) return [];
      const prefix = delegationsByValidatorPrefix(v);
      return [...ctx.store.iterate(prefix)].flatMap(([k]) => {
        const found = readDelegation(ctx, k.subarray(prefix.length), v);
        return found ? [found] : [];
      });
    },
    slash: (ctx, cons, height, power, fraction) => slash(core, ctx, cons, height, power, fraction),
    jail: (ctx, cons) => setJailed(ctx, cons, true),
    unjail: (ctx, cons) => setJailed(ctx, cons, false),
  };
  return {
    name: STAKING_MODULE,
    keeper,
    msgs: createStakingMsgs({ core, view: opts.validators }),
    queries: createStakingQueries(keeper, opts.bank),
    validateGenesis: (raw) => void parseStakingGenesis(raw),
    initGenesis: (ctx, raw, chain) => initStakingGenesis(core, opts.bank, opts.validators, ctx, raw, chain),
    exportGenesis: exportStakingGenesis,
    endBlock: (ctx): { validatorUpdates: ValidatorUpdate[] } => ({
      validatorUpdates: stakingEndBlock(core, ctx, opts.validators),
    }),
  };
}
