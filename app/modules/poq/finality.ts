/**
 * When a response's quality is final: at quorum of revealed committee power, or at the reveal
 * deadline with at least the deadline quorum (half by default); otherwise UNSCORED.
 */
import { BP } from "./params.js";

export type FinalityDecision = "pending" | "final" | "unscored";

export interface DecideFinalityParams {
  committeePower: bigint;
  revealedPower: bigint;
  height: bigint;
  /** Last height at which a reveal may arrive. */
  revealDeadline: bigint;
  quorumBp: number;
  deadlineQuorumBp: number;
}

/**
 * Decides at the end of block `height`.
 *
 * @example
 * decideFinality({ committeePower: 3n, revealedPower: 3n, height: 10n, revealDeadline: 15n,
 *   quorumBp: 6667, deadlineQuorumBp: 5000 }); // "final"
 */
export function decideFinality(p: DecideFinalityParams): FinalityDecision {
  if (p.committeePower <= 0n) return p.height >= p.revealDeadline ? "unscored" : "pending";
  const reaches = (bp: number): boolean =>
    p.revealedPower > 0n && p.revealedPower * BigInt(BP) >= BigInt(bp) * p.committeePower;
  if (reaches(p.quorumBp)) return "final";
  if (p.height < p.revealDeadline) return "pending";
  return reaches(p.deadlineQuorumBp) ? "final" : "unscored";
}
