/**
 * `poq export`: the node's committed state as the genesis of a new chain (network/export.ts).
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { exportNodeGenesis } from "../network/export.js";
import { parseRfc3339 } from "../app/genesis-json.js";
import { CliError, EXIT } from "./exit-codes.js";
import { globalOptions } from "./global-options.js";
import { printResult } from "./output.js";

export function exportCommand(): Command {
  return new Command("export")
    .description(
      "write the node's state as a CometBFT genesis for a new chain that starts at the next height",
    )
    .option("--out <file>", "where to write the genesis (default: standard output)")
    .option(
      "--genesis-time <time>",
      "the new chain's genesis time, RFC 3339 such as 2030-01-01T00:00:00Z (default: now)",
    )
    .addHelpText(
      "after",
      [
        "",
        "Reads --home's data/application.db through a read-only connection: the node may be running or",
        "stopped; the export is the state of its last committed height H. The genesis has initial_height",
        "H + 1, the chain id the state records (or --chain-id when given), the bonded validators with their",
        "powers, the home's consensus params with the block limits in force, and app_state with every",
        "module's whole state, checked with the app's own genesis validation.",
        "",
        "To restart a network from it: stop every node, put the file in each node's config/genesis.json,",
        "clear each node's data/ (keep priv_validator_key.json, reset data/priv_validator_state.json),",
        "and start them. For a devnet, name one node's home: --home <devnet>/node0.",
        "",
        "Examples:",
        "  poq export --home ~/.poq --out genesis-export.json",
        "  poq --output json export --home ~/.poq --out genesis-export.json   (a summary as JSON)",
      ].join("\n"),
    )
    .action((opts: { out?: string; genesisTime?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      let root = cmd;
      while (root.parent) root = root.parent;
      const chainId = root.getOptionValueSource("chainId") === "default" ? undefined : g.chainId;
      if (opts.genesisTime !== undefined && parseRfc3339(opts.genesisTime) === undefined)
        throw new CliError(`--genesis-time ${opts.genesisTime} is not an RFC 3339 UTC time`, EXIT.usage, {
          details: "for example 2030-01-01T00:00:00Z",
        });
      const { genesis, height } = exportNodeGenesis({
        home: g.home,
        ...(chainId !== undefined ? { chainId } : {}),
        ...(opts.genesisTime !== undefined ? { genesisTime: opts.genesisTime } : {}),
      });
      const text = JSON.stringify(genesis, null, 2) + "\n";
      if (opts.out === undefined) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(opts.out, text);
      printResult(
        cmd,
        {
          file: opts.out,
          chain_id: genesis.chain_id,
          height: height.toString(),
          initial_height: genesis.initial_height,
          validators: genesis.validators.length,
        },
        [
          `exported height ${height} of ${genesis.chain_id} to ${opts.out}`,
          `  the new chain starts at height ${genesis.initial_height} with ${genesis.validators.length} validator(s)`,
        ].join("\n"),
      );
    });
}
