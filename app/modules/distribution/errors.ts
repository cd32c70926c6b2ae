/**
 * Distribution's error codes (codespace `distribution`, the SDK v0.50 numbers). Generic failures
 * (bad addresses, insufficient funds) use the root `sdk` codes in app/sdk-errors.ts.
 */
import { registerError } from "../../errors.js";

export const DISTRIBUTION_CODESPACE = "distribution";

export const ErrEmptyDelegatorAddr = registerError(DISTRIBUTION_CODESPACE, 2, "delegator address is empty");
export const ErrEmptyWithdrawAddr = registerError(DISTRIBUTION_CODESPACE, 3, "withdraw address is empty");
export const ErrEmptyValidatorAddr = registerError(DISTRIBUTION_CODESPACE, 4, "validator address is empty");
export const ErrEmptyDelegationDistInfo = registerError(
  DISTRIBUTION_CODESPACE,
  5,
  "no delegation distribution info",
);
export const ErrNoValidatorDistInfo = registerError(
  DISTRIBUTION_CODESPACE,
  6,
  "no validator distribution info",
);
export const ErrNoValidatorCommission = registerError(
  DISTRIBUTION_CODESPACE,
  7,
  "no validator commission to withdraw",
);
export const ErrSetWithdrawAddrDisabled = registerError(
  DISTRIBUTION_CODESPACE,
  8,
  "set withdraw address disabled",
);
export const ErrBadDistribution = registerError(
  DISTRIBUTION_CODESPACE,
  9,
  "community pool does not have sufficient coins to distribute",
);
export const ErrNoValidatorExists = registerError(DISTRIBUTION_CODESPACE, 12, "validator does not exist");
export const ErrNoDelegationExists = registerError(DISTRIBUTION_CODESPACE, 13, "delegation does not exist");
export const ErrInvalidSigner = registerError(
  DISTRIBUTION_CODESPACE,
  15,
  "expected authority account as only signer for proposal message",
);
