/**
 * `poq bench poq hooks|latency`: the PoQ protocol benchmarks (see bench/poq-hooks.ts and
 * bench/poq-latency.ts). Each prints its figures as JSON; none asserts on time.
 */
import { Command } from "commander";
import { benchPoqHooksCommand } from "./poq-hooks.js";
import { benchPoqLatencyCommand } from "./poq-latency.js";

/**
 * The `poq` group of `poq bench`.
 *
 * @example
 * program.addCommand(benchPoqCommand()); // poq bench poq hooks --requests 200
 */
export function benchPoqCommand(): Command {
  return new Command("poq")
    .description("PoQ protocol: ExtendVote and payout cost in process, time to quality on 4 local validators")
    .addCommand(benchPoqHooksCommand())
    .addCommand(benchPoqLatencyCommand());
}
