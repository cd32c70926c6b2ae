/**
 * What a quality validator puts in its vote extension at height h (ExtendVote). Pure and fast: it
 * reads committed state and the validator's already computed scores; the model never runs here.
 *
 * An extension of height h arrives on chain in block h+1. For each SCORING request whose committee
 * includes the validator and that it has scored:
 * - commit when h+1 <= commit_deadline and no commitment of its own is recorded (or in flight);
 * - reveal when commit_deadline < h+1 <= reveal_deadline, its commitment is recorded (in state, or
 *   in the injected commit of the block being voted on) and no reveal is recorded.
 * Reveals go first (they are the time-critical part), then commitments, in ascending request id,
 * until the byte cap would be passed.
 */
import type { ExtendedCommitInfo } from "../../../abci/application.js";
import { scoreCommitment } from "./commitment.js";
import type { PoqView, StoreContext } from "./keeper.js";
import { consAddress, RequestStatus } from "./state.js";
import { bytesEqual } from "./types/wire.js";
import { decodeVoteExtension, encodeVoteExtension, type ScoreVoteExtension } from "./vote-extension.js";

export interface LocalScore {
  /** Basis points 0..10000, from the local evaluator. */
  score: number;
  /** 32 random bytes chosen once per request and kept until the reveal. */
  salt: Uint8Array;
}

export interface PlanVoteExtensionParams {
  /** This validator's consensus address. */
  validator: Uint8Array;
  /** Height of the vote being extended. */
  height: bigint;
  /** Scores ready so far, by request id. */
  scores: ReadonlyMap<bigint, LocalScore>;
  /** The injected commit of the block being voted on (ExtendVoteRequest.txs[0]), if any. */
  inFlight?: ExtendedCommitInfo;
}

function inFlightCommitments(p: PlanVoteExtensionParams, maxBytes: number): Set<bigint> {
  const ids = new Set<bigint>();
  const own = p.inFlight?.votes.find((v) => bytesEqual(v.validator.address, p.validator));
  if (!own) return ids;
  try {
    for (const c of decodeVoteExtension(own.voteExtension, maxBytes).commitments) ids.add(c.requestId);
  } catch {
    // an extension the chain will drop commits nothing
  }
  return ids;
}

/**
 * Builds the extension bytes (possibly empty).
 *
 * @example
 * const bytes = planVoteExtension(view, ctx, { validator, height: req.height, scores });
 */
export function planVoteExtension(view: PoqView, ctx: StoreContext, p: PlanVoteExtensionParams): Uint8Array {
  const params = view.getParams(ctx);
  const arrival = p.height + 1n;
  const me = consAddress(p.validator);
  const pending = inFlightCommitments(p, params.maxVoteExtensionBytes);
  const ids = [...p.scores.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const candidates: { kind: "reveal" | "commit"; id: bigint; local: LocalScore }[] = [];
  for (const id of ids) {
    const local = p.scores.get(id) as LocalScore;
    const req = view.getRequest(ctx, id);
    if (!req || req.status !== RequestStatus.Scoring || !req.committee.some((c) => c.validator === me))
      continue;
    const committed = view.getCommitment(ctx, id, p.validator) !== undefined || pending.has(id);
    if (arrival <= BigInt(req.commit_deadline)) {
      if (!committed) candidates.push({ kind: "commit", id, local });
    } else if (arrival <= BigInt(req.reveal_deadline) && committed && !view.getReveal(ctx, id, p.validator)) {
      candidates.push({ kind: "reveal", id, local });
    }
  }
  candidates.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "reveal" ? -1 : 1));
  // Each entry once (a commitment costs a hash), then the largest prefix under the cap. Size only
  // grows with the prefix, so bisection finds it in O(log n) encodings instead of one per entry.
  const entries = candidates.map((c) =>
    c.kind === "reveal"
      ? { reveal: { requestId: c.id, score: c.local.score, salt: c.local.salt } }
      : {
          commitment: {
            requestId: c.id,
            commitment: scoreCommitment({ requestId: c.id, ...c.local, validator: p.validator }),
          },
        },
  );
  const encodeFirst = (k: number): Uint8Array => {
    const ext: ScoreVoteExtension = { commitments: [], reveals: [] };
    for (const e of entries.slice(0, k)) {
      if ("reveal" in e) ext.reveals.push(e.reveal);
      else ext.commitments.push(e.commitment);
    }
    return encodeVoteExtension(ext);
  };
  const all = encodeFirst(entries.length);
  if (all.length <= params.maxVoteExtensionBytes) return all;
  let fits = 0;
  let over = entries.length;
  while (over - fits > 1) {
    const mid = (fits + over) >> 1;
    if (encodeFirst(mid).length <= params.maxVoteExtensionBytes) fits = mid;
    else over = mid;
  }
  return encodeFirst(fits);
}
