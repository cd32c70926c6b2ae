/**
 * Splits an escrowed fee once the consensus quality is known.
 *
 * - Node: `fee * nodeShareBp / 10000` scaled by quality (`* quality / 10000`) when the quality reaches
 *   the floor; under it nothing (and a penalty, elsewhere). The requester's `min_quality` does not
 *   enter the payout: it chooses which nodes may take the request (their track record), so a
 *   requester can never turn a scored answer into a free one by setting it out of reach (review M1).
 * - Validators: `fee * validatorShareBp / 10000`, shared by power among committee members whose
 *   revealed score lies within the tolerance of consensus. Non-revealers and deviators get nothing.
 * - Requester: everything else, rounding remainders included.
 *
 * All divisions round down and the refund is computed as the difference, so the parts always sum to
 * the fee exactly: no coin is created or lost.
 */
import { BP } from "./params.js";
import type { WeightedScore } from "./median.js";
import { compareBytes } from "./types/wire.js";

export interface ComputePayoutParams {
  fee: bigint;
  /** Consensus quality in bp. */
  quality: number;
  qualityFloorBp: number;
  nodeShareBp: number;
  validatorShareBp: number;
  agreementToleranceBp: number;
  /** Valid reveals of the committee. */
  reveals: readonly WeightedScore[];
}

export interface ValidatorReward {
  validator: Uint8Array;
  amount: bigint;
}

export interface PayoutResult {
  node: bigint;
  /** One entry per agreeing validator (amount may be 0 for tiny fees), sorted by address. */
  validators: ValidatorReward[];
  refund: bigint;
  /** Reveals outside the tolerance. */
  deviators: Uint8Array[];
  /** Whether the node reached the quality floor (and is paid by quality). */
  nodePaid: boolean;
}

/** Whether a revealed score agrees with consensus within the tolerance. */
export function agrees(score: number, quality: number, toleranceBp: number): boolean {
  return Math.abs(score - quality) <= toleranceBp;
}

/**
 * Computes who gets what; `node + sum(validators) + refund === fee` always.
 *
 * @example
 * const p = computePayout({ fee: 1000n, quality: 8000, qualityFloorBp: 2000,
 *   nodeShareBp: 8000, validatorShareBp: 2000, agreementToleranceBp: 1500, reveals });
 */
export function computePayout(p: ComputePayoutParams): PayoutResult {
  if (p.fee < 0n) throw new RangeError("fee must not be negative");
  const nodePart = (p.fee * BigInt(p.nodeShareBp)) / BigInt(BP);
  const validatorPart = (p.fee * BigInt(p.validatorShareBp)) / BigInt(BP);
  const nodePaid = p.quality >= p.qualityFloorBp;
  const node = nodePaid ? (nodePart * BigInt(p.quality)) / BigInt(BP) : 0n;

  const sorted = [...p.reveals].sort((a, b) => compareBytes(a.validator, b.validator));
  const agreeing = sorted.filter((r) => r.power > 0n && agrees(r.score, p.quality, p.agreementToleranceBp));
  const deviators = sorted
    .filter((r) => !agrees(r.score, p.quality, p.agreementToleranceBp))
    .map((r) => r.validator);
  const agreeingPower = agreeing.reduce((s, r) => s + r.power, 0n);
  const validators = agreeing.map((r) => ({
    validator: r.validator,
    amount: agreeingPower === 0n ? 0n : (validatorPart * r.power) / agreeingPower,
  }));
  const paid = node + validators.reduce((s, v) => s + v.amount, 0n);
  return { node, validators, refund: p.fee - paid, deviators, nodePaid };
}

/**
 * The node's base share of its fee part (`nodePart = fee * nodeShareBp / 10000`).
 *
 * @example
 * nodeBaseShare(800n, 5000); // 400n
 */
export function nodeBaseShare(nodePart: bigint, nodeBaseShareBp: number): bigint {
  return (nodePart * BigInt(nodeBaseShareBp)) / BigInt(BP);
}
