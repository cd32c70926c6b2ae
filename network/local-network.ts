/**
 * A local network on loopback: N validators, each one CometBFT process and one application process,
 * with a genesis of funded accounts and vote extensions on. Used by the devnet, `poq testnet`, the
 * end-to-end tests and the benchmarks.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Bip39, Random } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { initCometTestnet, VALIDATOR_PREFIX, type CometHome } from "./comet-home.js";
import type { TomlValue } from "./comet-config.js";
import { applyGenesisPatch, writeGenesis } from "./comet-genesis.js";
import { startComet, waitForHeight, type CometProcess } from "./comet-process.js";
import { startAppProcess, type AppProcess } from "./app-process.js";
import { buildAppState, defaultPoqGenesis, type GenesisAccount } from "./app-genesis.js";
import { DEFAULT_SNAPSHOTS, writeAppConfig, type SnapshotConfig } from "../validator/snapshots/config.js";

export interface LocalNetworkOptions {
  /** Folder for the validator homes (`validator0`, `validator1`, ...) and `network.json`. */
  dir: string;
  chainId: string;
  validators: number;
  /** Node i uses ports basePort + 10i (+0 p2p, +1 RPC, +2 ABCI). Default 26656. */
  basePort?: number;
  /** Funded accounts besides the validators' operators. */
  accounts?: GenesisAccount[];
  /** Coins each validator operator gets. Default 1,000,000,000 upoq. */
  operatorCoins?: string;
  /** Default "300ms". */
  timeoutCommit?: string;
  /** Default 1: vote extensions from the first block. */
  voteExtensionsEnableHeight?: number;
  /** Extra genesis sections for modules (e.g. `poq`). */
  modules?: Record<string, unknown>;
  /** Extra arguments for node i's application process. */
  appArgs?: (index: number) => string[];
  /** Extra Node/V8 flags for every application process (benches: `--trace-gc`). */
  appNodeFlags?: readonly string[];
  /** CometBFT log level. Default "error" (logs go to each home's cometbft.log). */
  logLevel?: string;
  /** Other config.toml keys (`section.key`) for every node, written when the network is created. */
  cometConfig?: Record<string, TomlValue>;
  /** State-sync snapshots each node takes (its app.toml). Default {@link DEFAULT_SNAPSHOTS}. */
  snapshots?: SnapshotConfig;
  /** Each CometBFT serves Go's profiler (see `CometNodeSettings.pprof`). Default off. */
  pprof?: boolean;
  /** How long `startLocalNetwork` waits for block 1 (a large genesis takes InitChain a while). Default 60 s. */
  firstBlockTimeoutMs?: number;
}

/** A validator operator key created for the network. */
export interface OperatorKey {
  name: string;
  address: string;
  mnemonic: string;
}

export interface LocalNode {
  index: number;
  home: string;
  rpcUrl: string;
  abciAddress: string;
  comet: CometProcess | undefined;
  app: AppProcess | undefined;
}

export interface LocalNetwork {
  readonly dir: string;
  readonly chainId: string;
  readonly nodes: LocalNode[];
  readonly operators: OperatorKey[];
  rpcUrl(index: number): string;
  /** Waits until node `index` (default 0) reports `height`. */
  waitForHeight(height: number | bigint, timeoutMs?: number, index?: number): Promise<bigint>;
  /** Starts node i's application, waits for its socket, then starts its CometBFT. */
  startNode(index: number): Promise<void>;
  /** Stops node i's CometBFT, then its application. */
  stopNode(index: number): Promise<void>;
  /** SIGKILLs node i's application; CometBFT stops itself when its ABCI connection breaks. */
  killApp(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** `DIR/network.json`: what {@link initLocalNetwork} wrote. */
export interface NetworkFile {
  chainId: string;
  nodes: { home: string; rpcUrl: string; abciAddress: string }[];
  operators: OperatorKey[];
}

/** The path of a network's `network.json`. */
export const networkFilePath = (dir: string): string => join(dir, "network.json");

/**
 * `DIR/network.json`, or undefined when DIR holds no network.
 *
 * @example
 * readNetworkFile("/tmp/net")?.nodes[0]?.rpcUrl; // "http://127.0.0.1:26657"
 */
export function readNetworkFile(dir: string): NetworkFile | undefined {
  const file = networkFilePath(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as NetworkFile) : undefined;
}

/** A fresh 24-word key (coin type 118) with its `poq1...` address, for genesis-funded accounts. */
export async function newAccountKey(name: string): Promise<OperatorKey> {
  const mnemonic = Bip39.encode(Random.getBytes(32)).toString();
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "poq" });
  const [account] = await wallet.getAccounts();
  return { name, address: account!.address, mnemonic };
}

/**
 * Writes the network's files (once): CometBFT homes with per-node ports, one genesis with funded
 * accounts and operators, and `network.json`. An existing network in `dir` is reused as it is.
 */
export async function initLocalNetwork(opts: LocalNetworkOptions): Promise<NetworkFile> {
  const existing = readNetworkFile(opts.dir);
  if (existing) return existing;
  const operators = await Promise.all(
    Array.from({ length: opts.validators }, (_, i) => newAccountKey(`validator${i}`)),
  );
  const basePort = opts.basePort ?? 26656;
  const testnet = await initCometTestnet({
    dir: opts.dir,
    validators: opts.validators,
    chainId: opts.chainId,
    basePort,
    timeoutCommit: opts.timeoutCommit ?? "300ms",
    logLevel: opts.logLevel ?? "error",
    ...(opts.pprof ? { pprof: true } : {}),
    ...(opts.cometConfig ? { config: opts.cometConfig } : {}),
    genesis: { voteExtensionsEnableHeight: opts.voteExtensionsEnableHeight ?? 1 },
  });
  const operatorCoins = opts.operatorCoins ?? "1000000000";
  const appState = buildAppState({
    accounts: [
      ...operators.map((o) => ({ address: o.address, coins: [{ denom: "upoq", amount: operatorCoins }] })),
      ...(opts.accounts ?? []),
    ],
    operators: testnet.genesis.validators.map((v, i) => ({
      pubKey: v.pub_key.value,
      operator: operators[i]!.address,
      moniker: `${VALIDATOR_PREFIX}${i}`,
    })),
    modules: { poq: defaultPoqGenesis(), ...opts.modules },
  });
  // Every node gets the same bytes: the genesis initCometTestnet wrote, plus the app state.
  const genesis = applyGenesisPatch(testnet.genesis, { appState });
  for (const node of testnet.nodes) {
    writeGenesis(node.home, genesis);
    writeAppConfig(node.home, opts.snapshots ?? DEFAULT_SNAPSHOTS);
  }
  const net: NetworkFile = {
    chainId: opts.chainId,
    nodes: testnet.nodes.map((n: CometHome) => ({
      home: n.home,
      rpcUrl: n.rpcUrl,
      abciAddress: n.abciAddress,
    })),
    operators,
  };
  writeFileSync(networkFilePath(opts.dir), JSON.stringify(net, null, 2) + "\n");
  return net;
}

/**
 * Initializes (when needed) and starts a local network, and waits for its first block.
 *
 * @example
 * const net = await startLocalNetwork({ dir: "/tmp/net", chainId: "poq-test-1", validators: 4 });
 * await net.waitForHeight(3);
 * await net.stop();
 */
export async function startLocalNetwork(opts: LocalNetworkOptions): Promise<LocalNetwork> {
  const file = await initLocalNetwork(opts);
  const nodes: LocalNode[] = file.nodes.map((n, index) => ({
    ...n,
    index,
    comet: undefined,
    app: undefined,
  }));

  const node = (index: number): LocalNode => {
    const n = nodes[index];
    if (!n) throw new Error(`no node ${index} (the network has ${nodes.length})`);
    return n;
  };

  const net: LocalNetwork = {
    dir: opts.dir,
    chainId: file.chainId,
    nodes,
    operators: file.operators,
    rpcUrl: (i) => node(i).rpcUrl,
    waitForHeight: (h, timeoutMs = 60_000, i = 0) => waitForHeight(node(i).rpcUrl, h, timeoutMs),
    async startNode(i) {
      const n = node(i);
      if (n.comet?.running) await n.comet.stop();
      if (!n.app?.running) {
        n.app = startAppProcess({
          home: n.home,
          abciAddress: n.abciAddress,
          chainId: file.chainId,
          ...(opts.appNodeFlags ? { nodeFlags: opts.appNodeFlags } : {}),
          // The validators share this machine's cores: each scores on its share (at least one session).
          args: [
            "--scoring-sessions",
            String(Math.max(1, Math.floor(availableParallelism() / nodes.length))),
            ...(opts.appArgs?.(i) ?? []),
          ],
        });
        await n.app.ready();
      }
      n.comet = startComet({ home: n.home });
    },
    async stopNode(i) {
      const n = node(i);
      await n.comet?.stop();
      await n.app?.stop();
    },
    async killApp(i) {
      const n = node(i);
      await n.app?.kill();
      // CometBFT exits by itself once its ABCI client loses the connection; make sure of it.
      await n.comet?.stop(10_000);
    },
    async stop() {
      await Promise.all(nodes.map((_, i) => net.stopNode(i)));
    },
  };
  try {
    for (let i = 0; i < nodes.length; i++) await net.startNode(i);
    // Through node 0's process, so that a CometBFT that exits at start fails now, with its log tail.
    await node(0).comet!.waitForHeight(1, opts.firstBlockTimeoutMs ?? 60_000);
  } catch (err) {
    await net.stop();
    throw err;
  }
  return net;
}
