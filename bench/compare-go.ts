/**
 * `poq bench chain --compare-go`: the same bank-send load (bench/chain-load.ts's {@link driveLoad},
 * the same keys, the same sends) against our chain and against the Go Cosmos SDK's reference app, one
 * after the other (ours, Go, ours, Go, ...), each a fresh one-validator chain on loopback with the same
 * CometBFT settings (timeout_commit, mempool sizes), and the ratio of committed tx/s.
 *
 * The Go reference is `simd` from ibc-go v8.8.0's testing simapp with the Cosmos SDK at v0.50.15 and
 * CometBFT at v0.38.20 (bench/go-ref/go.mod pins them; go.sum is checked in), built once with the Go
 * toolchain from the Go module proxy into `.tools/bin/simd` and reused after that. `--simd PATH` (or
 * `POQ_SIMD`) uses another binary.
 *
 * simd runs CometBFT in its own process (no ABCI socket), so its CPU is one figure: `cpu_s.app`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bech32Decode, bech32Encode } from "../app/modules/auth/bech32.js";
import { findProjectRoot } from "../network/comet-binary.js";
import { setTomlValues, type TomlValue } from "../network/comet-config.js";
import { waitForHeight } from "../network/comet-process.js";
import { spawnLogged, logTail } from "../network/child.js";
import { receiveOnlyAddresses } from "./bank-chain.js";
import {
  DEFAULT_CONNECTIONS,
  LOAD_MEMPOOL_CONFIG,
  driveLoad,
  loadKeys,
  runChainLoad,
  type ChainLoadResult,
  type LoadFigures,
} from "./chain-load.js";

/** The Go package built: ibc-go's testing simapp daemon. */
const SIMD_PACKAGE = "github.com/cosmos/ibc-go/v8/testing/simapp/simd";
const GO_CHAIN_ID = "poq-go-load-1";
const GO_DENOM = "stake";
const FUNDS = "1000000000000";

/** Options of {@link runCompareGo}. */
export interface CompareGoOptions {
  txs?: number;
  senders?: number;
  connections?: number;
  seconds?: number;
  timeoutCommit?: string;
  /** Ours uses basePort..+2, the Go chain basePort+10..+11. */
  basePort?: number;
  funded?: number;
  /** Runs of each chain, alternating (default 2). */
  rounds?: number;
  /** A simd binary to use instead of building one. */
  simd?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** One run against the Go reference. */
export type GoLoadResult = LoadFigures & { chain: "go-simd"; timeout_commit: string; funded: number };

export interface CompareGoResult {
  simd: string;
  txs: number;
  senders: number;
  connections: number;
  timeout_commit: string;
  rounds: number;
  /** Committed tx/s of each run, in the order they ran (ours first in each round). */
  ours_tx_per_s: number[];
  go_tx_per_s: number[];
  ours_median_tx_per_s: number;
  go_median_tx_per_s: number;
  /** Median ours over median Go: >= 1 means at least as fast. */
  ratio: number;
  /** Server CPU per committed tx, medians: ours is application + CometBFT, Go is simd's one process. */
  ours_server_cpu_ms_per_tx: number;
  go_server_cpu_ms_per_tx: number;
  load_average_1m: number[];
  runs: (ChainLoadResult | GoLoadResult)[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0
    ? 0
    : s.length % 2
      ? (s[mid] as number)
      : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const tenths = (x: number): number => Math.round(x * 10) / 10;

const stderrLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Whether `bin` runs and answers `version`. */
function simdRuns(bin: string): boolean {
  try {
    execFileSync(bin, ["version"], { stdio: "pipe", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a working simd: `explicit` (or `POQ_SIMD`) when given, else `.tools/bin/simd`, built
 * first when absent (a few minutes the first time; the Go toolchain caches the downloads and objects).
 *
 * @example
 * const simd = await ensureSimd(); // "/repo/.tools/bin/simd"
 */
export async function ensureSimd(
  explicit: string | undefined = process.env.POQ_SIMD,
  log: (line: string) => void = stderrLog,
): Promise<string> {
  if (explicit) {
    if (!simdRuns(explicit))
      throw new Error(`simd at ${explicit} does not run (\`${explicit} version\` failed)`);
    return explicit;
  }
  const root = findProjectRoot();
  const out = join(root, ".tools", "bin", "simd");
  if (existsSync(out) && simdRuns(out)) return out;
  const src = join(root, "bench", "go-ref");
  try {
    execFileSync("go", ["version"], { stdio: "pipe" });
  } catch {
    throw new Error("the Go toolchain (`go`, 1.23 or newer) is needed to build simd; or pass --simd PATH");
  }
  mkdirSync(join(root, ".tools", "bin"), { recursive: true });
  const tmp = `${out}.building-${process.pid}`;
  log(`building simd (${SIMD_PACKAGE}, see bench/go-ref/go.mod) into ${out}: first time a few minutes`);
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("go", ["build", "-o", tmp, SIMD_PACKAGE], {
      cwd: src,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false" },
    });
    const tick = setInterval(
      () => log(`  still building simd (${Math.round((Date.now() - t0) / 1000)} s)`),
      20_000,
    );
    child.once("error", (err) => {
      clearInterval(tick);
      reject(err);
    });
    child.once("exit", (code) => {
      clearInterval(tick);
      if (code === 0) resolve();
      else reject(new Error(`go build of simd failed (exit ${code})`));
    });
  });
  renameSync(tmp, out);
  log(`built simd in ${Math.round((Date.now() - t0) / 1000)} s`);
  return out;
}

/** The same 20 address bytes in another bech32 prefix. */
const withPrefix = (prefix: string, address: string): string =>
  bech32Encode(prefix, bech32Decode(address).data);

/** Runs `simd args` to completion; its output goes to `log` (a file), or into the thrown error. */
function simdCli(simd: string, args: string[]): void {
  try {
    execFileSync(simd, args, { stdio: "pipe", timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`simd ${args.slice(0, 2).join(" ")} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

function updateToml(file: string, values: Record<string, TomlValue>): void {
  writeFileSync(file, setTomlValues(readFileSync(file, "utf8"), values));
}

interface SimdGenesisAccount {
  "@type": string;
  address: string;
  pub_key: null;
  account_number: string;
  sequence: string;
}

/**
 * Creates a one-validator simd home: `init`, a validator key and gentx, then the load's senders and
 * receivers funded in genesis with explicit account numbers (returned for the senders), and the same
 * CometBFT settings as ours.
 */
function initSimdHome(
  simd: string,
  home: string,
  o: { senders: string[]; receivers: string[]; ports: { p2p: number; rpc: number }; timeoutCommit: string },
): bigint[] {
  const h = ["--home", home];
  const kr = ["--keyring-backend", "test"];
  simdCli(simd, ["init", "validator", "--chain-id", GO_CHAIN_ID, "--default-denom", GO_DENOM, ...h]);
  simdCli(simd, ["keys", "add", "validator", ...kr, ...h]);
  simdCli(simd, ["genesis", "add-genesis-account", "validator", `${FUNDS}${GO_DENOM}`, ...kr, ...h]);
  simdCli(simd, [
    "genesis",
    "gentx",
    "validator",
    `1000000000${GO_DENOM}`,
    "--chain-id",
    GO_CHAIN_ID,
    ...kr,
    ...h,
  ]);
  simdCli(simd, ["genesis", "collect-gentxs", ...h]);

  const genesisFile = join(home, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(genesisFile, "utf8")) as {
    app_state: {
      auth: { accounts: SimdGenesisAccount[] };
      bank: {
        balances: { address: string; coins: { denom: string; amount: string }[] }[];
        supply: unknown[];
      };
    };
  };
  const { auth, bank } = genesis.app_state;
  let next =
    1n + auth.accounts.reduce((m, a) => (BigInt(a.account_number) > m ? BigInt(a.account_number) : m), 0n);
  const numbers: bigint[] = [];
  for (const address of [...o.senders, ...o.receivers]) {
    numbers.push(next);
    auth.accounts.push({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address,
      pub_key: null,
      account_number: String(next++),
      sequence: "0",
    });
    bank.balances.push({ address, coins: [{ denom: GO_DENOM, amount: FUNDS }] });
  }
  // InitGenesis sums the balances into the supply when none is given.
  bank.supply = [];
  writeFileSync(genesisFile, JSON.stringify(genesis));

  updateToml(join(home, "config", "config.toml"), {
    "rpc.laddr": `tcp://127.0.0.1:${o.ports.rpc}`,
    "rpc.pprof_laddr": "",
    "p2p.laddr": `tcp://127.0.0.1:${o.ports.p2p}`,
    "consensus.timeout_commit": o.timeoutCommit,
    "tx_index.indexer": "kv",
    ...LOAD_MEMPOOL_CONFIG,
  });
  updateToml(join(home, "config", "app.toml"), {
    "minimum-gas-prices": `0${GO_DENOM}`,
    "api.enable": false,
    "grpc.enable": false,
    "grpc-web.enable": false,
  });
  return numbers.slice(0, o.senders.length);
}

/**
 * One load against a fresh one-validator simd chain in a temporary folder.
 *
 * @example
 * const r = await runGoLoad(await ensureSimd(), { txs: 6000, senders: 2000 });
 */
export async function runGoLoad(simd: string, opts: CompareGoOptions = {}): Promise<GoLoadResult> {
  const senders = opts.senders ?? 2000;
  const perSender = Math.max(1, Math.ceil((opts.txs ?? 6000) / senders));
  const timeoutCommit = opts.timeoutCommit ?? "300ms";
  const basePort = (opts.basePort ?? 26900) + 10;
  const keys = loadKeys(senders);
  const senderAddresses = keys.map((k) => withPrefix("cosmos", k.address));
  const receivers = receiveOnlyAddresses("load-receiver", opts.funded ?? 0).map((a) =>
    withPrefix("cosmos", a),
  );
  const home = mkdtempSync(join(tmpdir(), "poq-go-load-"));
  const ports = { p2p: basePort, rpc: basePort + 1 };
  const accountNumbers = initSimdHome(simd, home, {
    senders: senderAddresses,
    receivers,
    ports,
    timeoutCommit,
  });
  const logFile = join(home, "simd.log");
  const child = spawnLogged(simd, ["start", "--home", home, "--log_level", "error"], logFile);
  try {
    const rpcUrl = `http://127.0.0.1:${ports.rpc}`;
    await Promise.race([
      waitForHeight(rpcUrl, 2, 120_000),
      child.exited.then((how) => {
        throw new Error(`simd exited (${how}) at start: ${logTail(logFile, 20)}`);
      }),
    ]);
    const figures = await driveLoad(
      {
        rpcUrl,
        chainId: GO_CHAIN_ID,
        senderAddresses,
        accountNumbers,
        receivers,
        denom: GO_DENOM,
        appPid: child.pid,
        cometPid: undefined,
      },
      keys,
      {
        perSender,
        connections: opts.connections ?? DEFAULT_CONNECTIONS,
        seconds: opts.seconds ?? 120,
      },
    );
    return { chain: "go-simd", ...figures, timeout_commit: timeoutCommit, funded: receivers.length };
  } finally {
    await child.stop(10_000);
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Builds or finds simd, then loads ours and the Go reference alternately, `rounds` times each.
 *
 * @example
 * const r = await runCompareGo({ rounds: 2 });
 * r.ratio; // ours / Go, committed tx/s
 */
export async function runCompareGo(opts: CompareGoOptions = {}): Promise<CompareGoResult> {
  const log = opts.log ?? stderrLog;
  const simd = await ensureSimd(opts.simd, log);
  const rounds = opts.rounds ?? 2;
  const runs: (ChainLoadResult | GoLoadResult)[] = [];
  const ours: ChainLoadResult[] = [];
  const go: GoLoadResult[] = [];
  const loads: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: ours (load average ${loadavg()[0]?.toFixed(1)})`);
    const a = await runChainLoad(opts);
    log(`  ours: ${a.committed_tx_per_s} tx/s committed (${a.committed}/${a.txs}, ${a.rejected} rejected)`);
    ours.push(a);
    runs.push(a);
    loads.push(a.load_average_1m);
    log(`round ${round}/${rounds}: Go simd (load average ${loadavg()[0]?.toFixed(1)})`);
    const b = await runGoLoad(simd, opts);
    log(`  Go:   ${b.committed_tx_per_s} tx/s committed (${b.committed}/${b.txs}, ${b.rejected} rejected)`);
    go.push(b);
    runs.push(b);
    loads.push(b.load_average_1m);
  }
  const oursMedian = median(ours.map((r) => r.committed_tx_per_s));
  const goMedian = median(go.map((r) => r.committed_tx_per_s));
  const first = ours[0];
  return {
    simd,
    txs: first?.txs ?? 0,
    senders: first?.senders ?? 0,
    connections: first?.connections ?? 0,
    timeout_commit: first?.timeout_commit ?? "",
    rounds,
    ours_tx_per_s: ours.map((r) => r.committed_tx_per_s),
    go_tx_per_s: go.map((r) => r.committed_tx_per_s),
    ours_median_tx_per_s: oursMedian,
    go_median_tx_per_s: goMedian,
    ratio: goMedian > 0 ? Math.round((oursMedian / goMedian) * 100) / 100 : 0,
    ours_server_cpu_ms_per_tx: tenths(median(ours.map((r) => r.server_cpu_ms_per_tx))),
    go_server_cpu_ms_per_tx: tenths(median(go.map((r) => r.server_cpu_ms_per_tx))),
    load_average_1m: loads,
    runs,
  };
}
