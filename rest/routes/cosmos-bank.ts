/** `cosmos.bank.v1beta1` gateway routes: balances and supply. */
import type { FastifyPluginAsync } from "fastify";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { coinToJson, paginationToJson } from "../gateway-json.js";
import { assertAddress, pageRequest, queryProto } from "../query.js";
import {
  accountAddress,
  coinSchema,
  denomSchema,
  errorResponses,
  pageResponseSchema,
  paginationQuery,
  type PaginationQuery,
} from "../schemas.js";
import type { RouteOptions } from "./options.js";

const addressParams = {
  type: "object",
  properties: { address: accountAddress },
  required: ["address"],
} as const;

const coinsPage = (field: string) =>
  ({
    type: "object",
    properties: { [field]: { type: "array", items: coinSchema }, pagination: pageResponseSchema },
    required: [field, "pagination"],
    additionalProperties: false,
  }) as const;

export const cosmosBankRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  const allBalances = async (address: string, q: PaginationQuery) => {
    assertAddress(address);
    const res = await queryProto(
      reader,
      "/cosmos.bank.v1beta1.Query/AllBalances",
      QueryAllBalancesRequest.encode({ address, pagination: pageRequest(q), resolveDenom: false }).finish(),
      QueryAllBalancesResponse,
    );
    return { balances: res.balances.map(coinToJson), pagination: paginationToJson(res.pagination) };
  };

  app.get<{ Params: { address: string }; Querystring: PaginationQuery }>(
    "/cosmos/bank/v1beta1/balances/:address",
    {
      schema: {
        tags: ["cosmos"],
        summary: "All balances of an account, paginated",
        params: addressParams,
        querystring: { type: "object", properties: paginationQuery },
        response: { 200: coinsPage("balances"), ...errorResponses },
      },
    },
    (req) => allBalances(req.params.address, req.query),
  );

  app.get<{ Params: { address: string }; Querystring: PaginationQuery }>(
    "/cosmos/bank/v1beta1/spendable_balances/:address",
    {
      schema: {
        tags: ["cosmos"],
        summary: "Spendable balances (no vesting on this chain: the same as all balances)",
        params: addressParams,
        querystring: { type: "object", properties: paginationQuery },
        response: { 200: coinsPage("balances"), ...errorResponses },
      },
    },
    (req) => allBalances(req.params.address, req.query),
  );

  app.get<{ Params: { address: string }; Querystring: { denom: string } }>(
    "/cosmos/bank/v1beta1/balances/:address/by_denom",
    {
      schema: {
        tags: ["cosmos"],
        summary: "One balance of an account; amount 0 when it holds none",
        params: addressParams,
        querystring: { type: "object", properties: { denom: denomSchema }, required: ["denom"] },
        response: {
          200: {
            type: "object",
            properties: { balance: coinSchema },
            required: ["balance"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { address } = req.params;
      const { denom } = req.query;
      assertAddress(address);
      const res = await queryProto(
        reader,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest.encode({ address, denom }).finish(),
        QueryBalanceResponse,
      );
      return { balance: res.balance ? coinToJson(res.balance) : { denom, amount: "0" } };
    },
  );

  app.get<{ Querystring: PaginationQuery }>(
    "/cosmos/bank/v1beta1/supply",
    {
      schema: {
        tags: ["cosmos"],
        summary: "Total supply of every denom, paginated",
        querystring: { type: "object", properties: paginationQuery },
        response: { 200: coinsPage("supply"), ...errorResponses },
      },
    },
    async (req) => {
      const res = await queryProto(
        reader,
        "/cosmos.bank.v1beta1.Query/TotalSupply",
        QueryTotalSupplyRequest.encode({ pagination: pageRequest(req.query) }).finish(),
        QueryTotalSupplyResponse,
      );
      return { supply: res.supply.map(coinToJson), pagination: paginationToJson(res.pagination) };
    },
  );
};
