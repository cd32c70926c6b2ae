/**
 * `poq bench poq hooks|latency`: the PoQ protocol benchmarks (see bench/poq-hooks.ts and
 * bench/poq-latency.ts). Each prints its figures as JSON; none asserts on time.
 */
import { Command } from "commander";
import { positive } from "./options.js";
import { runPoqHooksBench } from "./poq-hooks.js";
import { runPoqLatencyBench } from "./poq-latency.js";

/**
 * The `poq` group of `poq bench`.
 *
 * @example
 * program.addCommand(benchPoqCommand()); // poq bench poq hooks --requests 200
 */
export function benchPoqCommand(): Command {
  return new Command("poq")
    .description("PoQ protocol: ExtendVote and payout cost in process, time to quality on 4 local validators")
    .addCommand(
      new Command("hooks")
        .description(
          "in process, N requests in flight: committee share per validator, ExtendVote p50/p99 " +
            "(target p99 <= 5 ms), aggregation+payout per request in FinalizeBlock (target <= 1 ms)",
        )
        .option("--requests <n>", "requests responded in one block", positive("requests"), 200)
        .option("--samples <n>", "ExtendVote calls timed per phase", positive("samples"), 300)
        .option("--no-model", "fixed scores instead of the real evaluator")
        .option(
          "--response-bytes <n>",
          "pad each response to about this many bytes",
          positive("response-bytes"),
        )
        .action(async (o: { requests: number; samples: number; model: boolean; responseBytes?: number }) => {
          const r = await runPoqHooksBench(o);
          process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        }),
    )
    .addCommand(
      new Command("latency")
        .description(
          "4 CometBFT validators + 4 app processes on loopback with the real evaluator, default params: " +
            "blocks from response to FINALIZED (target <= 3), then a burst of responses in one block",
        )
        .option("--single <n>", "requests sent one at a time", positive("single"), 5)
        .option("--burst <n>", "responses landing in one block", positive("burst"), 200)
        .option("--base-port <port>", "first port of the network", positive("base-port"), 26560)
        .action(async (o: { single: number; burst: number; basePort: number }) => {
          const r = await runPoqLatencyBench(o);
          process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        }),
    );
}
