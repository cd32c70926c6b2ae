/**
 * Load check of `GET /poq/v1/requests/{id}`: a fixed arrival rate (open loop, default 200 req/s)
 * on loopback against `poq rest start` in its own process, beside a real one-validator network with
 * one finalized request. Prints latency percentiles as JSON.
 *
 * Usage: node dist/bench/rest-load.js [--rate 200] [--seconds 15]
 * Ports 26340-26349 (CometBFT) and 26392 (REST).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import {
  createPoqQueryClient,
  createPoqSigningClient,
  registerNode,
  requestInference,
  submitResponse,
  waitForQuality,
} from "../client/index.js";
import { startLocalNetwork } from "../network/local-network.js";
import { waitFor } from "../test/wait-for.js";
import { percentile } from "./stats.js";

/** Result of {@link runLoad}. */
export interface LoadResult {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

/**
 * Sends GETs at a fixed rate for a while and measures each one's latency (arrival to last byte);
 * requests are scheduled by the clock, not by completions, so slow answers cannot hide queueing.
 *
 * @example
 * const r = await runLoad("http://127.0.0.1:1317/poq/v1/requests/1", 200, 10);
 */
export async function runLoad(url: string, rate: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end();
    });
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(one());
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    rate,
    seconds,
    sent: total,
    ok: latencies.length,
    errors,
    p50_ms: round(percentile(latencies, 50)),
    p90_ms: round(percentile(latencies, 90)),
    p99_ms: round(percentile(latencies, 99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, dflt: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const rate = flag("rate", 200);
  const seconds = flag("seconds", 15);
  const dir = mkdtempSync(join(tmpdir(), "poq-rest-load-"));
  const user = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
  const node = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
  const userAddress = (await user.getAccounts())[0]!.address;
  const nodeAddress = (await node.getAccounts())[0]!.address;
  const net = await startLocalNetwork({
    dir,
    chainId: "poq-load-1",
    validators: 1,
    basePort: 26340,
    accounts: [userAddress, nodeAddress].map((address) => ({
      address,
      coins: [{ denom: "upoq", amount: "1000000000" }],
    })),
  });
  let rest: ChildProcess | undefined;
  try {
    await net.waitForHeight(2);
    const userClient = await createPoqSigningClient(net.rpcUrl(0), user);
    const nodeClient = await createPoqSigningClient(net.rpcUrl(0), node);
    await registerNode(nodeClient, nodeAddress, { models: ["llama-3-8b-instruct"], stake: "5000000upoq" });
    const { requestId } = await requestInference(userClient, userAddress, {
      model: "llama-3-8b-instruct",
      prompt: "Explain Proof of Quality in three sentences.",
      fee: "20000upoq",
    });
    await submitResponse(
      nodeClient,
      nodeAddress,
      requestId,
      "Validators score each answer with a small evaluator model; the chain takes the stake-weighted median " +
        "and pays the node by that quality, so good answers earn more than lazy ones.",
    );
    const query = await createPoqQueryClient(net.rpcUrl(0));
    const final = await waitForQuality(query, requestId, { timeoutMs: 120_000, pollMs: 300 });
    query.disconnect();
    userClient.disconnect();
    nodeClient.disconnect();

    // The server runs in its own process, as `poq rest start` does, so the load loop does not share its event loop.
    const serverModule = new URL("../rest/server.js", import.meta.url).href;
    const script =
      `const { startRestServer } = await import(${JSON.stringify(serverModule)});` +
      `const s = await startRestServer({ rpcUrl: ${JSON.stringify(net.rpcUrl(0))}, listen: "127.0.0.1:26392", rateLimit: false });` +
      `process.on("SIGTERM", () => s.close().then(() => process.exit(0)));`;
    rest = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const url = `http://127.0.0.1:26392/poq/v1/requests/${requestId}`;
    await waitFor(
      `${url} to answer`,
      () =>
        fetch(url).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ), // not listening yet
      { timeoutMs: 30_000 },
    );
    await runLoad(url, rate, 2); // warm-up: JIT, sockets
    const result = await runLoad(url, rate, seconds);
    process.stdout.write(
      JSON.stringify({ endpoint: "GET /poq/v1/requests/{id}", request_status: final.status, ...result }) +
        "\n",
    );
  } finally {
    rest?.kill("SIGTERM");
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("rest-load.js")) await main();
