/**
 * `poq tx ...`: sign with a keyring key (`--from`) and broadcast through the node's RPC (`--node`).
 * `tx infer --wait` follows the request until its quality is final and prints the score and payouts.
 */
import { Command } from "commander";
import { registerNode, requestInference, unjailNode, unregisterNode } from "../client/poq-tx.js";
import { queryPoqParams, queryRequest } from "../inference/chain-query.js";
import { QualityTimeoutError, waitForQuality } from "../client/poq-query.js";
import type { RequestRecord } from "../client/poq-query.js";
import { globalOptions, intFlag } from "./global-options.js";
import { printResult } from "./output.js";
import {
  keyringBackendOption,
  parseAmount,
  parseModelList,
  resolveAddress,
  signingClientFor,
} from "./chain-client.js";
import { CliError, EXIT } from "./exit-codes.js";
import { txGovCommand } from "./gov.js";
import { requestText } from "./request-view.js";
import { txDistributionCommand } from "./distribution.js";
import { txSlashingCommand, txStakingCommand } from "./staking.js";

/** Polls the request until a final status; reports each status change with the time since `began`. */
async function waitFinal(
  rpc: string,
  id: bigint,
  timeoutMs: number,
  began: number,
  say: (line: string) => void,
): Promise<RequestRecord> {
  try {
    return await waitForQuality(
      // A query that fails (the node is busy or restarting) is polled again, until the deadline.
      { getRequest: (requestId) => queryRequest(rpc, requestId).catch(() => undefined) },
      id,
      {
        timeoutMs,
        pollMs: 250,
        onStatus: (status, r) => {
          const extra =
            status === "ASSIGNED"
              ? ` to ${r.assigned_nodes.join(", ")} in block ${r.assigned_height}`
              : status === "SCORING"
                ? ` (response in block ${r.responded_height}; committee scoring)`
                : "";
          say(`request ${id}: ${status}${extra} +${((Date.now() - began) / 1000).toFixed(1)}s`);
        },
      },
    );
  } catch (err) {
    if (!(err instanceof QualityTimeoutError)) throw err;
    throw new CliError(
      `request ${id} not final after ${timeoutMs / 1000} s (last status ${err.lastStatus || "unknown"})`,
      EXIT.timeout,
      { details: `check later with: poq query request ${id}`, cause: err },
    );
  }
}

/**
 * Blocks from the request's block to each later step it reached (assignment, response, final):
 * what the deferred assignment (one block at least) adds to the request's latency.
 */
function blockSpans(requested: number, r: RequestRecord): Record<string, number> {
  const spans: Record<string, number> = {};
  for (const [name, h] of [
    ["assigned", r.assigned_height],
    ["responded", r.responded_height],
    ["final", r.finalized_height],
  ] as const) {
    if (h !== "0" && h !== "") spans[name] = Number(h) - requested;
  }
  return spans;
}

function inferCommand(): Command {
  return new Command("infer")
    .description("request an answer from an inference node; the fee is escrowed and paid by quality")
    .requiredOption("--model <id>", "LLM id, e.g. llama-3-8b-instruct")
    .requiredOption("--prompt <text>", "the prompt")
    .requiredOption("--fee <amount>", "escrowed fee, e.g. 10000upoq")
    .requiredOption("--from <key>", "key that pays")
    .option("--min-quality <bp>", "quality in basis points (0..10000) below which the node is not paid", "0")
    .option("--max-tokens <n>", "longest answer, in tokens", "256")
    .option("--replicas <k>", "independent answers from distinct nodes, each paid from fee / k", "1")
    .option("--wait", "wait until the quality is final, then print the score and payouts")
    .option("--timeout <seconds>", "how long --wait waits", "120")
    .addOption(keyringBackendOption())
    .addHelpText(
      "after",
      "\nWith --wait the exit code is 0 when FINALIZED, 1 when EXPIRED or UNSCORED, 5 on timeout.",
    )
    .action(
      async (
        o: {
          model: string;
          prompt: string;
          fee: string;
          from: string;
          minQuality: string;
          maxTokens: string;
          replicas: string;
          wait?: boolean;
          timeout: string;
        },
        cmd: Command,
      ) => {
        const fee = parseAmount(o.fee, "--fee");
        const minQuality = intFlag(o.minQuality, "--min-quality", 0, 10000);
        const maxTokens = intFlag(o.maxTokens, "--max-tokens", 1, 1_000_000);
        const replicas = intFlag(o.replicas, "--replicas", 1, 1000);
        const timeoutS = intFlag(o.timeout, "--timeout", 1, 86_400);
        const g = globalOptions(cmd);
        const say = (line: string) => process.stderr.write(line + "\n");
        const began = Date.now();
        // Input the chain would refuse is a usage error here, not a raw simulation failure later.
        const limit = Number((await queryPoqParams(g.node)).max_prompt_bytes);
        const size = Buffer.byteLength(o.prompt, "utf8");
        if (Number.isFinite(limit) && size > limit)
          throw new CliError(`--prompt is ${size} bytes; the chain accepts at most ${limit}`, EXIT.usage);
        const { client, address } = await signingClientFor(cmd, o.from);
        let sent;
        try {
          sent = await requestInference(client, address, {
            model: o.model,
            prompt: o.prompt,
            fee,
            minQuality,
            maxTokens,
            replicas,
          });
        } finally {
          client.disconnect();
        }
        const tx = { txhash: sent.txHash, height: sent.height, gas_used: sent.gasUsed.toString() };
        // The node(s) are drawn in a later block from the validators' beacon, never in this tx.
        say(
          `request ${sent.requestId} in block ${sent.height} (tx ${sent.txHash}): PENDING until its ` +
            `node${replicas > 1 ? "s are" : " is"} drawn from the beacon of a later block`,
        );
        if (!o.wait) {
          printResult(
            cmd,
            { request_id: sent.requestId.toString(), status: "PENDING", ...tx },
            `request id ${sent.requestId}\nnext: poq query request ${sent.requestId}`,
          );
          return;
        }
        const r = await waitFinal(g.node, sent.requestId, timeoutS * 1000, began, say);
        const elapsed = Date.now() - began;
        const blocks = blockSpans(sent.height, r);
        printResult(
          cmd,
          { request: r, tx, elapsed_ms: elapsed, blocks },
          `${requestText(r)}\n(${(elapsed / 1000).toFixed(1)} s from sending to ${r.status}; blocks: ` +
            `${Object.entries(blocks)
              .map(([k, v]) => `${k} +${v}`)
              .join(", ")})`,
        );
        if (r.status !== "FINALIZED") process.exitCode = EXIT.failure;
      },
    );
}

function txNodeCommand(): Command {
  const node = new Command("node").description("register, unregister or unjail an inference node");
  node
    .command("register")
    .description("offer models and bond stake as an inference node (signed by --from, the operator)")
    .requiredOption("--models <ids>", "comma-separated model ids")
    .requiredOption("--stake <amount>", "stake to bond, e.g. 10000000upoq")
    .requiredOption("--from <key>", "operator key")
    .option("--moniker <name>", "display name", "")
    .option("--min-fee <amount>", "smallest fee per answer it takes (default: the chain's min_request_fee)")
    .option("--max-in-flight <n>", "most requests in flight at once (default: the chain's)", "0")
    .addOption(keyringBackendOption())
    .action(async (o: RegisterFlags, cmd: Command) => {
      const stake = parseAmount(o.stake, "--stake");
      const models = parseModelList(o.models, "--models");
      const maxInFlight = intFlag(o.maxInFlight, "--max-in-flight", 0, 1_000_000);
      const priced = {
        models,
        stake,
        moniker: o.moniker,
        maxInFlight,
        ...(o.minFee !== undefined ? { minFee: parseAmount(o.minFee, "--min-fee") } : {}),
      };
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        const res = await registerNode(client, address, priced);
        printResult(
          cmd,
          { operator: address, ...res, gasUsed: res.gasUsed.toString() },
          `registered ${address} for ${models.join(", ")} (tx ${res.txHash}, block ${res.height})\nnext: poq node run --backend URL --from ${o.from}`,
        );
      } finally {
        client.disconnect();
      }
    });
  node
    .command("unregister")
    .description("stop taking requests; the stake returns after the unbonding period")
    .requiredOption("--from <key>", "operator key")
    .addOption(keyringBackendOption())
    .action(async (o: { from: string }, cmd: Command) => {
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        const res = await unregisterNode(client, address);
        printResult(
          cmd,
          { operator: address, ...res, gasUsed: res.gasUsed.toString() },
          `unregistered ${address} (tx ${res.txHash}, block ${res.height})`,
        );
      } finally {
        client.disconnect();
      }
    });
  node
    .command("unjail")
    .description("take requests again after being jailed for a missed deadline or a score under the floor")
    .requiredOption("--from <key>", "operator key")
    .addOption(keyringBackendOption())
    .action(async (o: { from: string }, cmd: Command) => {
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        const res = await unjailNode(client, address);
        printResult(
          cmd,
          { operator: address, ...res, gasUsed: res.gasUsed.toString() },
          `unjailed ${address} (tx ${res.txHash}, block ${res.height})`,
        );
      } finally {
        client.disconnect();
      }
    });
  return node;
}

interface RegisterFlags {
  models: string;
  stake: string;
  from: string;
  moniker: string;
  minFee?: string;
  maxInFlight: string;
}

function bankCommand(): Command {
  const bank = new Command("bank").description("send tokens");
  bank
    .command("send <from> <to> <amount>")
    .description("send AMOUNT (e.g. 1000upoq) from key FROM to an address or key name TO")
    .addOption(keyringBackendOption())
    .action(async (from: string, to: string, amount: string, _o: unknown, cmd: Command) => {
      const coin = parseAmount(amount, "AMOUNT");
      const recipient = resolveAddress(cmd, to);
      const { client, address } = await signingClientFor(cmd, from);
      try {
        const res = await client.sendTokens(address, recipient, [coin], 1.5);
        if (res.code !== 0)
          throw new CliError(`the chain rejected the transfer (code ${res.code})`, EXIT.rejected, {
            details: res.rawLog ?? "",
          });
        printResult(
          cmd,
          {
            txhash: res.transactionHash,
            height: res.height,
            gas_used: res.gasUsed.toString(),
            from: address,
            to: recipient,
            amount: coin,
          },
          `sent ${coin.amount}${coin.denom} from ${address} to ${recipient} (tx ${res.transactionHash}, block ${res.height})`,
        );
      } finally {
        client.disconnect();
      }
    });
  return bank;
}

/**
 * The `tx` command group.
 *
 * @example
 * program.addCommand(txCommand()); // poq tx infer --model m --prompt p --fee 1000upoq --from alice --wait
 */
export function txCommand(): Command {
  const tx = new Command("tx").description("sign and broadcast transactions");
  tx.addCommand(bankCommand());
  tx.addCommand(inferCommand());
  tx.addCommand(txNodeCommand());
  tx.addCommand(txDistributionCommand());
  tx.addCommand(txGovCommand());
  tx.addCommand(txStakingCommand());
  tx.addCommand(txSlashingCommand());
  return tx;
}
