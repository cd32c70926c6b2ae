/**
 * The SDK's `LegacyDec` (18-decimal fixed point) as a `bigint` of atomics (`d × 10^18`): parsing
 * and printing its two text forms, and the rounding the staking rules use. No floats.
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

/** `a × b` of two decs, truncated (the SDK's `MulTruncate`). */
export const decMulTruncate = (a: bigint, b: bigint): bigint => (a * b) / DEC_SCALE;

/** `a / b` of two decs, rounded half away from zero at the 18th place (the SDK's `Quo`); b > 0. */
export function decQuo(a: bigint, b: bigint): bigint {
  const num = a * DEC_SCALE;
  const q = num / b;
  const r = num % b;
  return 2n * (r < 0n ? -r : r) >= b ? q + (num < 0n ? -1n : 1n) : q;
}

/** Integer part of a dec (the SDK's `TruncateInt`). */
export const decTruncateInt = (a: bigint): bigint => a / DEC_SCALE;
