/**
 * `poq init`: one validator's home (CometBFT config, keys, genesis with its operator funded).
 */
import { Command } from "commander";
import { assertHomeFree, initNode } from "../network/single-node.js";
import { globalOptions, intFlag } from "./global-options.js";
import { keyringBackendOption, openKeyring } from "./keys.js";
import { printResult } from "./output.js";

export function initCommand(): Command {
  return new Command("init")
    .description(
      "initialize one validator's home: CometBFT config and keys, genesis with its operator account",
    )
    .option("--moniker <name>", "the node's name", "poq-validator")
    .option(
      "--operator <address>",
      "operator account for rewards (default: a new key named 'validator' in --home)",
    )
    .addOption(keyringBackendOption("keyring for the new operator key: file or test", "test"))
    .option("--base-port <port>", "p2p port; RPC is +1 and the app's ABCI socket +2", "26656")
    .action(async (opts: { moniker: string; operator?: string; basePort: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      assertHomeFree(g.home);
      // Checked before a key is created, so that a typo leaves nothing behind.
      const basePort = intFlag(opts.basePort, "--base-port", 1, 65533);
      let operator = opts.operator;
      let mnemonic: string | undefined;
      if (operator === undefined) {
        const created = await (await openKeyring(cmd, true)).add("validator");
        operator = created.info.address;
        mnemonic = created.mnemonic;
      }
      const node = await initNode({
        home: g.home,
        chainId: g.chainId,
        moniker: opts.moniker,
        operator,
        basePort,
      });
      printResult(
        cmd,
        {
          home: g.home,
          chain_id: g.chainId,
          operator,
          node_id: node.nodeId,
          rpc: node.rpcUrl,
          ...(mnemonic ? { mnemonic } : {}),
        },
        [
          `initialized ${g.home} for chain ${g.chainId}`,
          `  operator: ${operator}${mnemonic ? " (key 'validator', test keyring)" : ""}`,
          `  node id:  ${node.nodeId}`,
          `  RPC:      ${node.rpcUrl}`,
          ...(mnemonic ? ["", `operator mnemonic (write it down): ${mnemonic}`] : []),
          "",
          `next: poq start --home ${g.home}`,
        ].join("\n"),
      );
    });
}
