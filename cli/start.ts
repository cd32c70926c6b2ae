/**
 * `poq start`: run one validator (its application process and its CometBFT) until interrupted;
 * with `--state-sync`, first configure CometBFT to join a running network from a snapshot.
 */
import { Command } from "commander";
import { CONTINUED_LAYOUTS, STORE_LAYOUT } from "../app/store/layouts.js";
import { startNode } from "../network/single-node.js";
import { configureStateSync } from "../network/state-sync.js";
import { superviseNode } from "../network/supervise-nodes.js";
import { describeEvent } from "../network/supervisor.js";
import { globalOptions } from "./global-options.js";
import { untilStopped } from "./until-stopped.js";
import { CliError, EXIT } from "./exit-codes.js";

interface StartFlags {
  stateSync?: boolean;
  rpcServers?: string;
  trustPeriod?: string;
  storeLayout?: string;
}

/** The store layouts a node can build from genesis (`app/store/README.md` "Request buckets and subtrees"). */
const STORE_LAYOUTS = CONTINUED_LAYOUTS.map(String);
const OLDER_LAYOUTS = STORE_LAYOUTS.filter((l) => l !== String(STORE_LAYOUT));

export function startCommand(): Command {
  return new Command("start")
    .description("run one validator's application and its CometBFT until Ctrl-C")
    .option(
      "--state-sync",
      "join a running network from a peer's snapshot instead of replaying every block (needs --rpc-servers)",
    )
    .option(
      "--rpc-servers <urls>",
      "comma-separated CometBFT RPC URLs of running nodes: trust root, light-client servers and peers",
    )
    .option(
      "--trust-period <duration>",
      "how long the light client trusts a header (CometBFT duration)",
      "336h0m0s",
    )
    .option(
      "--store-layout <n>",
      `app-hash layout of a new database: ${OLDER_LAYOUTS.join(", ")} to replay, from its genesis, a chain started with an older version (default: the current one, ${STORE_LAYOUT})`,
    )
    .addHelpText(
      "after",
      "\nWith --state-sync the first RPC server's latest block is the light client's root of trust: use a node you trust." +
        "\nExample: poq start --home ~/.poq --state-sync --rpc-servers http://10.0.0.5:26657,http://10.0.0.6:26657",
    )
    .action(async (o: StartFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      if (o.storeLayout !== undefined && !STORE_LAYOUTS.includes(o.storeLayout)) {
        throw new CliError(
          `--store-layout must be one of ${STORE_LAYOUTS.join(", ")}, got "${o.storeLayout}"`,
          EXIT.usage,
        );
      }
      if (o.stateSync) {
        if (!o.rpcServers) throw new CliError("--state-sync needs --rpc-servers URL[,URL]", EXIT.usage);
        const setup = await configureStateSync({
          home: g.home,
          rpcServers: o.rpcServers.split(","),
          ...(o.trustPeriod ? { trustPeriod: o.trustPeriod } : {}),
        });
        process.stderr.write(
          `state sync: trusting height ${setup.trustHeight} (${setup.trustHash}); peers ${setup.peers.join(", ")}` +
            (setup.genesisReplaced ? "; genesis taken from the RPC server" : "") +
            "\n",
        );
      } else if (o.rpcServers) {
        throw new CliError("--rpc-servers is only used with --state-sync", EXIT.usage);
      }
      // Listening from here: a Ctrl-C (or SIGTERM) while the node starts or waits for its first
      // block stops both processes too, instead of ending this one and leaving them running.
      const stopped = untilStopped();
      const node = await startNode({
        home: g.home,
        ...(o.storeLayout !== undefined ? { appArgs: ["--store-layout", o.storeLayout] } : {}),
      });
      process.stderr.write(`starting: app ${node.abciAddress}, CometBFT RPC ${node.rpcUrl}\n`);
      const first = await Promise.race([
        node.comet.waitForHeight(1, 120_000),
        stopped.then((signal) => ({ signal })),
      ]).catch(async (err: unknown) => {
        await node.stop();
        throw err;
      });
      if (typeof first === "object") {
        await node.stop();
        process.stderr.write(`stopped (${first.signal}) before the first block\n`);
        return;
      }
      const height = first;
      process.stderr.write(
        `producing blocks (height ${height}); logs: ${node.app.logFile}, ${node.comet.logFile}\nCtrl-C to stop\n`,
      );
      // A crash of either process is reported and the pair restarted, with backoff, until Ctrl-C.
      const supervisor = superviseNode(node, (e) => {
        const logs = e.kind === "exited" ? ` (logs: ${node.app.logFile}, ${node.comet.logFile})` : "";
        process.stderr.write(`${describeEvent(e)}${logs}\n`);
      });
      await stopped;
      await supervisor.stop();
      await node.stop();
      process.stderr.write("stopped\n");
    });
}
