/** `cosmos.auth.v1beta1` gateway routes: accounts. */
import type { FastifyPluginAsync } from "fastify";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { RestError } from "../errors.js";
import { accountToJson } from "../gateway-json.js";
import { assertAddress, queryProto } from "../query.js";
import { accountAddress, anySchema, errorResponses } from "../schemas.js";
import type { RouteOptions } from "./options.js";

export const cosmosAuthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  app.get<{ Params: { address: string } }>(
    "/cosmos/auth/v1beta1/accounts/:address",
    {
      schema: {
        tags: ["cosmos"],
        summary: "An account (BaseAccount); 404 with code 5 when the chain has never seen it",
        params: {
          type: "object",
          properties: { address: accountAddress },
          required: ["address"],
        },
        response: {
          200: {
            type: "object",
            properties: { account: anySchema },
            required: ["account"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { address } = req.params;
      assertAddress(address);
      const res = await queryProto(
        reader,
        "/cosmos.auth.v1beta1.Query/Account",
        QueryAccountRequest.encode({ address }).finish(),
        QueryAccountResponse,
      );
      if (!res.account) throw new RestError("NotFound", `account ${address} not found`);
      return { account: accountToJson(res.account) };
    },
  );
};
