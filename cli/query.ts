/**
 * `poq query ...`: read accounts, balances and PoQ state through the node's RPC (`--node`).
 */
import { Command } from "commander";
import type { NodeRecord } from "../app/modules/poq/state.js";
import { PoqQueryPath } from "../app/modules/poq/types/query-paths.js";
import {
  abciJsonQuery,
  queryPoqParams,
  queryRequest,
  queryRequestsWithTexts,
} from "../inference/chain-query.js";
import { globalOptions, intFlag } from "./global-options.js";
import { printResult } from "./output.js";
import { keyringBackendOption, queryClientFor, resolveAddress } from "./chain-client.js";
import { CliError, EXIT } from "./exit-codes.js";
import { queryGovCommand } from "./gov.js";
import { nodeLine, requestLine, requestText } from "./request-view.js";
import { queryDistributionCommand } from "./distribution.js";
import { queryStakingCommand } from "./staking.js";

type NodeView = NodeRecord & { average_quality: number };

const STATUSES = ["PENDING", "ASSIGNED", "SCORING", "FINALIZED", "EXPIRED", "UNSCORED"];

/**
 * The `query` command group.
 *
 * @example
 * program.addCommand(queryCommand()); // poq query request 7
 */
export function queryCommand(): Command {
  const query = new Command("query").alias("q").description("read chain state");

  query
    .command("balance <address-or-key>")
    .description("an account's balances")
    .option("--denom <denom>", "only this denom")
    .addOption(keyringBackendOption())
    .action(async (who: string, o: { denom?: string }, cmd: Command) => {
      const address = resolveAddress(cmd, who);
      const client = await queryClientFor(cmd);
      try {
        const balances = o.denom
          ? [await client.getBalance(address, o.denom)]
          : await client.getAllBalances(address);
        printResult(
          cmd,
          { address, balances },
          balances.length === 0
            ? `${address}: no balance`
            : `${address}\n${balances.map((b) => `  ${b.amount}${b.denom}`).join("\n")}`,
        );
      } finally {
        client.disconnect();
      }
    });

  query
    .command("account <address-or-key>")
    .description("an account's number, sequence and public key")
    .addOption(keyringBackendOption())
    .action(async (who: string, _o: unknown, cmd: Command) => {
      const address = resolveAddress(cmd, who);
      const client = await queryClientFor(cmd);
      try {
        const account = await client.getAccount(address);
        if (!account)
          throw new CliError(
            `account ${address} does not exist on chain (it has never received funds)`,
            EXIT.failure,
          );
        const view = {
          address: account.address,
          account_number: String(account.accountNumber),
          sequence: String(account.sequence),
          pub_key: account.pubkey,
        };
        printResult(
          cmd,
          view,
          `${view.address}\n  account number ${view.account_number}\n  sequence       ${view.sequence}`,
        );
      } finally {
        client.disconnect();
      }
    });

  query
    .command("request <id>")
    .description("a request: status, node, response, per-validator scores and payouts")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      if (!/^\d{1,20}$/.test(id))
        throw new CliError(`request id must be a whole number, got "${id}"`, EXIT.usage);
      const r = await queryRequest(globalOptions(cmd).node, id);
      if (!r) throw new CliError(`request ${id} not found`, EXIT.failure);
      printResult(cmd, { request: r }, requestText(r));
    });

  query
    .command("requests")
    .description("requests, oldest first, filtered by status, requester or node")
    .option("--status <status>", STATUSES.join("|"))
    .option("--requester <address-or-key>", "only this requester's")
    .option("--served-by <address-or-key>", "only those assigned to this inference node")
    .option("--limit <n>", "page size", "50")
    .option("--page-key <id>", "first id of the page (the previous page's next_key)")
    .addOption(keyringBackendOption())
    .action(
      async (
        o: { status?: string; requester?: string; servedBy?: string; limit: string; pageKey?: string },
        cmd: Command,
      ) => {
        const status = o.status?.toUpperCase();
        if (status !== undefined && !STATUSES.includes(status))
          throw new CliError(`--status must be one of ${STATUSES.join(", ")}`, EXIT.usage);
        // Pruned requests show their prompt and answer, read back from the tx index (as `query request`).
        const res = await queryRequestsWithTexts(globalOptions(cmd).node, {
          ...(status ? { status } : {}),
          ...(o.requester ? { requester: resolveAddress(cmd, o.requester) } : {}),
          // Not --node: that is the global flag for the RPC address, and the two clashed.
          ...(o.servedBy ? { node: resolveAddress(cmd, o.servedBy) } : {}),
          limit: intFlag(o.limit, "--limit", 1, 200),
          ...(o.pageKey ? { key: o.pageKey } : {}),
        });
        printResult(
          cmd,
          { requests: res.requests, pagination: { next_key: res.nextKey } },
          res.requests.length === 0
            ? "no requests"
            : [
                "   id  status        score  model  prompt",
                ...res.requests.map(requestLine),
                ...(res.nextKey ? [`more: --page-key ${res.nextKey}`] : []),
              ].join("\n"),
        );
      },
    );

  query
    .command("nodes")
    .description("registered inference nodes: stake, models, served, average quality, earnings, slashes")
    .action(async (_o: unknown, cmd: Command) => {
      const { nodes } = await abciJsonQuery<{ nodes: NodeView[] }>(
        globalOptions(cmd).node,
        PoqQueryPath.Nodes,
        {},
      );
      printResult(
        cmd,
        { nodes },
        nodes.length === 0 ? "no inference nodes registered" : nodes.map(nodeLine).join("\n"),
      );
    });

  query
    .command("validators")
    .description("quality validators: power, committees, revealed, missed, deviation, trust")
    .action(async (_o: unknown, cmd: Command) => {
      const { validators } = await abciJsonQuery<{ validators: Record<string, string | number | boolean>[] }>(
        globalOptions(cmd).node,
        PoqQueryPath.Validators,
        {},
      );
      printResult(
        cmd,
        { validators },
        validators
          .map((v) =>
            [
              v["validator"],
              v["moniker"],
              `power ${v["power"]}`,
              `trust ${v["trust_bp"]} bp`,
              `committees ${v["committees"]}`,
              `revealed ${v["revealed"]}`,
              `missed ${v["missed"]}`,
              `deviated ${v["deviated"]}`,
            ].join("  "),
          )
          .join("\n"),
      );
    });

  query
    .command("params")
    .description("the poq module's parameters")
    .action(async (_o: unknown, cmd: Command) => {
      const params = await queryPoqParams(globalOptions(cmd).node);
      printResult(
        cmd,
        { params },
        Object.entries(params)
          .map(([k, v]) => `${k.padEnd(26)} ${String(v)}`)
          .join("\n"),
      );
    });

  query.addCommand(queryDistributionCommand());
  query.addCommand(queryGovCommand());
  query.addCommand(queryStakingCommand());
  return query;
}
