/**
 * `poq bench ...`: the benchmarks. Each reports figures; none asserts on time.
 */
import { Command } from "commander";
import { benchChainCommand } from "../bench/chain-load.js";
import { benchEvaluatorCommand } from "../bench/evaluator.js";
import { benchFinalizeCommand } from "../bench/finalize-block.js";
import { benchPoqCommand } from "../bench/poq.js";
import { benchIncentivesCommand } from "../bench/incentives/run.js";
import { benchFaultsCommand } from "../bench/faults.js";
import { benchSoakCommand } from "../bench/soak.js";
import { benchIdleCommand } from "../bench/idle.js";
import { benchStoreCommand } from "../bench/store-scale.js";
import { benchPruneCommand } from "../bench/prune-size.js";
import { benchScaleNodesCommand } from "../bench/scale-nodes.js";
import { benchStateSyncCommand } from "../bench/state-sync.js";
import { benchQueryLoadCommand } from "../bench/query-load.js";

export function benchCommand(): Command {
  return new Command("bench")
    .description("benchmarks: evaluator latency and throughput, chain throughput, time to quality")
    .addCommand(benchEvaluatorCommand())
    .addCommand(benchFinalizeCommand())
    .addCommand(benchChainCommand())
    .addCommand(benchPoqCommand())
    .addCommand(benchIncentivesCommand())
    .addCommand(benchFaultsCommand())
    .addCommand(benchSoakCommand())
    .addCommand(benchIdleCommand())
    .addCommand(benchScaleNodesCommand())
    .addCommand(benchStoreCommand())
    .addCommand(benchPruneCommand())
    .addCommand(benchStateSyncCommand())
    .addCommand(benchQueryLoadCommand());
}
