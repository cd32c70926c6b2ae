/**
 * `poq tx gov submit-proposal|deposit|vote` and `poq query gov proposals|proposal|tally`: governance
 * from the command line. A proposal file is the SDK CLI's JSON: `messages` (each with `@type`),
 * `deposit`, `title`, `summary`, `metadata`, `expedited`.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ProposalStatus, proposalStatusFromJSON } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { reachNode } from "../inference/chain-query.js";
import { paramsFromJson, paramsToJson } from "../app/modules/poq/keeper.js";
import type { PoqParams } from "../app/modules/poq/params.js";
import { MSG_UPDATE_PARAMS_TYPE_URL, MsgUpdateParams } from "../app/modules/poq/types/params-msg.js";
import { MsgUpdateParams as GovMsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgUpdateParams as ConsensusMsgUpdateParams } from "cosmjs-types/cosmos/consensus/v1/tx";
import { MsgUpdateParams as StakingMsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgUpdateParams as SlashingMsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { decFromJson } from "../app/modules/staking/dec.js";
import { MSG_UPDATE_CONSENSUS_PARAMS_TYPE_URL } from "../app/modules/consensus/module.js";
import { durationFromJson, govParamsFromJson } from "../app/modules/gov/params.js";
import { GOV_AUTHORITY, VOTE_OPTIONS } from "../client/gov.js";
import { proposalV1Json, registerGovAnyJson } from "../rest/routes/cosmos-gov.js";
import { globalOptions } from "./global-options.js";
import { printResult } from "./output.js";
import { keyringBackendOption, parseAmount, signingClientFor } from "./chain-client.js";
import { CliError, EXIT } from "./exit-codes.js";

const loadClient = () => import("../client/gov.js");

/** A proposal file: the SDK CLI's `submit-proposal` JSON (`messages` with `@type`). */
export interface ProposalFile {
  messages: Record<string, unknown>[];
  metadata?: string;
  /** e.g. `"10000000upoq"` */
  deposit?: string;
  title: string;
  summary: string;
  expedited?: boolean;
}

const snakeToCamel = (o: unknown): unknown => {
  if (Array.isArray(o)) return o.map(snakeToCamel);
  if (o === null || typeof o !== "object") return o;
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
      snakeToCamel(v),
    ]),
  );
};

/**
 * One message of a proposal file as an Any. `poq.v1.MsgUpdateParams` takes the poq params in their
 * JSON (`/poq/v1/params`); params it leaves out keep the values in `current`. Any type CosmJS's default
 * registry knows is read from its proto JSON (snake_case or camelCase). `authority` defaults to gov.
 *
 * @example
 * messageFromJson({ "@type": "/poq.v1.MsgUpdateParams", params: { committee_size: 3 } }, currentParams);
 */
export async function messageFromJson(json: Record<string, unknown>, current?: PoqParams): Promise<Any> {
  const typeUrl = json["@type"];
  if (typeof typeUrl !== "string") throw new CliError('every message needs an "@type"', EXIT.usage);
  const { "@type": _t, ...fields } = json;
  const authority = typeof fields["authority"] === "string" ? fields["authority"] : GOV_AUTHORITY;
  if (typeUrl === MSG_UPDATE_PARAMS_TYPE_URL) {
    const given = (fields["params"] ?? {}) as Record<string, unknown>;
    let params: PoqParams;
    try {
      params = paramsFromJson({ ...(current ? paramsToJson(current) : {}), ...given });
    } catch (err) {
      throw new CliError(`${typeUrl}: ${(err as Error).message}`, EXIT.usage);
    }
    return { typeUrl, value: MsgUpdateParams.encode({ authority, params }).finish() };
  }
  if (typeUrl === MSG_UPDATE_CONSENSUS_PARAMS_TYPE_URL) {
    // The SDK CLI's JSON: int64 values as strings, max_age_duration as "172800s".
    const num = (v: unknown, what: string): bigint => {
      if (typeof v !== "string" && typeof v !== "number")
        throw new CliError(`${typeUrl}: ${what} is required`, EXIT.usage);
      if (!/^-?[0-9]{1,19}$/.test(String(v)))
        throw new CliError(`${typeUrl}: ${what} is not an integer`, EXIT.usage);
      return BigInt(v);
    };
    const o = (k: string) => (fields[k] ?? {}) as Record<string, unknown>;
    const block = o("block");
    const evidence = o("evidence");
    const validator = o("validator");
    const abci = fields["abci"] as Record<string, unknown> | undefined;
    let duration;
    try {
      duration = durationFromJson(evidence["max_age_duration"], "evidence.max_age_duration");
    } catch (err) {
      throw new CliError(`${typeUrl}: ${(err as Error).message}`, EXIT.usage);
    }
    const msg = ConsensusMsgUpdateParams.fromPartial({
      authority,
      block: {
        maxBytes: num(block["max_bytes"], "block.max_bytes"),
        maxGas: num(block["max_gas"], "block.max_gas"),
      },
      evidence: {
        maxAgeNumBlocks: num(evidence["max_age_num_blocks"], "evidence.max_age_num_blocks"),
        maxAgeDuration: duration,
        maxBytes: num(evidence["max_bytes"], "evidence.max_bytes"),
      },
      validator: { pubKeyTypes: (validator["pub_key_types"] as string[] | undefined) ?? ["ed25519"] },
      ...(abci
        ? {
            abci: {
              voteExtensionsEnableHeight: num(
                abci["vote_extensions_enable_height"],
                "abci.vote_extensions_enable_height",
              ),
            },
          }
        : {}),
    });
    return { typeUrl, value: ConsensusMsgUpdateParams.encode(msg).finish() };
  }
  if (typeUrl === "/cosmos.gov.v1.MsgUpdateParams") {
    // Durations as "172800s" and decimals as "0.5", as /cosmos/gov/v1/params writes them.
    try {
      const params = govParamsFromJson((fields["params"] ?? {}) as Record<string, unknown>);
      return { typeUrl, value: GovMsgUpdateParams.encode({ authority, params }).finish() };
    } catch (err) {
      throw new CliError(`${typeUrl}: ${(err as Error).message}`, EXIT.usage);
    }
  }
  if (typeUrl === STAKING_UPDATE_PARAMS_TYPE_URL || typeUrl === SLASHING_UPDATE_PARAMS_TYPE_URL) {
    try {
      return paramsUpdateFromJson(typeUrl, authority, (fields["params"] ?? {}) as Record<string, unknown>);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`${typeUrl}: ${(err as Error).message}`, EXIT.usage);
    }
  }
  const { defaultRegistryTypes } = await import("@cosmjs/stargate");
  const type = defaultRegistryTypes.find(([url]) => url === typeUrl)?.[1] as
    { fromJSON?(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } } | undefined;
  if (!type?.fromJSON) throw new CliError(`unknown message type ${typeUrl}`, EXIT.usage);
  return { typeUrl, value: type.encode(type.fromJSON(snakeToCamel({ ...fields, authority }))).finish() };
}

const STAKING_UPDATE_PARAMS_TYPE_URL = "/cosmos.staking.v1beta1.MsgUpdateParams";
const SLASHING_UPDATE_PARAMS_TYPE_URL = "/cosmos.slashing.v1beta1.MsgUpdateParams";

/**
 * A staking or slashing MsgUpdateParams from the SDK CLI's JSON (`simd tx gov submit-proposal`):
 * durations as "1814400s", decimals as "0.05", int64 as strings or numbers. The message replaces every
 * param, so each must be given (`poq query staking params` shows the current ones).
 */
function paramsUpdateFromJson(typeUrl: string, authority: string, p: Record<string, unknown>): Any {
  const need = (k: string): unknown => {
    if (p[k] === undefined || p[k] === null || p[k] === "")
      throw new CliError(
        `${typeUrl}: params.${k} is required (the message replaces every param)`,
        EXIT.usage,
      );
    return p[k];
  };
  const int = (k: string, max: bigint): bigint => {
    const v = need(k);
    if (
      (typeof v !== "string" && typeof v !== "number") ||
      !/^[0-9]{1,20}$/.test(String(v)) ||
      BigInt(v) > max
    )
      throw new CliError(`${typeUrl}: params.${k} must be a whole number`, EXIT.usage);
    return BigInt(v);
  };
  const dec = (k: string): string => {
    const v = need(k);
    const d = typeof v === "string" ? decFromJson(v) : undefined;
    if (d === undefined)
      throw new CliError(`${typeUrl}: params.${k} must be a decimal such as "0.05"`, EXIT.usage);
    return d.toString();
  };
  const duration = (k: string) => durationFromJson(need(k), `params.${k}`);
  const U32 = 4_294_967_295n;
  if (typeUrl === STAKING_UPDATE_PARAMS_TYPE_URL) {
    const bondDenom = need("bond_denom");
    if (typeof bondDenom !== "string")
      throw new CliError(`${typeUrl}: params.bond_denom must be a string`, EXIT.usage);
    const msg = StakingMsgUpdateParams.fromPartial({
      authority,
      params: {
        unbondingTime: duration("unbonding_time"),
        maxValidators: Number(int("max_validators", U32)),
        maxEntries: Number(int("max_entries", U32)),
        historicalEntries: Number(int("historical_entries", U32)),
        bondDenom,
        minCommissionRate: dec("min_commission_rate"),
      },
    });
    return { typeUrl, value: StakingMsgUpdateParams.encode(msg).finish() };
  }
  const bytes = (k: string) => new TextEncoder().encode(dec(k));
  const msg = SlashingMsgUpdateParams.fromPartial({
    authority,
    params: {
      signedBlocksWindow: int("signed_blocks_window", 9_223_372_036_854_775_807n),
      minSignedPerWindow: bytes("min_signed_per_window"),
      downtimeJailDuration: duration("downtime_jail_duration"),
      slashFractionDoubleSign: bytes("slash_fraction_double_sign"),
      slashFractionDowntime: bytes("slash_fraction_downtime"),
    },
  });
  return { typeUrl, value: SlashingMsgUpdateParams.encode(msg).finish() };
}

function proposalId(text: string): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(text)) throw new CliError(`"${text}" is not a proposal id`, EXIT.usage);
  return BigInt(text);
}

async function queryClient(cmd: Command) {
  registerGovAnyJson();
  const rpc = globalOptions(cmd).node;
  const { createGovQueryClient } = await loadClient();
  return reachNode(rpc, () => createGovQueryClient(rpc));
}

/** The chain's poq params (for the params a proposal file leaves out). */
async function chainPoqParams(cmd: Command): Promise<PoqParams> {
  const rpc = globalOptions(cmd).node;
  const res = await fetch(`${rpc}/abci_query?path="/poq.v1.Query/Params"&data=0x7b7d`);
  const value = ((await res.json()) as { result: { response: { value: string } } }).result.response.value;
  return paramsFromJson(
    (JSON.parse(Buffer.from(value, "base64").toString()) as { params: Record<string, unknown> }).params,
  );
}

function readProposalFile(path: string): ProposalFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`, EXIT.usage);
  }
  const f = raw as ProposalFile;
  if (typeof f !== "object" || f === null || !Array.isArray(f.messages) || f.messages.length === 0)
    throw new CliError(`${path}: "messages" must be a non-empty array`, EXIT.usage);
  if (typeof f.title !== "string" || typeof f.summary !== "string")
    throw new CliError(`${path}: "title" and "summary" are required strings`, EXIT.usage);
  return f;
}

const tallyLine = (t: {
  yes_count: string;
  no_count: string;
  abstain_count: string;
  no_with_veto_count: string;
}) =>
  `yes ${t.yes_count}, no ${t.no_count}, abstain ${t.abstain_count}, no with veto ${t.no_with_veto_count}`;

/**
 * `poq tx gov`.
 *
 * @example
 * program.addCommand(txGovCommand()); // poq tx gov vote 1 yes --from alice
 */
export function txGovCommand(): Command {
  const gov = new Command("gov").description("submit governance proposals, deposit and vote");
  gov
    .command("submit-proposal <file>")
    .description(
      "submit a proposal from a JSON file: {messages: [{@type, ...}], deposit, title, summary, metadata, expedited}; " +
        `messages run as the gov account (${GOV_AUTHORITY}); a poq.v1.MsgUpdateParams takes the params it leaves out from the chain; ` +
        'a cosmos.staking.v1beta1 or cosmos.slashing.v1beta1 MsgUpdateParams needs every param (durations as "600s", decimals as "0.05")',
    )
    .requiredOption("--from <key>", "proposer key")
    .addOption(keyringBackendOption())
    .action(async (file: string, o: { from: string }, cmd: Command) => {
      const f = readProposalFile(file);
      const needsPoq = f.messages.some((m) => m["@type"] === MSG_UPDATE_PARAMS_TYPE_URL);
      const current = needsPoq ? await chainPoqParams(cmd) : undefined;
      const messages = await Promise.all(f.messages.map((m) => messageFromJson(m, current)));
      const deposit = f.deposit ? parseAmount(f.deposit, "deposit") : undefined;
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        const { submitProposal } = await loadClient();
        const res = await submitProposal(client, address, {
          messages,
          ...(deposit ? { deposit } : {}),
          title: f.title,
          summary: f.summary,
          metadata: f.metadata ?? "",
          expedited: f.expedited ?? false,
        });
        printResult(
          cmd,
          {
            proposal_id: res.proposalId.toString(),
            txHash: res.txHash,
            height: res.height,
            gasUsed: res.gasUsed.toString(),
          },
          `submitted proposal ${res.proposalId} (tx ${res.txHash}, block ${res.height})\nnext: poq query gov proposal ${res.proposalId}`,
        );
      } finally {
        client.disconnect();
      }
    });
  gov
    .command("deposit <proposal-id> <amount>")
    .description("add a deposit (e.g. 10000000upoq) to a proposal in its deposit or voting period")
    .requiredOption("--from <key>", "depositor key")
    .addOption(keyringBackendOption())
    .action(async (id: string, amount: string, o: { from: string }, cmd: Command) => {
      const pid = proposalId(id);
      const coin = parseAmount(amount, "AMOUNT");
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        const { depositOnProposal } = await loadClient();
        const res = await depositOnProposal(client, address, pid, coin);
        printResult(
          cmd,
          { ...res, gasUsed: res.gasUsed.toString() },
          `deposited ${coin.amount}${coin.denom} on proposal ${pid} (tx ${res.txHash}, block ${res.height})`,
        );
      } finally {
        client.disconnect();
      }
    });
  gov
    .command("vote <proposal-id> <option>")
    .description("vote yes, no, abstain or no_with_veto on a proposal in its voting period")
    .requiredOption("--from <key>", "voter key")
    .option("--metadata <text>", "vote metadata", "")
    .addOption(keyringBackendOption())
    .action(async (id: string, optionText: string, o: { from: string; metadata: string }, cmd: Command) => {
      const pid = proposalId(id);
      const option = VOTE_OPTIONS[optionText.toLowerCase()];
      if (option === undefined)
        throw new CliError(`OPTION must be one of ${Object.keys(VOTE_OPTIONS).join(", ")}`, EXIT.usage);
      const { client, address } = await signingClientFor(cmd, o.from);
      try {
        const { voteOnProposal } = await loadClient();
        const res = await voteOnProposal(client, address, pid, option, { metadata: o.metadata });
        printResult(
          cmd,
          { ...res, gasUsed: res.gasUsed.toString() },
          `${address} voted ${optionText} on proposal ${pid} (tx ${res.txHash}, block ${res.height})`,
        );
      } finally {
        client.disconnect();
      }
    });
  return gov;
}

/**
 * `poq query gov`.
 *
 * @example
 * program.addCommand(queryGovCommand()); // poq query gov proposal 1
 */
export function queryGovCommand(): Command {
  const gov = new Command("gov").description("governance proposals and tallies");
  gov
    .command("proposals")
    .description(
      "all proposals, or those with --status (deposit_period, voting_period, passed, rejected, failed)",
    )
    .option("--status <status>", "only proposals with this status")
    .action(async (o: { status?: string }, cmd: Command) => {
      let status: ProposalStatus = ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED;
      if (o.status) {
        status = proposalStatusFromJSON(`PROPOSAL_STATUS_${o.status.toUpperCase()}`);
        if (status === ProposalStatus.UNRECOGNIZED)
          throw new CliError(`--status: unknown status "${o.status}"`, EXIT.usage);
      }
      const q = await queryClient(cmd);
      try {
        const proposals = (await q.proposals(status)).map(proposalV1Json);
        printResult(
          cmd,
          { proposals },
          proposals.length === 0
            ? "no proposals"
            : proposals
                .map((p) => `${String(p["id"])} ${String(p["status"])} ${String(p["title"])}`)
                .join("\n"),
        );
      } finally {
        q.disconnect();
      }
    });
  gov
    .command("proposal <proposal-id>")
    .description("one proposal: messages, status, deposits, voting times, final tally")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const q = await queryClient(cmd);
      try {
        const p = proposalV1Json(await q.proposal(proposalId(id)));
        printResult(
          cmd,
          { proposal: p },
          [
            `proposal ${String(p["id"])}: ${String(p["title"])}`,
            `status: ${String(p["status"])}${p["failed_reason"] ? ` (${String(p["failed_reason"])})` : ""}`,
            `voting: ${String(p["voting_start_time"])} .. ${String(p["voting_end_time"])}`,
            `messages: ${(p["messages"] as { "@type": string }[]).map((m) => m["@type"]).join(", ")}`,
          ].join("\n"),
        );
      } finally {
        q.disconnect();
      }
    });
  gov
    .command("tally <proposal-id>")
    .description("the tally: live during voting, final after")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const q = await queryClient(cmd);
      try {
        const t = await q.tally(proposalId(id));
        const tally = {
          yes_count: t.yesCount,
          abstain_count: t.abstainCount,
          no_count: t.noCount,
          no_with_veto_count: t.noWithVetoCount,
        };
        printResult(cmd, { tally }, tallyLine(tally));
      } finally {
        q.disconnect();
      }
    });
  return gov;
}
