/**
 * The consensus quality score: the lower stake-weighted median of revealed scores.
 *
 * Definition: sort the reveals by score ascending (ties by validator address, which does not change
 * the value); with W the total power, the lower weighted median is the score of the first reveal at
 * which the cumulative power C satisfies 2*C >= W. With equal powers and an even count this is the
 * lower of the two middle scores. A validator with less than half of the revealed power cannot move it
 * beyond the range of the honest scores.
 */
import { compareBytes } from "./types/wire.js";

export interface WeightedScore {
  validator: Uint8Array;
  /** Basis points 0..10000. */
  score: number;
  power: bigint;
}

/**
 * Lower stake-weighted median; `undefined` when there is no positive power.
 *
 * @example
 * weightedMedian([{ validator: a, score: 9000, power: 1n }, { validator: b, score: 100, power: 1n }]); // 100
 */
export function weightedMedian(scores: readonly WeightedScore[]): number | undefined {
  const live = scores.filter((s) => s.power > 0n);
  const total = live.reduce((sum, s) => sum + s.power, 0n);
  if (total === 0n) return undefined;
  const sorted = [...live].sort((a, b) => a.score - b.score || compareBytes(a.validator, b.validator));
  let cumulative = 0n;
  for (const s of sorted) {
    cumulative += s.power;
    if (2n * cumulative >= total) return s.score;
  }
  return undefined; // unreachable
}

/**
 * The median of equal-weight seats: the middle score, or for an even count the midpoint of the two
 * middle ones (rounded down). With equal seats a minority can never move it outside the range of
 * the majority's scores, and an exact half only halfway (the lower median would hand the low half
 * the whole decision, review H1). `undefined` for no scores.
 *
 * @example
 * seatMedian([9000, 0, 9000, 0]); // 4500
 */
export function seatMedian(scores: readonly number[]): number | undefined {
  if (scores.length === 0) return undefined;
  const sorted = [...scores].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid];
  return Math.floor(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}
