/**
 * Response schemas of the PoQ routes, following the poq module's stored records
 * (app/modules/poq/state.ts): snake_case, 64-bit integers and amounts as strings, scores as
 * integer basis points.
 */
import { RequestStatus } from "../app/modules/poq/state.js";
import { coinSchema } from "./schemas.js";

const str = { type: "string" } as const;
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
        properties: { validator: str, score: int, power: str },
        required: ["validator", "score", "power"],
        additionalProperties: false,
      },
    },
    revealed_power: str,
    committee_power: str,
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
        properties: { validator: str, operator: str, amount: str },
        additionalProperties: false,
      },
    },
    refund: str,
    slashed: str,
  },
  additionalProperties: false,
} as const;

export const requestSchema = {
  type: "object",
  properties: {
    id: str,
    requester: str,
    model: str,
    prompt: str,
    max_tokens: int,
    fee: coinSchema,
    min_quality: int,
    status: { type: "string", enum: Object.values(RequestStatus) },
    node: str,
    response: str,
    created_height: str,
    assigned_height: str,
    responded_height: str,
    finalized_height: str,
    response_deadline: str,
    commit_deadline: str,
    reveal_deadline: str,
    assigned_nodes: strings,
    committee: {
      type: "array",
      items: {
        type: "object",
        properties: { validator: str, power: str },
        additionalProperties: false,
      },
    },
    quality: qualitySchema,
    payout: payoutSchema,
    replicas: int,
    response_ids: strings,
    parent: str,
    commitment: str,
    committed_height: str,
    reveal_height: str,
    // Every answer (one unless replicated); the top-level node, response and quality are the best's.
    responses: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: str,
          node: str,
          status: { type: "string", enum: Object.values(RequestStatus) },
          response: str,
          quality: qualitySchema,
          payout: payoutSchema,
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
    registered_height: str,
    unbonding_height: str,
    assigned: str,
    served: str,
    scored: str,
    quality_sum: str,
    average_quality: { ...int, description: "quality_sum / scored, basis points" },
    earnings: str,
    slashed: str,
    slashes: str,
    missed_deadlines: str,
    min_fee: { ...coinSchema, description: "smallest fee per answer it takes" },
    max_in_flight: { ...int, description: "most requests in flight at once; 0 = the chain's default" },
    in_flight: { ...str, description: "requests assigned to it and not yet answered" },
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
    power: str,
    trust_bp: int,
    committees: str,
    revealed: str,
    missed: str,
    deviated: str,
    average_deviation_bp: int,
    excluded_until: str,
    excluded: { type: "boolean" },
  },
  required: ["validator", "trust_bp"],
  additionalProperties: false,
} as const;

/** Params are open-ended: the module owns their list. */
export const paramsSchema = { type: "object", additionalProperties: true } as const;
