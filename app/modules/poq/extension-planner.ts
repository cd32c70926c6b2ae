/**
 * What a quality validator puts in its vote extension at height h (ExtendVote). Pure and fast: it
 * reads committed state and the validator's already computed scores; the model never runs here.
 *
 * An extension of height h arrives on chain in block h+1. For each SCORING request whose committee
 * includes the validator, or whose committee block h draws, and that it has scored:
 * - commit when h+1 <= commit_deadline and no commitment of its own is recorded (or in flight);
 * - reveal when the reveal phase is open at h+1 (after commit_deadline, or every seat committed
 *   before h+1) and h+1 <= reveal_deadline, its commitment is recorded (in state, or in the injected
 *   commit of the block being voted on) and no reveal is recorded;
 * where the deadlines are those in force after block h (the commit window may grow at its end).
 * Reveals go first (they are the time-critical part), then commitments, in ascending request id,
 * until the byte cap would be passed.
 */
import { BlockIdFlag, type ExtendedCommitInfo } from "../../../abci/application.js";
import { commitWindowExtends, revealsOpenAt } from "./commit-window.js";
import type { PoqView, StoreContext } from "./keeper.js";
import { consAddress, consAddressBytes, RequestStatus, type RequestRecord } from "./state.js";
import { decodeRequestRecord } from "./kept-record.js";
import { createExtensionEntryCache, type ExtensionEntryCache } from "./extension-entries.js";
import { decodeInjectedCommit, isInjectedCommitTx } from "./extended-commit.js";
import { bytesEqual, WireWriter } from "./types/wire.js";
import { decodeVoteExtension, encodeBeaconFields } from "./vote-extension.js";

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
  /** Reads a request (default `view.getRequest`); ExtendVote passes a cached reader. */
  readRequest?: (id: bigint) => RequestRecord | undefined;
  /**
   * `inFlight` already reduced by {@link inFlightCommitments} (ExtendVote keeps it for the block's
   * injected commit, which every round and retry at that height sees again).
   */
  inFlightCommitments?: ReadonlyMap<bigint, readonly string[]>;
  /** Encoded payload elements kept across heights (default: encoded afresh). */
  entries?: ExtensionEntryCache;
  /** This height's beacon commitment and the previous height's secret (beacon.ts), if this node has them. */
  beacon?: { commitment: Uint8Array; reveal?: Uint8Array | undefined };
  /**
   * The most bytes the extension may take (default `max_vote_extension_bytes`); the module passes its
   * share of the block when that is smaller (module.ts `extensionCap`).
   */
  maxBytes?: number;
}

/**
 * Validators (`poqvalcons`) carrying a commitment for each request id in the block being voted on.
 *
 * @example
 * const byId = inFlightCommitments(decodeInjectedCommit(req.txs[0]), params.maxVoteExtensionBytes);
 */
export function inFlightCommitments(
  inFlight: ExtendedCommitInfo | undefined,
  maxBytes: number,
): Map<bigint, string[]> {
  const byId = new Map<bigint, string[]>();
  for (const vote of inFlight?.votes ?? []) {
    if (vote.blockIdFlag !== BlockIdFlag.Commit || vote.voteExtension.length === 0) continue;
    const validator = consAddress(vote.validator.address);
    try {
      for (const c of decodeVoteExtension(vote.voteExtension, maxBytes).commitments) {
        const list = byId.get(c.requestId) ?? [];
        list.push(validator);
        byId.set(c.requestId, list);
      }
    } catch {
      // an extension the chain will drop commits nothing
    }
  }
  return byId;
}

/** What the planner needs of a request record besides its status, derived once per parsed record. */
interface RequestFacts {
  me: string;
  onCommittee: boolean;
  commitDeadline: bigint;
  revealDeadline: bigint;
  respondedHeight: bigint;
  committeePower: bigint;
}

// Keyed by the parsed record, which the request read cache hands out again while the stored bytes
// are unchanged; a record read afresh gets fresh facts. Records are never mutated in place.
const requestFacts = new WeakMap<RequestRecord, RequestFacts>();

function factsOf(req: RequestRecord, me: string): RequestFacts {
  const hit = requestFacts.get(req);
  if (hit && hit.me === me) return hit;
  const facts: RequestFacts = {
    me,
    onCommittee: req.committee.some((c) => c.validator === me),
    commitDeadline: BigInt(req.commit_deadline),
    revealDeadline: BigInt(req.reveal_deadline),
    respondedHeight: BigInt(req.responded_height),
    committeePower: req.committee.reduce((s, c) => s + BigInt(c.power), 0n),
  };
  requestFacts.set(req, facts);
  return facts;
}

/** Whether `validator` has a commitment for request `id` recorded, or landing with block h. */
function committedBy(
  view: PoqView,
  ctx: StoreContext,
  id: bigint,
  validator: string,
  address: Uint8Array,
  landing: readonly string[] | undefined,
): boolean {
  return (landing?.includes(validator) ?? false) || view.hasCommitment(ctx, id, address);
}

/**
 * Builds the extension bytes (possibly empty).
 *
 * ExtendVote of height h runs before FinalizeBlock of h: `ctx` is the state after h-1 and
 * `inFlight` is block h's injected commit. The commitments it carries count as recorded when they
 * fall in the request's window, and the commit deadline is taken as it will be after EndBlock of h
 * ({@link commitWindowExtends}), so late commitments go in exactly when the chain will take them.
 *
 * @example
 * const bytes = planVoteExtension(view, ctx, { validator, height: req.height, scores, inFlight });
 */
export function planVoteExtension(view: PoqView, ctx: StoreContext, p: PlanVoteExtensionParams): Uint8Array {
  const params = view.getParams(ctx);
  const maxBytes = p.maxBytes ?? params.maxVoteExtensionBytes;
  const h = p.height;
  const arrival = h + 1n;
  const me = consAddress(p.validator);
  const inFlight = p.inFlightCommitments ?? inFlightCommitments(p.inFlight, params.maxVoteExtensionBytes);
  // bech32 decoding per seat and request adds up; there are only a few validators.
  const addresses = new Map<string, Uint8Array>([[me, p.validator]]);
  const addressOf = (validator: string): Uint8Array => {
    let bytes = addresses.get(validator);
    if (!bytes) addresses.set(validator, (bytes = consAddressBytes(validator)));
    return bytes;
  };
  const ids = [...p.scores.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const candidates: { kind: "reveal" | "commit"; id: bigint; local: LocalScore }[] = [];
  for (const id of ids) {
    const req = p.readRequest ? p.readRequest(id) : view.getRequest(ctx, id);
    if (!req || req.status !== RequestStatus.Scoring) continue;
    const f = factsOf(req, me);
    // An answer of block h-1 gets its committee in EndBlock of h; a validator that already scored it
    // (its scorer does when it is sure to sit) commits now and lands in h+1, inside the window, so
    // the reveals can open a block earlier. Were it not drawn, the chain drops the commitment.
    const drawnThisBlock = req.committee.length === 0 && h === f.respondedHeight + 1n;
    if (!f.onCommittee && !drawnThisBlock) continue;
    let commitDeadline = f.commitDeadline;
    let revealDeadline = f.revealDeadline;
    // Block h's commitments are recorded only inside the window (as applyInjectedCommit does).
    const landing = h > f.respondedHeight && h <= commitDeadline ? inFlight.get(id) : undefined;
    if (commitDeadline === h) {
      let committedPower = 0n;
      for (const seat of req.committee) {
        if (committedBy(view, ctx, id, seat.validator, addressOf(seat.validator), landing))
          committedPower += BigInt(seat.power);
      }
      const state = { height: h, commitDeadline, committeePower: f.committeePower, committedPower };
      if (commitWindowExtends({ ...state, respondedHeight: f.respondedHeight }, params)) {
        commitDeadline += 1n;
        revealDeadline += 1n;
      }
    }
    if (arrival > revealDeadline) continue;
    const committed = committedBy(view, ctx, id, me, p.validator, landing);
    const local = p.scores.get(id) as LocalScore;
    if (!committed) {
      if (arrival <= commitDeadline) candidates.push({ kind: "commit", id, local });
    } else if (
      !view.hasReveal(ctx, id, p.validator) &&
      // The chain's rule (commit-window.ts), with the commitments landing in block h counted as in.
      revealsOpenAt({
        arrival,
        commitDeadline,
        seats: req.committee.map((seat) => seat.validator),
        committedBefore: (seat) => committedBy(view, ctx, id, seat, addressOf(seat), landing),
      })
    ) {
      candidates.push({ kind: "reveal", id, local });
    }
  }
  candidates.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "reveal" ? -1 : 1));
  // The payload is its commitment elements then its reveal elements, each ascending by id, so the
  // largest prefix under the cap is found by adding element lengths, each element encoded once.
  const entries = p.entries ?? createExtensionEntryCache();
  const encoded = candidates.map((c) =>
    c.kind === "reveal" ? entries.reveal(c.id, c.local) : entries.commitment(c.id, c.local, p.validator),
  );
  // The beacon fields end the payload; their bytes are reserved first.
  const beacon = p.beacon
    ? encodeBeaconFields({
        beaconCommitment: p.beacon.commitment,
        ...(p.beacon.reveal ? { beaconReveal: p.beacon.reveal } : {}),
      })
    : new Uint8Array();
  let fits = 0;
  let size = beacon.length;
  while (fits < encoded.length && size + encoded[fits]!.length <= maxBytes) {
    size += encoded[fits]!.length;
    fits++;
  }
  const w = new WireWriter();
  for (let i = 0; i < fits; i++) if (candidates[i]!.kind === "commit") w.raw(encoded[i]!);
  for (let i = 0; i < fits; i++) if (candidates[i]!.kind === "reveal") w.raw(encoded[i]!);
  if (size <= maxBytes) w.raw(beacon);
  return w.finish();
}

/** A request record read by key, with its parsed form reused while the stored bytes are unchanged. */
export interface RequestReadCache {
  read(ctx: StoreContext, id: bigint): RequestRecord | undefined;
  /** Drops every entry whose id is not in `keep` (call after each ExtendVote). */
  retain(keep: ReadonlySet<bigint> | ReadonlyMap<bigint, unknown>): void;
}

/**
 * ExtendVote reads every request this validator scored, at every height; parsing their JSON (prompt
 * and response included) dominated its time. The cache compares the stored bytes, so what it returns
 * is always what the store holds: it changes speed, never the extension.
 *
 * @example
 * const cache = createRequestReadCache((ctx, id) => ctx.store.get(requestKey(id)));
 * planVoteExtension(keeper, ctx, { ...p, readRequest: (id) => cache.read(ctx, id) });
 * cache.retain(p.scores);
 */
export function createRequestReadCache(
  readRaw: (ctx: StoreContext, id: bigint) => Uint8Array | undefined,
): RequestReadCache {
  const entries = new Map<bigint, { raw: Uint8Array; req: RequestRecord }>();
  return {
    read(ctx, id) {
      const raw = readRaw(ctx, id);
      if (!raw) return undefined;
      const hit = entries.get(id);
      if (hit && bytesEqual(hit.raw, raw)) return hit.req; // hit.raw is a private copy
      const req = decodeRequestRecord(raw);
      entries.set(id, { raw: Uint8Array.from(raw), req });
      return req;
    },
    retain(keep) {
      for (const id of entries.keys()) if (!keep.has(id)) entries.delete(id);
    },
  };
}

/** The in-flight commitments of a block's first transaction, kept while the same bytes come back. */
export interface InFlightMemo {
  /** {@link inFlightCommitments} of `tx` when it is an injected commit, else an empty map. */
  read(tx: Uint8Array | undefined, maxBytes: number): ReadonlyMap<bigint, readonly string[]>;
}

/**
 * ExtendVote decodes block h's injected commit (every validator's extension) at each call for
 * height h; the memo keeps the last answer with a copy of the bytes it came from and the byte cap,
 * and answers from it only when both are equal.
 *
 * @example
 * const memo = createInFlightMemo();
 * planVoteExtension(view, ctx, { ...p, inFlightCommitments: memo.read(req.txs[0], maxBytes) });
 */
export function createInFlightMemo(): InFlightMemo {
  let last: { tx: Uint8Array; maxBytes: number; byId: Map<bigint, string[]> } | undefined;
  const none = new Map<bigint, string[]>();
  return {
    read(tx, maxBytes) {
      if (!tx || !isInjectedCommitTx(tx)) return none;
      if (last && last.maxBytes === maxBytes && bytesEqual(last.tx, tx)) return last.byId;
      let commit: ExtendedCommitInfo | undefined;
      try {
        commit = decodeInjectedCommit(tx);
      } catch {
        commit = undefined; // a block with a malformed injected commit is rejected; nothing lands
      }
      last = { tx: Uint8Array.from(tx), maxBytes, byId: inFlightCommitments(commit, maxBytes) };
      return last.byId;
    },
  };
}
