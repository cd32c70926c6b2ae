/**
 * Staking's error codes (codespace `staking`, the SDK's numbers, never reused). Generic failures
 * (invalid address, insufficient funds) use the root `sdk` codes in app/sdk-errors.ts.
 */
import { registerError } from "../../errors.js";

export const STAKING_CODESPACE = "staking";

const reg = (code: number, description: string) => registerError(STAKING_CODESPACE, code, description);

export const ErrEmptyValidatorAddr = reg(2, "empty validator address");
export const ErrNoValidatorFound = reg(3, "validator does not exist");
export const ErrValidatorOwnerExists = reg(
  4,
  "validator already exist for this operator address; must use new validator operator address",
);
export const ErrValidatorPubKeyExists = reg(
  5,
  "validator already exist for this pubkey; must use new validator pubkey",
);
export const ErrValidatorPubKeyTypeNotSupported = reg(6, "validator pubkey type is not supported");
export const ErrValidatorJailed = reg(7, "validator for this address is currently jailed");
export const ErrCommissionNegative = reg(9, "commission must be positive");
export const ErrCommissionHuge = reg(10, "commission cannot be more than 100%");
export const ErrCommissionGTMaxRate = reg(11, "commission cannot be more than the max rate");
export const ErrCommissionUpdateTime = reg(12, "commission cannot be changed more than once in 24h");
export const ErrCommissionChangeRateNegative = reg(13, "commission change rate must be positive");
export const ErrCommissionChangeRateGTMaxRate = reg(
  14,
  "commission change rate cannot be more than the max rate",
);
export const ErrCommissionGTMaxChangeRate = reg(15, "commission cannot be changed more than max change rate");
export const ErrSelfDelegationBelowMinimum = reg(
  16,
  "validator's self delegation must be greater than their minimum self delegation",
);
export const ErrMinSelfDelegationDecreased = reg(17, "minimum self delegation cannot be decrease");
export const ErrEmptyDelegatorAddr = reg(18, "empty delegator address");
export const ErrNoDelegation = reg(19, "no delegation for (address, validator) tuple");
export const ErrInsufficientShares = reg(22, "insufficient delegation shares");
export const ErrNotEnoughDelegationShares = reg(24, "not enough delegation shares");
export const ErrNoUnbondingDelegation = reg(26, "no unbonding delegation found");
export const ErrMaxUnbondingDelegationEntries = reg(
  27,
  "too many unbonding delegation entries for (delegator, validator) tuple",
);
export const ErrSelfRedelegation = reg(29, "cannot redelegate to the same validator");
export const ErrTinyRedelegationAmount = reg(30, "too few tokens to redelegate (truncates to zero tokens)");
export const ErrBadRedelegationDst = reg(31, "redelegation destination validator not found");
export const ErrTransitiveRedelegation = reg(
  32,
  "redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation",
);
export const ErrMaxRedelegationEntries = reg(
  33,
  "too many redelegation entries for (delegator, src-validator, dst-validator) tuple",
);
export const ErrDelegatorShareExRateInvalid = reg(
  34,
  "cannot delegate to validators with invalid (zero) ex-rate",
);
export const ErrEmptyValidatorPubKey = reg(39, "empty validator public key");
export const ErrCommissionLTMinRate = reg(40, "commission cannot be less than min rate");
