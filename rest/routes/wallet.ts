/** Wallet support: the Keplr ChainInfo. */
import type { FastifyPluginAsync } from "fastify";
import { keplrChainInfo } from "../keplr.js";
import { errorResponses } from "../schemas.js";
import type { RouteOptions } from "./options.js";

export interface WalletRouteOptions extends RouteOptions {
  /** RPC URL given to wallets; default: the server's own node RPC URL. */
  publicRpcUrl: string;
  /** REST URL given to wallets; default: derived from the request's Host. */
  publicRestUrl?: string;
}

const currency = {
  type: "object",
  properties: {
    coinDenom: { type: "string" },
    coinMinimalDenom: { type: "string" },
    coinDecimals: { type: "integer" },
  },
  required: ["coinDenom", "coinMinimalDenom", "coinDecimals"],
  additionalProperties: false,
} as const;

export const walletRoutes: FastifyPluginAsync<WalletRouteOptions> = async (app, opts) => {
  let chainId: string | undefined;
  app.get(
    "/chain-info/keplr",
    {
      schema: {
        tags: ["wallet"],
        summary: "ChainInfo for Keplr's experimentalSuggestChain",
        response: {
          200: {
            type: "object",
            properties: {
              chainId: { type: "string" },
              chainName: { type: "string" },
              rpc: { type: "string" },
              rest: { type: "string" },
              bip44: {
                type: "object",
                properties: { coinType: { type: "integer" } },
                required: ["coinType"],
              },
              bech32Config: {
                type: "object",
                properties: Object.fromEntries(
                  ["AccAddr", "AccPub", "ValAddr", "ValPub", "ConsAddr", "ConsPub"].map((k) => [
                    `bech32Prefix${k}`,
                    { type: "string" },
                  ]),
                ),
              },
              currencies: { type: "array", items: currency },
              feeCurrencies: {
                type: "array",
                items: {
                  ...currency,
                  properties: {
                    ...currency.properties,
                    gasPriceStep: {
                      type: "object",
                      properties: {
                        low: { type: "number" },
                        average: { type: "number" },
                        high: { type: "number" },
                      },
                    },
                  },
                },
              },
              stakeCurrency: currency,
              features: { type: "array", items: { type: "string" } },
            },
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      // The chain id never changes under a running node: read it once.
      chainId ??= (await opts.reader.status()).node_info.network;
      const rest = opts.publicRestUrl ?? `${req.protocol}://${req.host}`;
      return keplrChainInfo({ chainId, rpc: opts.publicRpcUrl, rest });
    },
  );
};
