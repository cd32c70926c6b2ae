/**
 * Distribution's side of staking's hooks (`StakingHooks`): F1 bookkeeping at the moments the SDK
 * does it. Staking guarantees (STAKING-API.md) that in `before*` hooks the validator's tokens and
 * shares are still the old ones, and in `afterDelegationModified` the new ones.
 */
import type { Context } from "../../types.js";
import type { StakingHooks, StakingView } from "../staking/hooks.js";
import type { DistributionKeeper } from "./keeper.js";

/**
 * Creates the hooks over the keeper and staking's read API.
 *
 * @example
 * core.staking.keeper.addHooks(createDistributionHooks(keeper, core.staking.keeper));
 */
export function createDistributionHooks(keeper: DistributionKeeper, staking: StakingView): StakingHooks {
  const validator = (ctx: Context, valoper: string) => {
    const v = staking.validator(ctx, valoper);
    if (!v) throw new Error(`distribution hook: staking has no validator ${valoper}`);
    return v;
  };
  return {
    afterValidatorCreated: (ctx, valoper) => keeper.initializeValidator(ctx, valoper),
    // A new delegation changes the validator's tokens: end the period so far at the old stake.
    beforeDelegationCreated: (ctx, _delegator, valoper) =>
      void keeper.incrementValidatorPeriod(ctx, validator(ctx, valoper)),
    // Shares change: pay what the old stake earned (this also ends the period and the accrual).
    beforeDelegationSharesModified(ctx, delegator, valoper) {
      const del = staking.delegation(ctx, delegator, valoper);
      if (!del) return;
      keeper.withdrawDelegationRewards(ctx, validator(ctx, valoper), delegator, del.shares);
    },
    afterDelegationModified(ctx, delegator, valoper) {
      const del = staking.delegation(ctx, delegator, valoper);
      if (!del) return;
      keeper.initializeDelegation(ctx, validator(ctx, valoper), delegator, del.shares);
    },
    beforeValidatorSlashed: (ctx, valoper, fraction) =>
      keeper.recordSlash(ctx, validator(ctx, valoper), fraction),
    afterValidatorRemoved: (ctx, _consensusAddress, valoper) => keeper.removeValidator(ctx, valoper),
  };
}
