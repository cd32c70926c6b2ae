/**
 * `poq node run`: an inference node serving its assigned requests from an OpenAI-compatible server.
 */
import { join } from "node:path";
import { Command } from "commander";
import { createChatBackend } from "../inference/backend.js";
import { startInferenceNode } from "../inference/node.js";
import { queryNode } from "../inference/chain-query.js";
import { globalOptions, intFlag } from "./global-options.js";
import { openKeyring } from "./keys.js";
import { connectSigner, keyringBackendOption, parseAmount, parseModelList } from "./chain-client.js";
import { registerNode } from "../client/poq-tx.js";
import { LAZY_KINDS, type LazyKind } from "../inference/standin/lazy.js";
import { startStandinServer, type StandinMode } from "../inference/standin/server.js";
import { printResult } from "./output.js";
import { untilStopped } from "./until-stopped.js";
import { CliError, EXIT } from "./exit-codes.js";

interface RunFlags {
  register?: string;
  stake: string;
  backend: string;
  apiKey?: string;
  from: string;
  backendModel?: string;
  backendTimeout: string;
  autoUnjail?: boolean;
}

/**
 * The `node` command group.
 *
 * @example
 * program.addCommand(nodeCommand()); // poq node run --backend http://127.0.0.1:8000 --from operator
 */
export function nodeCommand(): Command {
  const node = new Command("node").description("run an inference node");
  node
    .command("run")
    .description(
      "follow new blocks, answer the requests assigned to --from through --backend, submit the answers",
    )
    .requiredOption(
      "--backend <url>",
      "OpenAI-compatible server (vLLM, Ollama, llama.cpp, TGI), e.g. http://127.0.0.1:8000",
    )
    .option("--api-key <key>", "bearer token for the backend (default: $POQ_BACKEND_API_KEY)")
    .requiredOption("--from <key>", "the node's operator key (registered with: poq tx node register)")
    .option("--backend-model <name>", "model name to send to the backend instead of the request's model id")
    .option("--backend-timeout <seconds>", "per backend call", "60")
    .option("--register <models>", "register first (comma-separated model ids) when not registered yet")
    .option("--stake <amount>", "stake bonded by --register", "10000000upoq")
    .option(
      "--auto-unjail",
      "when jailed for a miss, send MsgUnjailNode once the backend answers again (each later miss costs a penalty)",
    )
    .addOption(keyringBackendOption())
    .addHelpText(
      "after",
      "\nWhat it has submitted is kept in HOME/inference/<address>/submissions.json, so a restart never submits twice.",
    )
    .action(async (o: RunFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const timeoutS = intFlag(o.backendTimeout, "--backend-timeout", 1, 3600);
      const apiKey = o.apiKey ?? process.env.POQ_BACKEND_API_KEY;
      const backend = createChatBackend({
        url: o.backend,
        timeoutMs: timeoutS * 1000,
        ...(apiKey ? { apiKey } : {}),
        ...(o.backendModel ? { model: o.backendModel } : {}),
      });
      const signer = await (await openKeyring(cmd, true)).signer(o.from);
      const [account] = await signer.getAccounts();
      const address = account!.address;
      let registered = await queryNode(g.node, address);
      if (registered?.status !== "ACTIVE" && o.register !== undefined) {
        const models = parseModelList(o.register, "--register");
        const stake = parseAmount(o.stake, "--stake");
        const client = await connectSigner(cmd, signer);
        try {
          await registerNode(client, address, { models, stake, moniker: o.from });
        } finally {
          client.disconnect();
        }
        registered = await queryNode(g.node, address);
      }
      if (!registered || registered.status !== "ACTIVE") {
        throw new CliError(`${address} is not an active inference node on ${g.node}`, EXIT.failure, {
          details: `register it first: poq tx node register --models MODEL --stake 10000000upoq --from ${o.from}`,
        });
      }
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const running = await startInferenceNode({
        rpcUrl: g.node,
        backend,
        signer,
        ledgerFile: join(g.home, "inference", address, "submissions.json"),
        log,
        ...(o.autoUnjail ? { autoUnjail: true } : {}),
        // Fault injection for the restart test: die between signing and broadcasting.
        ...(process.env.POQ_FAULT_KILL_AFTER_SIGN === "1"
          ? { onSigned: () => process.kill(process.pid, "SIGKILL") }
          : {}),
      });
      log(
        `serving models ${registered.models.join(", ")}` +
          (o.autoUnjail ? "; unjails itself when jailed (--auto-unjail)" : "") +
          (registered.jailed && !o.autoUnjail
            ? "; JAILED: poq tx node unjail, or run with --auto-unjail"
            : "") +
          "; Ctrl-C to stop",
      );
      await untilStopped();
      log("stopping");
      await running.stop();
      const s = running.stats;
      log(
        `stopped: ${s.confirmed} responses in blocks, ${s.backendCalls} backend calls (${s.backendFailures} failed)`,
      );
    });
  node
    .command("standin")
    .description(
      "serve the devnet's stand-in OpenAI-compatible backend (bundled answers; NOT a language model)",
    )
    .option("--listen <host:port>", "where to listen", "127.0.0.1:8080")
    .option(
      "--mode <mode>",
      "answer (bundled answers), lazy (see --lazy-kind) or garbage (not JSON)",
      "answer",
    )
    .option("--lazy-kind <kind>", `what lazy mode answers: ${LAZY_KINDS.join("|")}`, "template")
    .action(async (o: { listen: string; mode: string; lazyKind: string }, cmd: Command) => {
      if (!["answer", "lazy", "garbage"].includes(o.mode))
        throw new CliError(`--mode must be answer, lazy or garbage, got "${o.mode}"`, EXIT.usage);
      if (!(LAZY_KINDS as readonly string[]).includes(o.lazyKind))
        throw new CliError(
          `--lazy-kind must be one of ${LAZY_KINDS.join(", ")}, got "${o.lazyKind}"`,
          EXIT.usage,
        );
      const standin = await startStandinServer({
        listen: o.listen,
        mode: o.mode as StandinMode,
        lazyKind: o.lazyKind as LazyKind,
      });
      printResult(
        cmd,
        { url: standin.url, mode: o.mode, standin: true },
        `stand-in backend (not an LLM) on ${standin.url}/v1/chat/completions, mode ${o.mode}; Ctrl-C to stop`,
      );
      await untilStopped();
      await standin.close();
    });
  return node;
}
