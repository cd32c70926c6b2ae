/**
 * PoQ hot paths in process, on the validator's real app (test/poq-app-chain.ts), with N requests in
 * flight at once (all responded in one block):
 *
 * - committee share: each of the 4 validators' real scorers (validator/scorer.ts, with the real
 *   evaluator in a worker thread unless `--no-model`) scores only the requests whose committee it
 *   sits on; reported with the scorer's counters and the time the evaluator took;
 * - ExtendVote p50/p99/max in the commit phase and in the reveal phase (target p99 <= 5 ms);
 * - aggregation and payout per request in FinalizeBlock: (FinalizeBlock of the block whose injected
 *   commit carries every reveal - an empty block's FinalizeBlock) / N (target <= 1 ms).
 *
 * Usage: node dist/bench/poq-hooks.js [--requests 200] [--samples 300] [--no-model]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import type { AnyMsg } from "../app/types.js";
import { consAddress } from "../app/modules/poq/state.js";
import {
  MsgRegisterNode,
  MsgRequestInference,
  MsgSubmitResponse,
  PoqTypeUrl,
} from "../app/modules/poq/types/msgs.js";
import {
  createScoringQueue,
  createWorkerEvaluator,
  resolveModelDir,
  DEFAULT_MODEL_ID,
} from "../models/index.js";
import { testKey, type TestKey } from "../test/raw-signer.js";
import { createScorer, type Scorer } from "../validator/scorer.js";
import { createPoqBenchChain, type PoqBenchChain } from "../test/poq-app-chain.js";
import { positive } from "./options.js";
import { percentile } from "./stats.js";

const MODEL = "llama-3-8b-instruct";
const PAIRS = [
  [
    "How does photosynthesis work in plants?",
    "Plants capture sunlight with chlorophyll and use that energy to turn carbon dioxide and water into glucose, releasing oxygen.",
  ],
  [
    "Why is the sky blue?",
    "Blue light is scattered by air molecules much more than red light (Rayleigh scattering).",
  ],
  ["What causes the seasons on Earth?", ""],
  ["How does a vaccine train the immune system?", "How does a vaccine train the immune system?"],
] as const;

export interface PoqHooksBenchOptions {
  requests: number;
  samples: number;
  model: boolean;
  /** Pad each response to about this many bytes (0: the short sample answers). */
  responseBytes?: number;
}

const msg = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl, value });

/** Signed txs of at most 50 messages each (one tx stays under the chain's gas cap). */
function chunked(chain: PoqBenchChain, key: TestKey, msgs: AnyMsg[]): Uint8Array[] {
  const txs: Uint8Array[] = [];
  for (let i = 0; i < msgs.length; i += 50) txs.push(chain.signed(key, msgs.slice(i, i + 50)));
  return txs;
}

function summarize(
  block: { extendVoteMs: number[]; extendVoteCpuMs: number[] },
  bytes: number,
): Record<string, number> {
  const sorted = [...block.extendVoteMs].sort((a, b) => a - b);
  const cpu = [...block.extendVoteCpuMs].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    samples: sorted.length,
    p50_ms: r(percentile(sorted, 50)),
    p99_ms: r(percentile(sorted, 99)),
    max_ms: r(sorted.at(-1) ?? 0),
    cpu_p50_ms: r(percentile(cpu, 50)),
    cpu_p99_ms: r(percentile(cpu, 99)),
    bytes,
  };
}

/** Runs the benchmark and returns its figures. */
export async function runPoqHooksBench(opts: PoqHooksBenchOptions): Promise<Record<string, unknown>> {
  const requester = testKey("poq-bench-requester");
  const node = testKey("poq-bench-node");
  const chain = createPoqBenchChain({ validators: 4, accounts: [requester, node] });
  const homes = chain.validators.map(() => mkdtempSync(join(tmpdir(), "poq-bench-scorer-")));
  const evaluator = opts.model
    ? await createWorkerEvaluator({ modelDir: resolveModelDir(DEFAULT_MODEL_ID), threads: 1 })
    : undefined;
  const queues = chain.validators.map(() => (evaluator ? createScoringQueue(evaluator) : undefined));
  const quiet = { info: () => undefined, error: (m: string, f?: object) => console.error(m, f) };
  const scorers: Scorer[] = chain.validators.map((v, i) =>
    createScorer({
      home: homes[i]!,
      poq: chain.modules.poq,
      validatorAddress: v.address,
      queue: queues[i],
      // Without the model, a scorer that reports a fixed score keeps the same committee logic.
      behaviour: evaluator ? "honest" : "boost",
      logger: quiet,
    }),
  );
  try {
    const check = (r: { failed: string[] }): void => {
      if (r.failed.length > 0) throw new Error(`txs failed: ${r.failed[0]}`);
    };
    check(
      chain.runBlock([
        chain.signed(node, [
          msg(
            PoqTypeUrl.RegisterNode,
            MsgRegisterNode.encode({
              operator: node.address,
              models: [MODEL],
              stake: { denom: "upoq", amount: "1000000000" },
              moniker: "bench",
            }).finish(),
          ),
        ]),
      ]),
    );
    const ids = Array.from({ length: opts.requests }, (_, i) => BigInt(i + 1));
    const pad = (text: string): string =>
      text.length === 0 || !opts.responseBytes || text.length >= opts.responseBytes
        ? text
        : (text + " ").repeat(Math.ceil(opts.responseBytes / (text.length + 1))).slice(0, opts.responseBytes);
    const pairOf = (id: bigint): readonly [string, string] => {
      const [prompt, response] = PAIRS[Number(id) % PAIRS.length]!;
      return [prompt, pad(response)];
    };
    check(
      chain.runBlock(
        chunked(
          chain,
          requester,
          ids.map((id) =>
            msg(
              PoqTypeUrl.RequestInference,
              MsgRequestInference.encode({
                requester: requester.address,
                model: MODEL,
                prompt: pairOf(id)[0],
                maxTokens: 256,
                fee: { denom: "upoq", amount: "1000003" },
                minQuality: 5000,
              }).finish(),
            ),
          ),
        ),
      ),
    );
    // Nodes are drawn in EndBlock of a later block, from its beacon (poq README "Assignment").
    const pending = () =>
      ids.some(
        (id) =>
          chain.modules.poq.keeper.getRequest({ store: chain.app.state.committedView() }, id)?.status ===
          "PENDING",
      );
    for (let i = 0; i < 5 && pending(); i++) check(chain.runBlock([]));
    const responded = chain.runBlock(
      chunked(
        chain,
        node,
        ids.map((id) =>
          msg(
            PoqTypeUrl.SubmitResponse,
            MsgSubmitResponse.encode({ node: node.address, requestId: id, response: pairOf(id)[1] }).finish(),
          ),
        ),
      ),
    );
    check(responded);

    // After Commit R: every validator's scorer picks its committee share and scores it.
    const t0 = performance.now();
    for (const s of scorers) s.onCommit(chain.app.state.committedView());
    const expected = scorers.map((s) => s.stats().enqueued);
    for (;;) {
      const sizes = scorers.map((s) => s.ready().size);
      if (sizes.every((n, i) => n >= (evaluator ? expected[i]! : 0))) break;
      await sleep(5);
    }
    const scoringMs = performance.now() - t0;
    scorers.forEach((s, i) => {
      for (const [id, local] of s.ready()) chain.scores[i]!.set(id, local);
    });

    // R+1: ExtendVote packs commitments; R+2: they land and ExtendVote packs reveals.
    const commitPhase = chain.runBlock([], { extendVoteSamples: opts.samples });
    check(commitPhase);
    const revealPhase = chain.runBlock([], { extendVoteSamples: opts.samples });
    check(revealPhase);
    const extendCommit = summarize(commitPhase, commitPhase.extensions[0]!.length);
    const extendReveal = summarize(revealPhase, revealPhase.extensions[0]!.length);
    const revealBlock = chain.runBlock([]); // R+3: reveals land, every request finalizes and pays
    check(revealBlock);
    const empty = chain.runBlock([]);
    const view = { store: chain.app.state.committedView() };
    const statuses = new Map<string, number>();
    for (const r of chain.modules.poq.keeper.requests(view, 1n))
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const perRequest = (revealBlock.finalizeMs - empty.finalizeMs) / opts.requests;
    const perRequestCpu = (revealBlock.finalizeCpuMs - empty.finalizeCpuMs) / opts.requests;
    return {
      requests: opts.requests,
      validators: 4,
      committee_size: 3,
      model: opts.model,
      response_bytes: opts.responseBytes ?? 0,
      statuses: Object.fromEntries(statuses),
      committee_share: scorers.map((s, i) => ({
        validator: consAddress(chain.validators[i]!.address),
        ...s.stats(),
      })),
      expected_share_per_validator: (opts.requests * 3) / 4,
      scoring_ms_all_validators: Math.round(scoringMs),
      extend_vote_commit_phase: extendCommit,
      extend_vote_reveal_phase: extendReveal,
      finalize_block_ms: {
        responses: Math.round(responded.finalizeMs * 10) / 10,
        with_all_reveals: Math.round(revealBlock.finalizeMs * 10) / 10,
        with_all_reveals_cpu: Math.round(revealBlock.finalizeCpuMs * 10) / 10,
        empty: Math.round(empty.finalizeMs * 10) / 10,
      },
      aggregation_and_payout_ms_per_request: Math.round(perRequest * 1000) / 1000,
      aggregation_and_payout_cpu_ms_per_request: Math.round(perRequestCpu * 1000) / 1000,
      targets: { extend_vote_p99_ms: 5, aggregation_and_payout_ms_per_request: 1 },
      load_average_1m: Number(loadavg()[0]?.toFixed(1)),
    };
  } finally {
    for (const q of queues) await q?.close();
    await evaluator?.close();
    for (const s of scorers) s.close();
    chain.cleanup();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
}

/**
 * The `hooks` command of `poq bench poq`; also this file's own entry point.
 *
 * @example
 * program.addCommand(benchPoqHooksCommand()); // poq bench poq hooks --requests 200
 */
export function benchPoqHooksCommand(): Command {
  return new Command("hooks")
    .description(
      "in process, N requests in flight: committee share per validator, ExtendVote p50/p99 " +
        "(target p99 <= 5 ms), aggregation+payout per request in FinalizeBlock (target <= 1 ms)",
    )
    .option("--requests <n>", "requests responded in one block", positive("requests"), 200)
    .option("--samples <n>", "ExtendVote calls timed per phase", positive("samples"), 300)
    .option("--no-model", "fixed scores instead of the real evaluator")
    .option("--response-bytes <n>", "pad each response to about this many bytes", positive("response-bytes"))
    .action(async (o: PoqHooksBenchOptions) => {
      const r = await runPoqHooksBench(o);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchPoqHooksCommand().parseAsync(process.argv);
}
