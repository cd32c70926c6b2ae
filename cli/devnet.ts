/**
 * `poq devnet`: start a local multi-validator network with the REST server and inference nodes, print
 * where everything is, and stop all of it on Ctrl-C or SIGTERM.
 */
import { rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { poqCommand } from "./poq-command.js";
import { Command } from "commander";
import { startDevnet, DEFAULT_INFERENCE_NODES, DEVNET_MODEL, type Devnet } from "../network/devnet.js";
import { IDLE_BLOCK_INTERVAL } from "../network/comet-home.js";
import { endpointsFile, type DevnetEndpoints } from "../network/testnet.js";
import { DEFAULT_HOME, DEFAULT_NODE, durationFlag, globalOptions, intFlag } from "./global-options.js";
import { printResult } from "./output.js";
import { untilStopped } from "./until-stopped.js";
import { CliError, EXIT } from "./exit-codes.js";
import { LAZY_KINDS, type LazyKind } from "../inference/standin/lazy.js";

interface DevnetFlags {
  validators: string;
  basePort: string;
  restListen: string;
  backend?: string;
  apiKey?: string;
  inferenceNodes: string;
  lazyNodes: string;
  lazyKind: string;
  model: string;
  reset?: boolean;
  timeoutCommit: string;
  idleBlockInterval: string;
}

/** `--home` when given, else ~/.poq/devnet (the devnet keeps out of a real node's home). */
export function devnetHome(cmd: Command): string {
  const g = globalOptions(cmd);
  return cmd.getOptionValueSourceWithGlobals("home") === "default" ? join(DEFAULT_HOME, "devnet") : g.home;
}

function summary(d: Devnet): string {
  const h = d.home;
  const poq = poqCommand();
  const q = (s: string) => (/\s/.test(s) ? `'${s}'` : s);
  // Non-default ports: the commands below need to be told where node 0 is.
  const at = `--home ${q(h)}${d.rpcUrls[0] === DEFAULT_NODE ? "" : ` --node ${d.rpcUrls[0]}`}`;
  const standin = d.standinUrl
    ? `${d.standinUrl}  ** STAND-IN: answers from a bundled Q&A set, not an LLM (use --backend URL for a real one) **`
    : "(the --backend you gave)";
  const lines = [
    `PoQ devnet is up: chain ${d.chainId}, ${d.rpcUrls.length} validators, home ${h}`,
    "",
    "CometBFT RPC:",
    ...d.network.nodes.map(
      (n) => `  ${basename(n.home).padEnd(10)} ${n.rpcUrl}   (logs ${join(n.home, "cometbft.log")}, app.log)`,
    ),
    `REST API:     ${d.restUrl}   (docs ${d.restUrl}/docs, web page ${d.restUrl}/)`,
    `Backend:      ${standin}`,
    ...(d.lazyStandinUrl ? [`Lazy backend: ${d.lazyStandinUrl}  (stand-in that answers lazily)`] : []),
    "Inference nodes (model " + d.model + "):",
    ...d.inferenceNodes.map(
      (n) => `  ${n.name.padEnd(10)} ${n.address}${n.lazy ? "  LAZY" : ""}   (log ${n.logFile})`,
    ),
    "Funded test accounts (keys in the test keyring of the home; mnemonics in accounts.json):",
    ...d.accounts
      .filter((a) => !/^(infer|lazy)\d+$/.test(a.name))
      .map((a) => `  ${a.name.padEnd(10)} ${a.address}`),
    "",
    "Try, in another terminal:",
    ...(poq === "poq"
      ? []
      : [
          `  (poq is not on PATH: export PATH="${dirname(poq.replace(/'/g, ""))}:$PATH" puts it there, or type it as below)`,
        ]),
    `  ${poq} ${at} query balance alice --keyring-backend test`,
    `  ${poq} ${at} tx infer --model ${d.model} --prompt "Why is the sky blue?" --fee 10000upoq --from alice --keyring-backend test --wait`,
    `  ${poq} ${at} query nodes`,
    `  ${poq} ${at} tx bank send alice bob 1000upoq --keyring-backend test`,
    "",
    "Ctrl-C stops everything.",
  ];
  return lines.join("\n");
}

/** `--lazy-kind`: one of {@link LAZY_KINDS}. */
function lazyKindFlag(value: string): LazyKind {
  if (!(LAZY_KINDS as readonly string[]).includes(value))
    throw new CliError(`--lazy-kind must be one of ${LAZY_KINDS.join(", ")}, got "${value}"`, EXIT.usage);
  return value as LazyKind;
}

/**
 * The `devnet` command.
 *
 * @example
 * program.addCommand(devnetCommand()); // poq devnet --validators 4 --lazy-nodes 1
 */
export function devnetCommand(): Command {
  return new Command("devnet")
    .description(
      "run a local network: validators (CometBFT + app each), REST API, inference nodes; Ctrl-C stops it all",
    )
    .option("--validators <n>", "number of validators", "4")
    .option("--base-port <port>", "node i uses base+10i (p2p), +1 (RPC), +2 (app ABCI)", "26656")
    .option("--rest-listen <host:port>", "where the REST API listens", "127.0.0.1:1317")
    .option(
      "--backend <url>",
      "OpenAI-compatible server for the inference nodes (default: the bundled stand-in)",
    )
    .option("--api-key <key>", "API key for --backend (default: $POQ_BACKEND_API_KEY)")
    .option("--inference-nodes <n>", "honest inference nodes", String(DEFAULT_INFERENCE_NODES))
    .option("--lazy-nodes <n>", "extra inference nodes that answer lazily (shows the incentives)", "0")
    .option(
      "--lazy-kind <kind>",
      `what lazy nodes answer: ${LAZY_KINDS.join("|")} (from the stand-in's data, transformed)`,
      "template",
    )
    .option("--model <id>", "model id the inference nodes serve", DEVNET_MODEL)
    .option("--reset", "delete the devnet's state and start over")
    .option("--timeout-commit <duration>", "pause after each block", "300ms")
    .option(
      "--idle-block-interval <duration>",
      "when nothing happens, one empty block this often (0s: a block every --timeout-commit)",
      IDLE_BLOCK_INTERVAL,
    )
    .addHelpText(
      "after",
      "\nThe home defaults to ~/.poq/devnet; --home DIR picks another. State is reused unless --reset.",
    )
    .action(async (flags: DevnetFlags, cmd: Command) => {
      const began = Date.now();
      const home = devnetHome(cmd);
      const g = globalOptions(cmd);
      const say = (line: string) =>
        process.stderr.write(`[devnet +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
      const apiKey = flags.apiKey ?? process.env.POQ_BACKEND_API_KEY;
      // Counts left at their defaults follow an existing devnet in the home; given ones are checked.
      const given = <T extends object>(key: string, value: () => T): T | object => {
        const v = value();
        return cmd.getOptionValueSource(key) === "default" ? {} : v;
      };
      let interrupted = false;
      const onEarlySignal = () => {
        interrupted = true;
        say("interrupted while starting; stopping what has started");
      };
      process.once("SIGINT", onEarlySignal);
      process.once("SIGTERM", onEarlySignal);
      let devnet: Devnet;
      try {
        devnet = await startDevnet({
          home,
          chainId: g.chainId,
          ...given("validators", () => ({ validators: intFlag(flags.validators, "--validators", 1, 20) })),
          ...given("basePort", () => ({ basePort: intFlag(flags.basePort, "--base-port", 1024, 65000) })),
          restListen: flags.restListen,
          ...given("inferenceNodes", () => ({
            inferenceNodes: intFlag(flags.inferenceNodes, "--inference-nodes", 0, 20),
          })),
          ...given("lazyNodes", () => ({ lazyNodes: intFlag(flags.lazyNodes, "--lazy-nodes", 0, 20) })),
          lazyKind: lazyKindFlag(flags.lazyKind),
          model: flags.model,
          timeoutCommit: durationFlag(flags.timeoutCommit, "--timeout-commit"),
          idleBlockInterval: durationFlag(flags.idleBlockInterval, "--idle-block-interval"),
          ...(flags.reset ? { reset: true } : {}),
          ...(flags.backend !== undefined ? { backendUrl: flags.backend } : {}),
          ...(apiKey !== undefined ? { apiKey } : {}),
          onProgress: say,
        });
      } finally {
        process.off("SIGINT", onEarlySignal);
        process.off("SIGTERM", onEarlySignal);
      }
      if (interrupted) {
        await devnet.stop();
        return;
      }
      say(`ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
      printResult(
        cmd,
        {
          ready: true,
          home: devnet.home,
          chain_id: devnet.chainId,
          rpc: devnet.rpcUrls,
          rest: devnet.restUrl,
          standin: devnet.standinUrl ?? null,
          lazy_standin: devnet.lazyStandinUrl ?? null,
          model: devnet.model,
          inference_nodes: devnet.inferenceNodes,
          accounts_file: join(devnet.home, "accounts.json"),
          accounts: devnet.accounts.map((a) => ({ name: a.name, address: a.address })),
          startup_ms: Date.now() - began,
        },
        summary(devnet),
      );
      const endpoints: DevnetEndpoints = {
        pid: process.pid,
        chainId: devnet.chainId,
        rpc: devnet.rpcUrls,
        rest: devnet.restUrl,
        standin: devnet.standinUrl ?? null,
      };
      // For `poq testnet start|status` and scripts: present exactly while the devnet is up.
      writeFileSync(endpointsFile(home), JSON.stringify(endpoints, null, 2) + "\n");
      // A crashed validator process is restarted by the devnet's supervisors (reported through `say`).
      const why = await untilStopped();
      say(`${why === "SIGINT" ? "Ctrl-C" : why}: stopping validators, REST API and inference nodes`);
      await devnet.stop();
      rmSync(endpointsFile(home), { force: true });
      say("stopped");
      // Everything this process started has stopped; a library's reconnect timer must not keep it alive.
      process.exit(0);
    });
}
