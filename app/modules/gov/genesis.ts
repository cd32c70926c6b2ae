/**
 * Gov genesis, the SDK v0.50 `GenesisState` JSON: `starting_proposal_id`, `params`, `constitution`,
 * and `proposals`/`deposits`/`votes` (empty for a new chain; an export carries every one, written back
 * as it was, the deposit and voting queues rebuilt from the proposals' status and end times).
 *
 * A proposal is the SDK's JSON (`id`, `messages`, `status`, `final_tally_result`, the times, ...), times
 * RFC 3339 or null when unset; each message is `{"@type": type URL, "value": base64 protobuf}`, the exact
 * bytes the proposal executes (a JSON rendering would need every message's codec here, and could not
 * promise the same bytes back). Checked: ids below `starting_proposal_id` and distinct; deposits and
 * votes belong to a proposal still in its deposit or voting period; each such proposal's
 * `total_deposit` is the sum of its deposits, and the `gov` module account holds exactly the sum of
 * every deposit (review L3).
 */
import { GenesisError } from "../../errors.js";
import type { Context } from "../../types.js";
import {
  ProposalStatus,
  proposalStatusFromJSON,
  proposalStatusToJSON,
  VoteOption,
  voteOptionFromJSON,
  voteOptionToJSON,
  type Deposit,
  type Proposal,
  type TallyResult,
  type Vote,
} from "cosmjs-types/cosmos/gov/v1/gov";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { GenesisReader, hexOf } from "../../genesis-json.js";
import { moduleAddress } from "../auth/address.js";
import type { BankKeeper } from "../bank/keeper.js";
import { rfc3339 } from "../staking/events.js";
import { nanosToTimestamp, timestampToNanos, type GovKeeper } from "./keeper.js";
import { GOV_MODULE } from "./keys.js";
import { defaultGovParams, govParamsFromJson, govParamsToJson, type GovParams } from "./params.js";

export interface GovGenesis {
  startingProposalId: bigint;
  params: GovParams;
  constitution: string;
  proposals?: Proposal[];
  deposits?: Deposit[];
  votes?: Vote[];
}

const FIELDS = ["starting_proposal_id", "deposits", "votes", "proposals", "params", "constitution"];

/** The default section, as `network/` writes it into genesis files. */
export function defaultGovGenesisJson(params: GovParams = defaultGovParams()): Record<string, unknown> {
  return {
    starting_proposal_id: "1",
    deposits: [],
    votes: [],
    proposals: [],
    params: govParamsToJson(params),
    constitution: "",
  };
}

/**
 * Parses and validates `app_state.gov` (undefined: defaults).
 *
 * @example
 * parseGovGenesis({ params: { voting_period: "60s" } });
 */
export function parseGovGenesis(raw: unknown): GovGenesis {
  if (raw === undefined || raw === null)
    return { startingProposalId: 1n, params: defaultGovParams(), constitution: "" };
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new GenesisError(GOV_MODULE, "", "must be an object");
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o).sort()) {
    if (!FIELDS.includes(k)) throw new GenesisError(GOV_MODULE, k, "unknown field");
  }
  const idText = o["starting_proposal_id"] ?? "1";
  if (typeof idText !== "string" || !/^[1-9][0-9]{0,19}$/.test(idText))
    throw new GenesisError(GOV_MODULE, "starting_proposal_id", "must be a positive integer string");
  const constitution = o["constitution"] ?? "";
  if (typeof constitution !== "string")
    throw new GenesisError(GOV_MODULE, "constitution", "must be a string");
  let params: GovParams;
  try {
    const p = o["params"] ?? {};
    if (typeof p !== "object" || p === null || Array.isArray(p)) throw new Error("must be an object");
    params = govParamsFromJson(p as Record<string, unknown>);
  } catch (err) {
    throw new GenesisError(GOV_MODULE, "params", (err as Error).message, err);
  }
  const startingProposalId = BigInt(idText);
  const state = parseState(o, startingProposalId);
  return { startingProposalId, params, constitution, ...state };
}

const r = new GenesisReader(GOV_MODULE);
const ACTIVE_STATUSES: readonly ProposalStatus[] = [
  ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
  ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
];

const timeOrNull = (v: unknown, at: string): Timestamp | undefined =>
  v === null || v === undefined ? undefined : nanosToTimestamp(r.time(v, at));
const coins = (v: unknown, at: string) => r.coinList(v, at, (a, f) => r.uint(a, f).toString());

/** `{[name]: v}`, or nothing when `v` is undefined (an unset protobuf field stays unset). */
const opt = <K extends string, V>(name: K, v: V | undefined): { [k in K]?: V } =>
  (v === undefined ? {} : { [name]: v }) as { [k in K]?: V };

function parseProposal(raw: unknown, at: string): Proposal {
  const o = r.obj(raw, at, PROPOSAL_FIELDS);
  const status = proposalStatusFromJSON(o.status);
  if (status === ProposalStatus.UNRECOGNIZED || status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED)
    r.fail(`${at}.status`, `unknown proposal status ${JSON.stringify(o.status)}`);
  let tally: TallyResult | undefined;
  if (o.final_tally_result !== null && o.final_tally_result !== undefined) {
    const t = r.obj(o.final_tally_result, `${at}.final_tally_result`, TALLY_FIELDS);
    const n = (k: string) => r.uint(t[k], `${at}.final_tally_result.${k}`).toString();
    tally = {
      yesCount: n("yes_count"),
      abstainCount: n("abstain_count"),
      noCount: n("no_count"),
      noWithVetoCount: n("no_with_veto_count"),
    };
  }
  const messages = r.list(o.messages, `${at}.messages`).map((m, i) => {
    const x = r.obj(m, `${at}.messages[${i}]`, ["@type", "value"]);
    const value = r.str(x.value, `${at}.messages[${i}].value`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value))
      r.fail(`${at}.messages[${i}].value`, "must be base64 protobuf");
    return {
      typeUrl: r.str(x["@type"], `${at}.messages[${i}].@type`),
      value: Uint8Array.from(Buffer.from(value, "base64")),
    };
  });
  const proposer = r.str(o.proposer ?? "", `${at}.proposer`);
  if (proposer !== "") r.address(proposer, `${at}.proposer`);
  const p: Proposal = {
    id: r.uint(o.id, `${at}.id`, 64),
    messages,
    status,
    ...opt("finalTallyResult", tally),
    ...opt("submitTime", timeOrNull(o.submit_time, `${at}.submit_time`)),
    ...opt("depositEndTime", timeOrNull(o.deposit_end_time, `${at}.deposit_end_time`)),
    totalDeposit: coins(o.total_deposit, `${at}.total_deposit`),
    ...opt("votingStartTime", timeOrNull(o.voting_start_time, `${at}.voting_start_time`)),
    ...opt("votingEndTime", timeOrNull(o.voting_end_time, `${at}.voting_end_time`)),
    metadata: r.str(o.metadata ?? "", `${at}.metadata`),
    title: r.str(o.title ?? "", `${at}.title`),
    summary: r.str(o.summary ?? "", `${at}.summary`),
    proposer,
    expedited: r.bool(o.expedited ?? false, `${at}.expedited`),
    failedReason: r.str(o.failed_reason ?? "", `${at}.failed_reason`),
  };
  if (status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && !p.depositEndTime)
    r.fail(`${at}.deposit_end_time`, "a proposal in its deposit period needs one");
  if (status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD && !p.votingEndTime)
    r.fail(`${at}.voting_end_time`, "a proposal in its voting period needs one");
  return p;
}

const PROPOSAL_FIELDS = [
  "id",
  "messages",
  "status",
  "final_tally_result",
  "submit_time",
  "deposit_end_time",
  "total_deposit",
  "voting_start_time",
  "voting_end_time",
  "metadata",
  "title",
  "summary",
  "proposer",
  "expedited",
  "failed_reason",
];
const TALLY_FIELDS = ["yes_count", "abstain_count", "no_count", "no_with_veto_count"];

/** Proposals, deposits and votes of an exported section, cross-checked. */
function parseState(o: Record<string, unknown>, startingId: bigint) {
  const proposals = r.list(o.proposals, "proposals").map((p, i) => parseProposal(p, `proposals[${i}]`));
  const byId = new Map<bigint, Proposal>();
  proposals.forEach((p, i) => {
    if (p.id === 0n || p.id >= startingId)
      r.fail(`proposals[${i}].id`, `${p.id} must be positive and below starting_proposal_id ${startingId}`);
    if (byId.has(p.id)) r.fail(`proposals[${i}].id`, `${p.id} listed twice`);
    byId.set(p.id, p);
  });
  const open = (id: bigint, at: string, statuses: readonly ProposalStatus[]): Proposal => {
    const p = byId.get(id);
    if (!p) return r.fail(at, `no proposal ${id} in proposals`);
    if (!statuses.includes(p.status))
      r.fail(at, `proposal ${id} is ${proposalStatusToJSON(p.status)}: its deposits and votes are settled`);
    return p;
  };
  const seen = new Set<string>();
  const totals = new Map<bigint, Map<string, bigint>>();
  const deposits = r.list(o.deposits, "deposits").map((d, i): Deposit => {
    const at = `deposits[${i}]`;
    const x = r.obj(d, at, ["proposal_id", "depositor", "amount"]);
    const id = r.uint(x.proposal_id, `${at}.proposal_id`, 64);
    open(id, `${at}.proposal_id`, ACTIVE_STATUSES);
    const depositor = r.str(x.depositor, `${at}.depositor`);
    const key = `${id}/${hexOf(r.address(depositor, `${at}.depositor`))}`;
    if (seen.has(`d${key}`)) r.fail(at, "the same deposit is listed twice");
    seen.add(`d${key}`);
    const amount = coins(x.amount, `${at}.amount`);
    const sum = totals.get(id) ?? new Map<string, bigint>();
    for (const c of amount) sum.set(c.denom, (sum.get(c.denom) ?? 0n) + BigInt(c.amount));
    totals.set(id, sum);
    return { proposalId: id, depositor, amount };
  });
  proposals.forEach((p, i) => {
    if (!ACTIVE_STATUSES.includes(p.status)) return;
    const sum = totals.get(p.id) ?? new Map<string, bigint>();
    const total = new Map(p.totalDeposit.map((c) => [c.denom, BigInt(c.amount)]));
    for (const denom of new Set([...sum.keys(), ...total.keys()]))
      if ((sum.get(denom) ?? 0n) !== (total.get(denom) ?? 0n))
        r.fail(
          `proposals[${i}].total_deposit`,
          `${total.get(denom) ?? 0n}${denom}, but its deposits come to ${sum.get(denom) ?? 0n}${denom}`,
        );
  });
  const votes = r.list(o.votes, "votes").map((v, i): Vote => {
    const at = `votes[${i}]`;
    const x = r.obj(v, at, ["proposal_id", "voter", "options", "metadata"]);
    const id = r.uint(x.proposal_id, `${at}.proposal_id`, 64);
    open(id, `${at}.proposal_id`, [ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD]);
    const voter = r.str(x.voter, `${at}.voter`);
    const key = `${id}/${hexOf(r.address(voter, `${at}.voter`))}`;
    if (seen.has(`v${key}`)) r.fail(at, "the same vote is listed twice");
    seen.add(`v${key}`);
    const options = r.list(x.options, `${at}.options`).map((w, j) => {
      const y = r.obj(w, `${at}.options[${j}]`, ["option", "weight"]);
      const option = voteOptionFromJSON(y.option);
      if (option === VoteOption.UNRECOGNIZED || option === VoteOption.VOTE_OPTION_UNSPECIFIED)
        r.fail(`${at}.options[${j}].option`, `unknown vote option ${JSON.stringify(y.option)}`);
      r.dec(y.weight, `${at}.options[${j}].weight`);
      return { option, weight: y.weight as string };
    });
    if (options.length === 0) r.fail(`${at}.options`, "must not be empty");
    return { proposalId: id, voter, options, metadata: r.str(x.metadata ?? "", `${at}.metadata`) };
  });
  return proposals.length + deposits.length + votes.length === 0 ? {} : { proposals, deposits, votes };
}

export function initGovGenesis(
  ctx: Pick<Context, "store">,
  keeper: GovKeeper,
  g: GovGenesis,
  bank?: Pick<BankKeeper, "getBalance">,
): void {
  keeper.setParams(ctx, g.params);
  keeper.setNextProposalId(ctx, g.startingProposalId);
  if (g.constitution !== "") keeper.setConstitution(ctx, g.constitution);
  const owed = new Map<string, bigint>();
  for (const d of g.deposits ?? [])
    for (const c of d.amount) owed.set(c.denom, (owed.get(c.denom) ?? 0n) + BigInt(c.amount));
  if (bank) {
    const denoms = new Set([...owed.keys(), ...g.params.minDeposit.map((c) => c.denom)]);
    for (const denom of [...denoms].sort()) {
      const held = bank.getBalance(ctx, moduleAddress(GOV_MODULE), denom).amount;
      if (held !== (owed.get(denom) ?? 0n))
        throw new GenesisError(
          GOV_MODULE,
          "deposits",
          `the gov module account ${moduleAddress(GOV_MODULE)} holds ${held}${denom} but the deposits come to ${owed.get(denom) ?? 0n}${denom} (fix app_state.bank.balances or the deposits)`,
        );
    }
  }
  for (const p of g.proposals ?? []) {
    keeper.setProposal(ctx, p);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD)
      keeper.setInactive(ctx, timestampToNanos(p.depositEndTime), p.id, true);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)
      keeper.setActive(ctx, timestampToNanos(p.votingEndTime), p.id, true);
  }
  for (const d of g.deposits ?? []) keeper.setDeposit(ctx, d);
  for (const v of g.votes ?? []) keeper.setVote(ctx, v);
}

const timeJson = (t: Timestamp | undefined): string | null =>
  t === undefined ? null : rfc3339(timestampToNanos(t));

function proposalToJson(p: Proposal) {
  const t = p.finalTallyResult;
  return {
    id: p.id.toString(),
    messages: p.messages.map((m) => ({ "@type": m.typeUrl, value: Buffer.from(m.value).toString("base64") })),
    status: proposalStatusToJSON(p.status),
    final_tally_result: t
      ? {
          yes_count: t.yesCount,
          abstain_count: t.abstainCount,
          no_count: t.noCount,
          no_with_veto_count: t.noWithVetoCount,
        }
      : null,
    submit_time: timeJson(p.submitTime),
    deposit_end_time: timeJson(p.depositEndTime),
    total_deposit: p.totalDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
    voting_start_time: timeJson(p.votingStartTime),
    voting_end_time: timeJson(p.votingEndTime),
    metadata: p.metadata,
    title: p.title,
    summary: p.summary,
    proposer: p.proposer,
    expedited: p.expedited,
    failed_reason: p.failedReason,
  };
}

/** Params, next id, constitution, and every proposal with its deposits and votes (store order). */
export function exportGovGenesis(ctx: Pick<Context, "store">, keeper: GovKeeper): Record<string, unknown> {
  const proposals = [...keeper.proposals(ctx)];
  return {
    ...defaultGovGenesisJson(keeper.getParams(ctx)),
    starting_proposal_id: keeper.nextProposalId(ctx).toString(),
    proposals: proposals.map(proposalToJson),
    deposits: proposals.flatMap((p) =>
      keeper.deposits(ctx, p.id).map((d) => ({
        proposal_id: d.proposalId.toString(),
        depositor: d.depositor,
        amount: d.amount.map((c) => ({ denom: c.denom, amount: c.amount })),
      })),
    ),
    votes: proposals.flatMap((p) =>
      keeper.votes(ctx, p.id).map((v) => ({
        proposal_id: v.proposalId.toString(),
        voter: v.voter,
        options: v.options.map((w) => ({ option: voteOptionToJSON(w.option), weight: w.weight })),
        metadata: v.metadata,
      })),
    ),
    constitution: keeper.getConstitution(ctx),
  };
}
