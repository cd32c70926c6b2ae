/**
 * The SDK's `LegacyDec` (18-decimal fixed point) as a `bigint` of atomics (`d × 10^18`): parsing
 * and printing its two text forms. The arithmetic (and its SDK rounding) is `app/legacy-dec.ts`,
 * shared with slashing, distribution and gov. No floats.
 */
import { DEC_SCALE } from "./hooks.js";

/** The protobuf form of a LegacyDec field: the atomics as an integer string ("100000000000000000" = 0.1). */
export function decFromProto(text: string): bigint | undefined {
  if (!/^-?[0-9]{1,80}$/.test(text)) return undefined;
  return BigInt(text);
}

/** The JSON form ("0.100000000000000000"), exactly 18 decimals, as the SDK prints it. */
export function decToJson(atomics: bigint): string {
  const neg = atomics < 0n;
  const abs = neg ? -atomics : atomics;
  const whole = abs / DEC_SCALE;
  const frac = (abs % DEC_SCALE).toString().padStart(18, "0");
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

/** Parses the JSON/CLI form ("0.1", "1", "0.050000000000000000"); undefined when not a decimal of <= 18 places. */
export function decFromJson(text: string): bigint | undefined {
  const m = /^(-?)([0-9]{1,60})(?:\.([0-9]{1,18}))?$/.exec(text);
  if (!m) return undefined;
  const frac = (m[3] ?? "").padEnd(18, "0");
  const v = BigInt(m[2] ?? "0") * DEC_SCALE + BigInt(frac);
  return m[1] === "-" ? -v : v;
}
