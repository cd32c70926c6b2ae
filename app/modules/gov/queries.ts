/**
 * Gov queries on the SDK's gRPC paths, protobuf in and out: `cosmos.gov.v1` (Proposals, Proposal,
 * Vote, Votes, Deposit, Deposits, TallyResult, Params, Constitution) and the `cosmos.gov.v1beta1`
 * paths CosmJS's gov extension calls, answered from the same state.
 */
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { ProposalStatus, type Proposal, type TallyResult, type Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import * as q from "cosmjs-types/cosmos/gov/v1/query";
import * as bq from "cosmjs-types/cosmos/gov/v1beta1/query";
import * as bgov from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { Context, QueryHandler } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import { decodeRequest } from "../bank/queries.js";
import { compareBytes } from "../../store/key-codec.js";
import { parseDec } from "./dec.js";
import type { GovKeeper } from "./keeper.js";
import { u64be } from "./keys.js";
import type { GovStakeView } from "./stake.js";
import { tally, tallyCounts } from "./tally.js";

const ZERO_TIME = { seconds: 0n, nanos: 0 };
const EMPTY_TALLY: TallyResult = { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" };

/** One page of keyed items (keys ascending), as the SDK's `query.Paginate` over a prefix. */
function page<T>(
  items: { key: Uint8Array; value: T }[],
  req: PageRequest | undefined,
): { values: T[]; page: PageResponse } {
  const key = req?.key ?? new Uint8Array();
  const offset = req?.offset ?? 0n;
  if (key.length > 0 && offset > 0n)
    throw new ChainError(
      ErrInvalidRequest,
      "paginate: invalid request, either offset or key is expected, got both",
    );
  let limit = Number(req?.limit ?? 0n);
  if (limit === 0) limit = 100;
  if (limit > 1000) limit = 1000;
  const all = req?.reverse ? [...items].reverse() : items;
  let start = Number(offset);
  if (key.length > 0) {
    start = all.findIndex((i) =>
      req?.reverse ? compareBytes(i.key, key) <= 0 : compareBytes(i.key, key) >= 0,
    );
    if (start < 0) start = all.length;
  }
  const slice = all.slice(start, start + limit);
  const next = all[start + limit];
  return {
    values: slice.map((i) => i.value),
    page: {
      nextKey: next ? next.key : new Uint8Array(),
      total: req?.countTotal && key.length === 0 ? BigInt(all.length) : 0n,
    },
  };
}

const addrKey = (a: string): Uint8Array => parseAccountAddress(a);

/** The v1beta1 form of a v1 proposal: the title and summary as a TextProposal content. */
export function toBetaProposal(p: Proposal): bgov.Proposal {
  return {
    proposalId: p.id,
    content: {
      typeUrl: "/cosmos.gov.v1beta1.TextProposal",
      value: bgov.TextProposal.encode({ title: p.title, description: p.summary }).finish(),
    },
    status: p.status as unknown as bgov.ProposalStatus,
    finalTallyResult: {
      yes: p.finalTallyResult?.yesCount ?? "0",
      abstain: p.finalTallyResult?.abstainCount ?? "0",
      no: p.finalTallyResult?.noCount ?? "0",
      noWithVeto: p.finalTallyResult?.noWithVetoCount ?? "0",
    },
    submitTime: p.submitTime ?? ZERO_TIME,
    depositEndTime: p.depositEndTime ?? ZERO_TIME,
    totalDeposit: p.totalDeposit,
    votingStartTime: p.votingStartTime ?? ZERO_TIME,
    votingEndTime: p.votingEndTime ?? ZERO_TIME,
  };
}

/** v1beta1 weights are LegacyDec raw integers on the wire. */
function toBetaVote(v: Vote): bgov.Vote {
  const options = v.options.map((o) => ({
    option: o.option as unknown as bgov.VoteOption,
    weight: (parseDec(o.weight) ?? 0n).toString(),
  }));
  return {
    proposalId: v.proposalId,
    voter: v.voter,
    option: options.length === 1 ? options[0]!.option : bgov.VoteOption.VOTE_OPTION_UNSPECIFIED,
    options,
  };
}

/**
 * The gov query handlers.
 *
 * @example
 * const queries = createGovQueries(keeper, stake);
 */
export function createGovQueries(keeper: GovKeeper, stake: GovStakeView): Record<string, QueryHandler> {
  const proposal = (ctx: Context, id: bigint): Proposal => {
    if (id === 0n) throw new ChainError(ErrInvalidRequest, "proposal id can not be 0");
    const p = keeper.getProposal(ctx, id);
    if (!p) throw new ChainError(ErrNotFound, `proposal ${id} doesn't exist`);
    return p;
  };
  const liveTally = (ctx: Context, p: Proposal): TallyResult => {
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) return EMPTY_TALLY;
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) return p.finalTallyResult ?? EMPTY_TALLY;
    const votes = keeper.votes(ctx, p.id).map((v) => ({
      voter: v.voter,
      options: v.options.map((o) => ({ option: o.option, weight: parseDec(o.weight) ?? 0n })),
    }));
    return tallyCounts(tally(ctx, stake, keeper.getParams(ctx), votes, p.expedited).sums);
  };
  const filtered = (ctx: Context, status: ProposalStatus, voter: string, depositor: string) => {
    const out: { key: Uint8Array; value: Proposal }[] = [];
    for (const p of keeper.proposals(ctx)) {
      if (status !== ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED && p.status !== status) continue;
      if (voter !== "" && !keeper.getVote(ctx, p.id, voter)) continue;
      if (depositor !== "" && !keeper.getDeposit(ctx, p.id, depositor)) continue;
      out.push({ key: u64be(p.id), value: p });
    }
    return out;
  };
  const vote = (ctx: Context, id: bigint, voter: string): Vote => {
    if (id === 0n) throw new ChainError(ErrInvalidRequest, "proposal id can not be 0");
    parseAccountAddress(voter, "voter");
    const v = keeper.getVote(ctx, id, voter);
    if (!v) throw new ChainError(ErrNotFound, `voter: ${voter} not found for proposal: ${id}`);
    return v;
  };
  const votesPage = (ctx: Context, id: bigint, pagination: PageRequest | undefined) => {
    if (id === 0n) throw new ChainError(ErrInvalidRequest, "proposal id can not be 0");
    return page(
      keeper.votes(ctx, id).map((v) => ({ key: addrKey(v.voter), value: v })),
      pagination,
    );
  };
  const depositsPage = (ctx: Context, id: bigint, pagination: PageRequest | undefined) => {
    if (id === 0n) throw new ChainError(ErrInvalidRequest, "proposal id can not be 0");
    return page(
      keeper.deposits(ctx, id).map((d) => ({ key: addrKey(d.depositor), value: d })),
      pagination,
    );
  };
  const deposit = (ctx: Context, id: bigint, depositor: string) => {
    if (id === 0n) throw new ChainError(ErrInvalidRequest, "proposal id can not be 0");
    parseAccountAddress(depositor, "depositor");
    const d = keeper.getDeposit(ctx, id, depositor);
    if (!d) throw new ChainError(ErrNotFound, `depositer: ${depositor} not found for proposal: ${id}`);
    return d;
  };
  const checkParamsType = (t: string): void => {
    if (!["", "voting", "tallying", "deposit"].includes(t))
      throw new ChainError(ErrInvalidRequest, `unknown params type: ${t}`);
  };

  return {
    "/cosmos.gov.v1.Query/Constitution": (ctx) =>
      q.QueryConstitutionResponse.encode({ constitution: keeper.getConstitution(ctx) }).finish(),
    "/cosmos.gov.v1.Query/Proposal": (ctx, data) => {
      const req = decodeRequest(q.QueryProposalRequest, data, "QueryProposalRequest");
      return q.QueryProposalResponse.encode({ proposal: proposal(ctx, req.proposalId) }).finish();
    },
    "/cosmos.gov.v1.Query/Proposals": (ctx, data) => {
      const req = decodeRequest(q.QueryProposalsRequest, data, "QueryProposalsRequest");
      const { values, page: p } = page(
        filtered(ctx, req.proposalStatus, req.voter, req.depositor),
        req.pagination,
      );
      return q.QueryProposalsResponse.encode({ proposals: values, pagination: p }).finish();
    },
    "/cosmos.gov.v1.Query/Vote": (ctx, data) => {
      const req = decodeRequest(q.QueryVoteRequest, data, "QueryVoteRequest");
      return q.QueryVoteResponse.encode({ vote: vote(ctx, req.proposalId, req.voter) }).finish();
    },
    "/cosmos.gov.v1.Query/Votes": (ctx, data) => {
      const req = decodeRequest(q.QueryVotesRequest, data, "QueryVotesRequest");
      const { values, page: p } = votesPage(ctx, req.proposalId, req.pagination);
      return q.QueryVotesResponse.encode({ votes: values, pagination: p }).finish();
    },
    "/cosmos.gov.v1.Query/Deposit": (ctx, data) => {
      const req = decodeRequest(q.QueryDepositRequest, data, "QueryDepositRequest");
      return q.QueryDepositResponse.encode({ deposit: deposit(ctx, req.proposalId, req.depositor) }).finish();
    },
    "/cosmos.gov.v1.Query/Deposits": (ctx, data) => {
      const req = decodeRequest(q.QueryDepositsRequest, data, "QueryDepositsRequest");
      const { values, page: p } = depositsPage(ctx, req.proposalId, req.pagination);
      return q.QueryDepositsResponse.encode({ deposits: values, pagination: p }).finish();
    },
    "/cosmos.gov.v1.Query/TallyResult": (ctx, data) => {
      const req = decodeRequest(q.QueryTallyResultRequest, data, "QueryTallyResultRequest");
      return q.QueryTallyResultResponse.encode({
        tally: liveTally(ctx, proposal(ctx, req.proposalId)),
      }).finish();
    },
    "/cosmos.gov.v1.Query/Params": (ctx, data) => {
      const req = decodeRequest(q.QueryParamsRequest, data, "QueryParamsRequest");
      checkParamsType(req.paramsType);
      const p = keeper.getParams(ctx);
      return q.QueryParamsResponse.encode({
        params: p,
        ...(req.paramsType === "voting"
          ? { votingParams: { votingPeriod: p.votingPeriod ?? ZERO_TIME } }
          : {}),
        ...(req.paramsType === "deposit"
          ? { depositParams: { minDeposit: p.minDeposit, maxDepositPeriod: p.maxDepositPeriod ?? ZERO_TIME } }
          : {}),
        ...(req.paramsType === "tallying"
          ? { tallyParams: { quorum: p.quorum, threshold: p.threshold, vetoThreshold: p.vetoThreshold } }
          : {}),
      }).finish();
    },

    "/cosmos.gov.v1beta1.Query/Proposal": (ctx, data) => {
      const req = decodeRequest(bq.QueryProposalRequest, data, "QueryProposalRequest");
      return bq.QueryProposalResponse.encode({
        proposal: toBetaProposal(proposal(ctx, req.proposalId)),
      }).finish();
    },
    "/cosmos.gov.v1beta1.Query/Proposals": (ctx, data) => {
      const req = decodeRequest(bq.QueryProposalsRequest, data, "QueryProposalsRequest");
      const status = req.proposalStatus as unknown as ProposalStatus;
      const { values, page: p } = page(filtered(ctx, status, req.voter, req.depositor), req.pagination);
      return bq.QueryProposalsResponse.encode({
        proposals: values.map(toBetaProposal),
        pagination: p,
      }).finish();
    },
    "/cosmos.gov.v1beta1.Query/Vote": (ctx, data) => {
      const req = decodeRequest(bq.QueryVoteRequest, data, "QueryVoteRequest");
      return bq.QueryVoteResponse.encode({ vote: toBetaVote(vote(ctx, req.proposalId, req.voter)) }).finish();
    },
    "/cosmos.gov.v1beta1.Query/Votes": (ctx, data) => {
      const req = decodeRequest(bq.QueryVotesRequest, data, "QueryVotesRequest");
      const { values, page: p } = votesPage(ctx, req.proposalId, req.pagination);
      return bq.QueryVotesResponse.encode({ votes: values.map(toBetaVote), pagination: p }).finish();
    },
    "/cosmos.gov.v1beta1.Query/Deposit": (ctx, data) => {
      const req = decodeRequest(bq.QueryDepositRequest, data, "QueryDepositRequest");
      return bq.QueryDepositResponse.encode({
        deposit: deposit(ctx, req.proposalId, req.depositor),
      }).finish();
    },
    "/cosmos.gov.v1beta1.Query/Deposits": (ctx, data) => {
      const req = decodeRequest(bq.QueryDepositsRequest, data, "QueryDepositsRequest");
      const { values, page: p } = depositsPage(ctx, req.proposalId, req.pagination);
      return bq.QueryDepositsResponse.encode({ deposits: values, pagination: p }).finish();
    },
    "/cosmos.gov.v1beta1.Query/TallyResult": (ctx, data) => {
      const req = decodeRequest(bq.QueryTallyResultRequest, data, "QueryTallyResultRequest");
      const t = liveTally(ctx, proposal(ctx, req.proposalId));
      return bq.QueryTallyResultResponse.encode({
        tally: { yes: t.yesCount, abstain: t.abstainCount, no: t.noCount, noWithVeto: t.noWithVetoCount },
      }).finish();
    },
    "/cosmos.gov.v1beta1.Query/Params": (ctx, data) => {
      const req = decodeRequest(bq.QueryParamsRequest, data, "QueryParamsRequest");
      checkParamsType(req.paramsType);
      const p = keeper.getParams(ctx);
      const raw = (s: string) => new TextEncoder().encode((parseDec(s) ?? 0n).toString());
      return bq.QueryParamsResponse.encode({
        votingParams: { votingPeriod: p.votingPeriod ?? ZERO_TIME },
        depositParams: { minDeposit: p.minDeposit, maxDepositPeriod: p.maxDepositPeriod ?? ZERO_TIME },
        tallyParams: {
          quorum: raw(p.quorum),
          threshold: raw(p.threshold),
          vetoThreshold: raw(p.vetoThreshold),
        },
      }).finish();
    },
  };
}
