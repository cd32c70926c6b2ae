/**
 * `poq tx distribution ...` and `poq query distribution ...`: withdraw staking rewards and
 * commission; read pending rewards, commission and the community pool.
 */
import { fromBech32 } from "@cosmjs/encoding";
import { Command } from "commander";
import { reachNode } from "../inference/chain-query.js";
import { globalOptions } from "./global-options.js";
import { printResult } from "./output.js";
import { keyringBackendOption, resolveAddress, signingClientFor } from "./chain-client.js";
import { CliError, EXIT } from "./exit-codes.js";

const loadClient = () => import("../client/distribution.js");

function valoper(text: string, what: string): string {
  try {
    if (fromBech32(text).prefix === "poqvaloper") return text;
  } catch {
    // fall through to the usage error
  }
  throw new CliError(`${what}: "${text}" is not a poqvaloper1... validator address`, EXIT.usage);
}

const coinsLine = (coins: readonly { denom: string; amount: string }[]) =>
  coins.length === 0 ? "nothing" : coins.map((c) => `${c.amount}${c.denom}`).join(", ");

async function queryClient(cmd: Command) {
  const rpc = globalOptions(cmd).node;
  const { createDistributionQueryClient } = await loadClient();
  return reachNode(rpc, () => createDistributionQueryClient(rpc));
}

/**
 * `poq tx distribution`.
 *
 * @example
 * program.addCommand(txDistributionCommand()); // poq tx distribution withdraw-rewards --from alice
 */
export function txDistributionCommand(): Command {
  const distribution = new Command("distribution").description("withdraw staking rewards and commission");
  distribution
    .command("withdraw-rewards [valoper]")
    .description(
      "withdraw the rewards of the delegation to VALOPER (all delegations when omitted); " +
        "--commission also withdraws VALOPER's commission (the key must be its operator)",
    )
    .requiredOption("--from <key>", "delegator key")
    .option("--commission", "also withdraw the validator's commission")
    .addOption(keyringBackendOption())
    .action(async (target: string | undefined, o: { from: string; commission?: boolean }, cmd: Command) => {
      if (o.commission && !target) throw new CliError("--commission needs the VALOPER argument", EXIT.usage);
      const validator = target ? valoper(target, "VALOPER") : undefined;
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        let validators = validator ? [validator] : [];
        if (!validator) {
          const q = await queryClient(cmd);
          try {
            validators = await q.delegatorValidators(address);
          } finally {
            q.disconnect();
          }
          if (validators.length === 0) throw new CliError(`${address} has no delegations`, EXIT.failure);
        }
        const { withdrawRewards } = await loadClient();
        const res = await withdrawRewards(client, address, {
          validators,
          ...(o.commission && validator ? { commissionOf: validator } : {}),
        });
        printResult(
          cmd,
          {
            delegator: address,
            validators,
            commission: Boolean(o.commission),
            ...res,
            gasUsed: res.gasUsed.toString(),
          },
          `withdrew rewards of ${address} from ${validators.join(", ")}${o.commission ? " and the commission" : ""} ` +
            `(tx ${res.txHash}, block ${res.height})\nnext: poq query balance ${address}`,
        );
      } finally {
        client.disconnect();
      }
    });
  return distribution;
}

/**
 * `poq query distribution`.
 *
 * @example
 * program.addCommand(queryDistributionCommand()); // poq query distribution rewards alice
 */
export function queryDistributionCommand(): Command {
  const distribution = new Command("distribution").description("staking rewards, commission, community pool");
  distribution
    .command("rewards <address-or-key> [valoper]")
    .description("pending rewards of a delegator: per validator and in total, or of one delegation")
    .addOption(keyringBackendOption())
    .action(async (who: string, target: string | undefined, _o: unknown, cmd: Command) => {
      const address = resolveAddress(cmd, who);
      const validator = target ? valoper(target, "VALOPER") : undefined;
      const q = await queryClient(cmd);
      try {
        if (validator) {
          const res = await q.delegationRewards(address, validator);
          printResult(cmd, res, `${address} from ${validator}: ${coinsLine(res.rewards)}`);
          return;
        }
        const res = await q.rewards(address);
        printResult(
          cmd,
          res,
          [
            `${address}: ${coinsLine(res.total)} in total`,
            ...res.rewards.map((r) => `  ${r.validator_address}: ${coinsLine(r.reward)}`),
          ].join("\n"),
        );
      } finally {
        q.disconnect();
      }
    });
  distribution
    .command("commission <valoper>")
    .description("a validator's accumulated commission, not yet withdrawn")
    .action(async (target: string, _o: unknown, cmd: Command) => {
      const validator = valoper(target, "VALOPER");
      const q = await queryClient(cmd);
      try {
        const res = await q.commission(validator);
        printResult(cmd, res, `${validator}: ${coinsLine(res.commission.commission)}`);
      } finally {
        q.disconnect();
      }
    });
  distribution
    .command("community-pool")
    .description("the community pool (community tax and rounding remainders)")
    .action(async (_o: unknown, cmd: Command) => {
      const q = await queryClient(cmd);
      try {
        const res = await q.communityPool();
        printResult(cmd, res, `community pool: ${coinsLine(res.pool)}`);
      } finally {
        q.disconnect();
      }
    });
  return distribution;
}
