/**
 * The SDK's tally (x/gov v0.50 `Tally`), in LegacyDec arithmetic without floats:
 *
 * - Each bonded validator starts with its full stake. A voter's vote counts through each of its
 *   delegations to a bonded validator (shares × tokens / delegator shares), and those shares are
 *   deducted from the validator, whose own vote (if its operator voted) then counts only for what
 *   is left: a delegator's vote overrides its validator's inherited one.
 * - No bonded tokens: fails. Voting power / bonded tokens below `quorum`: fails (deposits burned
 *   when `burn_vote_quorum`). Everyone abstained: fails. NoWithVeto / voting power above
 *   `veto_threshold`: fails, deposits burned when `burn_vote_veto`. Yes / (voting power − abstain)
 *   above `threshold` (`expedited_threshold` for an expedited proposal): passes. Otherwise fails.
 */
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Context } from "../../types.js";
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import { BECH32_PREFIX } from "../auth/address.js";
import { decMul, decMulInt, decQuo, decTruncate, decFromInt, parseDec } from "./dec.js";
import type { GovParams } from "./params.js";
import type { GovStakeView } from "./stake.js";

type StoreContext = Pick<Context, "store">;

/** One voter's (weighted) choice; weights are LegacyDec raw and sum to 10^18. */
export interface TallyVote {
  voter: string;
  options: { option: VoteOption; weight: bigint }[];
}

/** Sums per option, LegacyDec raw. */
export interface TallySums {
  yes: bigint;
  abstain: bigint;
  no: bigint;
  noWithVeto: bigint;
}

export interface TallyOutcome {
  passes: boolean;
  burnDeposits: boolean;
  sums: TallySums;
  /** Why it failed, for logs and events ("" when it passes). */
  reason: string;
}

const add = (s: TallySums, option: VoteOption, amount: bigint): void => {
  if (option === VoteOption.VOTE_OPTION_YES) s.yes += amount;
  else if (option === VoteOption.VOTE_OPTION_ABSTAIN) s.abstain += amount;
  else if (option === VoteOption.VOTE_OPTION_NO) s.no += amount;
  else if (option === VoteOption.VOTE_OPTION_NO_WITH_VETO) s.noWithVeto += amount;
};

/** The counts of a `TallyResult` (integers: the sums truncated). */
export function tallyCounts(s: TallySums): {
  yesCount: string;
  abstainCount: string;
  noCount: string;
  noWithVetoCount: string;
} {
  return {
    yesCount: decTruncate(s.yes).toString(),
    abstainCount: decTruncate(s.abstain).toString(),
    noCount: decTruncate(s.no).toString(),
    noWithVetoCount: decTruncate(s.noWithVeto).toString(),
  };
}

/**
 * Tallies `votes` against the current bonded stake.
 *
 * @example
 * const { passes, sums } = tally(ctx, stake, params, votes, false);
 */
export function tally(
  ctx: StoreContext,
  stake: GovStakeView,
  params: GovParams,
  votes: readonly TallyVote[],
  expedited: boolean,
): TallyOutcome {
  const sums: TallySums = { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n };
  interface ValState {
    tokens: bigint;
    shares: bigint;
    deductions: bigint;
    vote: TallyVote["options"] | undefined;
  }
  const vals = new Map<string, ValState>();
  for (const v of stake.bondedValidators(ctx)) {
    vals.set(v.operator, { tokens: v.tokens, shares: v.delegatorShares, deductions: 0n, vote: undefined });
  }
  let total = 0n;
  for (const vote of votes) {
    const valoper = bech32Encode(BECH32_PREFIX.validator, bech32Decode(vote.voter).data);
    const own = vals.get(valoper);
    if (own) own.vote = vote.options;
    for (const d of stake.delegationsOf(ctx, vote.voter)) {
      const val = vals.get(d.validator);
      if (!val || val.shares === 0n) continue;
      val.deductions += d.shares;
      const power = decQuo(decMulInt(d.shares, val.tokens), val.shares);
      for (const o of vote.options) add(sums, o.option, decMul(power, o.weight));
      total += power;
    }
  }
  // Validators in a fixed order, so the sums' rounding is the same on every node.
  for (const operator of [...vals.keys()].sort()) {
    const val = vals.get(operator)!;
    if (!val.vote || val.shares === 0n) continue;
    const left = val.shares - val.deductions;
    const power = decQuo(decMulInt(left, val.tokens), val.shares);
    for (const o of val.vote) add(sums, o.option, decMul(power, o.weight));
    total += power;
  }

  const fail = (burnDeposits: boolean, reason: string): TallyOutcome => ({
    passes: false,
    burnDeposits,
    sums,
    reason,
  });
  const bonded = stake.totalBonded(ctx);
  if (bonded === 0n) return fail(false, "no bonded tokens");
  const quorum = parseDec(params.quorum) ?? 0n;
  if (decQuo(total, decFromInt(bonded)) < quorum) return fail(params.burnVoteQuorum, "quorum not reached");
  if (sums.abstain === total) return fail(false, "every vote abstains");
  const veto = parseDec(params.vetoThreshold) ?? 0n;
  if (decQuo(sums.noWithVeto, total) > veto) return fail(params.burnVoteVeto, "vetoed");
  const threshold = parseDec(expedited ? params.expeditedThreshold : params.threshold) ?? 0n;
  if (decQuo(sums.yes, total - sums.abstain) > threshold)
    return { passes: true, burnDeposits: false, sums, reason: "" };
  return fail(false, "threshold not reached");
}
