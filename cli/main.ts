/**
 * The root of the `poq` command line: global flags and one subcommand per file in cli/.
 * Commands are thin: they parse flags and call library functions.
 */
import { Command, CommanderError, Help, Option } from "commander";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { withPoqCommand } from "./poq-command.js";
import { DEFAULT_CHAIN_ID, DEFAULT_HOME, DEFAULT_NODE, DEFAULT_REST } from "./global-options.js";

/**
 * Each subcommand's module, loaded only when it runs (or for the root's help): together they pull in
 * CosmJS, Fastify, onnxruntime and the devnet, which cost most of a call's start-up when loaded eagerly.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import("./init.js")).initCommand(),
  start: async () => (await import("./start.js")).startCommand(),
  keys: async () => (await import("./keys.js")).keysCommand(),
  score: async () => (await import("./score.js")).scoreCommand(),
  models: async () => (await import("./models.js")).modelsCommand(),
  rest: async () => (await import("./rest.js")).restCommand(),
  bench: async () => (await import("./bench.js")).benchCommand(),
  devnet: async () => (await import("./devnet.js")).devnetCommand(),
  testnet: async () => (await import("./testnet.js")).testnetCommand(),
  tx: async () => (await import("./tx.js")).txCommand(),
  query: async () => (await import("./query.js")).queryCommand(),
  node: async () => (await import("./node.js")).nodeCommand(),
  export: async () => (await import("./export.js")).exportCommand(),
};

/**
 * What the root's help says of each command, so that `poq --help` (and `poq` alone) loads none of the
 * modules above; cli/commands.test.ts keeps it equal to what the modules say.
 */
export const COMMAND_HELP: Record<string, { term: string; description: string }> = {
  init: {
    term: "init [options]",
    description:
      "initialize one validator's home: CometBFT config and keys, genesis with its operator account",
  },
  start: {
    term: "start [options]",
    description: "run one validator's application and its CometBFT until Ctrl-C",
  },
  keys: { term: "keys", description: "manage local keys (BIP39 mnemonics, coin type 118)" },
  score: {
    term: "score [options]",
    description: "score (prompt, response) pairs with the local quality evaluator, in basis points 0..10000",
  },
  models: { term: "models", description: "the quality evaluator's models: list, pull, verify" },
  rest: { term: "rest", description: "the REST API server" },
  bench: {
    term: "bench",
    description: "benchmarks: evaluator latency and throughput, chain throughput, time to quality",
  },
  devnet: {
    term: "devnet [options]",
    description:
      "run a local network: validators (CometBFT + app each), REST API, inference nodes; Ctrl-C stops it all",
  },
  testnet: {
    term: "testnet",
    description:
      "the devnet step by step: init writes the files, start/stop run it in the background, status reports",
  },
  tx: { term: "tx", description: "sign and broadcast transactions" },
  query: { term: "query|q", description: "read chain state" },
  node: { term: "node", description: "run an inference node" },
  export: {
    term: "export [options]",
    description:
      "write the node's state as a CometBFT genesis for a new chain that starts at the next height",
  },
};

/** Short names some commands also answer to. */
const ALIASES: Record<string, string> = { q: "query" };

/** Root options that take a value, so that the command name can be found after them. */
const VALUE_OPTIONS = new Set(["--home", "--node", "--rest", "--chain-id", "-o", "--output"]);

/**
 * The subcommand `argv` (after node and the script) names, when it is one; undefined otherwise.
 *
 * @example
 * commandOf(["--home", "/tmp/h", "query", "params"]); // "query"
 */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (a === "help" && args[i + 1] !== undefined) return commandOf(args.slice(i + 1));
    else if (!a.startsWith("-")) {
      const name = ALIASES[a] ?? a;
      return Object.hasOwn(COMMANDS, name) ? name : undefined;
    }
  }
  return undefined;
}

function rootCommand(): Command {
  return new Command("poq")
    .description("PoQ chain: pay for LLM inference by the quality of the answer")
    .addOption(new Option("--home <dir>", "home directory for keys, config and data").default(DEFAULT_HOME))
    .addOption(new Option("--node <url>", "CometBFT RPC endpoint").default(DEFAULT_NODE))
    .addOption(new Option("--rest <url>", "REST API endpoint").default(DEFAULT_REST))
    .addOption(new Option("--chain-id <id>", "chain id").default(DEFAULT_CHAIN_ID))
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .showHelpAfterError()
    .exitOverride();
}

/**
 * The root command with each subcommand only named and described ({@link COMMAND_HELP}): what the root's
 * help and an unknown command need, without loading a single command module.
 */
export function createRootProgram(): Command {
  const program = rootCommand();
  for (const [name, { description }] of Object.entries(COMMAND_HELP)) {
    const cmd = new Command(name).description(description);
    for (const [alias, target] of Object.entries(ALIASES)) if (target === name) cmd.alias(alias);
    program.addCommand(cmd);
  }
  const help = new Help();
  program.configureHelp({
    subcommandTerm: (cmd) => COMMAND_HELP[cmd.name()]?.term ?? help.subcommandTerm(cmd),
  });
  return program;
}

/**
 * Builds the root command with the subcommands registered: only `only` when given (what one call
 * needs), else all of them.
 */
export async function createProgram(only?: string): Promise<Command> {
  const program = rootCommand();
  const names = only !== undefined ? [only] : Object.keys(COMMANDS);
  // One at a time: Node 20 fails (`job.module` undefined) when a CommonJS dependency require()s an ES
  // module that a concurrent import() is still linking, and two commands share such dependencies.
  for (const n of names) program.addCommand(await (COMMANDS[n] as () => Promise<Command>)());
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
  const only = commandOf(argv.slice(2));
  const program = only === undefined ? createRootProgram() : await createProgram(only);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    // Library errors suggest `poq ...` commands too: spell them as they can be typed here.
    process.stderr.write(`error: ${withPoqCommand(message)}\n`);
    return exitCodeFor(err);
  }
}
