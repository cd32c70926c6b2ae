/**
 * The Cosmos SDK's root error codes (codespace `sdk`), with the numbers CosmJS users and block
 * explorers already know. Modules throw these for the generic failures (bad signature, wrong
 * sequence, too little fee, ...) and register their own codespace for anything module-specific.
 *
 * The numbers are part of the wire contract: never renumber, never reuse.
 *
 * @example
 * import { ChainError } from "./errors.js";
 * import { ErrInsufficientFunds } from "./sdk-errors.js";
 * throw new ChainError(ErrInsufficientFunds, "10upoq is smaller than 20upoq");
 */
import { registerError } from "./errors.js";

/** The SDK's root codespace. */
export const SDK_CODESPACE = "sdk";

/** Codespace for failures that are not a registered error (a bug, a panic): code 1, as the SDK does. */
export const UNDEFINED_CODESPACE = "undefined";

/** An unexpected failure inside the app; the log hides the details from the result, as the SDK does. */
export const ErrInternal = registerError(UNDEFINED_CODESPACE, 1, "internal");

export const ErrTxDecode = registerError(SDK_CODESPACE, 2, "tx parse error");
export const ErrInvalidSequence = registerError(SDK_CODESPACE, 3, "invalid sequence");
export const ErrUnauthorized = registerError(SDK_CODESPACE, 4, "unauthorized");
export const ErrInsufficientFunds = registerError(SDK_CODESPACE, 5, "insufficient funds");
export const ErrUnknownRequest = registerError(SDK_CODESPACE, 6, "unknown request");
export const ErrInvalidAddress = registerError(SDK_CODESPACE, 7, "invalid address");
export const ErrInvalidPubKey = registerError(SDK_CODESPACE, 8, "invalid pubkey");
export const ErrUnknownAddress = registerError(SDK_CODESPACE, 9, "unknown address");
export const ErrInvalidCoins = registerError(SDK_CODESPACE, 10, "invalid coins");
export const ErrOutOfGas = registerError(SDK_CODESPACE, 11, "out of gas");
export const ErrMemoTooLarge = registerError(SDK_CODESPACE, 12, "memo too large");
export const ErrInsufficientFee = registerError(SDK_CODESPACE, 13, "insufficient fee");
export const ErrTooManySignatures = registerError(SDK_CODESPACE, 14, "maximum number of signatures exceeded");
export const ErrNoSignatures = registerError(SDK_CODESPACE, 15, "no signatures supplied");
export const ErrJSONMarshal = registerError(SDK_CODESPACE, 16, "failed to marshal JSON bytes");
export const ErrJSONUnmarshal = registerError(SDK_CODESPACE, 17, "failed to unmarshal JSON bytes");
export const ErrInvalidRequest = registerError(SDK_CODESPACE, 18, "invalid request");
export const ErrTxInMempoolCache = registerError(SDK_CODESPACE, 19, "tx already in mempool");
export const ErrMempoolIsFull = registerError(SDK_CODESPACE, 20, "mempool is full");
export const ErrTxTooLarge = registerError(SDK_CODESPACE, 21, "tx too large");
export const ErrKeyNotFound = registerError(SDK_CODESPACE, 22, "key not found");
export const ErrInvalidSigner = registerError(
  SDK_CODESPACE,
  24,
  "tx intended signer does not match the given signer",
);
export const ErrInvalidHeight = registerError(SDK_CODESPACE, 26, "invalid height");
export const ErrInvalidVersion = registerError(SDK_CODESPACE, 27, "invalid version");
export const ErrInvalidChainID = registerError(SDK_CODESPACE, 28, "invalid chain-id");
export const ErrInvalidType = registerError(SDK_CODESPACE, 29, "invalid type");
export const ErrTxTimeoutHeight = registerError(SDK_CODESPACE, 30, "tx timeout height");
export const ErrUnknownExtensionOptions = registerError(SDK_CODESPACE, 31, "unknown extension options");
export const ErrWrongSequence = registerError(SDK_CODESPACE, 32, "incorrect account sequence");
export const ErrPackAny = registerError(SDK_CODESPACE, 33, "failed packing protobuf message to Any");
export const ErrUnpackAny = registerError(SDK_CODESPACE, 34, "failed unpacking protobuf message from Any");
export const ErrLogic = registerError(SDK_CODESPACE, 35, "internal logic error");
export const ErrConflict = registerError(SDK_CODESPACE, 36, "conflict");
export const ErrNotSupported = registerError(SDK_CODESPACE, 37, "feature not supported");
export const ErrNotFound = registerError(SDK_CODESPACE, 38, "not found");
export const ErrIO = registerError(SDK_CODESPACE, 39, "Internal IO error");
export const ErrInvalidGasLimit = registerError(SDK_CODESPACE, 41, "invalid gas limit");
