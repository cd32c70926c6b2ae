/**
 * `poq tx staking ...`, `poq tx slashing unjail` and `poq query staking ...`: become a validator,
 * delegate, unbond, redelegate, unjail; read validators, delegations, unbonding entries, the pool
 * and the params.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { Command } from "commander";
import { reachNode } from "../inference/chain-query.js";
import { globalOptions } from "./global-options.js";
import { printResult } from "./output.js";
import { keyringBackendOption, parseAmount, resolveAddress, signingClientFor } from "./chain-client.js";
import { CliError, EXIT } from "./exit-codes.js";

const loadClient = () => import("../client/staking.js");

function valoper(text: string, what: string): string {
  try {
    if (fromBech32(text).prefix === "poqvaloper") return text;
  } catch {
    // fall through to the usage error
  }
  throw new CliError(`${what}: "${text}" is not a poqvaloper1... validator address`, EXIT.usage);
}

function decimal(text: string, flag: string): string {
  if (!/^[0-9]{1,20}(\.[0-9]{1,18})?$/.test(text) || Number(text) > 1) {
    throw new CliError(`${flag}: "${text}" must be a decimal between 0 and 1, e.g. 0.05`, EXIT.usage);
  }
  return text;
}

function positiveInt(text: string, flag: string): string {
  if (!/^[1-9][0-9]{0,30}$/.test(text))
    throw new CliError(`${flag}: "${text}" must be a positive integer`, EXIT.usage);
  return text;
}

/** The operator's own validator address: its account bytes under `poqvaloper`. */
const valoperOf = (account: string): string => toBech32("poqvaloper", fromBech32(account).data);

/** Runs one staking transaction from `--from` and prints it. */
async function send(
  cmd: Command,
  from: string,
  build: (
    address: string,
  ) => Promise<{ typeUrl: string; value: object }> | { typeUrl: string; value: object },
  say: (address: string) => string,
): Promise<void> {
  const { client, address } = await signingClientFor(cmd, from);
  try {
    const { sendStakingTx } = await loadClient();
    const res = await sendStakingTx(client, address, [await build(address)]);
    printResult(
      cmd,
      { signer: address, ...res, gasUsed: res.gasUsed.toString() },
      `${say(address)} (tx ${res.txHash}, block ${res.height})`,
    );
  } finally {
    client.disconnect();
  }
}

/**
 * `poq tx staking`.
 *
 * @example
 * program.addCommand(txStakingCommand()); // poq tx staking delegate poqvaloper1... 1000000upoq --from alice
 */
export function txStakingCommand(): Command {
  const staking = new Command("staking").description("become a validator, delegate, unbond, redelegate");
  staking
    .command("create-validator")
    .description(
      "make the --from key's account a validator with this node's consensus key (from --node-home's " +
        "config/priv_validator_key.json, or --pubkey) and a self-delegation of --amount",
    )
    .requiredOption("--from <key>", "operator key (its account becomes the validator's operator)")
    .requiredOption("--amount <coin>", "self-delegation, e.g. 10000000upoq")
    .option("--node-home <dir>", "the validator node's home, for its consensus public key")
    .option("--pubkey <base64>", "ed25519 consensus public key (base64), instead of --node-home")
    .option("--moniker <name>", "the validator's name", "poq-validator")
    .option("--website <url>", "website", "")
    .option("--details <text>", "details", "")
    .option("--commission-rate <dec>", "commission rate", "0.1")
    .option("--commission-max-rate <dec>", "the most the rate may ever be", "0.2")
    .option("--commission-max-change-rate <dec>", "the most the rate may change in a day", "0.01")
    .option("--min-self-delegation <int>", "upoq the operator must keep bonded", "1")
    .addOption(keyringBackendOption())
    .action(
      async (
        o: {
          from: string;
          amount: string;
          nodeHome?: string;
          pubkey?: string;
          moniker: string;
          website: string;
          details: string;
          commissionRate: string;
          commissionMaxRate: string;
          commissionMaxChangeRate: string;
          minSelfDelegation: string;
        },
        cmd: Command,
      ) => {
        const amount = parseAmount(o.amount, "--amount");
        let pubkey = o.pubkey;
        if (!pubkey) {
          if (!o.nodeHome)
            throw new CliError("give --node-home (the validator node's home) or --pubkey", EXIT.usage);
          const file = join(o.nodeHome, "config", "priv_validator_key.json");
          try {
            pubkey = (JSON.parse(readFileSync(file, "utf8")) as { pub_key: { value: string } }).pub_key.value;
          } catch (err) {
            throw new CliError(
              `cannot read the consensus key from ${file}: ${(err as Error).message}`,
              EXIT.usage,
            );
          }
        }
        if (Buffer.from(pubkey, "base64").length !== 32) {
          throw new CliError("--pubkey: must be the base64 of a 32-byte ed25519 public key", EXIT.usage);
        }
        const commission = {
          rate: decimal(o.commissionRate, "--commission-rate"),
          maxRate: decimal(o.commissionMaxRate, "--commission-max-rate"),
          maxChangeRate: decimal(o.commissionMaxChangeRate, "--commission-max-change-rate"),
        };
        const minSelfDelegation = positiveInt(o.minSelfDelegation, "--min-self-delegation");
        await send(
          cmd,
          o.from,
          async (address) =>
            (await loadClient()).createValidatorMsg({
              operator: address,
              validator: valoperOf(address),
              consensusPubKey: pubkey,
              selfDelegation: amount,
              moniker: o.moniker,
              website: o.website,
              details: o.details,
              commission,
              minSelfDelegation,
            }),
          (address) =>
            `created validator ${valoperOf(address)} with ${amount.amount}${amount.denom}; it joins the set ` +
            `two blocks after its block if its power is among the top max_validators\n` +
            `next: poq query staking validator ${valoperOf(address)}`,
        );
      },
    );
  staking
    .command("edit-validator")
    .description("change the --from key's validator: description, commission rate, min self delegation")
    .requiredOption("--from <key>", "operator key")
    .option("--moniker <name>", "new name")
    .option("--website <url>", "new website")
    .option("--details <text>", "new details")
    .option("--commission-rate <dec>", "new commission rate (once a day, within the max change rate)")
    .option("--min-self-delegation <int>", "new min self delegation (only up)")
    .addOption(keyringBackendOption())
    .action(
      async (
        o: {
          from: string;
          moniker?: string;
          website?: string;
          details?: string;
          commissionRate?: string;
          minSelfDelegation?: string;
        },
        cmd: Command,
      ) => {
        const edits = {
          ...(o.moniker !== undefined ? { moniker: o.moniker } : {}),
          ...(o.website !== undefined ? { website: o.website } : {}),
          ...(o.details !== undefined ? { details: o.details } : {}),
          ...(o.commissionRate !== undefined
            ? { commissionRate: decimal(o.commissionRate, "--commission-rate") }
            : {}),
          ...(o.minSelfDelegation !== undefined
            ? { minSelfDelegation: positiveInt(o.minSelfDelegation, "--min-self-delegation") }
            : {}),
        };
        if (Object.keys(edits).length === 0)
          throw new CliError("nothing to change: give at least one option", EXIT.usage);
        await send(
          cmd,
          o.from,
          async (address) => (await loadClient()).editValidatorMsg(valoperOf(address), edits),
          (address) => `edited validator ${valoperOf(address)}`,
        );
      },
    );
  staking
    .command("delegate <valoper> <amount>")
    .description("bond AMOUNT (e.g. 1000000upoq) to validator VALOPER")
    .requiredOption("--from <key>", "delegator key")
    .addOption(keyringBackendOption())
    .action(async (target: string, text: string, o: { from: string }, cmd: Command) => {
      const v = valoper(target, "VALOPER");
      const amount = parseAmount(text, "AMOUNT");
      await send(
        cmd,
        o.from,
        async (address) => (await loadClient()).delegateMsg(address, v, amount),
        (address) => `${address} delegated ${amount.amount}${amount.denom} to ${v}`,
      );
    });
  staking
    .command("unbond <valoper> <amount>")
    .description("undelegate AMOUNT from VALOPER; the tokens come back after the unbonding period")
    .requiredOption("--from <key>", "delegator key")
    .addOption(keyringBackendOption())
    .action(async (target: string, text: string, o: { from: string }, cmd: Command) => {
      const v = valoper(target, "VALOPER");
      const amount = parseAmount(text, "AMOUNT");
      await send(
        cmd,
        o.from,
        async (address) => (await loadClient()).undelegateMsg(address, v, amount),
        (address) =>
          `${address} unbonds ${amount.amount}${amount.denom} from ${v}\nnext: poq query staking unbonding ${address}`,
      );
    });
  staking
    .command("redelegate <src-valoper> <dst-valoper> <amount>")
    .description("move AMOUNT of a delegation from SRC to DST at once (no unbonding period)")
    .requiredOption("--from <key>", "delegator key")
    .addOption(keyringBackendOption())
    .action(async (src: string, dst: string, text: string, o: { from: string }, cmd: Command) => {
      const from = valoper(src, "SRC-VALOPER");
      const to = valoper(dst, "DST-VALOPER");
      const amount = parseAmount(text, "AMOUNT");
      await send(
        cmd,
        o.from,
        async (address) => (await loadClient()).redelegateMsg(address, from, to, amount),
        (address) => `${address} redelegated ${amount.amount}${amount.denom} from ${from} to ${to}`,
      );
    });
  return staking;
}

/**
 * `poq tx slashing`.
 *
 * @example
 * program.addCommand(txSlashingCommand()); // poq tx slashing unjail --from validator
 */
export function txSlashingCommand(): Command {
  const slashing = new Command("slashing").description("validator penalties");
  slashing
    .command("unjail")
    .description("bring the --from key's jailed validator back (after its jail time, never when tombstoned)")
    .requiredOption("--from <key>", "operator key")
    .addOption(keyringBackendOption())
    .action(async (o: { from: string }, cmd: Command) => {
      await send(
        cmd,
        o.from,
        async (address) => (await loadClient()).unjailMsg(valoperOf(address)),
        (address) =>
          `unjailed ${valoperOf(address)}; it rejoins the set at the end of the block if its power ranks`,
      );
    });
  return slashing;
}

async function queryClient(cmd: Command) {
  const rpc = globalOptions(cmd).node;
  const { createStakingQueryClient } = await loadClient();
  return reachNode(rpc, () => createStakingQueryClient(rpc));
}

const STATUS: Record<string, "" | "BOND_STATUS_BONDED" | "BOND_STATUS_UNBONDING" | "BOND_STATUS_UNBONDED"> = {
  all: "",
  bonded: "BOND_STATUS_BONDED",
  unbonding: "BOND_STATUS_UNBONDING",
  unbonded: "BOND_STATUS_UNBONDED",
};

/**
 * `poq query staking`.
 *
 * @example
 * program.addCommand(queryStakingCommand()); // poq query staking validators --status bonded
 */
export function queryStakingCommand(): Command {
  const staking = new Command("staking").description("validators, delegations, unbonding, pool, params");
  const run = async <T>(
    cmd: Command,
    f: (q: Awaited<ReturnType<typeof queryClient>>) => Promise<T>,
    say: (r: T) => string,
  ) => {
    const q = await queryClient(cmd);
    try {
      const r = await f(q);
      printResult(cmd, r, say(r));
    } finally {
      q.disconnect();
    }
  };
  staking
    .command("validators")
    .description("validators with status, power (tokens), commission and jailing")
    .option("--status <status>", "all, bonded, unbonding or unbonded", "all")
    .action(async (o: { status: string }, cmd: Command) => {
      const status = STATUS[o.status];
      if (status === undefined)
        throw new CliError(`--status: "${o.status}" is not all, bonded, unbonding or unbonded`, EXIT.usage);
      await run(
        cmd,
        (q) => q.validators(status),
        (r) =>
          r.validators.length === 0
            ? "no validators"
            : r.validators
                .map(
                  (v) =>
                    `${v.operator_address} ${v.moniker} ${v.status} tokens ${v.tokens}${v.jailed ? " JAILED" : ""}`,
                )
                .join("\n"),
      );
    });
  staking
    .command("validator <valoper>")
    .description("one validator")
    .action(async (target: string, _o: unknown, cmd: Command) => {
      const v = valoper(target, "VALOPER");
      await run(
        cmd,
        (q) => q.validator(v),
        (r) => JSON.stringify(r.validator, null, 2),
      );
    });
  staking
    .command("delegations <address-or-key>")
    .description("an account's delegations with their balances")
    .addOption(keyringBackendOption())
    .action(async (who: string, _o: unknown, cmd: Command) => {
      const address = resolveAddress(cmd, who);
      await run(
        cmd,
        (q) => q.delegations(address),
        (r) =>
          r.delegation_responses.length === 0
            ? `${address} has no delegations`
            : r.delegation_responses
                .map((d) => `${d.validator_address}: ${d.balance.amount}${d.balance.denom}`)
                .join("\n"),
      );
    });
  staking
    .command("unbonding <address-or-key>")
    .description("an account's unbonding entries and when each pays out")
    .addOption(keyringBackendOption())
    .action(async (who: string, _o: unknown, cmd: Command) => {
      const address = resolveAddress(cmd, who);
      await run(
        cmd,
        (q) => q.unbonding(address),
        (r) =>
          r.unbonding_responses.length === 0
            ? `${address} has nothing unbonding`
            : r.unbonding_responses
                .flatMap((u) =>
                  u.entries.map((e) => `${u.validator_address}: ${e.balance}upoq at ${e.completion_time}`),
                )
                .join("\n"),
      );
    });
  staking
    .command("pool")
    .description("bonded and not-bonded tokens")
    .action(async (_o: unknown, cmd: Command) => {
      await run(
        cmd,
        (q) => q.pool(),
        (r) => `bonded ${r.pool.bonded_tokens}upoq, not bonded ${r.pool.not_bonded_tokens}upoq`,
      );
    });
  staking
    .command("params")
    .description("staking parameters")
    .action(async (_o: unknown, cmd: Command) => {
      await run(
        cmd,
        (q) => q.params(),
        (r) => JSON.stringify(r.params, null, 2),
      );
    });
  return staking;
}
