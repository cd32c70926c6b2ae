/**
 * Deterministic, stake-weighted choice of one candidate from a seed.
 *
 * Candidates are put in canonical order (by key, byte-wise on the UTF-8 key) before drawing, so the
 * result does not depend on the order in which the state returned them.
 */
import { drawBelow } from "./seed.js";
import { compareBytes, encodeUtf8 } from "./types/wire.js";

export interface WeightedCandidate {
  /** A unique key, e.g. the node operator's bech32 address. */
  key: string;
  /** Stake; candidates with zero (or negative) weight are never chosen. */
  weight: bigint;
}

/** Orders candidates canonically by the bytes of their key. */
export function canonicalOrder<T extends { key: string }>(items: readonly T[]): T[] {
  // Each key encoded once, not twice per comparison.
  return items
    .map((item) => ({ item, bytes: encodeUtf8(item.key) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes))
    .map((e) => e.item);
}

/**
 * Picks one candidate with probability proportional to its weight, using draw `index` of `seed`.
 * Returns `undefined` when no candidate has positive weight. Duplicate keys are a caller error.
 *
 * @example
 * const node = pickWeighted(seed, [{ key: "poq1a...", weight: 5n }, { key: "poq1b...", weight: 1n }]);
 */
export function pickWeighted<T extends WeightedCandidate>(
  seed: Uint8Array,
  candidates: readonly T[],
  index = 0,
): T | undefined {
  const eligible = canonicalOrder(candidates.filter((c) => c.weight > 0n));
  for (let i = 1; i < eligible.length; i++) {
    if (eligible[i]?.key === eligible[i - 1]?.key)
      throw new RangeError(`duplicate candidate ${eligible[i]?.key}`);
  }
  const total = eligible.reduce((s, c) => s + c.weight, 0n);
  if (total === 0n) return undefined;
  let r = drawBelow(seed, index, total);
  for (const c of eligible) {
    if (r < c.weight) return c;
    r -= c.weight;
  }
  return undefined; // unreachable: r < total
}

export interface AssignNodeParams {
  seed: Uint8Array;
  /** Registered, active nodes serving the request's model, with their bonded stake. */
  nodes: readonly WeightedCandidate[];
  /** Minimum stake to be eligible. */
  minStake: bigint;
  /** Nodes that must not get this request again (e.g. they already missed its deadline). */
  exclude?: readonly string[];
}

/**
 * Chooses the node for a request: stake-weighted among eligible nodes, or `undefined` when none.
 *
 * @example
 * const node = assignNode({ seed: deriveSeed("assign", appHash, id, 0), nodes, minStake: 1_000_000n });
 */
export function assignNode(p: AssignNodeParams): string | undefined {
  const excluded = new Set(p.exclude ?? []);
  const eligible = p.nodes.filter((n) => n.weight >= p.minStake && n.weight > 0n && !excluded.has(n.key));
  return pickWeighted(p.seed, eligible)?.key;
}
