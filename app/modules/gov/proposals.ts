/**
 * The gov state machine (SDK v0.50 rules): submit a proposal, deposit, vote, and the end-block
 * processing of the deposit and voting periods, with execution of a passed proposal's messages by
 * the gov module account.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { ProposalStatus, type Proposal, type Vote, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Event } from "../../../abci/application.js";
import { ChainError } from "../../errors.js";
import { ErrInvalidCoins } from "../../sdk-errors.js";
import type { CheckpointStore, Context, KVStore, MsgDescriptor } from "../../types.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import { type Coin, coinsToString, parseAmount } from "../bank/coins.js";
import type { BankKeeper } from "../bank/keeper.js";
import { DEC_ONE, decMulInt, decTruncate, formatDec, parseDec } from "./dec.js";
import {
  ErrInactiveProposal,
  ErrInvalidDepositDenom,
  ErrInvalidProposalContent,
  ErrInvalidProposalMsg,
  ErrInvalidSigner,
  ErrInvalidVote,
  ErrMetadataTooLong,
  ErrMinDepositTooSmall,
  ErrNoProposalMsgs,
  ErrSummaryTooLong,
  ErrUnknownProposal,
  ErrUnroutableProposalMsg,
} from "./errors.js";
import { type GovKeeper, nanosToTimestamp, timestampToNanos } from "./keeper.js";
import { GOV_MODULE } from "./keys.js";
import { durationToNanos, type GovParams } from "./params.js";
import type { GovStakeView } from "./stake.js";
import { tally, tallyCounts } from "./tally.js";

/** The SDK's defaults (gov module config): metadata 255 bytes, title 255, summary 10,200. */
export const MAX_METADATA_LEN = 255;
export const MAX_TITLE_LEN = 255;
export const MAX_SUMMARY_LEN = 10_200;

/** What gov needs to route a proposal's messages: the app's message router. */
export interface GovMsgRouter {
  msg(typeUrl: string): { descriptor: MsgDescriptor; module: string } | undefined;
}

export interface GovDeps {
  keeper: GovKeeper;
  bank: Pick<BankKeeper, "sendCoinsFromAccountToModule" | "sendCoinsFromModuleToAccount" | "burnCoins">;
  stake: GovStakeView;
  /** Set once the app's router exists (module.ts `bindRouter`). */
  router: () => GovMsgRouter;
}

const attr = (key: string, value: string) => ({ key, value, index: true });
const ev = (type: string, attrs: [string, string][]): Event => ({
  type,
  attributes: attrs.map(([k, v]) => attr(k, v)),
});

/** The gov module account's address: the only authority of the messages a proposal carries. */
export const govAuthority = (): string => moduleAddress(GOV_MODULE);

const toCoins = (cs: readonly { denom: string; amount: string }[], field: string): Coin[] =>
  cs.map((c) => ({ denom: c.denom, amount: parseAmount(c.amount, `${field} ${c.denom}`) }));

function addCoins(a: readonly { denom: string; amount: string }[], b: readonly Coin[]) {
  const m = new Map<string, bigint>(a.map((c) => [c.denom, BigInt(c.amount)]));
  for (const c of b) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.amount);
  return [...m.entries()]
    .filter(([, v]) => v > 0n)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount: amount.toString() }));
}

/** Deposits only in the denoms of `min_deposit` (the SDK's `validateDepositDenom`). */
function checkDepositDenoms(params: GovParams, coins: readonly Coin[]): void {
  const accepted = params.minDeposit.map((c) => c.denom);
  for (const c of coins) {
    if (!accepted.includes(c.denom)) {
      throw new ChainError(
        ErrInvalidDepositDenom,
        `deposited ${coinsToString(coins)}, but gov accepts only the following denom(s): [${accepted.join(" ")}]`,
      );
    }
  }
}

/** Each coin of a deposit is at least `min_deposit_ratio` of the minimum (v0.50's spam guard). */
function checkMinDepositRatio(params: GovParams, coins: readonly Coin[], expedited: boolean): void {
  const ratio = parseDec(params.minDepositRatio) ?? 0n;
  if (ratio === 0n) return;
  const min = expedited ? params.expeditedMinDeposit : params.minDeposit;
  for (const m of min) {
    const need = decTruncate(decMulInt(ratio, BigInt(m.amount)));
    const got = coins.find((c) => c.denom === m.denom)?.amount ?? 0n;
    if (got < need) {
      throw new ChainError(
        ErrMinDepositTooSmall,
        `received ${coinsToString(coins)} but need at least one of the following: ${need}${m.denom}`,
      );
    }
  }
}

/** Stateless checks of a submission (the SDK's msg-server preamble). */
export function validateSubmission(m: {
  messages: readonly Any[];
  initialDeposit: readonly { denom: string; amount: string }[];
  proposer: string;
  metadata: string;
  title: string;
  summary: string;
}): void {
  parseAccountAddress(m.proposer, "proposer");
  if (m.title === "") throw new ChainError(ErrInvalidProposalContent, "proposal title cannot be empty");
  if (m.summary === "") throw new ChainError(ErrInvalidProposalContent, "proposal summary cannot be empty");
  if (Buffer.byteLength(m.title) > MAX_TITLE_LEN)
    throw new ChainError(
      ErrMetadataTooLong,
      `title too long: ${Buffer.byteLength(m.title)} > ${MAX_TITLE_LEN}`,
    );
  if (Buffer.byteLength(m.summary) > MAX_SUMMARY_LEN)
    throw new ChainError(ErrSummaryTooLong, `got ${Buffer.byteLength(m.summary)} > ${MAX_SUMMARY_LEN}`);
  if (Buffer.byteLength(m.metadata) > MAX_METADATA_LEN)
    throw new ChainError(ErrMetadataTooLong, `got ${Buffer.byteLength(m.metadata)} > ${MAX_METADATA_LEN}`);
  if (m.messages.length === 0) throw new ChainError(ErrNoProposalMsgs);
  const deposit = toCoins(m.initialDeposit, "initial_deposit");
  let prev = "";
  for (const c of deposit) {
    if (c.denom <= prev)
      throw new ChainError(ErrInvalidCoins, `initial_deposit: denoms must be sorted and unique`);
    prev = c.denom;
  }
}

/**
 * Submits a proposal: checks every message (a route exists, the gov account is its only signer, its
 * stateless checks pass), stores it in its deposit period and adds the initial deposit. Returns the id.
 */
export function submitProposal(
  ctx: Context,
  deps: GovDeps,
  m: {
    messages: Any[];
    initialDeposit: { denom: string; amount: string }[];
    proposer: string;
    metadata: string;
    title: string;
    summary: string;
    expedited: boolean;
  },
): bigint {
  validateSubmission(m);
  const params = deps.keeper.getParams(ctx);
  const deposit = toCoins(m.initialDeposit, "initial_deposit");
  checkDepositDenoms(params, deposit);
  // min_initial_deposit_ratio of min_deposit must come with the submission.
  const initialRatio = parseDec(params.minInitialDepositRatio) ?? 0n;
  if (initialRatio > 0n) {
    const min = m.expedited ? params.expeditedMinDeposit : params.minDeposit;
    const need = min.map((c) => ({
      denom: c.denom,
      amount: decTruncate(decMulInt(initialRatio, BigInt(c.amount))),
    }));
    const ok = need.every((n) => (deposit.find((c) => c.denom === n.denom)?.amount ?? 0n) >= n.amount);
    if (!ok)
      throw new ChainError(
        ErrMinDepositTooSmall,
        `was (${coinsToString(deposit)}), need (${coinsToString(need)})`,
      );
  }
  const authority = govAuthority();
  const router = deps.router();
  m.messages.forEach((any, i) => {
    const route = router.msg(any.typeUrl);
    if (!route) throw new ChainError(ErrUnroutableProposalMsg, any.typeUrl);
    let signers: string[];
    try {
      signers = route.descriptor.signers(any.value);
      route.descriptor.validateBasic(any.value);
    } catch (cause) {
      throw new ChainError(ErrInvalidProposalMsg, `msg: ${i}, err: ${(cause as Error).message}`, cause);
    }
    if (signers.length !== 1 || signers[0] !== authority) {
      throw new ChainError(ErrInvalidSigner, signers.join(", "));
    }
  });

  const id = deps.keeper.nextProposalId(ctx);
  deps.keeper.setNextProposalId(ctx, id + 1n);
  const depositEnd = ctx.blockTimeNanos + durationToNanos(params.maxDepositPeriod);
  const proposal: Proposal = {
    id,
    messages: m.messages,
    status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
    finalTallyResult: { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" },
    submitTime: nanosToTimestamp(ctx.blockTimeNanos),
    depositEndTime: nanosToTimestamp(depositEnd),
    totalDeposit: [],
    metadata: m.metadata,
    title: m.title,
    summary: m.summary,
    proposer: m.proposer,
    expedited: m.expedited,
    failedReason: "",
  };
  deps.keeper.setProposal(ctx, proposal);
  deps.keeper.setInactive(ctx, depositEnd, id, true);
  ctx.emitEvent(
    ev("submit_proposal", [
      ["proposal_id", id.toString()],
      ["proposal_proposer", m.proposer],
      ["proposal_messages", `,${m.messages.map((a) => a.typeUrl).join(",")},`],
    ]),
  );
  const started = addDeposit(ctx, deps, id, m.proposer, deposit, { initial: true });
  if (started) ctx.emitEvent(ev("submit_proposal", [["voting_period_start", id.toString()]]));
  return id;
}

/**
 * Adds a deposit (held by the gov module account); starts the voting period when the total reaches
 * the minimum. Returns whether voting started.
 */
export function addDeposit(
  ctx: Context,
  deps: GovDeps,
  id: bigint,
  depositor: string,
  coins: Coin[],
  opts: { initial?: boolean } = {},
): boolean {
  const proposal = deps.keeper.getProposal(ctx, id);
  if (!proposal) throw new ChainError(ErrUnknownProposal, id.toString());
  if (
    proposal.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD &&
    proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD
  ) {
    throw new ChainError(ErrInactiveProposal, id.toString());
  }
  const params = deps.keeper.getParams(ctx);
  checkDepositDenoms(params, coins);
  if (!opts.initial) checkMinDepositRatio(params, coins, proposal.expedited);
  if (coins.length === 0) return false;
  deps.bank.sendCoinsFromAccountToModule(ctx, depositor, GOV_MODULE, coins);
  proposal.totalDeposit = addCoins(proposal.totalDeposit, coins);
  const min = proposal.expedited ? params.expeditedMinDeposit : params.minDeposit;
  let started = false;
  if (
    proposal.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD &&
    min.every(
      (n) =>
        BigInt(proposal.totalDeposit.find((c) => c.denom === n.denom)?.amount ?? "0") >= BigInt(n.amount),
    )
  ) {
    deps.keeper.setInactive(ctx, timestampToNanos(proposal.depositEndTime), id, false);
    const period = proposal.expedited ? params.expeditedVotingPeriod : params.votingPeriod;
    const end = ctx.blockTimeNanos + durationToNanos(period);
    proposal.status = ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
    proposal.votingStartTime = nanosToTimestamp(ctx.blockTimeNanos);
    proposal.votingEndTime = nanosToTimestamp(end);
    deps.keeper.setActive(ctx, end, id, true);
    started = true;
  }
  deps.keeper.setProposal(ctx, proposal);
  const prev = deps.keeper.getDeposit(ctx, id, depositor);
  deps.keeper.setDeposit(ctx, {
    proposalId: id,
    depositor,
    amount: addCoins(prev?.amount ?? [], coins),
  });
  ctx.emitEvent(
    ev("proposal_deposit", [
      ["depositor", depositor],
      ["amount", coinsToString(coins)],
      ["proposal_id", id.toString()],
    ]),
  );
  return started;
}

/** A weighted vote's options: valid options, each once, positive weights summing to exactly 1. */
export function checkVoteOptions(options: readonly { option: VoteOption; weight: bigint }[]): void {
  if (options.length === 0) throw new ChainError(ErrInvalidVote, "no vote options");
  const seen = new Set<VoteOption>();
  let sum = 0n;
  for (const o of options) {
    if (
      o.option !== VoteOption.VOTE_OPTION_YES &&
      o.option !== VoteOption.VOTE_OPTION_ABSTAIN &&
      o.option !== VoteOption.VOTE_OPTION_NO &&
      o.option !== VoteOption.VOTE_OPTION_NO_WITH_VETO
    ) {
      throw new ChainError(ErrInvalidVote, `invalid option ${o.option as number}`);
    }
    if (seen.has(o.option)) throw new ChainError(ErrInvalidVote, `duplicated vote option ${o.option}`);
    seen.add(o.option);
    if (o.weight <= 0n || o.weight > DEC_ONE)
      throw new ChainError(ErrInvalidVote, `invalid weight ${formatDec(o.weight)}`);
    sum += o.weight;
  }
  if (sum !== DEC_ONE) throw new ChainError(ErrInvalidVote, `total weight ${formatDec(sum)} is not 1`);
}

/** Records (or replaces) a vote on a proposal in its voting period. */
export function addVote(
  ctx: Context,
  deps: GovDeps,
  id: bigint,
  voter: string,
  options: { option: VoteOption; weight: bigint }[],
  metadata: string,
): void {
  if (Buffer.byteLength(metadata) > MAX_METADATA_LEN)
    throw new ChainError(ErrMetadataTooLong, `got ${Buffer.byteLength(metadata)} > ${MAX_METADATA_LEN}`);
  checkVoteOptions(options);
  const proposal = deps.keeper.getProposal(ctx, id);
  if (!proposal) throw new ChainError(ErrUnknownProposal, id.toString());
  if (proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)
    throw new ChainError(ErrInactiveProposal, id.toString());
  const vote: Vote = {
    proposalId: id,
    voter,
    options: options.map((o) => ({ option: o.option, weight: formatDec(o.weight) })),
    metadata,
  };
  deps.keeper.setVote(ctx, vote);
  ctx.emitEvent(
    ev("proposal_vote", [
      ["voter", voter],
      ["option", vote.options.map((o) => `option:${VoteOption[o.option]} weight:"${o.weight}"`).join("\n")],
      ["proposal_id", id.toString()],
    ]),
  );
}

function refundDeposits(ctx: Context, deps: GovDeps, id: bigint): void {
  for (const d of deps.keeper.deposits(ctx, id)) {
    const coins = toCoins(d.amount, "deposit");
    if (coins.length > 0) deps.bank.sendCoinsFromModuleToAccount(ctx, GOV_MODULE, d.depositor, coins);
  }
  deps.keeper.deleteDeposits(ctx, id);
}

function burnDeposits(ctx: Context, deps: GovDeps, id: bigint): void {
  let total: { denom: string; amount: string }[] = [];
  for (const d of deps.keeper.deposits(ctx, id)) total = addCoins(total, toCoins(d.amount, "deposit"));
  const coins = toCoins(total, "deposit");
  if (coins.length > 0) deps.bank.burnCoins(ctx, GOV_MODULE, coins);
  deps.keeper.deleteDeposits(ctx, id);
}

function isCheckpointStore(s: KVStore): s is CheckpointStore {
  const c = s as Partial<CheckpointStore>;
  return (
    typeof c.checkpoint === "function" && typeof c.commit === "function" && typeof c.revert === "function"
  );
}

/**
 * Runs a passed proposal's messages as the gov module account, all or nothing: any failure reverts
 * every write of them and returns the reason; their events are kept only on success.
 */
export function executeProposal(ctx: Context, deps: GovDeps, proposal: Proposal): string | undefined {
  if (!isCheckpointStore(ctx.store)) throw new TypeError("gov EndBlock needs a store with checkpoints");
  const store = ctx.store;
  const events: Event[] = [];
  const inner: Context = { ...ctx, emitEvent: (e) => events.push(e) };
  store.checkpoint();
  try {
    const router = deps.router();
    proposal.messages.forEach((any, i) => {
      const route = router.msg(any.typeUrl);
      if (!route) throw new ChainError(ErrUnroutableProposalMsg, any.typeUrl);
      try {
        route.descriptor.handler(inner, { typeUrl: any.typeUrl, value: any.value });
      } catch (cause) {
        throw new Error(`message ${i} (${any.typeUrl}): ${(cause as Error).message}`, { cause });
      }
    });
    store.commit();
  } catch (err) {
    store.revert();
    return (err as Error).message;
  }
  for (const e of events) ctx.emitEvent(e);
  return undefined;
}

/**
 * EndBlock: drops proposals whose deposit period ended (deposits refunded, or burned with
 * `burn_proposal_deposit_prevote`), and tallies those whose voting period ended: passed ones run
 * their messages (PASSED, or FAILED with the reason), others are REJECTED; an expedited proposal
 * that does not pass becomes a regular one with the regular voting period.
 */
export function govEndBlock(ctx: Context, deps: GovDeps): void {
  const { keeper } = deps;
  const params = keeper.getParams(ctx);
  for (const { id, end } of keeper.dueInactive(ctx, ctx.blockTimeNanos)) {
    keeper.setInactive(ctx, end, id, false);
    if (!keeper.getProposal(ctx, id)) continue;
    keeper.deleteProposal(ctx, id);
    if (params.burnProposalDepositPrevote) burnDeposits(ctx, deps, id);
    else refundDeposits(ctx, deps, id);
    ctx.emitEvent(
      ev("inactive_proposal", [
        ["proposal_id", id.toString()],
        ["proposal_result", "proposal_dropped"],
      ]),
    );
  }
  for (const { id, end } of keeper.dueActive(ctx, ctx.blockTimeNanos)) {
    keeper.setActive(ctx, end, id, false);
    const proposal = keeper.getProposal(ctx, id);
    if (!proposal) continue;
    const votes = keeper.votes(ctx, id).map((v) => ({
      voter: v.voter,
      options: v.options.map((o) => ({ option: o.option, weight: parseDec(o.weight) ?? 0n })),
    }));
    const outcome = tally(ctx, deps.stake, params, votes, proposal.expedited);
    const convert = !outcome.passes && proposal.expedited && !outcome.burnDeposits;
    // Votes are spent by the tally, except those of an expedited proposal that gets a second period.
    if (!convert) keeper.deleteVotes(ctx, id);
    let result: string;
    if (outcome.passes) {
      // Deposits go back before the messages run, as in the SDK.
      refundDeposits(ctx, deps, id);
      const failure = executeProposal(ctx, deps, proposal);
      if (failure === undefined) {
        proposal.status = ProposalStatus.PROPOSAL_STATUS_PASSED;
        result = "proposal_passed";
      } else {
        proposal.status = ProposalStatus.PROPOSAL_STATUS_FAILED;
        proposal.failedReason = failure;
        result = "proposal_failed";
      }
    } else if (convert) {
      // A failed expedited proposal gets the regular voting period from its start; votes stay.
      proposal.expedited = false;
      const start = timestampToNanos(proposal.votingStartTime);
      const newEnd = start + durationToNanos(params.votingPeriod);
      proposal.votingEndTime = nanosToTimestamp(newEnd);
      keeper.setActive(ctx, newEnd, id, true);
      result = "expedited_proposal_rejected";
    } else {
      if (outcome.burnDeposits) burnDeposits(ctx, deps, id);
      else refundDeposits(ctx, deps, id);
      proposal.status = ProposalStatus.PROPOSAL_STATUS_REJECTED;
      result = "proposal_rejected";
    }
    proposal.finalTallyResult = tallyCounts(outcome.sums);
    keeper.setProposal(ctx, proposal);
    ctx.emitEvent(
      ev("active_proposal", [
        ["proposal_id", id.toString()],
        ["proposal_result", result],
        ...(proposal.failedReason ? ([["proposal_log", proposal.failedReason]] as [string, string][]) : []),
      ]),
    );
  }
}
