/**
 * What gov reads of stake to tally votes: the bonded validators (tokens and delegator shares) and a
 * voter's delegations. A small seam, so that the tally does not depend on which module keeps stake:
 * {@link validatorsStakeView} implements it over today's fixed validator set (each validator's
 * operator holds all of its stake as one self-delegation); the staking module implements it over
 * real delegations.
 */
import type { Context } from "../../types.js";
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import { BECH32_PREFIX } from "../auth/address.js";
import type { ValidatorsView } from "../validators/keeper.js";
import { validatorOperatorAddress } from "../validators/query.js";
import type { StakingView } from "../staking/hooks.js";
import { DEC_ONE } from "./dec.js";

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

/** Tokens per unit of CometBFT power (the SDK's power reduction). */
const POWER_REDUCTION = 1_000_000n;

/**
 * The stake of today's fixed validator set: tokens = power × 10^6, all of it delegated by the
 * validator's operator account.
 *
 * @example
 * const stake = validatorsStakeView(core.validators.keeper);
 */
export function validatorsStakeView(validators: Pick<ValidatorsView, "list">): GovStakeView {
  const bonded = (ctx: StoreContext): GovValidator[] =>
    validators.list(ctx).map((v) => {
      const tokens = v.power * POWER_REDUCTION;
      return { operator: validatorOperatorAddress(v), tokens, delegatorShares: tokens * DEC_ONE };
    });
  return {
    bondedValidators: bonded,
    delegationsOf(ctx, delegator) {
      const valoper = bech32Encode(BECH32_PREFIX.validator, bech32Decode(delegator).data);
      return bonded(ctx)
        .filter((v) => v.operator === valoper)
        .map((v) => ({ validator: v.operator, shares: v.delegatorShares }));
    },
    totalBonded: (ctx) => bonded(ctx).reduce((s, v) => s + v.tokens, 0n),
  };
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
