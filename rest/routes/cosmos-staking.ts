/**
 * A read-only `cosmos.staking.v1beta1` validators view built from CometBFT's validator set.
 *
 * This chain has no staking module: the operator address is the consensus address under the
 * `poqvaloper` prefix, and tokens are voting power times 10^6 (the SDK's power reduction), so that
 * wallets showing `tokens` agree with the voting power.
 */
import type { FastifyPluginAsync } from "fastify";
import { toBech32 } from "@cosmjs/encoding";
import type { RpcValidator } from "../chain-reader.js";
import { RestError } from "../errors.js";
import { paginationQuery, errorResponses, pageResponseSchema, type PaginationQuery } from "../schemas.js";
import type { RouteOptions } from "./options.js";

const POWER_REDUCTION = 1_000_000n;
const BOND_STATUSES = [
  "BOND_STATUS_UNSPECIFIED",
  "BOND_STATUS_UNBONDED",
  "BOND_STATUS_UNBONDING",
  "BOND_STATUS_BONDED",
] as const;

/** One validator in the staking gateway's shape. */
export function stakingValidatorJson(v: RpcValidator) {
  const tokens = (BigInt(v.voting_power) * POWER_REDUCTION).toString();
  return {
    operator_address: toBech32("poqvaloper", Buffer.from(v.address, "hex")),
    consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: v.pub_key.value },
    jailed: false,
    status: "BOND_STATUS_BONDED",
    tokens,
    delegator_shares: `${tokens}.000000000000000000`,
    description: { moniker: "", identity: "", website: "", security_contact: "", details: "" },
    unbonding_height: "0",
    unbonding_time: "1970-01-01T00:00:00Z",
    commission: {
      commission_rates: {
        rate: "0.000000000000000000",
        max_rate: "0.000000000000000000",
        max_change_rate: "0.000000000000000000",
      },
      update_time: "1970-01-01T00:00:00Z",
    },
    min_self_delegation: "1",
  };
}

/**
 * Offset pagination over a list held in memory; `next_key` is the base64 of the next offset.
 *
 * @example
 * const { items, pagination } = pageList(all, { "pagination.limit": 10 });
 */
export function pageList<T>(
  all: T[],
  q: PaginationQuery,
): { items: T[]; pagination: { next_key: string | null; total: string } } {
  let offset = q["pagination.offset"] ?? 0;
  if (q["pagination.key"]) {
    const text = Buffer.from(q["pagination.key"], "base64").toString("utf8");
    if (!/^[0-9]{1,9}$/.test(text))
      throw new RestError("InvalidArgument", "pagination.key is not a key this server issued");
    offset = Number(text);
  }
  const limit = q["pagination.limit"] || 100;
  const ordered = q["pagination.reverse"] ? [...all].reverse() : all;
  const items = ordered.slice(offset, offset + limit);
  const next =
    offset + limit < ordered.length ? Buffer.from(String(offset + limit)).toString("base64") : null;
  return {
    items,
    pagination: { next_key: next, total: q["pagination.count_total"] === false ? "0" : String(all.length) },
  };
}

export const cosmosStakingRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  app.get<{ Querystring: PaginationQuery & { status?: (typeof BOND_STATUSES)[number] } }>(
    "/cosmos/staking/v1beta1/validators",
    {
      schema: {
        tags: ["cosmos"],
        summary: "The validator set (read-only view of CometBFT's validators)",
        querystring: {
          type: "object",
          properties: { status: { type: "string", enum: BOND_STATUSES }, ...paginationQuery },
        },
        response: {
          200: {
            type: "object",
            properties: {
              validators: { type: "array", items: { type: "object", additionalProperties: true } },
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
      const status = req.query.status;
      const all =
        status === undefined || status === "BOND_STATUS_UNSPECIFIED" || status === "BOND_STATUS_BONDED"
          ? (await reader.validators()).map(stakingValidatorJson)
          : [];
      const { items, pagination } = pageList(all, req.query);
      return { validators: items, pagination };
    },
  );
};
