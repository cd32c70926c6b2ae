/**
 * Slashing params (`cosmos.slashing.v1beta1.Params`): the SDK's defaults, JSON form, validation.
 */
import { GenesisError } from "../../errors.js";
import { decFromJson, decToJson } from "../staking/dec.js";
import { DEC_SCALE } from "../staking/hooks.js";
import { durationFromJson, durationToJson } from "../staking/params.js";
import { SLASHING_MODULE } from "./keys.js";

export interface SlashingParams {
  signedBlocksWindow: bigint;
  /** LegacyDec × 10^18. */
  minSignedPerWindow: bigint;
  downtimeJailDurationNanos: bigint;
  /** LegacyDec × 10^18. */
  slashFractionDoubleSign: bigint;
  /** LegacyDec × 10^18. */
  slashFractionDowntime: bigint;
}

export interface SlashingParamsJson {
  signed_blocks_window: string;
  min_signed_per_window: string;
  downtime_jail_duration: string;
  slash_fraction_double_sign: string;
  slash_fraction_downtime: string;
}

/** The SDK's defaults: 100 blocks, 50% signed, 10 minutes in jail, 5% for a double sign, 1% for downtime. */
export function defaultSlashingParams(): SlashingParams {
  return {
    signedBlocksWindow: 100n,
    minSignedPerWindow: DEC_SCALE / 2n,
    downtimeJailDurationNanos: 600n * 1_000_000_000n,
    slashFractionDoubleSign: DEC_SCALE / 20n,
    slashFractionDowntime: DEC_SCALE / 100n,
  };
}

export function slashingParamsToJson(p: SlashingParams): SlashingParamsJson {
  return {
    signed_blocks_window: p.signedBlocksWindow.toString(),
    min_signed_per_window: decToJson(p.minSignedPerWindow),
    downtime_jail_duration: durationToJson(p.downtimeJailDurationNanos),
    slash_fraction_double_sign: decToJson(p.slashFractionDoubleSign),
    slash_fraction_downtime: decToJson(p.slashFractionDowntime),
  };
}

const fail = (field: string, reason: string): never => {
  throw new GenesisError(SLASHING_MODULE, field, reason);
};

/**
 * Parses params JSON (absent fields: defaults; unknown fields refused).
 *
 * @example
 * parseSlashingParamsJson({ signed_blocks_window: "1000" });
 */
export function parseSlashingParamsJson(raw: unknown, field = "params"): SlashingParams {
  const p = defaultSlashingParams();
  if (raw === undefined) return p;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail(field, "must be an object");
  const fraction = (v: unknown, at: string): bigint => {
    const d = typeof v === "string" ? decFromJson(v) : undefined;
    if (d === undefined || d < 0n || d > DEC_SCALE)
      return fail(at, "must be a decimal string between 0 and 1");
    return d;
  };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const at = `${field}.${k}`;
    if (k === "signed_blocks_window") {
      const text = typeof v === "number" ? String(v) : v;
      if (typeof text !== "string" || !/^[1-9][0-9]{0,17}$/.test(text))
        fail(at, "must be a positive integer");
      p.signedBlocksWindow = BigInt(text as string);
    } else if (k === "min_signed_per_window") p.minSignedPerWindow = fraction(v, at);
    else if (k === "downtime_jail_duration") {
      const d = typeof v === "string" ? durationFromJson(v) : undefined;
      p.downtimeJailDurationNanos =
        d !== undefined && d > 0n ? d : fail(at, 'must be a positive duration such as "600s"');
    } else if (k === "slash_fraction_double_sign") p.slashFractionDoubleSign = fraction(v, at);
    else if (k === "slash_fraction_downtime") p.slashFractionDowntime = fraction(v, at);
    else fail(at, "unknown field");
  }
  return p;
}
