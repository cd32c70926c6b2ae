/**
 * `poq rest start`: the REST server (Cosmos gateway subset, PoQ routes, Keplr info, docs, web page)
 * beside a node, reading through its CometBFT RPC.
 */
import { Command, Option } from "commander";
import { startRestServer } from "../rest/server.js";
import { globalOptions, intFlag } from "./global-options.js";
import { printResult } from "./output.js";
import { untilStopped } from "./until-stopped.js";

interface RestStartFlags {
  listen: string;
  cors: string;
  rateLimit: string;
  publicRpc?: string;
  publicRest?: string;
  logLevel: string;
}

/**
 * The `rest` command group.
 *
 * @example
 * program.addCommand(restCommand()); // poq rest start --node http://127.0.0.1:26657 --listen 127.0.0.1:1317
 */
export function restCommand(): Command {
  const rest = new Command("rest").description("the REST API server");
  rest
    .command("start")
    .description("serve the REST API, OpenAPI docs and the web page until interrupted")
    .option("--listen <host:port>", "address to listen on", "127.0.0.1:1317")
    .option(
      "--cors <origins>",
      'comma-separated allowed origins, "*" for any, "none" for no CORS headers',
      "*",
    )
    .option("--rate-limit <n>", "requests per second per client IP (0: no limit)", "600")
    .option("--public-rpc <url>", "RPC URL handed to wallets (default: --node)")
    .option("--public-rest <url>", "REST URL handed to wallets (default: from the request's Host)")
    .addOption(
      new Option("--log-level <level>", "structured log level")
        .choices(["fatal", "error", "warn", "info", "debug"])
        .default("info"),
    )
    .action(async (flags: RestStartFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const perSecond = intFlag(flags.rateLimit, "--rate-limit", 0, 1_000_000);
      const server = await startRestServer({
        rpcUrl: g.node,
        listen: flags.listen,
        cors: flags.cors === "none" ? false : { origins: flags.cors.split(",").map((s) => s.trim()) },
        rateLimit: perSecond === 0 ? false : { max: perSecond, timeWindowMs: 1000 },
        logger: { level: flags.logLevel },
        ...(flags.publicRpc !== undefined ? { publicRpcUrl: flags.publicRpc } : {}),
        ...(flags.publicRest !== undefined ? { publicRestUrl: flags.publicRest } : {}),
      });
      printResult(
        cmd,
        { url: server.url, node: g.node },
        `REST API on ${server.url} (node ${g.node}); docs at ${server.url}/docs`,
      );
      await untilStopped();
      await server.close();
    });
  return rest;
}
