/**
 * Scoring: committees, commitments and reveals from the injected commit, finality and payouts.
 */
import type { ExtendedCommitInfo } from "../../../abci/application.js";
import { BlockIdFlag } from "../../../abci/application.js";
import type { Context } from "../../types.js";
import { mixBeacon, type BeaconEntry } from "./beacon.js";
import { revealMatches } from "./commitment.js";
import { selectCommittee } from "./committee.js";
import type { PoqDeps } from "./deps.js";
import { PoqEvent, poqEvent } from "./events.js";
import { decideFinality } from "./finality.js";
import { seatMedian } from "./median.js";
import { BP, type PoqParams } from "./params.js";
import { commitWindowExtends, revealsOpenAt } from "./commit-window.js";
import { computePayout, nodeBaseShare } from "./payout.js";
import { payFromEscrow } from "./escrow.js";
import { penalizeNode } from "./penalties.js";
import { deriveSeed } from "./seed.js";
import {
  consAddress,
  consAddressBytes,
  incDecimal,
  RequestStatus,
  type CommitteeSeat,
  type RequestRecord,
} from "./state.js";
import { isExcluded, recordCommittee, recordMiss, recordReveal } from "./trust.js";
import { fromHex, toHex } from "./types/wire.js";
import { decodeVoteExtension } from "./vote-extension.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/**
 * Entries of one extension (commitments, and reveals, each) looked at beyond the validator's open
 * seats: seats that closed after the extension was signed (review M5).
 */
export const MAX_STALE_ENTRIES = 64n;

/**
 * Draws the committee of an answer from the current beacon (one block after the answer landed), and
 * counts the seats in trust.
 */
export function selectCommitteeFor(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  requestId: bigint,
): CommitteeSeat[] {
  const seed = deriveSeed("committee", fromHex(deps.keeper.beacon(ctx).value), requestId, 0);
  const members = selectCommittee({
    seed,
    validators: deps.validators.list(ctx),
    size: params.committeeSize,
    isExcluded: (a) => isExcluded(deps.keeper.getTrust(ctx, a), ctx.blockHeight),
  });
  for (const m of members)
    deps.keeper.setTrust(ctx, m.address, recordCommittee(deps.keeper.getTrust(ctx, m.address)));
  // Seats are drawn by stake but weigh the same in the quorum and the median: one large validator
  // holds one seat's say in a committee, not its share of global power (review M3).
  return members.map((m) => ({ validator: consAddress(m.address), power: "1" }));
}

function seatOf(req: RequestRecord, validator: Uint8Array | string): CommitteeSeat | undefined {
  const name = typeof validator === "string" ? validator : consAddress(validator);
  return req.committee.find((c) => c.validator === name);
}

/**
 * FinalizeBlock part for the injected commit (already verified in ProcessProposal): records the
 * commitments and reveals of each validator with the height they arrived at. Entries that do not
 * count are dropped silently (lenient, so one validator's bad entry never costs a block):
 * malformed or oversized extensions, validators not in the request's committee, commitments
 * outside (responded, commit_deadline] or repeated, reveals before the reveal phase opens (see
 * {@link revealPhaseOpen}) or after reveal_deadline, without an earlier commitment, repeated, or not
 * matching. Returns how many commitments and reveals were accepted.
 */
export function applyInjectedCommit(
  ctx: Ctx,
  deps: PoqDeps,
  commit: ExtendedCommitInfo,
  block: { readonly otherTxs: number } = { otherTxs: 0 },
): { commitments: number; reveals: number } {
  const params = deps.keeper.getParams(ctx);
  const height = ctx.blockHeight;
  let commitments = 0;
  let reveals = 0;
  // Each request is read once per validator that has an entry for it; nothing here changes a
  // request record, so the first parse serves the others.
  const requests = new Map<bigint, RequestRecord | undefined>();
  const beacon: BeaconEntry[] = [];
  // Every vote counts toward the total (absent ones too): the beacon is ready only when more than a
  // third of the whole set's power revealed (beacon.ts).
  const totalPower = commit.votes.reduce((s, v) => s + (v.validator.power > 0n ? v.validator.power : 0n), 0n);
  const requestOf = (id: bigint): RequestRecord | undefined => {
    if (!requests.has(id)) requests.set(id, deps.keeper.getRequest(ctx, id));
    return requests.get(id);
  };
  // Commitments recorded in this block never open a phase in it, so one answer per request holds.
  const open = new Map<bigint, boolean>();
  const revealsOpen = (req: RequestRecord): boolean => {
    const id = BigInt(req.id);
    if (!open.has(id)) open.set(id, revealPhaseOpen(ctx, deps.keeper, req, height));
    return open.get(id) as boolean;
  };
  for (const vote of commit.votes) {
    if (vote.blockIdFlag !== BlockIdFlag.Commit || vote.voteExtension.length === 0) continue;
    let ext;
    try {
      ext = decodeVoteExtension(vote.voteExtension, params.maxVoteExtensionBytes);
    } catch {
      continue;
    }
    const validator = vote.validator.address;
    const name = consAddress(validator);
    // Each entry is checked against the validator's seats (a point read) before its request is
    // parsed, and an extension is read only up to what its open seats can justify: one commitment
    // and one reveal per seat, plus a few that closed since it was signed (review M5).
    const seats = deps.keeper.openSeats(ctx, validator);
    const seated = (budget: { left: bigint }, id: bigint): boolean => {
      if (budget.left <= 0n) return false;
      budget.left--;
      return deps.keeper.hasSeat(ctx, id, validator);
    };
    const revealBudget = { left: seats + MAX_STALE_ENTRIES };
    const commitBudget = { left: seats + MAX_STALE_ENTRIES };
    if (ext.beaconCommitment || ext.beaconReveal)
      beacon.push({
        validator,
        power: vote.validator.power,
        commitment: ext.beaconCommitment,
        reveal: ext.beaconReveal,
      });
    for (const r of ext.reveals) {
      if (!seated(revealBudget, r.requestId)) continue;
      const req = requestOf(r.requestId);
      if (!req || req.status !== RequestStatus.Scoring || !seatOf(req, name)) continue;
      if (height > BigInt(req.reveal_deadline) || !revealsOpen(req)) continue;
      const c = deps.keeper.getCommitment(ctx, r.requestId, validator);
      if (!c || BigInt(c.height) >= height || deps.keeper.getReveal(ctx, r.requestId, validator)) continue;
      const input = { requestId: r.requestId, score: r.score, salt: r.salt, validator };
      if (!revealMatches(fromHex(c.commitment), input)) continue;
      deps.keeper.setReveal(ctx, r.requestId, validator, { score: r.score, height: height.toString() });
      deps.keeper.markTouched(ctx, r.requestId);
      ctx.emitEvent(
        poqEvent(PoqEvent.ScoreRevealed, { request_id: req.id, validator: name, score: String(r.score) }),
      );
      reveals++;
    }
    for (const c of ext.commitments) {
      if (!seated(commitBudget, c.requestId)) continue;
      const req = requestOf(c.requestId);
      if (!req || req.status !== RequestStatus.Scoring || !seatOf(req, name)) continue;
      if (height <= BigInt(req.responded_height) || height > BigInt(req.commit_deadline)) continue;
      if (deps.keeper.getCommitment(ctx, c.requestId, validator)) continue;
      deps.keeper.setCommitment(ctx, c.requestId, validator, {
        commitment: toHex(c.commitment),
        height: height.toString(),
      });
      ctx.emitEvent(poqEvent(PoqEvent.ScoreCommitted, { request_id: req.id, validator: name }));
      commitments++;
    }
  }
  // An idle block (no transaction but this one, nothing waiting on future blocks) changes no state, so
  // its app hash repeats and CometBFT, which proposes at once only after a block that changed the app
  // hash, waits for a transaction or `create_empty_blocks_interval`: an idle network rests instead of
  // storing a block every `timeout_commit`. Skipping the mix there costs no latency: a request lands
  // in a block with a transaction, which mixes (recording the commitments whose reveals make the next
  // block's beacon ready, in time to assign it there), and every block after it has open work.
  if (block.otherTxs > 0 || deps.keeper.hasOpenWork(ctx)) mixBeacon(ctx, deps, beacon, totalPower);
  return { commitments, reveals };
}

/**
 * Whether reveals for `req` count at `height` ({@link revealsOpenAt}), from the commitments recorded
 * in state: a committee that committed at once finalizes three blocks after the answer although it
 * was drawn one block late (beacon.ts).
 *
 * @example
 * revealPhaseOpen(ctx, deps.keeper, req, ctx.blockHeight); // true at commit_deadline + 1, or once all committed
 */
export function revealPhaseOpen(
  ctx: Pick<Context, "store">,
  keeper: Pick<PoqDeps["keeper"], "getCommitment">,
  req: RequestRecord,
  height: bigint,
): boolean {
  const id = BigInt(req.id);
  return revealsOpenAt({
    arrival: height,
    commitDeadline: BigInt(req.commit_deadline),
    seats: req.committee.map((seat) => seat.validator),
    committedBefore: (seat) => {
      const c = keeper.getCommitment(ctx, id, consAddressBytes(seat));
      return c !== undefined && BigInt(c.height) < height;
    },
  });
}

/**
 * EndBlock of a SCORING request at its commit deadline: moves the commit and reveal deadlines one
 * block later when {@link commitWindowExtends} says so. Returns whether it did.
 */
export function extendCommitWindow(ctx: Ctx, deps: PoqDeps, params: PoqParams, req: RequestRecord): boolean {
  const id = BigInt(req.id);
  const committeePower = req.committee.reduce((s, c) => s + BigInt(c.power), 0n);
  const committedPower = req.committee.reduce(
    (s, c) => s + (deps.keeper.getCommitment(ctx, id, consAddressBytes(c.validator)) ? BigInt(c.power) : 0n),
    0n,
  );
  const commitDeadline = BigInt(req.commit_deadline);
  const extend = commitWindowExtends(
    {
      height: ctx.blockHeight,
      commitDeadline,
      respondedHeight: BigInt(req.responded_height),
      committeePower,
      committedPower,
    },
    params,
  );
  if (!extend) return false;
  const revealDeadline = BigInt(req.reveal_deadline);
  deps.keeper.removeDeadline(ctx, revealDeadline, id);
  deps.keeper.addDeadline(ctx, commitDeadline + 1n, id);
  deps.keeper.addDeadline(ctx, revealDeadline + 1n, id);
  deps.keeper.setRequest(ctx, {
    ...req,
    commit_deadline: (commitDeadline + 1n).toString(),
    reveal_deadline: (revealDeadline + 1n).toString(),
  });
  ctx.emitEvent(
    poqEvent(PoqEvent.CommitWindowExtended, {
      request_id: req.id,
      committed_power: committedPower.toString(),
      committee_power: committeePower.toString(),
      commit_deadline: (commitDeadline + 1n).toString(),
      reveal_deadline: (revealDeadline + 1n).toString(),
    }),
  );
  return true;
}

/**
 * Checks a SCORING request at the end of a block: finalizes it at quorum or at the reveal deadline,
 * or ends it UNSCORED. Returns the decision.
 */
export function checkFinality(ctx: Ctx, deps: PoqDeps, params: PoqParams, req: RequestRecord): string {
  const id = BigInt(req.id);
  // Only committee members can have commitments or reveals (applyInjectedCommit drops the rest), so
  // point reads by seat replace prefix scans, which cost O(writes in the block) each in the block's
  // store and made finality quadratic in the number of requests finalizing together. The committee
  // is sorted by address, the same order a scan would give.
  // Each seat with its address bytes and reveal, decoded and read once for finality, the payout
  // and the trust update (no bech32 round trip to look a seat up again).
  const seats = req.committee.map((seat) => {
    const validator = consAddressBytes(seat.validator);
    const reveal = deps.keeper.getReveal(ctx, id, validator);
    return {
      seat,
      validator,
      score: reveal && { validator, score: reveal.score, power: BigInt(seat.power) },
    };
  });
  const members = seats.map((s) => s.validator);
  const scores = seats.flatMap((s) => (s.score ? [s.score] : []));
  const committeePower = req.committee.reduce((s, c) => s + BigInt(c.power), 0n);
  const revealedPower = scores.reduce((s, r) => s + r.power, 0n);
  const decision = decideFinality({
    committeePower,
    revealedPower,
    seats: seats.length,
    reveals: scores.length,
    height: ctx.blockHeight,
    revealDeadline: BigInt(req.reveal_deadline),
    quorumBp: params.quorumBp,
    deadlineQuorumBp: params.deadlineQuorumBp,
    minReveals: params.minReveals,
  });
  if (decision === "pending") return decision;
  // Two seats that disagree beyond the tolerance (a committee of two) decide nothing (review H1).
  const split =
    scores.length === 2 &&
    Math.abs((scores[0]?.score ?? 0) - (scores[1]?.score ?? 0)) > params.agreementToleranceBp;
  const quality = decision === "final" && !split ? seatMedian(scores.map((s) => s.score)) : undefined;
  // Validator pay is weighted by trust as it stood before this request (review M2).
  const trustWeights = new Map(
    scores.map((s) => [consAddress(s.validator), BigInt(deps.keeper.getTrust(ctx, s.validator).trustBp)]),
  );
  deps.keeper.removeDeadline(ctx, BigInt(req.reveal_deadline), id);
  deps.keeper.clearScores(ctx, id, members);
  // Every seat without a reveal is charged a miss, also when an early quorum closed the request: a
  // seat that commits and then withholds its reveal must not go free (review M2).
  updateTrust(ctx, deps, params, seats, quality);
  if (quality === undefined) {
    // The node answered in time; too few validators revealed, which is not its fault: it gets its
    // base share and the requester the rest (review M1). Validators who withheld get nothing.
    const fee = BigInt(req.fee.amount);
    const nodeAmount = nodeBaseShare((fee * BigInt(params.nodeShareBp)) / BigInt(BP), params.nodeBaseShareBp);
    payFromEscrow(ctx, deps, req.node, req.fee.denom, nodeAmount);
    payFromEscrow(ctx, deps, req.requester, req.fee.denom, fee - nodeAmount);
    const node = deps.keeper.getNode(ctx, req.node);
    if (node) deps.keeper.setNode(ctx, { ...node, earnings: incDecimal(node.earnings, nodeAmount) });
    const refund = (fee - nodeAmount).toString();
    deps.keeper.setRequest(ctx, {
      ...req,
      status: RequestStatus.Unscored,
      finalized_height: ctx.blockHeight.toString(),
      payout: { node: nodeAmount.toString(), validators: [], refund, slashed: "0" },
    });
    ctx.emitEvent(
      poqEvent(PoqEvent.RequestUnscored, {
        request_id: req.id,
        revealed_power: revealedPower.toString(),
        committee_power: committeePower.toString(),
        refund,
      }),
    );
    return "unscored";
  }
  const weighted = scores.map((s) => ({ ...s, power: trustWeights.get(consAddress(s.validator)) ?? 0n }));
  settle(ctx, deps, params, req, weighted, quality, { revealedPower, committeePower });
  return "final";
}

function updateTrust(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  seats: readonly { seat: CommitteeSeat; validator: Uint8Array; score: { score: number } | undefined }[],
  quality: number | undefined,
): void {
  for (const { seat, validator: address, score: reveal } of seats) {
    const before = deps.keeper.getTrust(ctx, address);
    if (reveal && quality === undefined) continue; // no consensus to compare with
    let after = reveal
      ? recordReveal(before, reveal.score - (quality ?? 0), params)
      : recordMiss(before, ctx.blockHeight, params);
    // Repeated deviation (or misses) below the committee trust bar takes it out of committees for a
    // while; it may come back and earn trust again (review M2).
    if (after.trustBp < params.minCommitteeTrustBp && after.excludedUntil < ctx.blockHeight)
      after = { ...after, excludedUntil: ctx.blockHeight + params.exclusionBlocks };
    deps.keeper.setTrust(ctx, address, after);
    if (after.excludedUntil !== before.excludedUntil) {
      ctx.emitEvent(
        poqEvent(PoqEvent.ValidatorExcluded, {
          validator: seat.validator,
          until: after.excludedUntil.toString(),
        }),
      );
    }
  }
}

function settle(
  ctx: Ctx,
  deps: PoqDeps,
  params: PoqParams,
  req: RequestRecord,
  scores: { validator: Uint8Array; score: number; power: bigint }[],
  quality: number,
  power: { revealedPower: bigint; committeePower: bigint },
): void {
  const denom = req.fee.denom;
  const p = computePayout({
    fee: BigInt(req.fee.amount),
    quality,
    qualityFloorBp: params.qualityFloorBp,
    nodeShareBp: params.nodeShareBp,
    validatorShareBp: params.validatorShareBp,
    agreementToleranceBp: params.agreementToleranceBp,
    reveals: scores,
  });
  let refund = p.refund;
  const validators: { validator: string; operator: string; amount: string }[] = [];
  for (const v of p.validators) {
    const operator = deps.validators.get(ctx, v.validator)?.operator ?? "";
    // A validator without an operator account cannot be paid: its share goes back to the requester.
    if (operator === "") refund += v.amount;
    else payFromEscrow(ctx, deps, operator, denom, v.amount);
    validators.push({
      validator: consAddress(v.validator),
      operator,
      amount: (operator === "" ? 0n : v.amount).toString(),
    });
  }
  payFromEscrow(ctx, deps, req.node, denom, p.node);
  payFromEscrow(ctx, deps, req.requester, denom, refund);
  const node = deps.keeper.getNode(ctx, req.node);
  if (node) {
    deps.keeper.setNode(ctx, {
      ...node,
      scored: incDecimal(node.scored),
      quality_sum: incDecimal(node.quality_sum, BigInt(quality)),
      earnings: incDecimal(node.earnings, p.node),
    });
  }
  const slashed =
    quality < params.qualityFloorBp
      ? penalizeNode(ctx, deps, params, {
          operator: req.node,
          fee: BigInt(req.fee.amount),
          fractionBp: params.slashLowQualityBp,
          reason: "low_quality",
          requestId: BigInt(req.id),
        })
      : 0n;
  deps.keeper.setRequest(ctx, {
    ...req,
    status: RequestStatus.Finalized,
    finalized_height: ctx.blockHeight.toString(),
    quality: {
      score: quality,
      scores: scores.map((s) => ({
        validator: consAddress(s.validator),
        score: s.score,
        power: s.power.toString(),
      })),
      revealed_power: power.revealedPower.toString(),
      committee_power: power.committeePower.toString(),
    },
    payout: { node: p.node.toString(), validators, refund: refund.toString(), slashed: slashed.toString() },
  });
  ctx.emitEvent(
    poqEvent(PoqEvent.QualityFinalized, {
      request_id: req.id,
      score: String(quality),
      revealed_power: power.revealedPower.toString(),
      committee_power: power.committeePower.toString(),
    }),
  );
  ctx.emitEvent(
    poqEvent(PoqEvent.Paid, {
      request_id: req.id,
      node: req.node,
      node_amount: p.node.toString(),
      validators: validators.map((v) => `${v.validator}:${v.amount}`).join(","),
      requester: req.requester,
      refund: refund.toString(),
    }),
  );
}
