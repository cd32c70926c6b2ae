/**
 * The staking module's seams with other modules, modelled on the Cosmos SDK's `StakingHooks` and
 * the read side of its staking keeper (see /work/coord/STAKING-API.md and README.md).
 *
 * - {@link StakingHooks}: what staking calls while it changes validators and delegations. The
 *   distribution module implements them (F1 rewards), slashing needs none.
 * - {@link StakingView}: what other modules may read (gov tallies with it, distribution allocates
 *   and computes rewards with it). Every list is in a fixed, documented order.
 *
 * Amounts are `bigint` integers of the bond denom (`upoq`); shares, rates and fractions are the
 * SDK's `LegacyDec` as a `bigint` scaled by {@link DEC_SCALE} (10^18): no floats anywhere.
 */
import type { Context } from "../../types.js";

/** 10^18: a `LegacyDec` `d` is held as the integer `d × 10^18` (the SDK's precision). */
export const DEC_SCALE = 10n ** 18n;

/** Tokens per unit of CometBFT voting power (the SDK's `DefaultPowerReduction`). */
export const POWER_REDUCTION = 1_000_000n;

/** `cosmos.staking.v1beta1.BondStatus` names, as the REST and query shapes spell them. */
export type BondStatusName = "BOND_STATUS_UNBONDED" | "BOND_STATUS_UNBONDING" | "BOND_STATUS_BONDED";

/** A validator in the staking module's state (the SDK's `Validator`, with bigint amounts). */
export interface StakingValidator {
  /** `poqvaloper1...`: the operator account's 20 bytes under the validator prefix. */
  operatorAddress: string;
  /** The operator's account (`poq1...`, same bytes): where self-delegation and commission go. */
  operatorAccount: string;
  /** ed25519 consensus public key, 32 bytes. */
  consensusPubKey: Uint8Array;
  /** First 20 bytes of sha256(consensusPubKey), as CometBFT addresses validators. */
  consensusAddress: Uint8Array;
  jailed: boolean;
  status: BondStatusName;
  /** Bonded (or unbonding) tokens, upoq. */
  tokens: bigint;
  /** Total delegator shares, LegacyDec × 10^18. */
  delegatorShares: bigint;
  description: {
    moniker: string;
    identity: string;
    website: string;
    securityContact: string;
    details: string;
  };
  /** Height at which it started unbonding (0 when bonded or never bonded). */
  unbondingHeight: bigint;
  /** Block time (ns) at which its unbonding completes (0 when not unbonding). */
  unbondingTimeNanos: bigint;
  /** Commission rates, LegacyDec × 10^18 (0.1 is 10^17). */
  commission: { rate: bigint; maxRate: bigint; maxChangeRate: bigint; updateTimeNanos: bigint };
  minSelfDelegation: bigint;
}

/** A delegation: `shares` (LegacyDec × 10^18) of one validator held by one account. */
export interface StakingDelegation {
  /** `poq1...` */
  delegatorAddress: string;
  /** `poqvaloper1...` */
  validatorAddress: string;
  shares: bigint;
}

/** The staking params (`cosmos.staking.v1beta1.Params`). */
export interface StakingParams {
  /** Unbonding period, nanoseconds. */
  unbondingTimeNanos: bigint;
  maxValidators: number;
  maxEntries: number;
  historicalEntries: number;
  bondDenom: string;
  /** LegacyDec × 10^18. */
  minCommissionRate: bigint;
}

type StoreContext = Pick<Context, "store">;

/**
 * Read access to staking state for other modules. Reads the state of `ctx` (so inside a block it
 * sees the block's own writes). Deterministic: the same state gives the same lists in the same order.
 */
export interface StakingView {
  params(ctx: StoreContext): StakingParams;
  /** `params(ctx).bondDenom` (`upoq`). */
  bondDenom(ctx: StoreContext): string;
  /** The validator with this `poqvaloper1...` address, or undefined. */
  validator(ctx: StoreContext, operatorAddress: string): StakingValidator | undefined;
  /** The validator with this consensus address (20 bytes), or undefined. */
  validatorByConsAddr(ctx: StoreContext, consensusAddress: Uint8Array): StakingValidator | undefined;
  /**
   * Validators with status BONDED: the set this module last sent to CometBFT, in power-index order
   * (power = tokens / 10^6 descending, then operator address bytes ascending). Jailed ones are never here.
   */
  bondedValidators(ctx: StoreContext): StakingValidator[];
  /** Every validator, any status, ascending by operator address bytes. */
  allValidators(ctx: StoreContext): StakingValidator[];
  /** Sum of the tokens of the bonded validators (= the bonded pool's balance), upoq. */
  totalBonded(ctx: StoreContext): bigint;
  delegation(ctx: StoreContext, delegator: string, operatorAddress: string): StakingDelegation | undefined;
  /** The account's delegations, ascending by validator operator address bytes. */
  delegationsOf(ctx: StoreContext, delegator: string): StakingDelegation[];
  /** A validator's delegations, ascending by delegator address bytes. */
  validatorDelegations(ctx: StoreContext, operatorAddress: string): StakingDelegation[];
}

/**
 * Hooks staking calls, in the SDK's places, with the context of the message or block being run
 * (a hook that throws fails that transaction; in a block hook it halts the chain, so don't).
 * Several implementations may be registered (`StakingKeeper.addHooks`); they run in registration order.
 * Addresses are bech32 strings: `valoper` is `poqvaloper1...`, `delegator` is `poq1...`.
 */
export interface StakingHooks {
  /** After a MsgCreateValidator stored the validator (before its self-delegation). */
  afterValidatorCreated?(ctx: Context, valoper: string): void;
  /**
   * After a validator with no delegations left, unbonded, was deleted (its record is gone; the
   * consensus address is passed for modules keyed by it).
   */
  afterValidatorRemoved?(ctx: Context, consensusAddress: Uint8Array, valoper: string): void;
  /** Before a new delegation (delegator, valoper) is stored (none existed). */
  beforeDelegationCreated?(ctx: Context, delegator: string, valoper: string): void;
  /** Before the shares of an existing delegation change (delegate more, undelegate, redelegate). */
  beforeDelegationSharesModified?(ctx: Context, delegator: string, valoper: string): void;
  /** Before a delegation whose shares fell to zero is deleted (after beforeDelegationSharesModified). */
  beforeDelegationRemoved?(ctx: Context, delegator: string, valoper: string): void;
  /** After a delegation was created or its shares changed (it is stored with its new shares). */
  afterDelegationModified?(ctx: Context, delegator: string, valoper: string): void;
  /**
   * Before a validator's tokens are cut by `fraction` (LegacyDec × 10^18, e.g. 5 × 10^16 for 5%)
   * for an infraction (double sign or downtime). Tokens and shares are still the old ones.
   */
  beforeValidatorSlashed?(ctx: Context, valoper: string, fraction: bigint): void;
}
