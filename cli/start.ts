/**
 * `poq start`: run one validator (its application process and its CometBFT) until interrupted.
 */
import { Command } from "commander";
import { startNode } from "../network/single-node.js";
import { superviseNode } from "../network/supervise-nodes.js";
import { describeEvent } from "../network/supervisor.js";
import { globalOptions } from "./global-options.js";
import { untilStopped } from "./until-stopped.js";

export function startCommand(): Command {
  return new Command("start")
    .description("run one validator's application and its CometBFT until Ctrl-C")
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const node = await startNode({ home: g.home });
      process.stderr.write(`starting: app ${node.abciAddress}, CometBFT RPC ${node.rpcUrl}\n`);
      const height = await node.comet.waitForHeight(1, 60_000).catch(async (err: unknown) => {
        await node.stop();
        throw err;
      });
      process.stderr.write(
        `producing blocks (height ${height}); logs: ${node.app.logFile}, ${node.comet.logFile}\nCtrl-C to stop\n`,
      );
      // A crash of either process is reported and the pair restarted, with backoff, until Ctrl-C.
      const supervisor = superviseNode(node, (e) => {
        const logs = e.kind === "exited" ? ` (logs: ${node.app.logFile}, ${node.comet.logFile})` : "";
        process.stderr.write(`${describeEvent(e)}${logs}\n`);
      });
      await untilStopped();
      await supervisor.stop();
      await node.stop();
      process.stderr.write("stopped\n");
    });
}
