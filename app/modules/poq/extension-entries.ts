/**
 * The vote-extension elements a validator packs, encoded once per request and score.
 *
 * A request stays in ExtendVote for several heights (its commit window, then its reveal window), and
 * every one of them used to hash its commitment and encode its elements again. The memo holds the
 * encoded element together with the exact inputs it came from (request id, score, salt, validator)
 * and is used only when they are all equal, so it changes speed, never the bytes.
 */
import { scoreCommitment } from "./commitment.js";
import type { LocalScore } from "./extension-planner.js";
import { bytesEqual } from "./types/wire.js";
import { encodeCommitmentEntry, encodeRevealEntry } from "./vote-extension.js";

export interface ExtensionEntryCache {
  /** The `commitments` element of request `id` for this score, salt and validator. */
  commitment(id: bigint, local: LocalScore, validator: Uint8Array): Uint8Array;
  /** The `reveals` element of request `id` for this score and salt. */
  reveal(id: bigint, local: LocalScore): Uint8Array;
  /** Drops every entry whose id is not in `keep` (call after each ExtendVote). */
  retain(keep: ReadonlySet<bigint> | ReadonlyMap<bigint, unknown>): void;
}

interface Entry {
  score: number;
  salt: Uint8Array;
  validator?: Uint8Array;
  commitment?: Uint8Array;
  reveal?: Uint8Array;
}

/**
 * Creates an empty memo.
 *
 * @example
 * const entries = createExtensionEntryCache();
 * const bytes = entries.commitment(7n, { score: 8000, salt }, validatorAddress);
 * entries.retain(scores);
 */
export function createExtensionEntryCache(): ExtensionEntryCache {
  const byId = new Map<bigint, Entry>();
  /** The entry for these exact inputs, replacing one made from other inputs. */
  const entryOf = (id: bigint, local: LocalScore): Entry => {
    const hit = byId.get(id);
    if (hit && hit.score === local.score && bytesEqual(hit.salt, local.salt)) return hit;
    const fresh: Entry = { score: local.score, salt: Uint8Array.from(local.salt) };
    byId.set(id, fresh);
    return fresh;
  };
  return {
    commitment(id, local, validator) {
      const e = entryOf(id, local);
      if (e.commitment && e.validator && bytesEqual(e.validator, validator)) return e.commitment;
      e.validator = Uint8Array.from(validator);
      e.commitment = encodeCommitmentEntry({
        requestId: id,
        commitment: scoreCommitment({ requestId: id, score: local.score, salt: local.salt, validator }),
      });
      return e.commitment;
    },
    reveal(id, local) {
      const e = entryOf(id, local);
      e.reveal ??= encodeRevealEntry({ requestId: id, score: local.score, salt: local.salt });
      return e.reveal;
    },
    retain(keep) {
      for (const id of byId.keys()) if (!keep.has(id)) byId.delete(id);
    },
  };
}
