/**
 * `poq testnet init|start|stop|status`: the devnet step by step, with its files on disk.
 */
import { basename } from "node:path";
import { Command } from "commander";
import { initDevnet, readDevnetFile } from "../network/devnet.js";
import { readNetworkFile } from "../network/local-network.js";
import {
  dockerizeTestnet,
  startTestnet,
  stopTestnet,
  testnetStatus,
  TestnetStateError,
} from "../network/testnet.js";
import { printResult } from "./output.js";
import { devnetHome } from "./devnet.js";
import { durationFlag, globalOptions, intFlag } from "./global-options.js";
import { IDLE_BLOCK_INTERVAL } from "../network/comet-home.js";

/**
 * The `testnet` command group.
 *
 * @example
 * program.addCommand(testnetCommand()); // poq testnet init --validators 4 && poq testnet start
 */
export function testnetCommand(): Command {
  const testnet = new Command("testnet").description(
    "the devnet step by step: init writes the files, start/stop run it in the background, status reports",
  );
  testnet
    .command("init")
    .description(
      "write the network's files (node homes, genesis, accounts.json, test keyring) without starting",
    )
    .option("--validators <n>", "number of validators", "4")
    .option("--base-port <port>", "node i uses base+10i (p2p), +1 (RPC), +2 (app ABCI)", "26656")
    .option("--inference-nodes <n>", "inference node accounts to fund", "2")
    .option("--lazy-nodes <n>", "lazy inference node accounts to fund", "0")
    .option(
      "--idle-block-interval <duration>",
      "when nothing happens, one empty block this often (0s: a block every timeout_commit)",
      IDLE_BLOCK_INTERVAL,
    )
    .option("--docker", "rewrite node configs for docker-compose.yml (services app<i>, comet<i>)")
    .option("--reset", "delete what is there first")
    .action(
      async (
        o: {
          validators: string;
          basePort: string;
          inferenceNodes: string;
          lazyNodes: string;
          idleBlockInterval: string;
          docker?: boolean;
          reset?: boolean;
        },
        cmd: Command,
      ) => {
        const home = devnetHome(cmd);
        const validators = intFlag(o.validators, "--validators", 1, 20);
        const { file, fresh } = await initDevnet({
          home,
          chainId: globalOptions(cmd).chainId,
          validators,
          basePort: intFlag(o.basePort, "--base-port", 1024, 65000),
          inferenceNodes: intFlag(o.inferenceNodes, "--inference-nodes", 0, 20),
          lazyNodes: intFlag(o.lazyNodes, "--lazy-nodes", 0, 20),
          idleBlockInterval: durationFlag(o.idleBlockInterval, "--idle-block-interval"),
          ...(o.reset ? { reset: true } : {}),
        });
        if (o.docker) dockerizeTestnet(home, validators);
        const homes = readNetworkFile(home)?.nodes.map((n) => n.home) ?? [];
        printResult(
          cmd,
          {
            home,
            chain_id: file.chainId,
            created: fresh,
            validators,
            accounts: file.accounts.map((a) => ({ name: a.name, address: a.address })),
          },
          [
            `${fresh ? "initialized" : "already initialized"}: ${home} (chain ${file.chainId}, ${validators} validators)`,
            `  validators  ${homes[0]} .. ${basename(homes[homes.length - 1] ?? "")} (config/config.toml, config/genesis.json)`,
            `  accounts    ${home}/accounts.json (keys in ${home}/keyring-test)`,
            "",
            o.docker ? "next: docker compose up" : `next: poq --home ${home} testnet start`,
          ].join("\n"),
        );
      },
    );
  testnet
    .command("start")
    .description(
      "start the initialized network in the background (poq devnet, detached) and wait until ready",
    )
    .option("--lazy-nodes <n>", "lazy inference nodes (default: as many as init funded)")
    .option("--backend <url>", "OpenAI-compatible server (default: the stand-in)")
    .option("--rest-listen <host:port>", "REST API address", "127.0.0.1:1317")
    .action(async (o: { lazyNodes?: string; backend?: string; restListen: string }, cmd: Command) => {
      const home = devnetHome(cmd);
      const net = readDevnetFile(home);
      if (!net)
        throw new TestnetStateError(`${home} has no testnet`, { details: "run poq testnet init first" });
      const ep = await startTestnet({
        home,
        devnetArgs: [
          "--validators",
          String(net.validators),
          "--base-port",
          String(net.basePort),
          "--inference-nodes",
          String(net.inferenceNodes ?? 2),
          "--lazy-nodes",
          o.lazyNodes ?? String(net.lazyNodes ?? 0),
          "--rest-listen",
          o.restListen,
          ...(o.backend ? ["--backend", o.backend] : []),
        ],
      });
      printResult(
        cmd,
        ep,
        [
          `testnet running (pid ${ep.pid}); log ${home}/testnet.log`,
          `  RPC  ${ep.rpc.join(" ")}`,
          `  REST ${ep.rest}`,
          "",
          `stop with: poq --home ${home} testnet stop`,
        ].join("\n"),
      );
    });
  testnet
    .command("stop")
    .description("stop the background network and everything it started")
    .action(async (_o: unknown, cmd: Command) => {
      const home = devnetHome(cmd);
      const stopped = await stopTestnet(home);
      printResult(cmd, { stopped }, stopped ? "stopped" : "no testnet was running");
    });
  testnet
    .command("status")
    .description("whether the network runs, and each node's height")
    .action(async (_o: unknown, cmd: Command) => {
      const s = await testnetStatus(devnetHome(cmd));
      printResult(
        cmd,
        s,
        [
          s.running ? `running (pid ${s.pid})` : "not running",
          ...s.nodes.map((n) => `  ${n.name} ${n.rpc}  ${n.height !== null ? `height ${n.height}` : "down"}`),
          ...(s.rest ? [`  REST ${s.rest}`] : []),
        ].join("\n"),
      );
    });
  return testnet;
}
