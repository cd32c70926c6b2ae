/**
 * The `poq` module's parameters: genesis-configurable, queryable, validated once at genesis.
 *
 * Heights and amounts are `bigint`; fractions are integer basis points (10000 = 100%).
 * The default timing is designed for "block with a response -> FINALIZED within 3 blocks"
 * (see the module README, "Timeline").
 */
import { BaseError } from "../../errors.js";

/** Basis points in one whole. */
export const BP = 10000;

export interface PoqParams {
  /** Fee and stake denomination. */
  denom: string;
  /** Validators scoring each response (fewer when fewer are eligible). */
  committeeSize: number;
  /** Blocks after the response block in which commitments may arrive: heights (R, R + commitWindow]. */
  commitWindow: bigint;
  /** Blocks after the commit window in which reveals may arrive: (R + commitWindow, + revealWindow]. */
  revealWindow: bigint;
  /**
   * Blocks by which the commit window may grow: while the committed power of a request's committee
   * is below the quorum at its commit deadline (validators still scoring a burst of responses), the
   * deadline moves one block later, and the reveal deadline with it, at most this many times. 0: never.
   */
  maxCommitExtension: bigint;
  /** Blocks after assignment within which the node must submit its response. */
  responseTimeout: bigint;
  /** Blocks a request may wait without any node serving its model before it expires. */
  requestTtl: bigint;
  /** How many times a request is handed to another node after a missed deadline before it is refunded. */
  maxReassignments: number;
  /** Most independent answers (distinct nodes) one request may ask for (`replicas`). */
  maxReplicas: number;
  /** Revealed committee power, in bp of committee power, that finalizes at once. */
  quorumBp: number;
  /**
   * Fewest reveals that finalize a score (all seats of a smaller committee): no single seat, and no
   * two seats alone, decide a quality (review H1).
   */
  minReveals: number;
  /** Revealed power needed at the reveal deadline; below it the request is UNSCORED. */
  deadlineQuorumBp: number;
  /** Part of the fee for the node, scaled by the consensus quality. */
  nodeShareBp: number;
  /** Part of the fee for the agreeing committee members, by stake. */
  validatorShareBp: number;
  /** A reveal agrees with consensus when |score - consensus| <= this. */
  agreementToleranceBp: number;
  /**
   * Penalty for a missed response deadline, in bp of the request's fee (of the node's share of it):
   * sized to what the node was paid to do, never a share of its whole stake (review C1/H5). The
   * coins go to the `poq_pool` module account, never to the requester, and the node is jailed.
   */
  slashMissedDeadlineBp: number;
  /** Penalty in bp of the fee for a consensus quality below {@link PoqParams.qualityFloorBp}; jails too. */
  slashLowQualityBp: number;
  /** Smallest fee a request may escrow (per answer); every node's `min_fee` is at least this. */
  minRequestFee: bigint;
  /** In-flight limit of a node that registered with `max_in_flight = 0`. */
  defaultMaxInFlight: number;
  /** Highest `max_in_flight` a node may declare. */
  maxInFlightLimit: number;
  /**
   * The node's base share, in bp of its fee part: what it is paid for an answer that ends UNSCORED
   * because too few validators revealed, which is not its fault (review M1).
   */
  nodeBaseShareBp: number;
  /** Quality below which the node is slashed and not paid. */
  qualityFloorBp: number;
  /** Minimum stake (in `denom`) to register a node and to be assigned requests. */
  minNodeStake: bigint;
  /** Blocks between MsgUnregisterNode and the stake's return. */
  unbondingBlocks: bigint;
  maxPromptBytes: number;
  maxResponseBytes: number;
  /** Highest `max_tokens` a request may ask for. */
  maxTokensLimit: number;
  maxModelsPerNode: number;
  maxModelIdBytes: number;
  maxMonikerBytes: number;
  /** Cap on one validator's vote-extension payload, checked in ExtendVote and VerifyVoteExtension. */
  maxVoteExtensionBytes: number;
  /** sha256 (hex) of the evaluator ONNX model file; validators with other files do not score. */
  evaluatorModelSha256: string;
  /** sha256 (hex) of the evaluator tokenizer file. */
  evaluatorTokenizerSha256: string;
  /** Trust of a validator never seen before. */
  trustInitialBp: number;
  /** Trust never goes below this (a validator can always earn its way back). */
  trustFloorBp: number;
  /** Trust never goes above this (no validator is trusted blindly). */
  trustCeilingBp: number;
  /** Fraction of the distance to the ceiling gained by an exact agreement. */
  trustGainBp: number;
  /** Fraction of the distance to the floor lost by a miss or a deviation. */
  trustPenaltyBp: number;
  /** Consecutive misses (no valid reveal) that take a validator out of committees. */
  missesToExclude: number;
  /** Blocks an excluded validator stays out of committees. */
  exclusionBlocks: bigint;
  /**
   * A validator whose trust falls below this (repeated deviation or misses) is out of committees for
   * `exclusionBlocks`, then may earn its way back (0 disables; review M2).
   */
  minCommitteeTrustBp: number;
  /**
   * Blocks a finished request (FINALIZED, EXPIRED, UNSCORED) keeps its prompt and answers in state;
   * then they are pruned (`prune.ts`): the record keeps ids, sha256 of the texts, scores, payouts,
   * status and heights, and the texts are read back from the transactions (CometBFT's tx index).
   */
  requestRetentionBlocks: bigint;
}

/** Devnet defaults. The evaluator pin is empty until the evaluator manifest fills it at genesis. */
export function defaultPoqParams(): PoqParams {
  return {
    denom: "upoq",
    committeeSize: 5,
    commitWindow: 2n,
    revealWindow: 3n,
    maxCommitExtension: 10n,
    responseTimeout: 20n,
    requestTtl: 100n,
    maxReassignments: 2,
    maxReplicas: 5,
    quorumBp: 6666,
    minReveals: 3,
    deadlineQuorumBp: 5000,
    nodeShareBp: 8000,
    validatorShareBp: 2000,
    agreementToleranceBp: 1500,
    slashMissedDeadlineBp: 10000,
    slashLowQualityBp: 5000,
    minRequestFee: 1000n,
    defaultMaxInFlight: 32,
    maxInFlightLimit: 1024,
    nodeBaseShareBp: 5000,
    qualityFloorBp: 2000,
    minNodeStake: 1_000_000n,
    unbondingBlocks: 50n,
    maxPromptBytes: 8192,
    maxResponseBytes: 32768,
    maxTokensLimit: 4096,
    maxModelsPerNode: 16,
    maxModelIdBytes: 128,
    maxMonikerBytes: 64,
    maxVoteExtensionBytes: 65536,
    evaluatorModelSha256: "",
    evaluatorTokenizerSha256: "",
    trustInitialBp: 5000,
    trustFloorBp: 500,
    trustCeilingBp: 9500,
    trustGainBp: 1000,
    trustPenaltyBp: 2500,
    missesToExclude: 3,
    exclusionBlocks: 100n,
    minCommitteeTrustBp: 2000,
    requestRetentionBlocks: 100_000n,
  };
}

/** Thrown when parameters are inconsistent. */
/**
 * Largest `max_vote_extension_bytes`: 1 MiB. The injected commit carries one extension per
 * validator; bounding it against a block's `max_bytes` is the proposal's job (review L2).
 */
export const MAX_VOTE_EXTENSION_BYTES_LIMIT = 1 << 20;

export class InvalidParamsError extends BaseError {
  override name = "InvalidParamsError" as const;
}

const bpFields = [
  "quorumBp",
  "deadlineQuorumBp",
  "nodeShareBp",
  "validatorShareBp",
  "agreementToleranceBp",
  "slashMissedDeadlineBp",
  "slashLowQualityBp",
  "qualityFloorBp",
  "trustInitialBp",
  "trustFloorBp",
  "trustCeilingBp",
  "trustGainBp",
  "trustPenaltyBp",
  "minCommitteeTrustBp",
  "nodeBaseShareBp",
] as const satisfies readonly (keyof PoqParams)[];

const positiveIntFields = [
  "minReveals",
  "defaultMaxInFlight",
  "maxInFlightLimit",
  "committeeSize",
  "maxPromptBytes",
  "maxResponseBytes",
  "maxTokensLimit",
  "maxModelsPerNode",
  "maxModelIdBytes",
  "maxMonikerBytes",
  "maxVoteExtensionBytes",
  "missesToExclude",
  "maxReplicas",
] as const satisfies readonly (keyof PoqParams)[];

const positiveHeightFields = [
  "commitWindow",
  "revealWindow",
  "responseTimeout",
  "requestTtl",
  "unbondingBlocks",
  "exclusionBlocks",
  "requestRetentionBlocks",
] as const satisfies readonly (keyof PoqParams)[];

/**
 * Checks that parameters are usable; throws {@link InvalidParamsError} naming the first bad field.
 *
 * @example
 * validatePoqParams(defaultPoqParams()); // ok
 * validatePoqParams({ ...defaultPoqParams(), quorumBp: 12000 }); // throws
 */
export function validatePoqParams(p: PoqParams): void {
  const fail = (field: string, why: string): never => {
    throw new InvalidParamsError(`invalid poq param ${field}`, { details: why });
  };
  if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.denom)) fail("denom", `"${p.denom}" is not a valid denom`);
  for (const f of bpFields) {
    const v = p[f];
    if (!Number.isSafeInteger(v) || v < 0 || v > BP) fail(f, `${v} is not an integer in 0..${BP}`);
  }
  for (const f of positiveIntFields) {
    const v = p[f];
    if (!Number.isSafeInteger(v) || v <= 0) fail(f, `${v} is not a positive integer`);
  }
  if (!Number.isSafeInteger(p.maxReassignments) || p.maxReassignments < 0) {
    fail("maxReassignments", `${p.maxReassignments} is not a non-negative integer`);
  }
  for (const f of positiveHeightFields) if (p[f] <= 0n) fail(f, `${p[f]} must be at least 1 block`);
  if (p.minNodeStake < 0n) fail("minNodeStake", "must not be negative");
  // A free request costs nodes work and costs the requester nothing (review C1).
  if (p.minRequestFee <= 0n) fail("minRequestFee", "must be positive");
  if (p.defaultMaxInFlight > p.maxInFlightLimit) fail("defaultMaxInFlight", "exceeds maxInFlightLimit");
  if (p.maxCommitExtension < 0n) fail("maxCommitExtension", "must not be negative");
  if (p.nodeShareBp + p.validatorShareBp > BP) fail("nodeShareBp", "node and validator shares exceed 100%");
  if (p.quorumBp === 0) fail("quorumBp", "must be positive");
  if (p.deadlineQuorumBp > p.quorumBp) fail("deadlineQuorumBp", "must not exceed quorumBp");
  // A single revealer would finalize a score at the deadline (review L3).
  if (p.deadlineQuorumBp === 0) fail("deadlineQuorumBp", "must be positive");
  // Two seats cannot outvote one liar, and a score needs a quorum of several (review H1, L3).
  if (p.committeeSize < 3) fail("committeeSize", `${p.committeeSize} seats: a committee needs at least 3`);
  if (p.minReveals > p.committeeSize)
    fail("minReveals", `${p.minReveals} exceeds committeeSize ${p.committeeSize}`);
  // A node must not get its stake back while a request it served can still slash it (review L3).
  const exposure = p.responseTimeout + p.commitWindow + p.maxCommitExtension + p.revealWindow;
  if (p.unbondingBlocks <= exposure) {
    fail(
      "unbondingBlocks",
      `${p.unbondingBlocks} must exceed response_timeout + commit_window + max_commit_extension + reveal_window = ${exposure}`,
    );
  }
  // An extension this large would not fit a block with even a few validators (review L2/L3).
  if (p.maxVoteExtensionBytes > MAX_VOTE_EXTENSION_BYTES_LIMIT) {
    fail("maxVoteExtensionBytes", `${p.maxVoteExtensionBytes} exceeds ${MAX_VOTE_EXTENSION_BYTES_LIMIT}`);
  }
  if (p.trustFloorBp > p.trustCeilingBp) fail("trustFloorBp", "floor above ceiling");
  if (p.trustInitialBp < p.trustFloorBp || p.trustInitialBp > p.trustCeilingBp) {
    fail("trustInitialBp", "must lie between floor and ceiling");
  }
  for (const f of ["evaluatorModelSha256", "evaluatorTokenizerSha256"] as const) {
    if (p[f] !== "" && !/^[0-9a-f]{64}$/.test(p[f])) fail(f, "must be empty or 64 lower-case hex digits");
  }
}
