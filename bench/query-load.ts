/**
 * Heavy filtered queries on a large state while blocks keep their pace (issue 14's evidence: "a
 * non-matching filtered query on 100,000 requests answers in bounded time while blocks keep their
 * pace").
 *
 * A real one-validator network (CometBFT v0.38 and the validator's app process) whose genesis holds
 * `--requests` finished requests: written through the real poq keeper into a scratch state store
 * (one requester, one node, FINALIZED, already pruned: texts dropped, as a long-running chain holds
 * them), exported with `exportPoqGenesis` and imported by InitChain (the poq genesis `store` form,
 * app/modules/poq/genesis.ts). The genesis is written compact: pretty-printed, its app_state would
 * pass the 128 MiB ABCI frame. The app process gets a larger V8 heap than a node's 192 MB for
 * that InitChain only (parsing a 110 MB app_state); blocks and queries do not need it.
 *
 * Then, in one run: `--seconds` without queries, `--seconds` with `--clients` closed-loop clients
 * hammering the REST gateway (`poq rest start`'s server, in its own process) with
 * `Requests` queries (a mix: requester + EXPIRED and node + EXPIRED match none and read 1,000
 * candidates each; status EXPIRED alone walks an empty index; status FINALIZED reads a page of 200
 * records), and `--seconds` without again. Reports query latency p50/p99 per kind and block
 * intervals (p50/p99/max, from the block headers' times) per phase, and their ratios to the idle
 * phases. `--query-thread both` (default) does it twice on fresh networks: queries in the app's
 * query worker thread (the default) and on the consensus thread (`--query-thread main`, as before).
 *
 * Usage: node dist/bench/query-load.js [--requests 100000] [--clients 4] [--seconds 30]
 *        [--query-thread worker|main|both]
 * Same as `poq bench query-load ...`. Ports 28100-28102 (CometBFT, ABCI) and 28190 (REST).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { formatAccountAddress } from "../app/modules/auth/address.js";
import { exportPoqGenesis } from "../app/modules/poq/genesis.js";
import { createPoqKeeper } from "../app/modules/poq/keeper.js";
import { RequestStatus, type RequestRecord } from "../app/modules/poq/state.js";
import { sha256 } from "../app/store/merkle.js";
import { createStateStore } from "../app/store/state.js";
import { defaultPoqGenesis } from "../network/app-genesis.js";
import { cometRpc } from "../network/comet-process.js";
import { genesisPath } from "../network/comet-genesis.js";
import { initLocalNetwork, startLocalNetwork, type LocalNetworkOptions } from "../network/local-network.js";
import { waitFor } from "../test/wait-for.js";
import { requestRecord } from "../test/request-record.js";
import { exitOnSignal, positive } from "./options.js";
import { percentile } from "./stats.js";

export interface QueryLoadOptions {
  requests: number;
  clients: number;
  seconds: number;
  queryThread: "worker" | "main" | "both";
}

const BASE_PORT = 28100;
const REST_PORT = 28190;
const round = (x: number): number => Math.round(x * 100) / 100;
const load1 = (): number => round(loadavg()[0] ?? 0);
const addressOf = (label: string): string =>
  formatAccountAddress(sha256(new TextEncoder().encode(label)).subarray(0, 20));

/** One requester and one node for every filled request: the worst case for their indexes. */
const REQUESTER = addressOf("query-load-requester");
const NODE = addressOf("query-load-node");

/** A finished, pruned request (texts dropped, no hashes: the texts were empty). */
function finished(id: number): RequestRecord {
  return requestRecord(id, {
    requester: REQUESTER,
    model: "llama-3-8b-instruct",
    max_tokens: 64,
    fee: { denom: "upoq", amount: "20000" },
    status: RequestStatus.Finalized,
    node: NODE,
    assigned_nodes: [NODE],
    pruned_height: "0",
    prompt_sha256: "",
    response_sha256: "",
  });
}

/** The poq module's exported entries after `n` finished requests were written through the keeper. */
function finishedStore(dir: string, n: number): unknown[] {
  const state = createStateStore({ path: join(dir, "fill", "app.db") });
  const keeper = createPoqKeeper();
  try {
    let h = 0n;
    for (let id = 1; id <= n; id++) {
      keeper.setRequest({ store: state.deliver }, finished(id));
      if (id % 20_000 === 0) state.commit(++h);
    }
    state.commit(++h);
    return (exportPoqGenesis(keeper, { store: state.committedView() }) as { store: unknown[] }).store;
  } finally {
    state.close();
  }
}

interface Query {
  kind: string;
  path: string;
}

const QUERIES: Query[] = [
  { kind: "requester+EXPIRED (none)", path: `/poq/v1/requests?requester=${REQUESTER}&status=EXPIRED` },
  { kind: "node+EXPIRED (none)", path: `/poq/v1/requests?node=${NODE}&status=EXPIRED` },
  { kind: "EXPIRED (none)", path: "/poq/v1/requests?status=EXPIRED" },
  { kind: "FINALIZED x200", path: "/poq/v1/requests?status=FINALIZED&pagination.limit=200" },
];

function get(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** `clients` loops, each sending the next query when the last answered, cycling through {@link QUERIES}. */
async function hammer(base: string, clients: number, until: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies = new Map<string, number[]>(QUERIES.map((q) => [q.kind, []]));
  let errors = 0;
  let lastError = "";
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; performance.now() < until; i++) {
        const q = QUERIES[i % QUERIES.length]!;
        const t0 = performance.now();
        try {
          const res = await get(agent, `${base}${q.path}`);
          if (res.status === 200) latencies.get(q.kind)!.push(performance.now() - t0);
          else {
            errors++;
            lastError = `${res.status} ${res.body.slice(0, 200)}`;
          }
        } catch (err) {
          errors++;
          lastError = String(err);
        }
      }
    }),
  );
  agent.destroy();
  const all = [...latencies.values()].flat().sort((a, b) => a - b);
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return {
      n: s.length,
      p50_ms: round(percentile(s, 50)),
      p99_ms: round(percentile(s, 99)),
      max_ms: round(s[s.length - 1] ?? 0),
    };
  };
  return {
    clients,
    queries: all.length,
    errors,
    ...(errors > 0 ? { last_error: lastError } : {}),
    all: stats(all),
    by_kind: Object.fromEntries([...latencies].map(([k, xs]) => [k, stats(xs)])),
  };
}

/** A process's resident set in MB (Linux), or null. */
function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

async function height(rpcUrl: string): Promise<number> {
  const s = await cometRpc<{ sync_info: { latest_block_height: string } }>(rpcUrl, "/status");
  return Number(s.sync_info.latest_block_height);
}

/** A header time (RFC 3339 with nanoseconds) in ms since the epoch, to the microsecond. */
function timeMs(t: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  if (!m) throw new Error(`unexpected block time ${t}`);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? "0"}`) * 1000;
}

/** Intervals between consecutive block times (header `time`) of heights from..to. */
async function blockIntervals(rpcUrl: string, from: number, to: number) {
  const times = new Map<number, number>();
  for (let lo = from; lo <= to; lo += 20) {
    const hi = Math.min(to, lo + 19);
    const r = await cometRpc<{ block_metas: { header: { height: string; time: string } }[] }>(
      rpcUrl,
      `/blockchain?minHeight=${lo}&maxHeight=${hi}`,
    );
    for (const m of r.block_metas) times.set(Number(m.header.height), timeMs(m.header.time));
  }
  const gaps: number[] = [];
  for (let h = from + 1; h <= to; h++) {
    const a = times.get(h - 1);
    const b = times.get(h);
    if (a !== undefined && b !== undefined) gaps.push(b - a);
  }
  gaps.sort((a, b) => a - b);
  return {
    blocks: gaps.length,
    p50_ms: round(percentile(gaps, 50)),
    p99_ms: round(percentile(gaps, 99)),
    max_ms: round(gaps[gaps.length - 1] ?? 0),
  };
}

/** One network, three phases: idle, query load, idle. */
async function runOnce(o: QueryLoadOptions, thread: "worker" | "main", store: unknown[]) {
  const dir = mkdtempSync(join(tmpdir(), `poq-query-load-${thread}-`));
  const netOpts: LocalNetworkOptions = {
    dir,
    chainId: "poq-query-load-1",
    validators: 1,
    basePort: BASE_PORT,
    // InitChain parses the 110 MB app_state; the node's usual 192 MB heap is for its steady state.
    appNodeFlags: ["--max-old-space-size=4096"],
    appArgs: () => ["--no-evaluator", "--query-thread", thread],
    firstBlockTimeoutMs: 15 * 60_000,
  };
  let rest: ChildProcess | undefined;
  try {
    const file = await initLocalNetwork({ ...netOpts, modules: { poq: defaultPoqGenesis() } });
    const home = file.nodes[0]!.home;
    const genesis = JSON.parse(readFileSync(genesisPath(home), "utf8")) as {
      app_state: { poq: { store?: unknown[] } };
    };
    genesis.app_state.poq.store = store;
    writeFileSync(genesisPath(home), JSON.stringify(genesis));
    const initStart = performance.now();
    const net = await startLocalNetwork(netOpts);
    const initChainS = round((performance.now() - initStart) / 1000);
    try {
      const rpcUrl = net.rpcUrl(0);
      await net.waitForHeight((await height(rpcUrl)) + 3, 120_000);
      const serverModule = new URL("../rest/server.js", import.meta.url).href;
      const script =
        `const { startRestServer } = await import(${JSON.stringify(serverModule)});` +
        `const s = await startRestServer({ rpcUrl: ${JSON.stringify(rpcUrl)}, listen: "127.0.0.1:${REST_PORT}", rateLimit: false });` +
        `process.on("SIGTERM", () => s.close().then(() => process.exit(0)));`;
      rest = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "ignore", "inherit"],
      });
      const base = `http://127.0.0.1:${REST_PORT}`;
      await waitFor(
        "the REST server to answer",
        () =>
          fetch(`${base}${QUERIES[0]!.path}`).then(
            (r) => (r.ok ? true : undefined),
            () => undefined,
          ),
        { timeoutMs: 60_000 },
      );
      // A check that the state is there: the FINALIZED page is full, the EXPIRED filters match none.
      const check = (await (await fetch(`${base}${QUERIES[3]!.path}`)).json()) as { requests: unknown[] };
      const none = (await (await fetch(`${base}${QUERIES[0]!.path}`)).json()) as {
        requests: unknown[];
        pagination: { next_key: string | null };
      };
      if (check.requests.length !== 200 || none.requests.length !== 0 || none.pagination.next_key === null)
        throw new Error(
          `the state is not as filled: ${check.requests.length} FINALIZED on a page, ${none.requests.length} EXPIRED`,
        );
      const phase = async (name: string, queries: boolean) => {
        const load = load1();
        const from = await height(rpcUrl);
        const until = performance.now() + o.seconds * 1000;
        const q = queries ? await hammer(base, o.clients, until) : undefined;
        if (!queries) await new Promise((r) => setTimeout(r, o.seconds * 1000));
        const to = await height(rpcUrl);
        return {
          phase: name,
          load_average_1m: load,
          app_rss_mb_at_end: rssMb(net.nodes[0]?.app?.pid),
          heights: [from, to],
          block_interval: await blockIntervals(rpcUrl, from, to),
          ...(q ? { queries: q } : {}),
        };
      };
      const before = await phase("idle before", false);
      const loaded = await phase("query load", true);
      const after = await phase("idle after", false);
      const idleP50 = (before.block_interval.p50_ms + after.block_interval.p50_ms) / 2;
      const idleP99 = (before.block_interval.p99_ms + after.block_interval.p99_ms) / 2;
      return {
        query_thread: thread,
        init_chain_and_first_block_s: initChainS,
        phases: [before, loaded, after],
        ratios_load_vs_idle: {
          block_interval_p50: round(loaded.block_interval.p50_ms / idleP50),
          block_interval_p99: round(loaded.block_interval.p99_ms / idleP99),
        },
      };
    } finally {
      rest?.kill("SIGTERM");
      await net.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the bench; resolves with its report.
 *
 * @example
 * const report = await runQueryLoadBench({ requests: 10_000, clients: 4, seconds: 10, queryThread: "worker" });
 */
export async function runQueryLoadBench(o: QueryLoadOptions) {
  const started = load1();
  const scratch = mkdtempSync(join(tmpdir(), "poq-query-load-fill-"));
  try {
    const t = performance.now();
    const store = finishedStore(scratch, o.requests);
    const fillS = round((performance.now() - t) / 1000);
    const threads = o.queryThread === "both" ? (["worker", "main"] as const) : [o.queryThread];
    const runs = [];
    for (const thread of threads) runs.push(await runOnce(o, thread, store));
    return {
      finished_requests: o.requests,
      genesis_store_entries: store.length,
      fill_s: fillS,
      clients: o.clients,
      seconds_per_phase: o.seconds,
      load_average_1m_start: started,
      load_average_1m_end: load1(),
      runs,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function benchQueryLoadCommand(): Command {
  return new Command("query-load")
    .description(
      "heavy filtered Requests queries through REST on a node holding many finished requests: query latency and block intervals with and without the load",
    )
    .option("--requests <n>", "finished requests in the genesis state", positive("requests"), 100_000)
    .option("--clients <n>", "closed-loop REST clients during the load phase", positive("clients"), 4)
    .option("--seconds <n>", "length of each phase", positive("seconds"), 30)
    .option(
      "--query-thread <where>",
      "worker | main | both (a fresh network each)",
      (v: string) => {
        if (v !== "worker" && v !== "main" && v !== "both")
          throw new InvalidArgumentError("--query-thread must be worker, main or both");
        return v;
      },
      "both",
    )
    .action(async (o: QueryLoadOptions) => {
      exitOnSignal();
      process.stdout.write(`${JSON.stringify(await runQueryLoadBench(o), null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchQueryLoadCommand().parseAsync(process.argv);
}
