/**
 * One validator for a real deployment: `poq init` writes its home (CometBFT config and keys, a genesis
 * with its operator account funded and vote extensions on), `poq start` runs its application process
 * and its CometBFT, wired together through the ABCI socket named in config.toml.
 */
import { existsSync, readFileSync } from "node:fs";
import { BaseError } from "../app/errors.js";
import { buildAppState, defaultPoqGenesis } from "./app-genesis.js";
import { cometConfigPath, getTomlString } from "./comet-config.js";
import { IDLE_BLOCK_INTERVAL, initCometHome, portsFor, type CometHome } from "./comet-home.js";
import { applyGenesisPatch, genesisPath, readGenesis, writeGenesis } from "./comet-genesis.js";
import { startComet, type CometProcess } from "./comet-process.js";
import { startAppProcess, type AppProcess } from "./app-process.js";
import { DEFAULT_SNAPSHOTS, writeAppConfig } from "../validator/snapshots/config.js";

export class NodeSetupError extends BaseError {
  override name = "NodeSetupError" as const;
}

/** Throws when `home` already holds a node (nothing there is ever overwritten). */
export function assertHomeFree(home: string): void {
  if (existsSync(genesisPath(home))) {
    throw new NodeSetupError(`${home} is already initialized`, {
      details: "use another --home, or delete it to start over",
    });
  }
}

export interface InitNodeOptions {
  home: string;
  chainId: string;
  moniker: string;
  /** The validator's operator account (rewards go there); it is funded in genesis. */
  operator: string;
  /** Coins for the operator in genesis, in upoq. Default 1,000,000,000. */
  operatorCoins?: string;
  /** Ports from this base (+0 p2p, +1 RPC, +2 ABCI). Default 26656. */
  basePort?: number;
}

/**
 * Writes a single-validator home.
 *
 * @example
 * await initNode({ home: "/tmp/poq", chainId: "poq-devnet-1", moniker: "v0", operator: "poq1..." });
 */
export async function initNode(opts: InitNodeOptions): Promise<CometHome> {
  assertHomeFree(opts.home);
  const node = await initCometHome({
    home: opts.home,
    moniker: opts.moniker,
    chainId: opts.chainId,
    ports: portsFor(opts.basePort ?? 26656, 0),
    logLevel: "error",
    genesis: { voteExtensionsEnableHeight: 1 },
    idleBlockInterval: IDLE_BLOCK_INTERVAL,
  });
  const genesis = readGenesis(opts.home);
  const validator = genesis.validators[0];
  if (!validator) throw new NodeSetupError("cometbft init wrote no genesis validator");
  const appState = buildAppState({
    accounts: [
      { address: opts.operator, coins: [{ denom: "upoq", amount: opts.operatorCoins ?? "1000000000" }] },
    ],
    operators: [{ pubKey: validator.pub_key.value, operator: opts.operator, moniker: opts.moniker }],
    modules: { poq: defaultPoqGenesis() },
  });
  writeGenesis(opts.home, applyGenesisPatch(genesis, { appState }));
  writeAppConfig(opts.home, DEFAULT_SNAPSHOTS);
  return node;
}

export interface RunningNode {
  /** The current processes (replaced by {@link RunningNode.restart}). */
  readonly app: AppProcess;
  readonly comet: CometProcess;
  rpcUrl: string;
  abciAddress: string;
  /** Stops both processes and starts them again (CometBFT after the app, as at start). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the application process, waits for its ABCI socket, then starts CometBFT.
 *
 * @example
 * const node = await startNode({ home: "/tmp/poq" });
 * await node.comet.waitForHeight(3);
 * await node.stop();
 */
export async function startNode(opts: { home: string; appArgs?: string[] }): Promise<RunningNode> {
  const configFile = cometConfigPath(opts.home);
  if (!existsSync(configFile)) {
    throw new NodeSetupError(`${opts.home} has no CometBFT config`, { details: "run `poq init` first" });
  }
  const abciAddress = getTomlString(readFileSync(configFile, "utf8"), "proxy_app") ?? "tcp://127.0.0.1:26658";
  const chainId = readGenesis(opts.home).chain_id;
  const startApp = async (): Promise<AppProcess> => {
    const app = startAppProcess({ home: opts.home, abciAddress, chainId, args: opts.appArgs ?? [] });
    try {
      await app.ready(30_000);
    } catch (err) {
      await app.stop();
      throw err;
    }
    return app;
  };
  let app = await startApp();
  let comet = startComet({ home: opts.home });
  return {
    get app() {
      return app;
    },
    get comet() {
      return comet;
    },
    rpcUrl: comet.rpcUrl,
    abciAddress,
    async restart() {
      // Always the pair: CometBFT cannot outlive its app's connection, and both come back in the
      // order they started in (the app also runs a block CometBFT replays before Commit again).
      await comet.stop();
      await app.stop();
      app = await startApp();
      comet = startComet({ home: opts.home });
    },
    async stop() {
      await comet.stop();
      await app.stop();
    },
  };
}
