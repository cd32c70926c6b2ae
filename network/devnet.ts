/**
 * `poq devnet`: a whole PoQ network on one machine. N validators (one CometBFT and one application
 * process each, from the local network harness), the REST server, an OpenAI-compatible backend (the
 * user's, or the bundled stand-in) and inference nodes registered on chain; funded test accounts in
 * `DIR/accounts.json` and in the test keyring of DIR. State is kept in DIR and reused unless `reset`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { DevnetError } from "./devnet-error.js";
import { createKeyring } from "../client/keyring.js";
import { createPoqSigningClient } from "../client/signing-client.js";
import { registerNode } from "../client/poq-tx.js";
import { startRestServer } from "../rest/server.js";
import { completionsUrl, createChatBackend } from "../inference/backend.js";
import { queryNode } from "../inference/chain-query.js";
import { startInferenceNode, type InferenceNode } from "../inference/node.js";
import type { LazyKind } from "../inference/standin/lazy.js";
import { startStandinServer, type StandinServer } from "../inference/standin/server.js";
import { defaultPoqGenesis } from "./app-genesis.js";
import { IDLE_BLOCK_INTERVAL, portsFor } from "./comet-home.js";
import {
  initLocalNetwork,
  networkFilePath,
  newAccountKey,
  startLocalNetwork,
  type LocalNetwork,
  type LocalNetworkOptions,
  type OperatorKey,
} from "./local-network.js";
import { assertPortsFree, type PortClaim } from "./ports.js";
import { superviseNetwork } from "./supervise-nodes.js";
import { runningDevnetPid } from "./testnet.js";
import { describeEvent, type SuperviseOptions } from "./supervisor.js";

export { DevnetError };

/** Honest inference nodes unless told otherwise: three, so a `--replicas 3` request is served at once. */
export const DEFAULT_INFERENCE_NODES = 3;

/** The model id the devnet's inference nodes serve unless told otherwise. */
export const DEVNET_MODEL = "llama-3-8b-instruct";
/** Honest inference node i (from 1) is `infer<i>`; lazy ones are `lazy<i>`. */
export const INFER_PREFIX = "infer";
const USER_ACCOUNTS = ["alice", "bob", "carol"] as const;
const USER_COINS = "100000000000";
const NODE_COINS = "10000000000";
const NODE_STAKE = "10000000upoq";

export interface DevnetOptions {
  /** Folder for everything (default ~/.poq/devnet). */
  home: string;
  chainId?: string;
  validators?: number;
  /** Node i's CometBFT uses basePort + 10i (p2p), +1 (RPC), +2 (app ABCI). Default 26656. */
  basePort?: number;
  /** REST server `host:port`. Default 127.0.0.1:1317. */
  restListen?: string;
  /** An OpenAI-compatible server for the inference nodes; without it the stand-in answers. */
  backendUrl?: string;
  apiKey?: string;
  /** Honest inference nodes. Default 3, so that `--replicas 3` works out of the box. */
  inferenceNodes?: number;
  /** Extra nodes answering lazily (through the stand-in's lazy mode). Default 0. */
  lazyNodes?: number;
  /** What the lazy nodes answer (inference/standin/lazy.ts). Default `template`. */
  lazyKind?: LazyKind;
  model?: string;
  reset?: boolean;
  timeoutCommit?: string;
  /**
   * When nothing happens (no transaction, no request in flight), an empty block this often. Default
   * {@link IDLE_BLOCK_INTERVAL}; "0s" makes a block every `timeoutCommit`, idle or not.
   */
  idleBlockInterval?: string;
  /** Each CometBFT serves Go's profiler at its p2p port + 3 (benches). Default off. */
  pprof?: boolean;
  /** Extra Node/V8 flags for every validator's application process (benches: `--trace-gc`). */
  appNodeFlags?: readonly string[];
  /** Overrides of the poq genesis params (camelCase keys, 64-bit values as strings). */
  poqParams?: Record<string, unknown>;
  /** Called with a line at each start-up step, and at each validator crash and restart. */
  onProgress?: (line: string) => void;
  /** Restart crashed validator processes (default true). */
  supervise?: boolean;
  /** Restart waits (default: from 0.5 s, doubling to 30 s). */
  backoff?: Pick<SuperviseOptions, "initialMs" | "maxMs" | "stableAfterMs">;
}

/** A funded test account: its key name, address and mnemonic. */
export type DevnetAccount = OperatorKey;

export interface DevnetInferenceNode {
  name: string;
  address: string;
  lazy: boolean;
  backend: string;
  logFile: string;
}

export interface Devnet {
  home: string;
  chainId: string;
  network: LocalNetwork;
  rpcUrls: string[];
  restUrl: string;
  /** The stand-in backend's URL when it runs (honest mode), else undefined. */
  standinUrl: string | undefined;
  lazyStandinUrl: string | undefined;
  accounts: DevnetAccount[];
  inferenceNodes: DevnetInferenceNode[];
  model: string;
  stop(): Promise<void>;
}

/** `DIR/devnet.json`: what the devnet was made with. */
export interface DevnetFile {
  chainId: string;
  validators: number;
  basePort: number;
  /** Inference node accounts funded in genesis (absent in files from before this field). */
  inferenceNodes?: number;
  lazyNodes?: number;
  accounts: DevnetAccount[];
}

/**
 * `DIR/devnet.json`, or undefined when DIR holds no devnet.
 *
 * @example
 * readDevnetFile("/tmp/devnet")?.validators; // 4
 */
export function readDevnetFile(home: string): DevnetFile | undefined {
  const file = join(home, "devnet.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DevnetFile) : undefined;
}

/**
 * Inference node names: infer1.. (honest) and lazy1.., never node<i>, so that they are not taken for
 * the validators (validator0..).
 */
const nodeNames = (honest: number, lazy: number): string[] => [
  ...Array.from({ length: honest }, (_, i) => `${INFER_PREFIX}${i + 1}`),
  ...Array.from({ length: lazy }, (_, i) => `lazy${i + 1}`),
];

/** Deletes a devnet folder, refusing one that a devnet runs in or that holds anything a devnet does not write. */
function resetHome(home: string): void {
  if (!existsSync(home)) return;
  const pid = runningDevnetPid(home);
  if (pid !== undefined) {
    throw new DevnetError(`refusing to --reset ${home}: a devnet is running there (pid ${pid})`, {
      details: `stop it first: Ctrl-C where it runs, or poq --home ${home} testnet stop`,
    });
  }
  // Besides the devnet's own files: what `poq testnet start` writes beside them.
  const ours =
    /^(node\d+|validator\d+|network\.json|devnet\.json|accounts\.json|endpoints\.json|testnet\.(log|pid)|keyring-test|inference|config|data)$/;
  const foreign = readdirSync(home).filter((f) => !ours.test(f));
  if (foreign.length > 0) {
    throw new DevnetError(`refusing to --reset ${home}: it holds files a devnet did not write`, {
      details: foreign.slice(0, 5).join(", "),
    });
  }
  rmSync(home, { recursive: true, force: true });
}

/**
 * Devnets made before the rename named their inference node accounts node<i>: the same accounts (keys,
 * addresses, registrations) go on as infer<i>.
 */
function renameLegacyNodes(file: DevnetFile): void {
  for (const a of file.accounts) if (/^node\d+$/.test(a.name)) a.name = a.name.replace(/^node/, INFER_PREFIX);
}

/**
 * Returns the existing devnet's file (`prev`, read by {@link settings}) or a new account list;
 * refuses to reuse a folder made with other settings.
 */
async function prepareHome(
  opts: DevnetOptions,
  { validators, basePort, prev }: Settings,
  names: string[],
): Promise<DevnetFile> {
  const chainId = opts.chainId ?? "poq-devnet-1";
  if (prev) {
    const differs =
      prev.validators !== validators
        ? `--validators ${prev.validators}`
        : prev.basePort !== basePort
          ? `--base-port ${prev.basePort}`
          : prev.chainId !== chainId
            ? `--chain-id ${prev.chainId}`
            : undefined;
    if (differs)
      throw new DevnetError(`${opts.home} holds a devnet made with ${differs}`, {
        details: "pass the same settings, or --reset to start over",
      });
    renameLegacyNodes(prev);
    const missing = names.filter((name) => !prev.accounts.some((a) => a.name === name));
    if (missing.length > 0)
      throw new DevnetError(
        `${opts.home} has no funded account for inference node(s) ${missing.join(", ")}`,
        {
          details: `it was made with ${prev.inferenceNodes ?? DEFAULT_INFERENCE_NODES} inference and ${prev.lazyNodes ?? 0} lazy nodes; pass those, or --reset`,
        },
      );
    return prev;
  }
  if (existsSync(networkFilePath(opts.home)))
    throw new DevnetError(`${opts.home} holds a network without devnet.json`, { details: "use --reset" });
  const accounts = await Promise.all([...USER_ACCOUNTS, ...names].map(newAccountKey));
  const inferenceNodes = names.filter((n) => n.startsWith(INFER_PREFIX)).length;
  return {
    chainId,
    validators,
    basePort,
    inferenceNodes,
    lazyNodes: names.length - inferenceNodes,
    accounts,
  };
}

function writeAccountFiles(home: string, devnet: DevnetFile): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, "devnet.json"), JSON.stringify(devnet, null, 2) + "\n");
  const list = devnet.accounts.map(({ name, address, mnemonic }) => ({ name, address, mnemonic }));
  writeFileSync(join(home, "accounts.json"), JSON.stringify(list, null, 2) + "\n", { mode: 0o600 });
}

interface PreparedDevnet {
  file: DevnetFile;
  names: string[];
  fresh: boolean;
}

/** Flags checked and turned into numbers, and the devnet already in the folder (unless it is reset). */
interface Settings {
  validators: number;
  honest: number;
  lazy: number;
  basePort: number;
  prev: DevnetFile | undefined;
}

function settings(opts: DevnetOptions): Settings {
  // Unset counts follow what an existing devnet in the folder was made with (unless it is reset).
  const prev = opts.reset ? undefined : readDevnetFile(opts.home);
  const validators = opts.validators ?? prev?.validators ?? 4;
  if (!Number.isInteger(validators) || validators < 1 || validators > 20)
    throw new DevnetError(`--validators must be between 1 and 20, got ${validators}`);
  const honest = opts.inferenceNodes ?? prev?.inferenceNodes ?? DEFAULT_INFERENCE_NODES;
  const lazy = opts.lazyNodes ?? prev?.lazyNodes ?? 0;
  if (!Number.isInteger(honest) || honest < 0 || !Number.isInteger(lazy) || lazy < 0 || honest + lazy > 20)
    throw new DevnetError("--inference-nodes and --lazy-nodes must be whole numbers (20 nodes at most)");
  return { validators, honest, lazy, basePort: opts.basePort ?? prev?.basePort ?? 26656, prev };
}

/**
 * Writes the devnet's files without starting anything (what `poq testnet init` does): accounts, keys
 * in the test keyring, CometBFT homes and the genesis. An existing devnet is reused (or wiped with `reset`).
 *
 * @example
 * await initDevnet({ home: "/tmp/devnet", validators: 4 });
 */
export async function initDevnet(opts: DevnetOptions): Promise<PreparedDevnet> {
  return writeDevnetFiles(opts, settings(opts));
}

async function writeDevnetFiles(opts: DevnetOptions, s: Settings): Promise<PreparedDevnet> {
  if (opts.reset) {
    opts.onProgress?.(`resetting ${opts.home}`);
    resetHome(opts.home);
  }
  const names = nodeNames(s.honest, s.lazy);
  const fresh = !existsSync(networkFilePath(opts.home));
  const file = await prepareHome(opts, s, names);
  writeAccountFiles(opts.home, file);
  const keyring = createKeyring({ home: opts.home, backend: "test" });
  for (const a of file.accounts) await keyring.recover(a.name, a.mnemonic, true);
  await initLocalNetwork(networkOptions(opts, file));
  return { file, names, fresh };
}

function networkOptions(opts: DevnetOptions, file: DevnetFile): LocalNetworkOptions {
  return {
    dir: opts.home,
    chainId: file.chainId,
    validators: file.validators,
    basePort: file.basePort,
    timeoutCommit: opts.timeoutCommit ?? "300ms",
    accounts: file.accounts.map((a) => ({
      address: a.address,
      coins: [{ denom: "upoq", amount: USER_ACCOUNTS.includes(a.name as never) ? USER_COINS : NODE_COINS }],
    })),
    modules: { poq: defaultPoqGenesis(opts.poqParams ?? {}) },
    ...(opts.pprof ? { pprof: true } : {}),
    ...(opts.appNodeFlags ? { appNodeFlags: opts.appNodeFlags } : {}),
    cometConfig: {
      // Keep each block cheap to store: nothing here reads block_results (clients use tx search and
      // ABCI queries).
      "storage.discard_abci_responses": true,
      // An idle chain's blocks leave the app hash as it was (app/modules/poq/scoring.ts), so CometBFT
      // waits for a transaction, or this long, before the next block.
      "consensus.create_empty_blocks_interval": opts.idleBlockInterval ?? IDLE_BLOCK_INTERVAL,
    },
  };
}

/** Says at start-up when the user's backend does not answer `GET /v1/models` (the nodes retry anyway). */
async function checkBackend(url: string, apiKey: string | undefined, progress: (l: string) => void) {
  const models = completionsUrl(url).replace(/chat\/completions$/, "models");
  try {
    const res = await fetch(models, {
      signal: AbortSignal.timeout(3000),
      ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
    });
    progress(`backend ${url}: ${res.ok ? "answers" : `GET /v1/models gave HTTP ${res.status}`}`);
  } catch (err) {
    const why =
      (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.message : "");
    progress(`warning: backend ${url} does not answer (${why}); inference nodes will keep retrying`);
  }
}

/**
 * Starts (or restarts) the devnet and resolves once blocks are produced, the REST server listens and
 * the inference nodes are registered and running.
 *
 * @example
 * const devnet = await startDevnet({ home: "/tmp/devnet", onProgress: console.log });
 * console.log(devnet.rpcUrls[0], devnet.restUrl);
 * await devnet.stop();
 */
export async function startDevnet(opts: DevnetOptions): Promise<Devnet> {
  const progress = opts.onProgress ?? (() => undefined);
  const s = settings(opts);
  const { validators, honest, lazy, basePort } = s;
  // A malformed --backend fails here, before anything starts.
  if (opts.backendUrl !== undefined) completionsUrl(opts.backendUrl);
  const restListen = opts.restListen ?? "127.0.0.1:1317";
  const restPort = Number(restListen.split(":").pop());
  const model = opts.model ?? DEVNET_MODEL;

  // A devnet already running in this folder is named as such, not as ports in use or files in the way.
  const running = runningDevnetPid(opts.home);
  if (running !== undefined)
    throw new DevnetError(`a devnet is already running in ${opts.home} (pid ${running})`, {
      details: `stop it first: Ctrl-C where it runs, or poq --home ${opts.home} testnet stop`,
    });
  const claims: PortClaim[] = [];
  for (let i = 0; i < validators; i++) {
    const p = portsFor(basePort, i);
    claims.push({ port: p.rpc, what: `validator ${i} CometBFT RPC`, flag: "--base-port" });
    claims.push({ port: p.p2p, what: `validator ${i} CometBFT p2p`, flag: "--base-port" });
    claims.push({ port: p.abci, what: `validator ${i} application ABCI socket`, flag: "--base-port" });
  }
  claims.push({ port: restPort, what: "REST API", flag: "--rest-listen" });
  await assertPortsFree(claims);

  const { file, names, fresh } = await writeDevnetFiles(opts, s);
  const accountOf = (name: string): DevnetAccount => file.accounts.find((a) => a.name === name)!;

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    progress(
      `${fresh ? "creating" : "reusing"} ${validators} validators in ${opts.home} (CometBFT + app process each)`,
    );
    const network = await startLocalNetwork(networkOptions(opts, file));
    stops.push(() => network.stop());
    if (opts.supervise !== false) {
      // A crashed validator process comes back (and is reported) instead of staying down.
      const supervisors = superviseNetwork(network, (e) => progress(describeEvent(e)), opts.backoff);
      stops.push(async () => {
        await Promise.all(supervisors.map((sup) => sup.stop()));
      });
    }
    const rpcUrls = network.nodes.map((n) => n.rpcUrl);
    progress(`blocks are being produced (validator 0 RPC ${rpcUrls[0]})`);

    const rest = await startRestServer({ rpcUrl: rpcUrls[0]!, listen: restListen, logger: false });
    stops.push(() => rest.close());
    progress(`REST API on ${rest.url}`);

    let standin: StandinServer | undefined;
    let lazyStandin: StandinServer | undefined;
    if (honest > 0 && opts.backendUrl === undefined) {
      standin = await startStandinServer({ mode: "answer" });
      stops.push(() => standin!.close());
      progress(`stand-in backend (bundled answers, not an LLM) on ${standin.url}`);
    }
    if (lazy > 0) {
      lazyStandin = await startStandinServer({ mode: "lazy", lazyKind: opts.lazyKind ?? "template" });
      stops.push(() => lazyStandin!.close());
      progress(`lazy stand-in backend (${opts.lazyKind ?? "template"} answers) on ${lazyStandin.url}`);
    }

    if (opts.backendUrl !== undefined) await checkBackend(opts.backendUrl, opts.apiKey, progress);

    const inferenceNodes: DevnetInferenceNode[] = [];
    const started: InferenceNode[] = [];
    await Promise.all(
      names.map(async (name) => {
        const account = accountOf(name);
        const isLazy = name.startsWith("lazy");
        const backendUrl = isLazy ? lazyStandin!.url : (opts.backendUrl ?? standin!.url);
        const signer = await DirectSecp256k1HdWallet.fromMnemonic(account.mnemonic, { prefix: "poq" });
        const existing = await queryNode(rpcUrls[0]!, account.address);
        if (existing?.status !== "ACTIVE") {
          const client = await createPoqSigningClient(rpcUrls[0]!, signer);
          await registerNode(client, account.address, { models: [model], stake: NODE_STAKE, moniker: name });
          client.disconnect();
          progress(`registered inference node ${name} (${account.address})`);
        }
        const dir = join(opts.home, "inference", name);
        mkdirSync(dir, { recursive: true });
        const logFile = join(dir, "node.log");
        const node = await startInferenceNode({
          rpcUrl: rpcUrls[0]!,
          backend: createChatBackend({
            url: backendUrl,
            ...(opts.apiKey !== undefined && !isLazy ? { apiKey: opts.apiKey } : {}),
          }),
          signer,
          ledgerFile: join(dir, "submissions.json"),
          log: (line) => writeFileSync(logFile, `${new Date().toISOString()} ${line}\n`, { flag: "a" }),
          // A devnet node jailed for a miss or a low score (the stand-in says "I do not know" to
          // questions it lacks) would otherwise stay out, and the devnet stops serving after a few.
          autoUnjail: true,
        });
        started.push(node);
        inferenceNodes.push({ name, address: account.address, lazy: isLazy, backend: backendUrl, logFile });
      }),
    );
    stops.push(async () => {
      await Promise.all(started.map((n) => n.stop()));
    });
    inferenceNodes.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));

    return {
      home: opts.home,
      chainId: file.chainId,
      network,
      rpcUrls,
      restUrl: rest.url,
      standinUrl: standin?.url,
      lazyStandinUrl: lazyStandin?.url,
      accounts: file.accounts,
      inferenceNodes,
      model,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
