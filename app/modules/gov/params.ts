/**
 * Gov params (`cosmos.gov.v1.Params`, SDK v0.50): defaults, validation (the SDK's
 * `Params.ValidateBasic`) and the JSON form of genesis and the gateway (`"172800s"` durations,
 * 18-decimal strings, coins with string amounts).
 */
import type { Params } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import { BaseError } from "../../errors.js";
import { parseAccountAddress } from "../auth/address.js";
import { isValidDenom } from "../bank/coins.js";
import { DEC_ONE, formatDec, parseDec } from "./dec.js";

export type GovParams = Params;

/** A param set that breaks a rule; the message names the field. */
export class InvalidGovParamsError extends BaseError {
  override name = "InvalidGovParamsError" as const;
}

const NANOS = 1_000_000_000n;

export const durationToNanos = (d: Duration | undefined): bigint =>
  d ? d.seconds * NANOS + BigInt(d.nanos) : 0n;
export const nanosToDuration = (n: bigint): Duration => ({ seconds: n / NANOS, nanos: Number(n % NANOS) });

/** `"172800s"` / `"1.5s"` (the protobuf JSON of a Duration). */
export function durationToJson(d: Duration | undefined): string {
  const n = durationToNanos(d);
  const frac = n % NANOS;
  return frac === 0n
    ? `${n / NANOS}s`
    : `${n / NANOS}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

export function durationFromJson(v: unknown, field: string): Duration {
  const m = typeof v === "string" ? /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(v) : null;
  if (!m) throw new InvalidGovParamsError(`${field} must be a duration such as "172800s"`);
  return { seconds: BigInt(m[1]!), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

/**
 * The SDK's defaults (v0.50) in `denom`: 10 POQ to open voting (50 expedited), two days to deposit
 * and to vote (one day expedited), quorum 33.4%, threshold 50%, veto 33.4%.
 *
 * @example
 * defaultGovParams().votingPeriod; // { seconds: 172800n, nanos: 0 }
 */
export function defaultGovParams(denom = "upoq"): GovParams {
  return {
    minDeposit: [{ denom, amount: "10000000" }],
    maxDepositPeriod: { seconds: 172_800n, nanos: 0 },
    votingPeriod: { seconds: 172_800n, nanos: 0 },
    quorum: "0.334000000000000000",
    threshold: "0.500000000000000000",
    vetoThreshold: "0.334000000000000000",
    minInitialDepositRatio: "0.000000000000000000",
    proposalCancelRatio: "0.500000000000000000",
    proposalCancelDest: "",
    expeditedVotingPeriod: { seconds: 86_400n, nanos: 0 },
    expeditedThreshold: "0.667000000000000000",
    expeditedMinDeposit: [{ denom, amount: "50000000" }],
    burnVoteQuorum: false,
    burnProposalDepositPrevote: false,
    burnVoteVeto: true,
    minDepositRatio: "0.010000000000000000",
  };
}

function checkCoins(coins: readonly { denom: string; amount: string }[], field: string): void {
  if (coins.length === 0) throw new InvalidGovParamsError(`${field} must not be empty`);
  let prev = "";
  for (const c of coins) {
    if (!isValidDenom(c.denom)) throw new InvalidGovParamsError(`${field}: invalid denom ${c.denom}`);
    if (!/^[0-9]+$/.test(c.amount) || BigInt(c.amount) === 0n)
      throw new InvalidGovParamsError(`${field}: ${c.denom} amount must be a positive integer`);
    if (c.denom <= prev) throw new InvalidGovParamsError(`${field}: denoms must be sorted and unique`);
    prev = c.denom;
  }
}

function ratio(text: string, field: string, opts: { positive?: boolean } = {}): bigint {
  const v = parseDec(text);
  if (v === undefined)
    throw new InvalidGovParamsError(`${field} must be a decimal such as "0.5", got "${text}"`);
  if (opts.positive && v === 0n) throw new InvalidGovParamsError(`${field} must be positive: ${text}`);
  if (v > DEC_ONE) throw new InvalidGovParamsError(`${field} too large: ${text}`);
  return v;
}

/** Whether every coin of `need` is covered by `have` (the SDK's `IsAllGTE`). */
export function coversAll(
  have: readonly { denom: string; amount: string | bigint }[],
  need: readonly { denom: string; amount: string | bigint }[],
): boolean {
  return need.every((n) => {
    const h = have.find((c) => c.denom === n.denom);
    return h !== undefined && BigInt(h.amount) >= BigInt(n.amount);
  });
}

/**
 * Throws {@link InvalidGovParamsError} for a param set the SDK refuses.
 *
 * @example
 * validateGovParams(defaultGovParams());
 */
export function validateGovParams(p: GovParams): void {
  checkCoins(p.minDeposit, "min_deposit");
  checkCoins(p.expeditedMinDeposit, "expedited_min_deposit");
  if (coversAll(p.minDeposit, p.expeditedMinDeposit))
    throw new InvalidGovParamsError("expedited_min_deposit must be greater than min_deposit");
  if (durationToNanos(p.maxDepositPeriod) <= 0n)
    throw new InvalidGovParamsError("max_deposit_period must be positive");
  ratio(p.quorum, "quorum");
  const threshold = ratio(p.threshold, "threshold", { positive: true });
  const expedited = ratio(p.expeditedThreshold, "expedited_threshold", { positive: true });
  if (expedited <= threshold)
    throw new InvalidGovParamsError("expedited_threshold must be greater than threshold");
  ratio(p.vetoThreshold, "veto_threshold", { positive: true });
  const voting = durationToNanos(p.votingPeriod);
  if (voting <= 0n) throw new InvalidGovParamsError("voting_period must be positive");
  const expeditedVoting = durationToNanos(p.expeditedVotingPeriod);
  if (expeditedVoting <= 0n) throw new InvalidGovParamsError("expedited_voting_period must be positive");
  if (expeditedVoting >= voting)
    throw new InvalidGovParamsError("expedited_voting_period must be strictly less than voting_period");
  ratio(p.minInitialDepositRatio, "min_initial_deposit_ratio");
  ratio(p.proposalCancelRatio, "proposal_cancel_ratio");
  ratio(p.minDepositRatio, "min_deposit_ratio");
  if (p.proposalCancelDest !== "") {
    try {
      parseAccountAddress(p.proposalCancelDest, "proposal_cancel_dest");
    } catch (cause) {
      throw new InvalidGovParamsError(`proposal_cancel_dest: ${(cause as Error).message}`);
    }
  }
}

/** Decimal strings as the SDK stores them (18 decimals), so equal params have equal bytes. */
export function normalizeGovParams(p: GovParams): GovParams {
  const dec = (s: string): string => formatDec(parseDec(s) ?? 0n);
  return {
    ...p,
    quorum: dec(p.quorum),
    threshold: dec(p.threshold),
    vetoThreshold: dec(p.vetoThreshold),
    minInitialDepositRatio: dec(p.minInitialDepositRatio),
    proposalCancelRatio: dec(p.proposalCancelRatio),
    expeditedThreshold: dec(p.expeditedThreshold),
    minDepositRatio: dec(p.minDepositRatio),
  };
}

const coinsJson = (cs: readonly { denom: string; amount: string }[]) =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount }));

/** The params in the JSON of genesis and of `/cosmos/gov/v1/params`. */
export function govParamsToJson(p: GovParams): Record<string, unknown> {
  return {
    min_deposit: coinsJson(p.minDeposit),
    max_deposit_period: durationToJson(p.maxDepositPeriod),
    voting_period: durationToJson(p.votingPeriod),
    quorum: p.quorum,
    threshold: p.threshold,
    veto_threshold: p.vetoThreshold,
    min_initial_deposit_ratio: p.minInitialDepositRatio,
    proposal_cancel_ratio: p.proposalCancelRatio,
    proposal_cancel_dest: p.proposalCancelDest,
    expedited_voting_period: durationToJson(p.expeditedVotingPeriod),
    expedited_threshold: p.expeditedThreshold,
    expedited_min_deposit: coinsJson(p.expeditedMinDeposit),
    burn_vote_quorum: p.burnVoteQuorum,
    burn_proposal_deposit_prevote: p.burnProposalDepositPrevote,
    burn_vote_veto: p.burnVoteVeto,
    min_deposit_ratio: p.minDepositRatio,
  };
}

const FIELDS = Object.keys(govParamsToJson(defaultGovParams()));

function coinsFromJson(v: unknown, field: string): { denom: string; amount: string }[] {
  if (!Array.isArray(v)) throw new InvalidGovParamsError(`${field} must be an array of coins`);
  return v.map((c: unknown) => {
    const o = (c ?? {}) as Record<string, unknown>;
    if (typeof o["denom"] !== "string" || typeof o["amount"] !== "string")
      throw new InvalidGovParamsError(`${field}: a coin is {"denom": string, "amount": string}`);
    return { denom: o["denom"], amount: o["amount"] };
  });
}

/**
 * Parses genesis/gateway JSON; absent fields take the defaults, unknown fields are an error.
 * Validates and normalizes.
 *
 * @example
 * govParamsFromJson({ voting_period: "60s" });
 */
export function govParamsFromJson(json: Readonly<Record<string, unknown>>, denom = "upoq"): GovParams {
  for (const k of Object.keys(json)) {
    if (!FIELDS.includes(k)) throw new InvalidGovParamsError(`unknown gov param "${k}"`);
  }
  const d = defaultGovParams(denom);
  const str = (k: string, dflt: string): string => {
    const v = json[k];
    if (v === undefined) return dflt;
    if (typeof v !== "string") throw new InvalidGovParamsError(`${k} must be a string`);
    return v;
  };
  const bool = (k: string, dflt: boolean): boolean => {
    const v = json[k];
    if (v === undefined) return dflt;
    if (typeof v !== "boolean") throw new InvalidGovParamsError(`${k} must be true or false`);
    return v;
  };
  const zero: Duration = { seconds: 0n, nanos: 0 };
  const dur = (k: string, dflt: Duration | undefined): Duration =>
    json[k] === undefined ? (dflt ?? zero) : durationFromJson(json[k], k);
  const p: GovParams = {
    minDeposit:
      json["min_deposit"] === undefined ? d.minDeposit : coinsFromJson(json["min_deposit"], "min_deposit"),
    maxDepositPeriod: dur("max_deposit_period", d.maxDepositPeriod),
    votingPeriod: dur("voting_period", d.votingPeriod),
    quorum: str("quorum", d.quorum),
    threshold: str("threshold", d.threshold),
    vetoThreshold: str("veto_threshold", d.vetoThreshold),
    minInitialDepositRatio: str("min_initial_deposit_ratio", d.minInitialDepositRatio),
    proposalCancelRatio: str("proposal_cancel_ratio", d.proposalCancelRatio),
    proposalCancelDest: str("proposal_cancel_dest", d.proposalCancelDest),
    expeditedVotingPeriod: dur("expedited_voting_period", d.expeditedVotingPeriod),
    expeditedThreshold: str("expedited_threshold", d.expeditedThreshold),
    expeditedMinDeposit:
      json["expedited_min_deposit"] === undefined
        ? d.expeditedMinDeposit
        : coinsFromJson(json["expedited_min_deposit"], "expedited_min_deposit"),
    burnVoteQuorum: bool("burn_vote_quorum", d.burnVoteQuorum),
    burnProposalDepositPrevote: bool("burn_proposal_deposit_prevote", d.burnProposalDepositPrevote),
    burnVoteVeto: bool("burn_vote_veto", d.burnVoteVeto),
    minDepositRatio: str("min_deposit_ratio", d.minDepositRatio),
  };
  validateGovParams(p);
  return normalizeGovParams(p);
}
