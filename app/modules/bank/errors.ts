/**
 * Bank's own error codes (codespace `bank`, the SDK's numbers). Generic failures (insufficient
 * funds, invalid coins or addresses) use the root `sdk` codes in app/sdk-errors.ts.
 */
import { registerError } from "../../errors.js";

export const BANK_CODESPACE = "bank";

export const ErrSendDisabled = registerError(BANK_CODESPACE, 5, "send transactions are disabled");
export const ErrDenomMetadataNotFound = registerError(BANK_CODESPACE, 6, "client denom metadata not found");
export const ErrDuplicateEntry = registerError(BANK_CODESPACE, 8, "duplicate entry");
