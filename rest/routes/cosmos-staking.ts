/**
 * `cosmos.staking.v1beta1` validators, read from the staking module's query paths in the SDK
 * gateway's JSON (Keplr's staking screen reads them). Delegations, pool and params: cosmos-staking-accounts.ts.
 */
import type { FastifyPluginAsync } from "fastify";
import {
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { bondStatusToJSON, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { RestError } from "../errors.js";
import { anyToJson, paginationToJson } from "../gateway-json.js";
import { pageRequest, queryProto } from "../query.js";
import {
  errorResponses,
  pageResponseSchema,
  paginationQuery,
  valoperAddress,
  type PaginationQuery,
} from "../schemas.js";
import type { RouteOptions } from "./options.js";

const BOND_STATUSES = [
  "BOND_STATUS_UNSPECIFIED",
  "BOND_STATUS_UNBONDED",
  "BOND_STATUS_UNBONDING",
  "BOND_STATUS_BONDED",
] as const;

/** LegacyDec travels as an integer with 18 implied decimals; the gateway prints the point. */
export function legacyDecToString(raw: string): string {
  const digits = (raw || "0").replace(/^-/, "").padStart(19, "0");
  const sign = raw.startsWith("-") ? "-" : "";
  return `${sign}${digits.slice(0, -18).replace(/^0+(?=\d)/, "")}.${digits.slice(-18)}`;
}

export const timeJson = (t: { seconds: bigint; nanos: number } | undefined): string =>
  new Date(Number(t?.seconds ?? 0n) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6))
    .toISOString()
    .replace(".000Z", "Z");

/** One validator in the staking gateway's shape. */
function validatorToJson(v: Validator) {
  const rates = v.commission?.commissionRates;
  return {
    operator_address: v.operatorAddress,
    consensus_pubkey: anyToJson(v.consensusPubkey),
    jailed: v.jailed,
    status: bondStatusToJSON(v.status),
    tokens: v.tokens,
    delegator_shares: legacyDecToString(v.delegatorShares),
    description: {
      moniker: v.description?.moniker ?? "",
      identity: v.description?.identity ?? "",
      website: v.description?.website ?? "",
      security_contact: v.description?.securityContact ?? "",
      details: v.description?.details ?? "",
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: timeJson(v.unbondingTime),
    commission: {
      commission_rates: {
        rate: legacyDecToString(rates?.rate ?? "0"),
        max_rate: legacyDecToString(rates?.maxRate ?? "0"),
        max_change_rate: legacyDecToString(rates?.maxChangeRate ?? "0"),
      },
      update_time: timeJson(v.commission?.updateTime),
    },
    min_self_delegation: v.minSelfDelegation,
  };
}

const validatorSchema = { type: "object", additionalProperties: true } as const;

export const cosmosStakingRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  app.get<{ Querystring: PaginationQuery & { status?: (typeof BOND_STATUSES)[number] } }>(
    "/cosmos/staking/v1beta1/validators",
    {
      schema: {
        tags: ["cosmos"],
        summary: "Validators, all or by status (BOND_STATUS_BONDED is the set CometBFT runs)",
        querystring: {
          type: "object",
          properties: { status: { type: "string", enum: BOND_STATUSES }, ...paginationQuery },
        },
        response: {
          200: {
            type: "object",
            properties: {
              validators: { type: "array", items: validatorSchema },
              pagination: pageResponseSchema,
            },
            required: ["validators", "pagination"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const status = req.query.status === "BOND_STATUS_UNSPECIFIED" ? "" : (req.query.status ?? "");
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/Validators",
        QueryValidatorsRequest.encode({ status, pagination: pageRequest(req.query) }).finish(),
        QueryValidatorsResponse,
      );
      return {
        validators: res.validators.map(validatorToJson),
        pagination: paginationToJson(res.pagination),
      };
    },
  );

  app.get<{ Params: { validator_addr: string } }>(
    "/cosmos/staking/v1beta1/validators/:validator_addr",
    {
      schema: {
        tags: ["cosmos"],
        summary: "One validator by operator address (poqvaloper...)",
        params: {
          type: "object",
          properties: { validator_addr: valoperAddress },
          required: ["validator_addr"],
        },
        response: {
          200: {
            type: "object",
            properties: { validator: validatorSchema },
            required: ["validator"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/Validator",
        QueryValidatorRequest.encode({ validatorAddr: req.params.validator_addr }).finish(),
        QueryValidatorResponse,
      );
      if (!res.validator) throw new RestError("NotFound", `validator ${req.params.validator_addr} not found`);
      return { validator: validatorToJson(res.validator) };
    },
  );
};
