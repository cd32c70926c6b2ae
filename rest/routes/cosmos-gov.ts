/**
 * `cosmos.gov.v1` and `cosmos.gov.v1beta1` routes in the SDK gateway's JSON, read from the gov
 * module's ABCI query paths (protobuf). Keplr's governance screen reads either version.
 */
import type { FastifyPluginAsync } from "fastify";
import {
  proposalStatusToJSON,
  voteOptionToJSON,
  type Deposit,
  type Proposal,
  type TallyResult,
  type Vote,
} from "cosmjs-types/cosmos/gov/v1/gov";
import * as q from "cosmjs-types/cosmos/gov/v1/query";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { paramsToJson as poqParamsToJson } from "../../app/modules/poq/keeper.js";
import {
  MSG_UPDATE_PARAMS_TYPE_URL,
  MsgUpdateParams as PoqMsgUpdateParams,
} from "../../app/modules/poq/types/params-msg.js";
import { govParamsToJson } from "../../app/modules/gov/params.js";
import { anyToJson, paginationToJson, registerAnyJson, toSnakeJson } from "../gateway-json.js";
import { pageRequest, queryProto } from "../query.js";
import {
  accountAddress,
  errorResponses,
  pageResponseSchema,
  paginationQuery,
  type PaginationQuery,
} from "../schemas.js";
import type { RouteOptions } from "./options.js";
import * as v1tx from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgUpdateParams as ConsensusMsgUpdateParams } from "cosmjs-types/cosmos/consensus/v1/tx";
import * as betaTx from "cosmjs-types/cosmos/gov/v1beta1/tx";

type Json = Record<string, unknown>;

const STATUSES = [
  "PROPOSAL_STATUS_UNSPECIFIED",
  "PROPOSAL_STATUS_DEPOSIT_PERIOD",
  "PROPOSAL_STATUS_VOTING_PERIOD",
  "PROPOSAL_STATUS_PASSED",
  "PROPOSAL_STATUS_REJECTED",
  "PROPOSAL_STATUS_FAILED",
] as const;

/** RFC 3339 with the nanoseconds the SDK keeps (trailing zeros trimmed). */
export function timestampJson(t: Timestamp | undefined): string | null {
  if (!t) return null;
  const base = new Date(Number(t.seconds) * 1000).toISOString().replace(/\.000Z$/, "");
  const frac = t.nanos === 0 ? "" : `.${String(t.nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `${base}${frac}Z`;
}
const betaTime = (t: Timestamp | undefined): string => timestampJson(t) ?? "0001-01-01T00:00:00Z";

const coins = (cs: readonly { denom: string; amount: string }[]) =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount }));

/** `"1.000000000000000000"` from a v1 weight (already in that form) or anything parseable. */
const tallyV1 = (t: TallyResult | undefined) => ({
  yes_count: t?.yesCount ?? "0",
  abstain_count: t?.abstainCount ?? "0",
  no_count: t?.noCount ?? "0",
  no_with_veto_count: t?.noWithVetoCount ?? "0",
});
const tallyBeta = (t: TallyResult | undefined) => ({
  yes: t?.yesCount ?? "0",
  abstain: t?.abstainCount ?? "0",
  no: t?.noCount ?? "0",
  no_with_veto: t?.noWithVetoCount ?? "0",
});

export function proposalV1Json(p: Proposal): Json {
  return {
    id: p.id.toString(),
    messages: p.messages.map((m) => anyToJson(m)),
    status: proposalStatusToJSON(p.status),
    final_tally_result: tallyV1(p.finalTallyResult),
    submit_time: timestampJson(p.submitTime),
    deposit_end_time: timestampJson(p.depositEndTime),
    total_deposit: coins(p.totalDeposit),
    voting_start_time: timestampJson(p.votingStartTime),
    voting_end_time: timestampJson(p.votingEndTime),
    metadata: p.metadata,
    title: p.title,
    summary: p.summary,
    proposer: p.proposer,
    expedited: p.expedited,
    failed_reason: p.failedReason,
  };
}

/** The v1beta1 shape: the title and summary as a TextProposal content (what Keplr shows). */
export function proposalBetaJson(p: Proposal): Json {
  return {
    proposal_id: p.id.toString(),
    content: { "@type": "/cosmos.gov.v1beta1.TextProposal", title: p.title, description: p.summary },
    status: proposalStatusToJSON(p.status),
    final_tally_result: tallyBeta(p.finalTallyResult),
    submit_time: betaTime(p.submitTime),
    deposit_end_time: betaTime(p.depositEndTime),
    total_deposit: coins(p.totalDeposit),
    voting_start_time: betaTime(p.votingStartTime),
    voting_end_time: betaTime(p.votingEndTime),
  };
}

const voteV1Json = (v: Vote): Json => ({
  proposal_id: v.proposalId.toString(),
  voter: v.voter,
  options: v.options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })),
  metadata: v.metadata,
});
const voteBetaJson = (v: Vote): Json => ({
  proposal_id: v.proposalId.toString(),
  voter: v.voter,
  option: v.options.length === 1 ? voteOptionToJSON(v.options[0]!.option) : "VOTE_OPTION_UNSPECIFIED",
  options: v.options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })),
});
const depositJson = (d: Deposit): Json => ({
  proposal_id: d.proposalId.toString(),
  depositor: d.depositor,
  amount: coins(d.amount),
});

/** Renders gov messages (and the poq params update a proposal carries) inside txs and proposals; idempotent. */
export function registerGovAnyJson(): void {
  const proto = <T>(t: { decode(b: Uint8Array): T; toJSON(m: T): unknown }) => ({
    toJson: (b: Uint8Array) => toSnakeJson(t.toJSON(t.decode(b))) as Json,
  });
  registerAnyJson(MSG_UPDATE_PARAMS_TYPE_URL, {
    toJson: (b) => {
      const m = PoqMsgUpdateParams.decode(b);
      return { authority: m.authority, params: m.params ? poqParamsToJson(m.params) : null };
    },
  });
  registerAnyJson("/cosmos.gov.v1.MsgSubmitProposal", {
    toJson: (b) => {
      const m = v1tx.MsgSubmitProposal.decode(b);
      return {
        messages: m.messages.map((a) => anyToJson(a)),
        initial_deposit: coins(m.initialDeposit),
        proposer: m.proposer,
        metadata: m.metadata,
        title: m.title,
        summary: m.summary,
        expedited: m.expedited,
      };
    },
  });
  registerAnyJson("/cosmos.gov.v1.MsgUpdateParams", {
    toJson: (b) => {
      const m = v1tx.MsgUpdateParams.decode(b);
      return { authority: m.authority, params: m.params ? govParamsToJson(m.params) : null };
    },
  });
  registerAnyJson("/cosmos.consensus.v1.MsgUpdateParams", proto(ConsensusMsgUpdateParams));
  registerAnyJson("/cosmos.gov.v1.MsgVote", proto(v1tx.MsgVote));
  registerAnyJson("/cosmos.gov.v1.MsgVoteWeighted", proto(v1tx.MsgVoteWeighted));
  registerAnyJson("/cosmos.gov.v1.MsgDeposit", proto(v1tx.MsgDeposit));
  registerAnyJson("/cosmos.gov.v1beta1.MsgVote", proto(betaTx.MsgVote));
  registerAnyJson("/cosmos.gov.v1beta1.MsgVoteWeighted", proto(betaTx.MsgVoteWeighted));
  registerAnyJson("/cosmos.gov.v1beta1.MsgDeposit", proto(betaTx.MsgDeposit));
  registerAnyJson("/cosmos.gov.v1beta1.TextProposal", proto(TextProposal));
}

/** A proposal id in a path: 1..19 digits (fits a uint64), never 0. */
const proposalId = { type: "string", pattern: "^[1-9][0-9]{0,18}$", description: "proposal id" } as const;
const obj = { type: "object", additionalProperties: true } as const;
const nullableObj = { type: ["object", "null"], additionalProperties: true } as const;
const ok = (properties: Record<string, unknown>, required: string[]) => ({
  200: { type: "object", properties, required, additionalProperties: false },
  ...errorResponses,
});

export const cosmosGovRoutes: FastifyPluginAsync<RouteOptions> = async (app, { reader }) => {
  registerGovAnyJson();
  const idParams = {
    type: "object",
    properties: { proposal_id: proposalId },
    required: ["proposal_id"],
  } as const;

  const proposal = async (id: string) =>
    (
      await queryProto(
        reader,
        "/cosmos.gov.v1.Query/Proposal",
        q.QueryProposalRequest.encode({ proposalId: BigInt(id) }).finish(),
        q.QueryProposalResponse,
      )
    ).proposal!;

  for (const version of ["v1", "v1beta1"] as const) {
    const v1 = version === "v1";
    const base = `/cosmos/gov/${version}`;
    const propJson = v1 ? proposalV1Json : proposalBetaJson;
    const voteJson = v1 ? voteV1Json : voteBetaJson;
    const tags = ["cosmos"];

    app.get<{
      Querystring: PaginationQuery & { proposal_status?: string; voter?: string; depositor?: string };
    }>(
      `${base}/proposals`,
      {
        schema: {
          tags,
          summary: `Governance proposals (${version}), filtered by status, voter or depositor`,
          querystring: {
            type: "object",
            properties: {
              proposal_status: { type: "string", enum: STATUSES },
              voter: accountAddress,
              depositor: accountAddress,
              ...paginationQuery,
            },
          },
          response: ok({ proposals: { type: "array", items: obj }, pagination: pageResponseSchema }, [
            "proposals",
            "pagination",
          ]),
        },
      },
      async (req) => {
        const status = STATUSES.indexOf(
          (req.query.proposal_status ?? STATUSES[0]) as (typeof STATUSES)[number],
        );
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/Proposals",
          q.QueryProposalsRequest.encode({
            proposalStatus: status,
            voter: req.query.voter ?? "",
            depositor: req.query.depositor ?? "",
            pagination: pageRequest(req.query),
          }).finish(),
          q.QueryProposalsResponse,
        );
        return { proposals: res.proposals.map(propJson), pagination: paginationToJson(res.pagination) };
      },
    );

    app.get<{ Params: { proposal_id: string } }>(
      `${base}/proposals/:proposal_id`,
      {
        schema: {
          tags,
          summary: `One proposal (${version})`,
          params: idParams,
          response: ok({ proposal: obj }, ["proposal"]),
        },
      },
      async (req) => ({ proposal: propJson(await proposal(req.params.proposal_id)) }),
    );

    app.get<{ Params: { proposal_id: string }; Querystring: PaginationQuery }>(
      `${base}/proposals/:proposal_id/votes`,
      {
        schema: {
          tags,
          summary: `Votes on a proposal while it is in its voting period (${version}); the tally spends them`,
          params: idParams,
          querystring: { type: "object", properties: paginationQuery },
          response: ok({ votes: { type: "array", items: obj }, pagination: pageResponseSchema }, [
            "votes",
            "pagination",
          ]),
        },
      },
      async (req) => {
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/Votes",
          q.QueryVotesRequest.encode({
            proposalId: BigInt(req.params.proposal_id),
            pagination: pageRequest(req.query),
          }).finish(),
          q.QueryVotesResponse,
        );
        return { votes: res.votes.map(voteJson), pagination: paginationToJson(res.pagination) };
      },
    );

    app.get<{ Params: { proposal_id: string; voter: string } }>(
      `${base}/proposals/:proposal_id/votes/:voter`,
      {
        schema: {
          tags,
          summary: `One voter's vote (${version})`,
          params: {
            type: "object",
            properties: { proposal_id: proposalId, voter: accountAddress },
            required: ["proposal_id", "voter"],
          },
          response: ok({ vote: obj }, ["vote"]),
        },
      },
      async (req) => {
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/Vote",
          q.QueryVoteRequest.encode({
            proposalId: BigInt(req.params.proposal_id),
            voter: req.params.voter,
          }).finish(),
          q.QueryVoteResponse,
        );
        return { vote: voteJson(res.vote!) };
      },
    );

    app.get<{ Params: { proposal_id: string }; Querystring: PaginationQuery }>(
      `${base}/proposals/:proposal_id/deposits`,
      {
        schema: {
          tags,
          summary: `Deposits on a proposal (${version}); refunded or burned ones are gone`,
          params: idParams,
          querystring: { type: "object", properties: paginationQuery },
          response: ok({ deposits: { type: "array", items: obj }, pagination: pageResponseSchema }, [
            "deposits",
            "pagination",
          ]),
        },
      },
      async (req) => {
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/Deposits",
          q.QueryDepositsRequest.encode({
            proposalId: BigInt(req.params.proposal_id),
            pagination: pageRequest(req.query),
          }).finish(),
          q.QueryDepositsResponse,
        );
        return { deposits: res.deposits.map(depositJson), pagination: paginationToJson(res.pagination) };
      },
    );

    app.get<{ Params: { proposal_id: string; depositor: string } }>(
      `${base}/proposals/:proposal_id/deposits/:depositor`,
      {
        schema: {
          tags,
          summary: `One depositor's deposit (${version})`,
          params: {
            type: "object",
            properties: { proposal_id: proposalId, depositor: accountAddress },
            required: ["proposal_id", "depositor"],
          },
          response: ok({ deposit: obj }, ["deposit"]),
        },
      },
      async (req) => {
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/Deposit",
          q.QueryDepositRequest.encode({
            proposalId: BigInt(req.params.proposal_id),
            depositor: req.params.depositor,
          }).finish(),
          q.QueryDepositResponse,
        );
        return { deposit: depositJson(res.deposit!) };
      },
    );

    app.get<{ Params: { proposal_id: string } }>(
      `${base}/proposals/:proposal_id/tally`,
      {
        schema: {
          tags,
          summary: `The tally: live while voting, final afterwards (${version})`,
          params: idParams,
          response: ok({ tally: obj }, ["tally"]),
        },
      },
      async (req) => {
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/TallyResult",
          q.QueryTallyResultRequest.encode({ proposalId: BigInt(req.params.proposal_id) }).finish(),
          q.QueryTallyResultResponse,
        );
        return { tally: v1 ? tallyV1(res.tally) : tallyBeta(res.tally) };
      },
    );

    app.get<{ Params: { params_type: "voting" | "tallying" | "deposit" } }>(
      `${base}/params/:params_type`,
      {
        schema: {
          tags,
          summary: `Gov params (${version}); v1 also returns them all under "params"`,
          params: {
            type: "object",
            properties: { params_type: { type: "string", enum: ["voting", "tallying", "deposit"] } },
            required: ["params_type"],
          },
          response: ok(
            {
              voting_params: nullableObj,
              deposit_params: nullableObj,
              tally_params: nullableObj,
              ...(v1 ? { params: obj } : {}),
            },
            ["voting_params", "deposit_params", "tally_params", ...(v1 ? ["params"] : [])],
          ),
        },
      },
      async (req) => {
        const res = await queryProto(
          reader,
          "/cosmos.gov.v1.Query/Params",
          q.QueryParamsRequest.encode({ paramsType: req.params.params_type }).finish(),
          q.QueryParamsResponse,
        );
        const p = govParamsToJson(res.params!);
        const voting = { voting_period: p["voting_period"] };
        const deposit = { min_deposit: p["min_deposit"], max_deposit_period: p["max_deposit_period"] };
        const tally = { quorum: p["quorum"], threshold: p["threshold"], veto_threshold: p["veto_threshold"] };
        const t = req.params.params_type;
        if (!v1) return { voting_params: voting, deposit_params: deposit, tally_params: tally };
        return {
          voting_params: t === "voting" ? voting : null,
          deposit_params: t === "deposit" ? deposit : null,
          tally_params: t === "tallying" ? tally : null,
          params: p,
        };
      },
    );
  }

  app.get(
    "/cosmos/gov/v1/constitution",
    {
      schema: {
        tags: ["cosmos"],
        summary: "The chain's constitution (text set at genesis)",
        response: ok({ constitution: { type: "string" } }, ["constitution"]),
      },
    },
    async () => {
      const res = await queryProto(
        reader,
        "/cosmos.gov.v1.Query/Constitution",
        q.QueryConstitutionRequest.encode({}).finish(),
        q.QueryConstitutionResponse,
      );
      return { constitution: res.constitution };
    },
  );
};
