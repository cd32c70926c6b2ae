/**
 * Creates CometBFT home directories: one validator (`cometbft init`) or a whole local network
 * (`cometbft testnet`), with every node's ports rewritten so that all of them run on one machine.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { resolveCometBinary } from "./comet-binary.js";
import { updateCometConfig, type TomlValue } from "./comet-config.js";
import {
  applyGenesisPatch,
  readGenesis,
  writeGenesis,
  type CometGenesis,
  type GenesisPatch,
} from "./comet-genesis.js";
import { BaseError } from "../app/errors.js";

/** The three ports a node listens on. */
export interface NodePorts {
  p2p: number;
  rpc: number;
  /** The application's ABCI socket (CometBFT's `proxy_app`). */
  abci: number;
}

/** A node's home and where it listens. */
export interface CometHome {
  home: string;
  moniker: string;
  /** Hex id of the node key, for `persistent_peers`. */
  nodeId: string;
  ports: NodePorts;
  /** `http://127.0.0.1:<rpc>` */
  rpcUrl: string;
  /** What the app must listen on: `tcp://127.0.0.1:<abci>` unless overridden. */
  abciAddress: string;
}

/** Settings every node gets; each has a default suited to local networks and tests. */
export interface CometNodeSettings {
  /** Consensus `timeout_commit`, the pause after each block. Default "300ms". */
  timeoutCommit?: string;
  /**
   * Consensus `create_empty_blocks_interval`: after a block that left the app hash unchanged (an idle
   * PoQ chain: see app/modules/poq/scoring.ts), wait this long for a transaction before making an empty
   * block. Default "0s": a block every `timeout_commit` (tests and benches). The networks users start
   * (`poq devnet`, `poq testnet init`, `poq init`) use {@link IDLE_BLOCK_INTERVAL}.
   */
  idleBlockInterval?: string;
  /**
   * Serve Go's profiler (`/debug/pprof/`, `rpc.pprof_laddr`) on 127.0.0.1 at the node's p2p port + 3 (the
   * first unused one of its ten), for benches that look at CometBFT's heap. Default off.
   */
  pprof?: boolean;
  /** CometBFT log level. Default "info". */
  logLevel?: string;
  /** Any other config.toml keys (`section.key`). */
  config?: Record<string, TomlValue>;
}

/**
 * How often an idle network makes a block on the networks users start: often enough to show the chain
 * is alive and to move height-based timers on (jails, unbonding), and 30 times fewer blocks to store
 * than one every `timeout_commit`. A transaction is proposed at once whatever this is.
 */
export const IDLE_BLOCK_INTERVAL = "10s";

/** Validator i of a local network is named (moniker, home folder) `validator<i>`. */
export const VALIDATOR_PREFIX = "validator";

export class CometHomeError extends BaseError {
  override name = "CometHomeError" as const;
}

/**
 * Ports of node `index` counting from `basePort`: each node takes ten, p2p at +0, RPC at +1, ABCI at +2.
 * With the default base 26656, node 0 has CometBFT's usual 26656/26657/26658.
 *
 * @example
 * portsFor(26656, 1); // { p2p: 26666, rpc: 26667, abci: 26668 }
 */
export function portsFor(basePort: number, index: number): NodePorts {
  const first = basePort + 10 * index;
  return { p2p: first, rpc: first + 1, abci: first + 2 };
}

/** Where a node started with {@link CometNodeSettings.pprof} serves Go's profiler. */
export function pprofPort(ports: NodePorts): number {
  return ports.p2p + 3;
}

/** The node id of a home (`cometbft show-node-id`). */
export function showNodeId(home: string, bin = resolveCometBinary()): string {
  return execFileSync(bin, ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
}

interface NodeLayout {
  home: string;
  moniker: string;
  ports: NodePorts;
  peers: string;
  abciAddress: string;
}

function configureNode({ home, moniker, ports, peers, abciAddress }: NodeLayout, s: CometNodeSettings): void {
  updateCometConfig(home, {
    moniker,
    proxy_app: abciAddress,
    log_level: s.logLevel ?? "info",
    "rpc.laddr": `tcp://127.0.0.1:${ports.rpc}`,
    // Browser clients (the web page, Keplr) call the RPC from another origin.
    "rpc.cors_allowed_origins": ["*"],
    "p2p.laddr": `tcp://127.0.0.1:${ports.p2p}`,
    "p2p.persistent_peers": peers,
    // All nodes share 127.0.0.1: without these, peers on the same IP are refused or dropped.
    "p2p.allow_duplicate_ip": true,
    "p2p.addr_book_strict": false,
    "consensus.timeout_commit": s.timeoutCommit ?? "300ms",
    "consensus.create_empty_blocks_interval": s.idleBlockInterval ?? "0s",
    ...(s.pprof ? { "rpc.pprof_laddr": `127.0.0.1:${pprofPort(ports)}` } : {}),
    // CosmJS's searchTx and getTx need the kv indexer.
    "tx_index.indexer": "kv",
    ...s.config,
  });
}

export interface InitCometHomeOptions extends CometNodeSettings {
  home: string;
  moniker: string;
  chainId: string;
  /** Default {@link portsFor}(26656, 0). */
  ports?: NodePorts;
  /** ABCI address instead of `tcp://127.0.0.1:<abci port>`, e.g. `unix:///tmp/app.sock`. */
  abciAddress?: string;
  /** Genesis changes besides the chain id (vote extensions, app_state, time). */
  genesis?: GenesisPatch;
  bin?: string;
}

/**
 * Creates a single-validator home with `cometbft init`, then sets ports, peers (none) and genesis.
 * Refuses a home that already has a genesis, so that no chain data is overwritten.
 *
 * @example
 * const node = await initCometHome({ home: "/tmp/poq", moniker: "v0", chainId: "poq-test-1",
 *   genesis: { voteExtensionsEnableHeight: 1, appState: { accounts: [] } } });
 * node.rpcUrl; // "http://127.0.0.1:26657"
 */
export async function initCometHome(opts: InitCometHomeOptions): Promise<CometHome> {
  const bin = opts.bin ?? resolveCometBinary();
  if (existsSync(join(opts.home, "config", "genesis.json"))) {
    throw new CometHomeError("CometBFT home already initialized", { details: opts.home });
  }
  execFileSync(bin, ["init", "--home", opts.home], { stdio: "pipe" });
  const ports = opts.ports ?? portsFor(26656, 0);
  const abciAddress = opts.abciAddress ?? `tcp://127.0.0.1:${ports.abci}`;
  configureNode({ home: opts.home, moniker: opts.moniker, ports, peers: "", abciAddress }, opts);
  writeGenesis(
    opts.home,
    applyGenesisPatch(readGenesis(opts.home), { ...opts.genesis, chainId: opts.chainId }),
  );
  return {
    home: opts.home,
    moniker: opts.moniker,
    nodeId: showNodeId(opts.home, bin),
    ports,
    rpcUrl: `http://127.0.0.1:${ports.rpc}`,
    abciAddress,
  };
}

export interface InitCometTestnetOptions extends CometNodeSettings {
  /** Output folder; node homes are `<dir>/validator0`, `<dir>/validator1`, ... */
  dir: string;
  validators: number;
  chainId: string;
  /** Node i uses {@link portsFor}(basePort, i). Default 26656. */
  basePort?: number;
  /** Node i's ABCI address instead of `tcp://127.0.0.1:<abci port>`. */
  abciAddressFor?: (index: number) => string;
  genesis?: GenesisPatch;
  bin?: string;
}

/** A testnet's node homes (validators, in genesis order) and the genesis they share. */
export interface CometTestnet {
  nodes: CometHome[];
  genesis: CometGenesis;
}

/**
 * Creates an N-validator network with `cometbft testnet`, every node on 127.0.0.1 with its own ports, all
 * peered with each other, and one genesis (same bytes on every node).
 *
 * @example
 * const { nodes } = await initCometTestnet({ dir: "/tmp/net", validators: 4, chainId: "poq-devnet-1",
 *   genesis: { voteExtensionsEnableHeight: 1, appState } });
 */
export async function initCometTestnet(opts: InitCometTestnetOptions): Promise<CometTestnet> {
  const bin = opts.bin ?? resolveCometBinary();
  if (!Number.isInteger(opts.validators) || opts.validators < 1) {
    throw new CometHomeError("a testnet needs at least one validator", { details: String(opts.validators) });
  }
  if (existsSync(opts.dir) && readdirSync(opts.dir).some((name) => /^(node|validator)\d+$/.test(name))) {
    throw new CometHomeError("testnet folder already has node homes", { details: opts.dir });
  }
  // Validators are validator<i>, so that they are not confused with the inference nodes (infer<i>).
  execFileSync(
    bin,
    ["testnet", "--v", String(opts.validators), "--o", opts.dir, "--node-dir-prefix", VALIDATOR_PREFIX],
    { stdio: "pipe" },
  );
  const homes = Array.from({ length: opts.validators }, (_, i) => join(opts.dir, `${VALIDATOR_PREFIX}${i}`));
  const basePort = opts.basePort ?? 26656;
  const ids = homes.map((home) => showNodeId(home, bin));
  const genesis = applyGenesisPatch(readGenesis(homes[0] as string), {
    ...opts.genesis,
    chainId: opts.chainId,
  });
  const nodes = homes.map((home, i): CometHome => {
    const ports = portsFor(basePort, i);
    const peers = ids
      .map((id, j) => (j === i ? undefined : `${id}@127.0.0.1:${portsFor(basePort, j).p2p}`))
      .filter((p): p is string => p !== undefined)
      .join(",");
    const moniker = `${VALIDATOR_PREFIX}${i}`;
    const abciAddress = opts.abciAddressFor?.(i) ?? `tcp://127.0.0.1:${ports.abci}`;
    configureNode({ home, moniker, ports, peers, abciAddress }, opts);
    writeGenesis(home, genesis);
    return {
      home,
      moniker,
      nodeId: ids[i] as string,
      ports,
      rpcUrl: `http://127.0.0.1:${ports.rpc}`,
      abciAddress,
    };
  });
  return { nodes, genesis };
}
