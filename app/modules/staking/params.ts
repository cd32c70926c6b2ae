/**
 * Staking params (`cosmos.staking.v1beta1.Params`): defaults, the JSON form genesis and REST use
 * (snake_case, durations as "1814400s", decs with 18 decimals) and validation.
 */
import { GenesisError } from "../../errors.js";
import { isValidDenom } from "../bank/coins.js";
import { decFromJson, decToJson } from "./dec.js";
import { DEC_SCALE, type StakingParams } from "./hooks.js";
import { STAKING_MODULE } from "./keys.js";

const NANOS_PER_SECOND = 1_000_000_000n;

/** The SDK's defaults, with the chain's bond denom. */
export function defaultStakingParams(): StakingParams {
  return {
    unbondingTimeNanos: 21n * 24n * 3600n * NANOS_PER_SECOND,
    maxValidators: 100,
    maxEntries: 7,
    historicalEntries: 10_000,
    bondDenom: "upoq",
    minCommissionRate: 0n,
  };
}

/** The params' JSON form (as genesis and `GET /cosmos/staking/v1beta1/params` show them). */
export interface StakingParamsJson {
  unbonding_time: string;
  max_validators: number;
  max_entries: number;
  historical_entries: number;
  bond_denom: string;
  min_commission_rate: string;
}

/** A protobuf `Duration` in JSON ("1814400s", "0.5s") from nanoseconds. */
export function durationToJson(nanos: bigint): string {
  const s = nanos / NANOS_PER_SECOND;
  const frac = nanos % NANOS_PER_SECOND;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

/** Parses "1814400s" / "0.5s" into nanoseconds; undefined when malformed. */
export function durationFromJson(text: string): bigint | undefined {
  const m = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(text);
  if (!m) return undefined;
  return BigInt(m[1] ?? "0") * NANOS_PER_SECOND + BigInt((m[2] ?? "").padEnd(9, "0"));
}

export function stakingParamsToJson(p: StakingParams): StakingParamsJson {
  return {
    unbonding_time: durationToJson(p.unbondingTimeNanos),
    max_validators: p.maxValidators,
    max_entries: p.maxEntries,
    historical_entries: p.historicalEntries,
    bond_denom: p.bondDenom,
    min_commission_rate: decToJson(p.minCommissionRate),
  };
}

/** Why these params are invalid, or undefined (the SDK's `Params.Validate`, plus a positive unbonding time). */
export function stakingParamsError(p: StakingParams): string | undefined {
  if (p.unbondingTimeNanos <= 0n) return "unbonding_time must be positive";
  if (!Number.isSafeInteger(p.maxValidators) || p.maxValidators <= 0 || p.maxValidators > 4_294_967_295)
    return "max_validators must be a positive uint32";
  if (!Number.isSafeInteger(p.maxEntries) || p.maxEntries <= 0 || p.maxEntries > 4_294_967_295)
    return "max_entries must be a positive uint32";
  if (
    !Number.isSafeInteger(p.historicalEntries) ||
    p.historicalEntries < 0 ||
    p.historicalEntries > 4_294_967_295
  )
    return "historical_entries must be a uint32";
  if (!isValidDenom(p.bondDenom)) return `bond_denom ${JSON.stringify(p.bondDenom)} is not a valid denom`;
  if (p.minCommissionRate < 0n || p.minCommissionRate > DEC_SCALE)
    return "min_commission_rate must be between 0 and 1";
  return undefined;
}

const fail = (field: string, reason: string): never => {
  throw new GenesisError(STAKING_MODULE, field, reason);
};

/**
 * Parses params JSON; absent fields take the defaults, unknown fields are refused.
 *
 * @example
 * parseStakingParamsJson({ unbonding_time: "60s", max_validators: 10 });
 */
export function parseStakingParamsJson(raw: unknown, field = "params"): StakingParams {
  const p = defaultStakingParams();
  if (raw === undefined) return p;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail(field, "must be an object");
  const r = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const at = `${field}.${k}`;
    switch (k) {
      case "unbonding_time": {
        const n = typeof v === "string" ? durationFromJson(v) : undefined;
        p.unbondingTimeNanos = n ?? fail(at, 'must be a duration such as "1814400s"');
        break;
      }
      case "max_validators":
      case "max_entries":
      case "historical_entries": {
        const n =
          typeof v === "number" ? v : typeof v === "string" && /^[0-9]{1,10}$/.test(v) ? Number(v) : NaN;
        if (!Number.isSafeInteger(n)) fail(at, "must be an integer");
        if (k === "max_validators") p.maxValidators = n;
        else if (k === "max_entries") p.maxEntries = n;
        else p.historicalEntries = n;
        break;
      }
      case "bond_denom":
        p.bondDenom = typeof v === "string" ? v : fail(at, "must be a string");
        break;
      case "min_commission_rate": {
        const d = typeof v === "string" ? decFromJson(v) : undefined;
        p.minCommissionRate = d ?? fail(at, 'must be a decimal string such as "0.05"');
        break;
      }
      default:
        fail(at, "unknown field");
    }
  }
  const why = stakingParamsError(p);
  if (why) fail(field, why);
  return p;
}
