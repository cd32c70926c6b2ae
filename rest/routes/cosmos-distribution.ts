/**
 * `cosmos.distribution.v1beta1` gateway routes: rewards, commission, community pool, params, in the SDK's
 * JSON shapes (Keplr's staking screen reads `delegators/{d}/rewards` for the claimable amounts).
 * DecCoins and decimals travel as integers × 10^18 in protobuf; the gateway prints 18 decimals.
 */
import type { FastifyPluginAsync } from "fastify";
import {
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { queryProto } from "../query.js";
import { accountAddress, errorResponses, valoperAddress } from "../schemas.js";
import type { RouteOptions } from "./options.js";

const Q = "/cosmos.distribution.v1beta1.Query/";

/** A LegacyDec's × 10^18 integer as the SDK's JSON prints it: `"12.500000000000000000"`. */
export function legacyDecJson(raw: string): string {
  const digits = (raw || "0").padStart(19, "0");
  return `${digits.slice(0, -18).replace(/^0+(?=\d)/, "")}.${digits.slice(-18)}`;
}

const decCoinsJson = (coins: readonly { denom: string; amount: string }[]) =>
  coins.map((c) => ({ denom: c.denom, amount: legacyDecJson(c.amount) }));

const decCoinSchema = {
  type: "object",
  properties: { denom: { type: "string" }, amount: { type: "string", pattern: "^[0-9]+\\.[0-9]{18}$" } },
  required: ["denom", "amount"],
  additionalProperties: false,
} as const;
const decCoinsSchema = { type: "array", items: decCoinSchema } as const;
const decSchema = { type: "string", pattern: "^[0-9]+\\.[0-9]{18}$" } as const;

const object = (properties: Record<string, unknown>) =>
  ({ type: "object", properties, required: Object.keys(properties), additionalProperties: false }) as const;

const delegatorParams = object({ delegator_address: accountAddress });
const validatorParams = object({ validator_address: valoperAddress });
const pairParams = object({ delegator_address: accountAddress, validator_address: valoperAddress });

export const cosmosDistributionRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  const schema = (summary: string, ok: unknown, params?: unknown) => ({
    schema: {
      tags: ["cosmos"],
      summary,
      ...(params ? { params } : {}),
      response: { 200: ok, ...errorResponses },
    },
  });

  app.get(
    "/cosmos/distribution/v1beta1/params",
    schema(
      "Distribution parameters",
      object({
        params: object({
          community_tax: decSchema,
          base_proposer_reward: decSchema,
          bonus_proposer_reward: decSchema,
          withdraw_addr_enabled: { type: "boolean" },
        }),
      }),
    ),
    async () => {
      const { params: p } = await queryProto(
        reader,
        `${Q}Params`,
        QueryParamsRequest.encode({}).finish(),
        QueryParamsResponse,
      );
      return {
        params: {
          community_tax: legacyDecJson(p.communityTax),
          base_proposer_reward: legacyDecJson(p.baseProposerReward),
          bonus_proposer_reward: legacyDecJson(p.bonusProposerReward),
          withdraw_addr_enabled: p.withdrawAddrEnabled,
        },
      };
    },
  );

  app.get(
    "/cosmos/distribution/v1beta1/community_pool",
    schema("The community pool", object({ pool: decCoinsSchema })),
    async () => {
      const res = await queryProto(
        reader,
        `${Q}CommunityPool`,
        QueryCommunityPoolRequest.encode({}).finish(),
        QueryCommunityPoolResponse,
      );
      return { pool: decCoinsJson(res.pool) };
    },
  );

  app.get<{ Params: { delegator_address: string } }>(
    "/cosmos/distribution/v1beta1/delegators/:delegator_address/rewards",
    schema(
      "A delegator's pending rewards, per validator and in total",
      object({
        rewards: {
          type: "array",
          items: object({ validator_address: { type: "string" }, reward: decCoinsSchema }),
        },
        total: decCoinsSchema,
      }),
      delegatorParams,
    ),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}DelegationTotalRewards`,
        QueryDelegationTotalRewardsRequest.encode({
          delegatorAddress: req.params.delegator_address,
        }).finish(),
        QueryDelegationTotalRewardsResponse,
      );
      return {
        rewards: res.rewards.map((r) => ({
          validator_address: r.validatorAddress,
          reward: decCoinsJson(r.reward),
        })),
        total: decCoinsJson(res.total),
      };
    },
  );

  app.get<{ Params: { delegator_address: string; validator_address: string } }>(
    "/cosmos/distribution/v1beta1/delegators/:delegator_address/rewards/:validator_address",
    schema("Pending rewards of one delegation", object({ rewards: decCoinsSchema }), pairParams),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}DelegationRewards`,
        QueryDelegationRewardsRequest.encode({
          delegatorAddress: req.params.delegator_address,
          validatorAddress: req.params.validator_address,
        }).finish(),
        QueryDelegationRewardsResponse,
      );
      return { rewards: decCoinsJson(res.rewards) };
    },
  );

  app.get<{ Params: { delegator_address: string } }>(
    "/cosmos/distribution/v1beta1/delegators/:delegator_address/validators",
    schema(
      "The validators a delegator is bonded to",
      object({ validators: { type: "array", items: { type: "string" } } }),
      delegatorParams,
    ),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}DelegatorValidators`,
        QueryDelegatorValidatorsRequest.encode({ delegatorAddress: req.params.delegator_address }).finish(),
        QueryDelegatorValidatorsResponse,
      );
      return { validators: res.validators };
    },
  );

  app.get<{ Params: { delegator_address: string } }>(
    "/cosmos/distribution/v1beta1/delegators/:delegator_address/withdraw_address",
    schema(
      "Where a delegator's rewards are paid",
      object({ withdraw_address: { type: "string" } }),
      delegatorParams,
    ),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}DelegatorWithdrawAddress`,
        QueryDelegatorWithdrawAddressRequest.encode({
          delegatorAddress: req.params.delegator_address,
        }).finish(),
        QueryDelegatorWithdrawAddressResponse,
      );
      return { withdraw_address: res.withdrawAddress };
    },
  );

  app.get<{ Params: { validator_address: string } }>(
    "/cosmos/distribution/v1beta1/validators/:validator_address",
    schema(
      "A validator's commission and self-delegation rewards",
      object({
        operator_address: { type: "string" },
        self_bond_rewards: decCoinsSchema,
        commission: decCoinsSchema,
      }),
      validatorParams,
    ),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}ValidatorDistributionInfo`,
        QueryValidatorDistributionInfoRequest.encode({
          validatorAddress: req.params.validator_address,
        }).finish(),
        QueryValidatorDistributionInfoResponse,
      );
      return {
        operator_address: res.operatorAddress,
        self_bond_rewards: decCoinsJson(res.selfBondRewards),
        commission: decCoinsJson(res.commission),
      };
    },
  );

  app.get<{ Params: { validator_address: string } }>(
    "/cosmos/distribution/v1beta1/validators/:validator_address/commission",
    schema(
      "A validator's accumulated commission",
      object({ commission: object({ commission: decCoinsSchema }) }),
      validatorParams,
    ),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}ValidatorCommission`,
        QueryValidatorCommissionRequest.encode({ validatorAddress: req.params.validator_address }).finish(),
        QueryValidatorCommissionResponse,
      );
      return { commission: { commission: decCoinsJson(res.commission?.commission ?? []) } };
    },
  );

  app.get<{ Params: { validator_address: string } }>(
    "/cosmos/distribution/v1beta1/validators/:validator_address/outstanding_rewards",
    schema(
      "Rewards allocated to a validator and not yet withdrawn (commission included)",
      object({ rewards: object({ rewards: decCoinsSchema }) }),
      validatorParams,
    ),
    async (req) => {
      const res = await queryProto(
        reader,
        `${Q}ValidatorOutstandingRewards`,
        QueryValidatorOutstandingRewardsRequest.encode({
          validatorAddress: req.params.validator_address,
        }).finish(),
        QueryValidatorOutstandingRewardsResponse,
      );
      return { rewards: { rewards: decCoinsJson(res.rewards?.rewards ?? []) } };
    },
  );
};
