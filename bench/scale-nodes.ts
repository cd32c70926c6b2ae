/**
 * Block CPU as state grows (issue 14, part A): the validator's real app in process
 * (test/poq-app-chain.ts, 4 validators, real vote extensions) under a steady request load, measured
 * three times:
 *
 * - A: a small chain (8 serving nodes);
 * - B: after `--nodes` more node records were registered for other models and half of them
 *   unregistered and unbonded (their records deleted at the end of unbonding);
 * - C: after the load finished `--finished` requests in all.
 *
 * The load: `--rate` requests per block for the served model; each serving node answers what it was
 * assigned in the next block, and every validator scores what it sits on (seat index), so requests
 * go the whole way to FINALIZED. Reported: FinalizeBlock CPU ms per block (mean, p50, p90) in each
 * window, and B/A, C/A (target within 1.2).
 *
 * Usage: node dist/bench/scale-nodes.js [--nodes 10000] [--finished 5000] [--rate 10] [--window 30]
 */
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import type { AnyMsg } from "../app/types.js";
import { MsgSubmitResponse, MsgUnregisterNode, PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import { testKey, type TestKey } from "../test/raw-signer.js";
import { createPoqBenchChain, registerNodeMsg, requestInferenceMsg } from "../test/poq-app-chain.js";
import { positive } from "./options.js";
import { percentile } from "./stats.js";

const MODEL = "llama-3-8b-instruct";
const SERVING = 8;

export interface ScaleNodesBenchOptions {
  /** Node records registered for other models between windows A and B (half then unbonded). */
  nodes: number;
  /** Finished requests (in all) before window C. */
  finished: number;
  /** Requests per block. */
  rate: number;
  /** Blocks per measured window. */
  window: number;
}

export interface ScaleWindow {
  label: string;
  nodeRecords: number;
  finishedRequests: number;
  blocks: number;
  finalizeCpuMsMean: number;
  finalizeCpuMsP50: number;
  finalizeCpuMsP90: number;
  loadavg1: number;
}

const msg = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl, value });
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Runs the bench and returns the three windows.
 *
 * @example
 * const windows = await runScaleNodesBench({ nodes: 1000, finished: 500, rate: 10, window: 20 });
 */
export function runScaleNodesBench(o: ScaleNodesBenchOptions): ScaleWindow[] {
  const serving = Array.from({ length: SERVING }, (_, i) => testKey(`scale-serving-${i}`));
  const sybils = Array.from({ length: o.nodes }, (_, i) => testKey(`scale-sybil-${i}`));
  const requester = testKey("scale-requester");
  const chain = createPoqBenchChain({
    validators: 4,
    accounts: [requester, ...serving, ...sybils],
    params: { defaultMaxInFlight: 1000 },
  });
  const view = () => ({ store: chain.app.state.committedView() });
  const keeper = chain.modules.poq.keeper;
  let asked = 0;
  const windows: ScaleWindow[] = [];
  try {
    const register = (key: TestKey, model: string) =>
      chain.signed(key, [registerNodeMsg(key.address, [model], 2_000_000n, { moniker: "scale" })]);
    chain.runBlock(serving.map((k) => register(k, MODEL)));
    /** One block of the steady load; returns its FinalizeBlock CPU ms. */
    const loadBlock = (extra: Uint8Array[] = []): number => {
      const txs: Uint8Array[] = [];
      const asks = Array.from({ length: o.rate }, () =>
        requestInferenceMsg(requester.address, MODEL, `question ${asked++}: why is the sky blue?`, 10_000n, {
          maxTokens: 64,
        }),
      );
      txs.push(chain.signed(requester, asks));
      for (const node of serving) {
        const ids = keeper.assignmentsOf(view(), node.address);
        if (ids.length === 0) continue;
        txs.push(
          chain.signed(
            node,
            ids.map((id) =>
              msg(
                PoqTypeUrl.SubmitResponse,
                MsgSubmitResponse.encode({
                  node: node.address,
                  requestId: id,
                  response: `Rayleigh scattering, answer ${id}.`,
                }).finish(),
              ),
            ),
          ),
        );
      }
      const r = chain.runBlock([...txs, ...extra]);
      if (r.failed.length > 0) throw new Error(`failed txs at ${r.height}: ${r.failed.join("; ")}`);
      // Every validator scores what it sits on, as its scorer would (the seat index).
      chain.validators.forEach((v, i) => {
        for (const id of keeper.seatsOf(view(), v.address)) {
          if (!chain.scores[i]!.has(id))
            chain.scores[i]!.set(id, {
              score: 8000 + (Number(id) % 5) * 100,
              salt: new Uint8Array(32).fill(i),
            });
        }
      });
      return r.finalizeCpuMs;
    };
    const finished = (): number => {
      let n = 0;
      for (const req of keeper.requests(view())) if (req.status === "FINALIZED") n++;
      return n;
    };
    const measure = (label: string): void => {
      const cpu = Array.from({ length: o.window }, () => loadBlock()).sort((a, b) => a - b);
      const w: ScaleWindow = {
        label,
        nodeRecords: keeper.nodes(view()).length,
        finishedRequests: finished(),
        blocks: o.window,
        finalizeCpuMsMean: r3(cpu.reduce((s, x) => s + x, 0) / cpu.length),
        finalizeCpuMsP50: r3(percentile(cpu, 50)),
        finalizeCpuMsP90: r3(percentile(cpu, 90)),
        loadavg1: r3(loadavg()[0] ?? 0),
      };
      windows.push(w);
      console.log(JSON.stringify(w));
    };
    for (let i = 0; i < 15; i++) loadBlock(); // warm-up: the pipeline fills (about 6 blocks deep)
    measure("A: small chain");
    // Grow: node records for other models, in blocks of 250 registrations under the same load.
    for (let i = 0; i < sybils.length; i += 250) {
      loadBlock(sybils.slice(i, i + 250).map((k, j) => register(k, `other-${(i + j) % 50}`)));
    }
    const leaving = sybils.slice(0, Math.floor(sybils.length / 2));
    for (let i = 0; i < leaving.length; i += 250) {
      loadBlock(
        leaving
          .slice(i, i + 250)
          .map((k) =>
            chain.signed(k, [
              msg(PoqTypeUrl.UnregisterNode, MsgUnregisterNode.encode({ operator: k.address }).finish()),
            ]),
          ),
      );
    }
    const unbonding = Number(keeper.getParams(view()).unbondingBlocks);
    for (let i = 0; i <= unbonding; i++) loadBlock();
    measure(`B: +${o.nodes} node records, ${leaving.length} of them unbonded`);
    while (finished() < o.finished) for (let i = 0; i < 20; i++) loadBlock();
    measure(`C: ${o.finished}+ finished requests`);
    const base = windows[0]!.finalizeCpuMsMean;
    for (const w of windows.slice(1))
      console.log(`${w.label}: mean FinalizeBlock CPU ${r3(w.finalizeCpuMsMean / base)} x window A`);
    return windows;
  } finally {
    chain.cleanup();
  }
}

/** `poq bench scale-nodes`. */
export function benchScaleNodesCommand(): Command {
  return new Command("scale-nodes")
    .description("block CPU at a steady request load as node records and finished requests grow (issue 14)")
    .option("--nodes <n>", "node records added for other models (half unbonded)", positive("nodes"), 10_000)
    .option("--finished <n>", "finished requests before the last window", positive("finished"), 5_000)
    .option("--rate <n>", "requests per block", positive("rate"), 10)
    .option("--window <n>", "blocks per measured window", positive("window"), 30)
    .action((o: ScaleNodesBenchOptions) => {
      runScaleNodesBench(o);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void benchScaleNodesCommand().parseAsync(process.argv);
}
