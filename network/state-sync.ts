/**
 * Configures a home to join a running network by state sync (`poq start --state-sync`): the light
 * client's root of trust from a running node's RPC, CometBFT's `[statesync]` section, and that node
 * as a peer to fetch snapshots from.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BaseError } from "../app/errors.js";
import { cometConfigPath, getTomlString, updateCometConfig } from "./comet-config.js";
import { readGenesis, writeGenesis, type CometGenesis } from "./comet-genesis.js";
import { cometRpc } from "./comet-process.js";

export class StateSyncSetupError extends BaseError {
  override name = "StateSyncSetupError" as const;
}

/** How long the light client trusts a header: the SDK's usual two-thirds of a 21-day unbonding period. */
export const DEFAULT_TRUST_PERIOD = "336h0m0s";

export interface ConfigureStateSyncOptions {
  home: string;
  /** RPC URLs of running nodes of the network (http://host:port); at least one. */
  rpcServers: string[];
  trustPeriod?: string;
}

export interface StateSyncSetup {
  trustHeight: bigint;
  trustHash: string;
  /** `id@host:port` of each RPC server's node, added to `p2p.persistent_peers`. */
  peers: string[];
  /** Whether the network's genesis replaced the home's. */
  genesisReplaced: boolean;
}

interface StatusResult {
  node_info: { id: string; listen_addr: string; network: string };
  sync_info: { latest_block_height: string };
}

/** The home has never run: no block store and no application state. */
function neverRan(home: string): boolean {
  return (
    !existsSync(join(home, "data", "blockstore.db")) && !existsSync(join(home, "data", "application.db"))
  );
}

/**
 * Reads the latest height and its block hash from the first RPC server (the trust root), and each
 * server's node id and p2p port, then writes `statesync.*` and `p2p.persistent_peers` into the
 * home's config.toml. When the home's genesis names another chain and the node has never run (a home
 * straight from `poq init`), the network's genesis from the server replaces it.
 *
 * @example
 * await configureStateSync({ home: "/tmp/new", rpcServers: ["http://10.0.0.5:26657"] });
 */
export async function configureStateSync(opts: ConfigureStateSyncOptions): Promise<StateSyncSetup> {
  const servers = opts.rpcServers.map((s) => s.trim().replace(/\/+$/, "")).filter((s) => s !== "");
  if (servers.length === 0) throw new StateSyncSetupError("--state-sync needs at least one RPC server");
  const statuses: StatusResult[] = [];
  for (const url of servers) {
    try {
      statuses.push(await cometRpc<StatusResult>(url, "/status", 5000));
    } catch (err) {
      throw new StateSyncSetupError(`cannot read ${url}/status`, { cause: err });
    }
  }
  const first = statuses[0] as StatusResult;
  const chainId = first.node_info.network;
  const other = statuses.find((s) => s.node_info.network !== chainId);
  if (other) {
    throw new StateSyncSetupError("the RPC servers belong to different chains", {
      details: `${chainId} and ${other.node_info.network}`,
    });
  }

  let genesisReplaced = false;
  if (readGenesis(opts.home).chain_id !== chainId) {
    if (!neverRan(opts.home)) {
      throw new StateSyncSetupError(
        `${opts.home} belongs to chain ${readGenesis(opts.home).chain_id}, not ${chainId}`,
        {
          details: "state sync joins the chain of the RPC servers: use a fresh --home",
        },
      );
    }
    const { genesis } = await cometRpc<{ genesis: CometGenesis }>(servers[0] as string, "/genesis", 30_000);
    writeGenesis(opts.home, genesis);
    genesisReplaced = true;
  }

  const trustHeight = BigInt(first.sync_info.latest_block_height);
  if (trustHeight < 1n) throw new StateSyncSetupError(`${servers[0]} has no block yet`);
  const block = await cometRpc<{ block_id: { hash: string } }>(
    servers[0] as string,
    `/block?height=${trustHeight}`,
  );
  const trustHash = block.block_id.hash;

  const peers = statuses.map((s, i) => {
    const port = /:(\d+)$/.exec(s.node_info.listen_addr)?.[1];
    if (!port)
      throw new StateSyncSetupError(`${servers[i]} reports no p2p port`, {
        details: s.node_info.listen_addr,
      });
    return `${s.node_info.id}@${new URL(servers[i] as string).hostname}:${port}`;
  });
  const existing = (
    getTomlString(readFileSync(cometConfigPath(opts.home), "utf8"), "p2p.persistent_peers") ?? ""
  )
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const allPeers = [...new Set([...existing, ...peers])];
  updateCometConfig(opts.home, {
    "statesync.enable": true,
    // CometBFT's light client wants two servers (a primary and a witness); one given serves as both.
    "statesync.rpc_servers": (servers.length === 1 ? [servers[0], servers[0]] : servers).join(","),
    "statesync.trust_height": Number(trustHeight),
    "statesync.trust_hash": trustHash,
    "statesync.trust_period": opts.trustPeriod ?? DEFAULT_TRUST_PERIOD,
    // CometBFT's shortest wait for peers to offer snapshots (the default is 15 s).
    "statesync.discovery_time": "5s",
    "p2p.persistent_peers": allPeers.join(","),
  });
  return { trustHeight, trustHash, peers, genesisReplaced };
}
