/**
 * The quality-validator trust record: a bounded, integer, exponentially moving score.
 *
 * Why not an average of deviations: arXiv 2601.21189 shows that adaptive weights computed from
 * average deviation saturate to a plain mean as long as an attacker stays under the deviation bound.
 * Here (1) trust never weights the consensus score (the median counts committee seats equally), so
 * gaming trust cannot move quality; it weights the validators' pay instead (review M2); (2) the gain on agreement is graded by closeness, so a validator that sits just inside
 * the tolerance earns almost nothing; (3) losses are larger than gains and move a fixed fraction of the
 * way to the floor, so a few misses outweigh many agreements; (4) floor and ceiling keep it bounded, and
 * consecutive misses exclude the validator from committees for a while.
 */
import { BP } from "./params.js";
import type { PoqParams } from "./params.js";

export interface TrustRecord {
  /** Current trust, bp within [floor, ceiling]. */
  trustBp: number;
  /** Committees this validator was drawn into. */
  committees: bigint;
  /** Valid reveals that counted. */
  revealed: bigint;
  /** Committees where it did not reveal validly in time. */
  missed: bigint;
  /** Reveals outside the tolerance. */
  deviated: bigint;
  /** Sum of |score - consensus| over its counted reveals (for the average deviation in the API). */
  deviationSumBp: bigint;
  /** Misses in a row, reset by any valid reveal. */
  consecutiveMisses: number;
  /** Height until which (inclusive) it is out of committees; 0 when never excluded. */
  excludedUntil: bigint;
}

type TrustParams = Pick<
  PoqParams,
  | "trustInitialBp"
  | "trustFloorBp"
  | "trustCeilingBp"
  | "trustGainBp"
  | "trustPenaltyBp"
  | "agreementToleranceBp"
> &
  Pick<PoqParams, "missesToExclude" | "exclusionBlocks">;

/** A fresh record at the initial trust. */
export function newTrustRecord(params: Pick<PoqParams, "trustInitialBp">): TrustRecord {
  return {
    trustBp: params.trustInitialBp,
    committees: 0n,
    revealed: 0n,
    missed: 0n,
    deviated: 0n,
    deviationSumBp: 0n,
    consecutiveMisses: 0,
    excludedUntil: 0n,
  };
}

function clamp(v: number, p: TrustParams): number {
  return Math.min(p.trustCeilingBp, Math.max(p.trustFloorBp, v));
}

function penalize(trust: number, p: TrustParams): number {
  // Integer division of a non-negative product: floor; at least 1 bp so a penalty always bites.
  const loss = Math.max(1, Math.floor(((trust - p.trustFloorBp) * p.trustPenaltyBp) / BP));
  return clamp(trust - loss, p);
}

/**
 * Updates a record for a counted reveal with deviation `deviationBp` from consensus.
 *
 * @example
 * rec = recordReveal(rec, 120, params); // close agreement: trust rises
 */
export function recordReveal(rec: TrustRecord, deviationBp: number, p: TrustParams): TrustRecord {
  const dev = Math.abs(deviationBp);
  const base = {
    ...rec,
    revealed: rec.revealed + 1n,
    deviationSumBp: rec.deviationSumBp + BigInt(dev),
    consecutiveMisses: 0,
  };
  if (dev > p.agreementToleranceBp) {
    return { ...base, deviated: rec.deviated + 1n, trustBp: penalize(rec.trustBp, p) };
  }
  const closeness =
    p.agreementToleranceBp === 0
      ? BP
      : Math.floor(((p.agreementToleranceBp - dev) * BP) / p.agreementToleranceBp);
  // (ceiling - trust) * gain * closeness stays below 1e12: exact in a double, floored once.
  const gain = Math.floor(((p.trustCeilingBp - rec.trustBp) * p.trustGainBp * closeness) / (BP * BP));
  return { ...base, trustBp: clamp(rec.trustBp + gain, p) };
}

/**
 * Updates a record for a committee it did not reveal in; excludes it after too many misses in a row.
 *
 * @example
 * rec = recordMiss(rec, 120n, params);
 */
export function recordMiss(rec: TrustRecord, height: bigint, p: TrustParams): TrustRecord {
  const consecutiveMisses = rec.consecutiveMisses + 1;
  const excluded = consecutiveMisses >= p.missesToExclude;
  return {
    ...rec,
    missed: rec.missed + 1n,
    trustBp: penalize(rec.trustBp, p),
    consecutiveMisses: excluded ? 0 : consecutiveMisses,
    excludedUntil: excluded ? height + p.exclusionBlocks : rec.excludedUntil,
  };
}

/** Counts a committee seat. */
export function recordCommittee(rec: TrustRecord): TrustRecord {
  return { ...rec, committees: rec.committees + 1n };
}

/**
 * Whether the validator is out of new committees at `height`. Falling below `min_committee_trust_bp`
 * sets `excludedUntil` (scoring.ts), so low trust excludes for a while, not for ever: a validator
 * that comes back can earn trust again.
 *
 * @example
 * isExcluded(rec, 150n); // true while height <= excludedUntil
 */
export function isExcluded(rec: TrustRecord, height: bigint): boolean {
  return height <= rec.excludedUntil;
}
