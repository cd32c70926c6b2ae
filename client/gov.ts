/**
 * Governance from the client side: submit a proposal (messages as Any), deposit and
 * vote with `cosmos.gov.v1` messages, and read proposals and tallies over the gov module's
 * `/cosmos.gov.v1.Query/*` ABCI paths.
 */
import type { SigningStargateClient } from "@cosmjs/stargate";
import { VoteOption, type Proposal, type TallyResult } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { sha256 } from "@noble/hashes/sha2.js";
import { toBech32 } from "@cosmjs/encoding";
import { PoqTxError, type TxOptions, type TxResult } from "./poq-tx.js";

/** The gov module account: the authority of the messages a proposal carries. */
export const GOV_AUTHORITY = toBech32("poq", sha256(new TextEncoder().encode("gov")).slice(0, 20));

export const VOTE_OPTIONS: Readonly<Record<string, VoteOption>> = {
  yes: VoteOption.VOTE_OPTION_YES,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  no: VoteOption.VOTE_OPTION_NO,
  no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

async function send(
  client: SigningStargateClient,
  signer: string,
  msg: { typeUrl: string; value: object },
  opts: TxOptions,
): Promise<
  TxResult & { events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[] }
> {
  const res = await client.signAndBroadcast(signer, [msg], opts.fee ?? 1.5, opts.memo ?? "");
  if (res.code !== 0) throw new PoqTxError(res);
  return { txHash: res.transactionHash, height: res.height, gasUsed: res.gasUsed, events: res.events };
}

/**
 * Submits a proposal; returns its id (from the `submit_proposal` event).
 *
 * @example
 * const { proposalId } = await submitProposal(client, "poq1...", { messages: [any], deposit: { denom: "upoq", amount: "10000000" }, title, summary });
 */
export async function submitProposal(
  client: SigningStargateClient,
  proposer: string,
  p: {
    messages: Any[];
    deposit?: { denom: string; amount: string };
    title: string;
    summary: string;
    metadata?: string;
    expedited?: boolean;
  },
  opts: TxOptions = {},
): Promise<TxResult & { proposalId: bigint }> {
  const { MsgSubmitProposal } = await import("cosmjs-types/cosmos/gov/v1/tx");
  const res = await send(
    client,
    proposer,
    {
      typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
      value: MsgSubmitProposal.fromPartial({
        messages: p.messages,
        initialDeposit: p.deposit ? [p.deposit] : [],
        proposer,
        metadata: p.metadata ?? "",
        title: p.title,
        summary: p.summary,
        expedited: p.expedited ?? false,
      }),
    },
    opts,
  );
  const id = res.events
    .filter((e) => e.type === "submit_proposal")
    .flatMap((e) => e.attributes)
    .find((a) => a.key === "proposal_id")?.value;
  const { events: _e, ...rest } = res;
  return { ...rest, proposalId: BigInt(id ?? "0") };
}

/** Adds a deposit to a proposal. */
export async function depositOnProposal(
  client: SigningStargateClient,
  depositor: string,
  proposalId: bigint,
  amount: { denom: string; amount: string },
  opts: TxOptions = {},
): Promise<TxResult> {
  const { events: _e, ...rest } = await send(
    client,
    depositor,
    { typeUrl: "/cosmos.gov.v1.MsgDeposit", value: { proposalId, depositor, amount: [amount] } },
    opts,
  );
  return rest;
}

/** Votes on a proposal in its voting period (a later vote replaces an earlier one). */
export async function voteOnProposal(
  client: SigningStargateClient,
  voter: string,
  proposalId: bigint,
  option: VoteOption,
  opts: TxOptions & { metadata?: string } = {},
): Promise<TxResult> {
  const { events: _e, ...rest } = await send(
    client,
    voter,
    {
      typeUrl: "/cosmos.gov.v1.MsgVote",
      value: { proposalId, voter, option, metadata: opts.metadata ?? "" },
    },
    opts,
  );
  return rest;
}

/**
 * A read-only gov client on a node's CometBFT RPC (protobuf answers).
 *
 * @example
 * const q = await createGovQueryClient("http://127.0.0.1:26657");
 * const p = await q.proposal(1n);
 */
export async function createGovQueryClient(rpcUrl: string) {
  const { QueryClient, createProtobufRpcClient } = await import("@cosmjs/stargate");
  const { connectComet } = await import("@cosmjs/tendermint-rpc");
  const { QueryClientImpl } = await import("cosmjs-types/cosmos/gov/v1/query");
  const comet = await connectComet(rpcUrl);
  const gov = new QueryClientImpl(createProtobufRpcClient(new QueryClient(comet)));
  return {
    async proposals(status = 0): Promise<Proposal[]> {
      return (await gov.Proposals({ proposalStatus: status, voter: "", depositor: "" })).proposals;
    },
    async proposal(id: bigint): Promise<Proposal> {
      return (await gov.Proposal({ proposalId: id })).proposal!;
    },
    async tally(id: bigint): Promise<TallyResult> {
      return (await gov.TallyResult({ proposalId: id })).tally!;
    },
    disconnect: () => comet.disconnect(),
  };
}
