/**
 * Time to quality on a real network: 4 CometBFT validators and 4 app processes on loopback, each
 * with the real evaluator, default poq params (committee of 3). Reports, in blocks, from the block
 * that includes a response to the block where the request is FINALIZED (target <= 3):
 *
 * - one request at a time (`--single` of them);
 * - a burst of `--burst` requests whose responses land in one block: how many finalize and in how
 *   many blocks, and how many responses each validator scored (its committee share, from the
 *   "scored" lines of its app log) against the expected burst x 3/4.
 *
 * Usage: node dist/bench/poq-latency.js [--single 5] [--burst 200] [--base-port 26560]
 */
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { calculateFee } from "@cosmjs/stargate";
import type { RequestRecord } from "../app/modules/poq/state.js";
import { cometRpc } from "../network/comet-process.js";
import {
  appLogLines,
  GAS_PRICE,
  registerNodeMsg,
  requestMsg,
  responseMsg,
  send,
  startPoqWorld,
  validatorsByCons,
  waitAssigned,
  waitFinal,
  type Actor,
  type PoqWorld,
} from "../test/poq-world.js";
import { waitFor } from "../test/wait-for.js";
import { positive } from "./options.js";

const MODEL = "llama-3-8b-instruct";
const TIMELINE_EVENTS = [
  "poq_score_committed",
  "poq_commit_window_extended",
  "poq_score_revealed",
  "poq_quality_finalized",
  "poq_request_unscored",
];

interface BlockResults {
  txs_results?: { events?: { type: string }[] }[] | null;
  finalize_block_events?: { type: string }[] | null;
}
const PROMPT = "Why is the sky blue?";
const ANSWER =
  "Short blue wavelengths of sunlight are scattered by air molecules much more than red ones (Rayleigh scattering), so blue light reaches us from every direction of the sky.";

export interface PoqLatencyBenchOptions {
  single: number;
  burst: number;
  basePort: number;
}

const blocks = (r: RequestRecord): number => Number(BigInt(r.finalized_height) - BigInt(r.responded_height));

function histogram(values: (number | string)[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const v of values) h[String(v)] = (h[String(v)] ?? 0) + 1;
  return h;
}

/**
 * Sends many messages as consecutive transactions of at most 50 messages (the chain takes 64 per
 * tx), signed with explicit sequences and broadcast at once so that they can land in one block;
 * waits until the last one is in a block.
 */
async function sendMany(actor: Actor, msgs: Parameters<typeof send>[1]): Promise<void> {
  const { accountNumber, sequence } = await actor.client.getSequence(actor.address);
  const chainId = await actor.client.getChainId();
  const hashes: string[] = [];
  for (let i = 0; i < msgs.length; i += 50) {
    const part = msgs.slice(i, i + 50);
    const raw = await actor.client.sign(
      actor.address,
      part,
      calculateFee(200_000 * part.length + 500_000, GAS_PRICE),
      "",
      { accountNumber, sequence: sequence + i / 50, chainId },
    );
    hashes.push(await actor.client.broadcastTxSync(TxRaw.encode(raw).finish()));
  }
  const deadline = Date.now() + 60_000;
  for (const hash of hashes) {
    const tx = await waitFor(
      `tx ${hash} in a block`,
      async () => (await actor.client.getTx(hash)) ?? undefined,
      {
        timeoutMs: deadline - Date.now(),
      },
    );
    if (tx.code !== 0) throw new Error(`tx ${hash} failed: ${tx.rawLog}`);
  }
}

/** Request ids (as strings) that node i's scorer logged as scored. */
function scoredBy(world: PoqWorld, i: number): Set<string> {
  return new Set(appLogLines(world, i, "scored").map((l) => String(l.request)));
}

/** Runs the benchmark on a fresh network and returns its figures. */
export async function runPoqLatencyBench(opts: PoqLatencyBenchOptions): Promise<Record<string, unknown>> {
  const world = await startPoqWorld({
    chainId: "poq-bench-latency-1",
    basePort: opts.basePort,
    behaviours: ["honest", "honest", "honest", "honest"],
    actors: ["requester", "node"],
    timeoutCommit: "300ms",
  });
  try {
    const requester = world.actor("requester");
    const node = world.actor("node");
    await send(node, [registerNodeMsg(node.address, MODEL, 10_000_000n)]);

    const single: RequestRecord[] = [];
    for (let i = 0; i < opts.single; i++) {
      const { ids } = await send(requester, [requestMsg(requester.address, MODEL, PROMPT, 100_000n, 5000)]);
      const id = ids[0]!;
      await waitAssigned(world, [id]); // drawn in a later block, from the beacon
      await send(node, [responseMsg(node.address, id, ANSWER)]);
      single.push((await waitFinal(world, [id])).get(id)!);
    }

    const first = BigInt(single.length + 1);
    await sendMany(
      requester,
      Array.from({ length: opts.burst }, () => requestMsg(requester.address, MODEL, PROMPT, 100_000n, 5000)),
    );
    const ids = Array.from({ length: opts.burst }, (_, i) => first + BigInt(i));
    await waitAssigned(world, ids, ids.length, 120_000);
    const t0 = Date.now();
    await sendMany(
      node,
      ids.map((id, i) => responseMsg(node.address, id, `${ANSWER} (${i})`)),
    );
    const burst = [...(await waitFinal(world, ids, 180_000)).values()];
    const burstSeconds = (Date.now() - t0) / 1000;
    const wanted = new Set(ids.map(String));
    const share = world.cons.map((validator, i) => {
      const seats = burst.filter((r) => r.committee.some((c) => c.validator === validator)).length;
      const scored = [...scoredBy(world, i)].filter((id) => wanted.has(id)).length;
      return { validator, committee_seats: seats, scored };
    });
    const trust = await validatorsByCons(world);
    const respondedAt = Number(burst[0]!.responded_height);
    const lastFinal = Math.max(...burst.map((r) => Number(r.finalized_height)));
    const timeline: Record<string, Record<string, number>> = {};
    for (let h = respondedAt; h <= lastFinal; h++) {
      const res = await cometRpc<BlockResults>(world.net.rpcUrl(0), `/block_results?height=${h}`);
      const events = [
        ...(res.finalize_block_events ?? []),
        ...(res.txs_results ?? []).flatMap((t) => t.events ?? []),
      ];
      timeline[String(h)] = histogram(
        events.filter((e) => TIMELINE_EVENTS.includes(e.type)).map((e) => e.type.replace(/^poq_/, "")),
      );
    }
    return {
      params: "defaults (committee_size 3, commit_window 2, reveal_window 3, quorum 6666)",
      single: {
        requests: single.length,
        statuses: histogram(single.map((r) => r.status)),
        blocks_response_to_finalized: single.map(blocks),
        target_blocks: 3,
      },
      burst: {
        requests: burst.length,
        responses_in_blocks: [...new Set(burst.map((r) => r.responded_height))],
        statuses: histogram(burst.map((r) => r.status)),
        blocks_response_to_final: histogram(burst.map(blocks)),
        seconds_response_to_all_final: burstSeconds,
        expected_share_per_validator: (burst.length * 3) / 4,
        committee_share: share,
        events_by_height: timeline,
        trust: world.cons.map((v) => {
          const t = trust.get(v)!;
          return { validator: v, trust_bp: t.trust_bp, revealed: t.revealed, missed: t.missed };
        }),
      },
    };
  } finally {
    await world.stop();
  }
}

/**
 * The `latency` command of `poq bench poq`; also this file's own entry point.
 *
 * @example
 * program.addCommand(benchPoqLatencyCommand()); // poq bench poq latency --single 5
 */
export function benchPoqLatencyCommand(): Command {
  return new Command("latency")
    .description(
      "4 CometBFT validators + 4 app processes on loopback with the real evaluator, default params: " +
        "blocks from response to FINALIZED (target <= 3), then a burst of responses in one block",
    )
    .option("--single <n>", "requests sent one at a time", positive("single"), 5)
    .option("--burst <n>", "responses landing in one block", positive("burst"), 200)
    .option("--base-port <port>", "first port of the network", positive("base-port"), 26560)
    .action(async (o: PoqLatencyBenchOptions) => {
      const r = await runPoqLatencyBench(o);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchPoqLatencyCommand().parseAsync(process.argv);
}
