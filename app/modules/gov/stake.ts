/**
 * What gov reads of stake to tally votes: the bonded validators (tokens and delegator shares) and a
 * voter's delegations. A small seam, so that the tally does not depend on which module keeps stake:
 * {@link stakingStakeView} implements it over the staking module's bonded validators and delegations.
 */
import type { Context } from "../../types.js";
import type { StakingView } from "../staking/hooks.js";

type StoreContext = Pick<Context, "store">;

export interface GovValidator {
  /** `poqvaloper...`; its bytes are the operator account's, so a vote by that account is the validator's. */
  operator: string;
  /** Bonded tokens. */
  tokens: bigint;
  /** Delegator shares, LegacyDec raw (× 10^18). */
  delegatorShares: bigint;
}

export interface GovDelegation {
  /** `poqvaloper...` */
  validator: string;
  /** Shares, LegacyDec raw (× 10^18). */
  shares: bigint;
}

export interface GovStakeView {
  /** Bonded validators, in a deterministic order (the tally's result does not depend on it). */
  bondedValidators(ctx: StoreContext): GovValidator[];
  /** The delegations of an account (`poq1...`), any order. */
  delegationsOf(ctx: StoreContext, delegator: string): GovDelegation[];
  /** Total bonded tokens (the quorum's denominator). */
  totalBonded(ctx: StoreContext): bigint;
}

/**
 * The staking module's stake (`StakingView`, app/modules/staking/hooks.ts): its bonded validators and
 * real delegations.
 *
 * @example
 * const stake = stakingStakeView(core.staking.keeper);
 */
export function stakingStakeView(
  staking: Pick<StakingView, "bondedValidators" | "delegationsOf" | "totalBonded">,
): GovStakeView {
  return {
    bondedValidators: (ctx) =>
      staking.bondedValidators(ctx).map((v) => ({
        operator: v.operatorAddress,
        tokens: v.tokens,
        delegatorShares: v.delegatorShares,
      })),
    delegationsOf: (ctx, delegator) =>
      staking.delegationsOf(ctx, delegator).map((d) => ({ validator: d.validatorAddress, shares: d.shares })),
    totalBonded: (ctx) => staking.totalBonded(ctx),
  };
}
