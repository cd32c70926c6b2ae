/**
 * `poq start`: run one validator (its application process and its CometBFT) until interrupted.
 */
import { Command } from "commander";
import { startNode } from "../network/single-node.js";
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
      const why = await untilStopped([node.comet.exited.then(() => "cometbft exited")]);
      if (why === "cometbft exited") process.stderr.write(`CometBFT exited; see ${node.comet.logFile}\n`);
      await node.stop();
      process.stderr.write("stopped\n");
    });
}
