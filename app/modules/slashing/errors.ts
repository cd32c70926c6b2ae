/**
 * Slashing's error codes (codespace `slashing`, the SDK's numbers, never reused).
 */
import { registerError } from "../../errors.js";

export const SLASHING_CODESPACE = "slashing";

export const ErrNoValidatorForAddress = registerError(
  SLASHING_CODESPACE,
  2,
  "address is not associated with any known validator",
);
export const ErrBadValidatorAddr = registerError(
  SLASHING_CODESPACE,
  3,
  "validator does not exist for that address",
);
export const ErrValidatorJailed = registerError(
  SLASHING_CODESPACE,
  4,
  "validator still jailed; cannot be unjailed",
);
export const ErrValidatorNotJailed = registerError(
  SLASHING_CODESPACE,
  5,
  "validator not jailed; cannot be unjailed",
);
export const ErrMissingSelfDelegation = registerError(
  SLASHING_CODESPACE,
  6,
  "validator has no self-delegation; cannot be unjailed",
);
export const ErrSelfDelegationTooLowToUnjail = registerError(
  SLASHING_CODESPACE,
  7,
  "validator's self delegation less than minimum; cannot be unjailed",
);
export const ErrNoSigningInfoFound = registerError(SLASHING_CODESPACE, 8, "no validator signing info found");
