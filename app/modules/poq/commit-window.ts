/**
 * When a request's commit window grows. Validators score responses in the background and can only
 * commit once their score is ready; after a burst of responses that can take longer than the window.
 * At the end of the block at its commit deadline, a request whose committed power is still short of
 * the deadline quorum (it would end UNSCORED) gets one more block to commit, and its reveal deadline
 * moves with it, at most `maxCommitExtension` blocks past the original window. A short window with
 * enough commitments is never extended, so an offline validator does not slow anyone down.
 *
 * The rule reads only the commitments recorded up to and including that block, so a validator can
 * evaluate it in ExtendVote (before FinalizeBlock) from the committed state plus the block's injected
 * commit: it then commits late exactly when the chain will accept it, and reveals only once no
 * commitment can be accepted any more (so a revealed score can never be copied into a commitment).
 */
import { revealsNeeded } from "./finality.js";
import { BP, type PoqParams } from "./params.js";

export interface CommitWindowState {
  /** Height of the block whose EndBlock decides. */
  height: bigint;
  commitDeadline: bigint;
  respondedHeight: bigint;
  committeePower: bigint;
  /** Committee power with a commitment recorded once that block is applied. */
  committedPower: bigint;
}

/**
 * Whether the commit window is extended by one block at the end of block `height`.
 *
 * @example
 * commitWindowExtends({ height: 12n, commitDeadline: 12n, respondedHeight: 10n, committeePower: 3n,
 *   committedPower: 1n }, params); // true with the default deadline quorum (half)
 */
export function commitWindowExtends(
  s: CommitWindowState,
  params: Pick<PoqParams, "commitWindow" | "maxCommitExtension" | "deadlineQuorumBp" | "minReveals">,
): boolean {
  if (s.height !== s.commitDeadline || s.committeePower <= 0n) return false;
  if (s.commitDeadline >= s.respondedHeight + params.commitWindow + params.maxCommitExtension) return false;
  // Seats weigh 1 each, so powers are seat counts: also wait for enough seats to finalize at all.
  const needed = BigInt(revealsNeeded(Number(s.committeePower), params.minReveals));
  return (
    s.committedPower * BigInt(BP) < BigInt(params.deadlineQuorumBp) * s.committeePower ||
    s.committedPower < needed
  );
}

/**
 * Whether reveals arriving in block `arrival` count: after the commit deadline, or earlier once every
 * seat of a drawn committee has a commitment recorded in a block before `arrival`. Then no seat can
 * still commit, so a reveal seen in gossip helps nobody copy, and the answer need not wait out the
 * window. The chain (scoring.ts) and the ExtendVote planner both decide with this rule, each with
 * its own view of which seats committed before `arrival`.
 *
 * @example
 * revealsOpenAt({ arrival: 13n, commitDeadline: 13n, seats, committedBefore: (s) => has(s) });
 */
export function revealsOpenAt(p: {
  arrival: bigint;
  commitDeadline: bigint;
  seats: readonly string[];
  committedBefore: (seat: string) => boolean;
}): boolean {
  if (p.arrival > p.commitDeadline) return true;
  return p.seats.length > 0 && p.seats.every(p.committedBefore);
}
