/**
 * Response schemas of the PoQ routes, following the poq module's stored records
 * (app/modules/poq/state.ts): snake_case, 64-bit integers and amounts as strings, scores as
 * integer basis points.
 */
import { RequestStatus } from "../app/modules/poq/state.js";
import { coinSchema, uint64String } from "./schemas.js";

const str = { type: "string" } as const;
/** A 64-bit unsigned integer as a decimal string, as the Cosmos JSON conventions write it. */
const u64 = uint64String;
const int = { type: "integer" } as const;
const strings = { type: "array", items: str } as const;

const qualitySchema = {
  type: ["object", "null"],
  properties: {
    score: int,
    scores: {
      type: "array",
      items: {
        type: "object",
        properties: { validator: str, score: int, power: u64 },
        required: ["validator", "score", "power"],
        additionalProperties: false,
      },
    },
    revealed_power: u64,
    committee_power: u64,
  },
  required: ["score", "scores"],
  additionalProperties: false,
} as const;

const payoutSchema = {
  type: ["object", "null"],
  properties: {
    node: str,
    validators: {
      type: "array",
      items: {
        type: "object",
        properties: { validator: str, operator: str, amount: u64 },
        additionalProperties: false,
      },
    },
    refund: u64,
    slashed: u64,
  },
  additionalProperties: false,
} as const;

export const requestSchema = {
  type: "object",
  properties: {
    id: u64,
    requester: str,
    model: str,
    prompt: str,
    max_tokens: int,
    fee: coinSchema,
    min_quality: int,
    status: { type: "string", enum: Object.values(RequestStatus) },
    node: str,
    response: str,
    created_height: u64,
    assigned_height: u64,
    responded_height: u64,
    finalized_height: u64,
    response_deadline: u64,
    commit_deadline: u64,
    reveal_deadline: u64,
    assigned_nodes: strings,
    committee: {
      type: "array",
      items: {
        type: "object",
        properties: { validator: str, power: u64 },
        additionalProperties: false,
      },
    },
    quality: qualitySchema,
    payout: payoutSchema,
    replicas: int,
    response_ids: { type: "array", items: u64 },
    parent: u64,
    commitment: str,
    committed_height: u64,
    reveal_height: u64,
    // Only once pruned (request_retention_blocks after it finished): the texts then come from the
    // transactions that carried them, checked against these sha256 (hex; "" for an empty text).
    pruned_height: u64,
    prompt_sha256: str,
    response_sha256: str,
    // Every answer (one unless replicated); the top-level node, response and quality are the best's.
    responses: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: u64,
          node: str,
          status: { type: "string", enum: Object.values(RequestStatus) },
          response: str,
          quality: qualitySchema,
          payout: payoutSchema,
          response_sha256: str,
        },
        required: ["id", "node", "status", "response", "quality", "payout"],
        additionalProperties: false,
      },
    },
  },
  required: ["id", "requester", "model", "prompt", "fee", "min_quality", "status", "node", "response"],
  additionalProperties: false,
} as const;

export const nodeSchema = {
  type: "object",
  properties: {
    operator: str,
    moniker: str,
    models: strings,
    stake: coinSchema,
    status: str,
    registered_height: u64,
    unbonding_height: u64,
    assigned: u64,
    served: u64,
    scored: u64,
    quality_sum: u64,
    average_quality: { ...int, description: "quality_sum / scored, basis points" },
    earnings: u64,
    slashed: u64,
    slashes: u64,
    missed_deadlines: u64,
    min_fee: { ...coinSchema, description: "smallest fee per answer it takes" },
    max_in_flight: { ...int, description: "most requests in flight at once; 0 = the chain's default" },
    in_flight: { ...u64, description: "requests assigned to it and not yet answered" },
    jailed: { type: "boolean", description: "no new assignments until MsgUnjailNode" },
  },
  required: ["operator", "models", "stake", "status"],
  additionalProperties: false,
} as const;

export const validatorRecordSchema = {
  type: "object",
  properties: {
    validator: { ...str, description: "consensus address, bech32 poqvalcons" },
    operator: str,
    moniker: str,
    power: u64,
    trust_bp: int,
    committees: u64,
    revealed: u64,
    missed: u64,
    deviated: u64,
    average_deviation_bp: int,
    excluded_until: u64,
    excluded: { type: "boolean" },
  },
  required: ["validator", "trust_bp"],
  additionalProperties: false,
} as const;

/** Params are open-ended: the module owns their list. */
export const paramsSchema = { type: "object", additionalProperties: true } as const;
