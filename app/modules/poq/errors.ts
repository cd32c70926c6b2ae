/**
 * The poq module's error codes (codespace `poq`). Numbers are never reused for another meaning.
 * Malformed addresses use the SDK's root `sdk` 7 (invalid address), insufficient balance `sdk` 5.
 */
import { registerError } from "../../errors.js";

export const POQ_CODESPACE = "poq";

export const ErrInvalidModel = registerError(POQ_CODESPACE, 2, "invalid model id");
export const ErrPromptTooLarge = registerError(POQ_CODESPACE, 3, "prompt too large");
export const ErrResponseTooLarge = registerError(POQ_CODESPACE, 4, "response too large");
export const ErrInvalidFee = registerError(POQ_CODESPACE, 5, "invalid fee");
export const ErrInvalidMinQuality = registerError(POQ_CODESPACE, 6, "invalid min_quality");
export const ErrInvalidMaxTokens = registerError(POQ_CODESPACE, 7, "invalid max_tokens");
export const ErrRequestNotFound = registerError(POQ_CODESPACE, 8, "request not found");
export const ErrNotAssignedNode = registerError(
  POQ_CODESPACE,
  9,
  "sender is not the node assigned to the request",
);
export const ErrResponseDeadlinePassed = registerError(POQ_CODESPACE, 10, "response deadline passed");
export const ErrNotAwaitingResponse = registerError(POQ_CODESPACE, 11, "request is not awaiting a response");
export const ErrInsufficientStake = registerError(POQ_CODESPACE, 12, "stake below the minimum");
export const ErrNodeNotFound = registerError(POQ_CODESPACE, 13, "node not found");
export const ErrNodeUnbonding = registerError(POQ_CODESPACE, 14, "node is unbonding");
export const ErrInvalidMoniker = registerError(POQ_CODESPACE, 15, "invalid moniker");
export const ErrInvalidModels = registerError(POQ_CODESPACE, 16, "invalid model list");
export const ErrInvalidStake = registerError(POQ_CODESPACE, 17, "invalid stake");
export const ErrMalformedMsg = registerError(POQ_CODESPACE, 18, "malformed message");
export const ErrInvalidInjectedCommit = registerError(POQ_CODESPACE, 19, "invalid injected commit");
export const ErrInjectedCommitInMempool = registerError(
  POQ_CODESPACE,
  20,
  "an injected commit can only be placed by the block proposer",
);
export const ErrInvalidQuery = registerError(POQ_CODESPACE, 21, "invalid query");
export const ErrEmptyPrompt = registerError(POQ_CODESPACE, 22, "empty prompt");
export const ErrNodeNotJailed = registerError(POQ_CODESPACE, 24, "node is not jailed");
export const ErrInvalidMaxInFlight = registerError(POQ_CODESPACE, 25, "invalid max_in_flight");
export const ErrPendingFull = registerError(POQ_CODESPACE, 26, "too many requests are waiting for a node");

// 40..49: replicated requests (answer commit-reveal).
export const ErrInvalidReplicas = registerError(POQ_CODESPACE, 40, "invalid replicas");
export const ErrNoNodeForModel = registerError(
  POQ_CODESPACE,
  41,
  "no active node serves the model at this fee",
);
export const ErrNotReplicated = registerError(
  POQ_CODESPACE,
  42,
  "request takes no answer commitments (it is not replicated)",
);
export const ErrAlreadyCommitted = registerError(POQ_CODESPACE, 43, "answer already committed");
export const ErrCommitPhaseOver = registerError(POQ_CODESPACE, 44, "the request's commit phase is over");
export const ErrRevealNotOpen = registerError(POQ_CODESPACE, 45, "the request's reveal phase is not open");
export const ErrNotCommitted = registerError(POQ_CODESPACE, 46, "the node has not committed an answer");
export const ErrRevealMismatch = registerError(POQ_CODESPACE, 47, "reveal does not match the commitment");
export const ErrInvalidCommitment = registerError(POQ_CODESPACE, 48, "invalid commitment or salt");
