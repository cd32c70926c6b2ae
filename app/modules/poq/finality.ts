/**
 * When a response's quality is final (review H1). Committee seats weigh the same (a seat's power is 1,
 * review M3), so the thresholds are counts of seats. A score is final early once at least `quorumBp`
 * of the seats revealed, and at the reveal deadline with at least `deadlineQuorumBp` of them; in both
 * cases only with at least `minReveals` reveals (all seats of a smaller committee), so that no single
 * seat, nor a pair of colluders with a proposer who leaves a third validator out of LastCommit, can
 * decide a score alone. Otherwise the answer ends UNSCORED (no slash; the node gets its base share).
 */
import { BP } from "./params.js";

export type FinalityDecision = "pending" | "final" | "unscored";

export interface DecideFinalityParams {
  committeePower: bigint;
  revealedPower: bigint;
  /** Seats in the committee and how many of them revealed. */
  seats: number;
  reveals: number;
  height: bigint;
  /** Last height at which a reveal may arrive. */
  revealDeadline: bigint;
  quorumBp: number;
  deadlineQuorumBp: number;
  /** Fewest reveals that can finalize (capped at the committee size). */
  minReveals: number;
}

/** The reveals a committee of `seats` needs at least, whatever the power thresholds say. */
export function revealsNeeded(seats: number, minReveals: number): number {
  return Math.min(seats, minReveals);
}

/**
 * Decides at the end of block `height`.
 *
 * @example
 * decideFinality({ committeePower: 5n, revealedPower: 4n, seats: 5, reveals: 4, height: 10n,
 *   revealDeadline: 15n, quorumBp: 6666, deadlineQuorumBp: 5000, minReveals: 3 }); // "final"
 */
export function decideFinality(p: DecideFinalityParams): FinalityDecision {
  if (p.committeePower <= 0n) return p.height >= p.revealDeadline ? "unscored" : "pending";
  const enough = p.reveals >= revealsNeeded(p.seats, p.minReveals);
  const reaches = (bp: number): boolean =>
    enough && p.revealedPower > 0n && p.revealedPower * BigInt(BP) >= BigInt(bp) * p.committeePower;
  if (reaches(p.quorumBp)) return "final";
  if (p.height < p.revealDeadline) return "pending";
  return reaches(p.deadlineQuorumBp) ? "final" : "unscored";
}
