/**
 * The root of the `poq` command line: global flags and one subcommand per file in cli/.
 * Commands are thin: they parse flags and call library functions.
 */
import { Command, CommanderError, Option } from "commander";
import { benchCommand } from "./bench.js";
import { initCommand } from "./init.js";
import { keysCommand } from "./keys.js";
import { modelsCommand } from "./models.js";
import { restCommand } from "./rest.js";
import { scoreCommand } from "./score.js";
import { startCommand } from "./start.js";
import { devnetCommand } from "./devnet.js";
import { txCommand } from "./tx.js";
import { queryCommand } from "./query.js";
import { nodeCommand } from "./node.js";
import { testnetCommand } from "./testnet.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { DEFAULT_CHAIN_ID, DEFAULT_HOME, DEFAULT_NODE, DEFAULT_REST } from "./global-options.js";

/** Builds the root command with every subcommand registered. */
export function createProgram(): Command {
  const program = new Command("poq")
    .description("PoQ chain: pay for LLM inference by the quality of the answer")
    .addOption(new Option("--home <dir>", "home directory for keys, config and data").default(DEFAULT_HOME))
    .addOption(new Option("--node <url>", "CometBFT RPC endpoint").default(DEFAULT_NODE))
    .addOption(new Option("--rest <url>", "REST API endpoint").default(DEFAULT_REST))
    .addOption(new Option("--chain-id <id>", "chain id").default(DEFAULT_CHAIN_ID))
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .showHelpAfterError()
    .exitOverride();
  for (const sub of [
    initCommand(),
    startCommand(),
    keysCommand(),
    scoreCommand(),
    modelsCommand(),
    restCommand(),
    benchCommand(),
    devnetCommand(),
    testnetCommand(),
    txCommand(),
    queryCommand(),
    nodeCommand(),
  ])
    program.addCommand(sub);
  // Subcommands share the root's error handling and help behaviour.
  const shareHandling = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showHelpAfterError();
      shareHandling(sub);
    }
  };
  shareHandling(program);
  return program;
}

/**
 * Runs the CLI with `process.argv`-style arguments and returns the exit code.
 *
 * @example
 * process.exitCode = await run(["node", "poq", "--help"]);
 */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    return exitCodeFor(err);
  }
}
