/**
 * Committees of validators that score a response: stake-weighted sampling without replacement.
 *
 * Draw k picks among the validators not yet chosen, weighted by power, using draw k of the seed.
 * The result is returned sorted by address so that it has one canonical form in state.
 */
import { pickWeighted } from "./assignment.js";
import { compareBytes } from "./types/wire.js";

export interface CommitteeCandidate {
  /** Consensus address (20 bytes), hex in `key` for ordering and uniqueness. */
  address: Uint8Array;
  power: bigint;
}

export interface CommitteeMember {
  address: Uint8Array;
  power: bigint;
}

export interface SelectCommitteeParams {
  seed: Uint8Array;
  validators: readonly CommitteeCandidate[];
  size: number;
  /** Whether a validator is currently out of committees (misses, low trust). */
  isExcluded?: (address: Uint8Array) => boolean;
}

/**
 * Selects up to `size` distinct validators with positive power, weighted by power, skipping excluded
 * ones. With `size` >= the number eligible, every eligible validator is in the committee.
 *
 * @example
 * const committee = selectCommittee({ seed, validators, size: 3 });
 */
export function selectCommittee(p: SelectCommitteeParams): CommitteeMember[] {
  const pool = p.validators
    .filter((v) => v.power > 0n && !(p.isExcluded?.(v.address) ?? false))
    .map((v) => ({ key: Buffer.from(v.address).toString("hex"), weight: v.power, address: v.address }));
  const chosen: CommitteeMember[] = [];
  if (pool.length <= p.size) {
    chosen.push(...pool.map((v) => ({ address: v.address, power: v.weight })));
  } else {
    let remaining = pool;
    for (let draw = 0; draw < p.size; draw++) {
      const pick = pickWeighted(p.seed, remaining, draw);
      if (pick === undefined) break;
      chosen.push({ address: pick.address, power: pick.weight });
      remaining = remaining.filter((v) => v.key !== pick.key);
    }
  }
  return chosen.sort((a, b) => compareBytes(a.address, b.address));
}
