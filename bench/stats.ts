/** Figures shared by the benchmarks. */

/**
 * The `p`th percentile (0..100) of an ascending series: the element at floor(p% of the length),
 * clamped to the last one; NaN for an empty series.
 *
 * @example
 * percentile([1, 2, 3, 4], 50); // 3
 */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}
