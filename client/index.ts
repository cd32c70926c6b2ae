/**
 * `poq/client`: everything a TypeScript program needs to use PoQ chain with CosmJS.
 */
export { createPoqSigningClient, DEFAULT_GAS_PRICE, type PoqSigningClientOptions } from "./signing-client.js";
export { createPoqAminoTypes, createPoqRegistry, poqRegistryTypes } from "./registry.js";
export {
  parseCoin,
  PoqTxError,
  registerNode,
  requestInference,
  submitResponse,
  unjailNode,
  commitResponse,
  revealResponse,
  unregisterNode,
  type RegisterNodeParams,
  type RequestInferenceParams,
  type TxOptions,
  type TxResult,
} from "./poq-tx.js";
export {
  AssignmentTimeoutError,
  createPoqQueryClient,
  FINAL_STATUSES,
  PoqQueryError,
  QualityTimeoutError,
  waitForAssignment,
  waitForQuality,
  type NodeRecord,
  type PoqQueryClient,
  type RequestRecord,
  type ResponseView,
  type WaitForQualityOptions,
} from "./poq-query.js";
export { PoqTypeUrl, PoqAminoType } from "../app/modules/poq/types/msgs.js";
export { ADDRESS_PREFIX, createKeyring, KeyringError, type KeyInfo, type Keyring } from "./keyring.js";
export {
  createGovQueryClient,
  depositOnProposal,
  GOV_AUTHORITY,
  submitProposal,
  VOTE_OPTIONS,
  voteOnProposal,
} from "./gov.js";
