/** `cosmos.base.tendermint.v1beta1` gateway routes: node info, syncing, blocks. */
import type { FastifyPluginAsync } from "fastify";
import { toBech32 } from "@cosmjs/encoding";
import { RpcError, type RpcBlock, type RpcBlockId } from "../chain-reader.js";
import { RestError } from "../errors.js";
import { errorResponses } from "../schemas.js";
import type { RouteOptions } from "./options.js";

const hexToBase64 = (hex: string | null | undefined): string =>
  Buffer.from(hex ?? "", "hex").toString("base64");

const BLOCK_ID_FLAGS: Record<number, string> = {
  0: "BLOCK_ID_FLAG_UNKNOWN",
  1: "BLOCK_ID_FLAG_ABSENT",
  2: "BLOCK_ID_FLAG_COMMIT",
  3: "BLOCK_ID_FLAG_NIL",
};

function blockIdJson(id: RpcBlockId | undefined) {
  return {
    hash: hexToBase64(id?.hash),
    part_set_header: { total: id?.parts.total ?? 0, hash: hexToBase64(id?.parts.hash) },
  };
}

/**
 * A CometBFT RPC block in the gateway's `GetLatestBlockResponse` shape: hashes base64,
 * heights strings; `sdk_block` has the proposer as a bech32 consensus address.
 *
 * @example
 * const json = blockJson(await reader.block());
 */
function blockJson(b: RpcBlock) {
  const h = b.block.header;
  const header = {
    version: { block: h.version.block, app: h.version.app ?? "0" },
    chain_id: h.chain_id,
    height: h.height,
    time: h.time,
    last_block_id: blockIdJson(h.last_block_id),
    last_commit_hash: hexToBase64(h.last_commit_hash),
    data_hash: hexToBase64(h.data_hash),
    validators_hash: hexToBase64(h.validators_hash),
    next_validators_hash: hexToBase64(h.next_validators_hash),
    consensus_hash: hexToBase64(h.consensus_hash),
    app_hash: hexToBase64(h.app_hash),
    last_results_hash: hexToBase64(h.last_results_hash),
    evidence_hash: hexToBase64(h.evidence_hash),
  };
  const lc = b.block.last_commit;
  const body = {
    data: { txs: b.block.data.txs ?? [] },
    evidence: { evidence: b.block.evidence.evidence ?? [] },
    last_commit: {
      height: lc?.height ?? "0",
      round: lc?.round ?? 0,
      block_id: blockIdJson(lc?.block_id),
      signatures: (lc?.signatures ?? []).map((s) => ({
        block_id_flag: BLOCK_ID_FLAGS[s.block_id_flag] ?? "BLOCK_ID_FLAG_UNKNOWN",
        validator_address: hexToBase64(s.validator_address),
        timestamp: s.timestamp,
        signature: s.signature ?? null,
      })),
    },
  };
  const proposer = Buffer.from(h.proposer_address, "hex");
  return {
    block_id: blockIdJson(b.block_id),
    block: { header: { ...header, proposer_address: proposer.toString("base64") }, ...body },
    sdk_block: { header: { ...header, proposer_address: toBech32("poqvalcons", proposer) }, ...body },
  };
}

const openObject = { type: "object", additionalProperties: true } as const;
const blockResponse = {
  type: "object",
  properties: { block_id: openObject, block: openObject, sdk_block: openObject },
  required: ["block_id", "block", "sdk_block"],
  additionalProperties: false,
} as const;

export const cosmosTendermintRoutes: FastifyPluginAsync<RouteOptions & { appVersion: string }> = async (
  app,
  { reader, appVersion },
) => {
  app.get(
    "/cosmos/base/tendermint/v1beta1/node_info",
    {
      schema: {
        tags: ["cosmos"],
        summary: "The node's P2P info (default_node_info.network is the chain id) and app version",
        response: {
          200: {
            type: "object",
            properties: {
              default_node_info: {
                type: "object",
                properties: {
                  protocol_version: {
                    type: "object",
                    properties: {
                      p2p: { type: "string" },
                      block: { type: "string" },
                      app: { type: "string" },
                    },
                  },
                  default_node_id: { type: "string" },
                  listen_addr: { type: "string" },
                  network: { type: "string" },
                  version: { type: "string" },
                  channels: { type: "string" },
                  moniker: { type: "string" },
                  other: {
                    type: "object",
                    properties: { tx_index: { type: "string" }, rpc_address: { type: "string" } },
                  },
                },
                required: ["network", "version"],
                additionalProperties: false,
              },
              application_version: {
                type: "object",
                properties: {
                  name: { type: "string" },
                  app_name: { type: "string" },
                  version: { type: "string" },
                  git_commit: { type: "string" },
                  build_tags: { type: "string" },
                  go_version: { type: "string" },
                  build_deps: { type: "array", items: openObject },
                  cosmos_sdk_version: { type: "string" },
                },
                additionalProperties: false,
              },
            },
            required: ["default_node_info", "application_version"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      const { node_info: n } = await reader.status();
      return {
        default_node_info: {
          protocol_version: n.protocol_version,
          default_node_id: n.id,
          listen_addr: n.listen_addr,
          network: n.network,
          version: n.version,
          channels: hexToBase64(n.channels),
          moniker: n.moniker,
          other: n.other,
        },
        application_version: {
          name: "poq",
          app_name: "poq",
          version: appVersion,
          git_commit: "",
          build_tags: "",
          go_version: "",
          build_deps: [],
          cosmos_sdk_version: "",
        },
      };
    },
  );

  app.get(
    "/cosmos/base/tendermint/v1beta1/syncing",
    {
      schema: {
        tags: ["cosmos"],
        summary: "Whether the node is catching up",
        response: {
          200: {
            type: "object",
            properties: { syncing: { type: "boolean" } },
            required: ["syncing"],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ syncing: (await reader.status()).sync_info.catching_up }),
  );

  app.get(
    "/cosmos/base/tendermint/v1beta1/blocks/latest",
    {
      schema: {
        tags: ["cosmos"],
        summary: "The latest block",
        response: { 200: blockResponse, ...errorResponses },
      },
    },
    async () => blockJson(await reader.block()),
  );

  app.get<{ Params: { height: string } }>(
    "/cosmos/base/tendermint/v1beta1/blocks/:height",
    {
      schema: {
        tags: ["cosmos"],
        summary: "A block by height",
        params: {
          type: "object",
          properties: {
            height: {
              type: "string",
              pattern: "^[1-9][0-9]{0,18}$",
              description: "a height the node has (400 code 9 for one above its latest block)",
            },
          },
          required: ["height"],
        },
        response: { 200: blockResponse, ...errorResponses },
      },
    },
    async (req) => {
      // One RPC call: CometBFT itself refuses a future height ("height N must be less than or
      // equal to the current blockchain height M"), so no `status` call beforehand.
      const height = BigInt(req.params.height);
      // A height no chain reaches (past int64) is refused like a future one: a matter of state, not syntax.
      if (height > 0x7fffffffffffffffn)
        throw new RestError("FailedPrecondition", `requested block height ${height} is past int64`);
      try {
        return blockJson(await reader.block(height));
      } catch (err) {
        if (err instanceof RpcError && /current blockchain height|lowest height/.test(err.data))
          throw new RestError("FailedPrecondition", `requested block ${err.data}`);
        throw err;
      }
    },
  );
};
