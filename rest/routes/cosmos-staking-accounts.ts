/**
 * `cosmos.staking.v1beta1` delegations, unbonding delegations, pool and params, and
 * `cosmos.slashing.v1beta1` signing infos, in the SDK gateway's JSON (Keplr's staking screen).
 */
import type { FastifyPluginAsync } from "fastify";
import {
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPoolRequest,
  QueryPoolResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import type { DelegationResponse } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import {
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { paginationToJson } from "../gateway-json.js";
import { pageRequest, queryProto } from "../query.js";
import {
  accountAddress,
  errorResponses,
  pageResponseSchema,
  paginationQuery,
  valoperAddress,
  type PaginationQuery,
} from "../schemas.js";
import { legacyDecToString, timeJson } from "./cosmos-staking.js";
import type { RouteOptions } from "./options.js";

const open = { type: "object", additionalProperties: true } as const;
const listOf = (key: string) =>
  ({
    200: {
      type: "object",
      properties: { [key]: { type: "array", items: open }, pagination: pageResponseSchema },
      required: [key, "pagination"],
      additionalProperties: false,
    },
    ...errorResponses,
  }) as const;
const one = (key: string) =>
  ({
    200: { type: "object", properties: { [key]: open }, required: [key], additionalProperties: false },
    ...errorResponses,
  }) as const;

const delegationJson = (d: DelegationResponse) => ({
  delegation: {
    delegator_address: d.delegation.delegatorAddress,
    validator_address: d.delegation.validatorAddress,
    shares: legacyDecToString(d.delegation.shares),
  },
  balance: { denom: d.balance.denom, amount: d.balance.amount },
});

const durationJson = (d: { seconds: bigint; nanos: number } | undefined): string =>
  d?.nanos ? `${d.seconds}.${String(d.nanos).padStart(9, "0").replace(/0+$/, "")}s` : `${d?.seconds ?? 0n}s`;

export const cosmosStakingAccountRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  app.get<{ Params: { delegator_addr: string }; Querystring: PaginationQuery }>(
    "/cosmos/staking/v1beta1/delegations/:delegator_addr",
    {
      schema: {
        tags: ["cosmos"],
        summary: "An account's delegations with their balances",
        params: {
          type: "object",
          properties: { delegator_addr: accountAddress },
          required: ["delegator_addr"],
        },
        querystring: { type: "object", properties: { ...paginationQuery } },
        response: listOf("delegation_responses"),
      },
    },
    async (req) => {
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/DelegatorDelegations",
        QueryDelegatorDelegationsRequest.encode({
          delegatorAddr: req.params.delegator_addr,
          pagination: pageRequest(req.query),
        }).finish(),
        QueryDelegatorDelegationsResponse,
      );
      return {
        delegation_responses: res.delegationResponses.map(delegationJson),
        pagination: paginationToJson(res.pagination),
      };
    },
  );

  app.get<{ Params: { validator_addr: string }; Querystring: PaginationQuery }>(
    "/cosmos/staking/v1beta1/validators/:validator_addr/delegations",
    {
      schema: {
        tags: ["cosmos"],
        summary: "A validator's delegations",
        params: {
          type: "object",
          properties: { validator_addr: valoperAddress },
          required: ["validator_addr"],
        },
        querystring: { type: "object", properties: { ...paginationQuery } },
        response: listOf("delegation_responses"),
      },
    },
    async (req) => {
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/ValidatorDelegations",
        QueryValidatorDelegationsRequest.encode({
          validatorAddr: req.params.validator_addr,
          pagination: pageRequest(req.query),
        }).finish(),
        QueryValidatorDelegationsResponse,
      );
      return {
        delegation_responses: res.delegationResponses.map(delegationJson),
        pagination: paginationToJson(res.pagination),
      };
    },
  );

  app.get<{ Params: { delegator_addr: string }; Querystring: PaginationQuery }>(
    "/cosmos/staking/v1beta1/delegators/:delegator_addr/unbonding_delegations",
    {
      schema: {
        tags: ["cosmos"],
        summary: "An account's unbonding delegations (tokens paid back when each entry completes)",
        params: {
          type: "object",
          properties: { delegator_addr: accountAddress },
          required: ["delegator_addr"],
        },
        querystring: { type: "object", properties: { ...paginationQuery } },
        response: listOf("unbonding_responses"),
      },
    },
    async (req) => {
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations",
        QueryDelegatorUnbondingDelegationsRequest.encode({
          delegatorAddr: req.params.delegator_addr,
          pagination: pageRequest(req.query),
        }).finish(),
        QueryDelegatorUnbondingDelegationsResponse,
      );
      return {
        unbonding_responses: res.unbondingResponses.map((u) => ({
          delegator_address: u.delegatorAddress,
          validator_address: u.validatorAddress,
          entries: u.entries.map((e) => ({
            creation_height: e.creationHeight.toString(),
            completion_time: timeJson(e.completionTime),
            initial_balance: e.initialBalance,
            balance: e.balance,
            unbonding_id: e.unbondingId.toString(),
            unbonding_on_hold_ref_count: e.unbondingOnHoldRefCount.toString(),
          })),
        })),
        pagination: paginationToJson(res.pagination),
      };
    },
  );

  app.get(
    "/cosmos/staking/v1beta1/pool",
    { schema: { tags: ["cosmos"], summary: "Bonded and not-bonded tokens", response: one("pool") } },
    async () => {
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/Pool",
        QueryPoolRequest.encode({}).finish(),
        QueryPoolResponse,
      );
      return {
        pool: { not_bonded_tokens: res.pool.notBondedTokens, bonded_tokens: res.pool.bondedTokens },
      };
    },
  );

  app.get(
    "/cosmos/staking/v1beta1/params",
    { schema: { tags: ["cosmos"], summary: "Staking parameters", response: one("params") } },
    async () => {
      const res = await queryProto(
        reader,
        "/cosmos.staking.v1beta1.Query/Params",
        QueryParamsRequest.encode({}).finish(),
        QueryParamsResponse,
      );
      const p = res.params;
      return {
        params: {
          unbonding_time: durationJson(p.unbondingTime),
          max_validators: p.maxValidators,
          max_entries: p.maxEntries,
          historical_entries: p.historicalEntries,
          bond_denom: p.bondDenom,
          min_commission_rate: legacyDecToString(p.minCommissionRate),
        },
      };
    },
  );

  app.get<{ Querystring: PaginationQuery }>(
    "/cosmos/slashing/v1beta1/signing_infos",
    {
      schema: {
        tags: ["cosmos"],
        summary: "Validators' signing infos (missed blocks, jail time, tombstone)",
        querystring: { type: "object", properties: { ...paginationQuery } },
        response: listOf("info"),
      },
    },
    async (req) => {
      const res = await queryProto(
        reader,
        "/cosmos.slashing.v1beta1.Query/SigningInfos",
        QuerySigningInfosRequest.encode({ pagination: pageRequest(req.query) }).finish(),
        QuerySigningInfosResponse,
      );
      return {
        info: res.info.map((i) => ({
          address: i.address,
          start_height: i.startHeight.toString(),
          index_offset: i.indexOffset.toString(),
          jailed_until: timeJson(i.jailedUntil),
          tombstoned: i.tombstoned,
          missed_blocks_counter: i.missedBlocksCounter.toString(),
        })),
        pagination: paginationToJson(res.pagination),
      };
    },
  );
};
