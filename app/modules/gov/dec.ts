/**
 * The SDK's `LegacyDec` without floats: a bigint holding the value times 10^18 (arithmetic in
 * `app/legacy-dec.ts`, shared with distribution); this file parses gov's text form.
 */
import { DEC_ONE, decTruncateInt } from "../../legacy-dec.js";

export { DEC_ONE, decFromInt, decMul, decQuo, formatDec } from "../../legacy-dec.js";

const DEC = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$/;

/**
 * Parses a decimal string such as `"0.334"` or `"0.334000000000000000"` (non-negative, at most 18
 * decimals); undefined when malformed.
 *
 * @example
 * parseDec("0.5"); // 500000000000000000n
 */
export function parseDec(text: string): bigint | undefined {
  const m = DEC.exec(text);
  if (!m) return undefined;
  return BigInt(m[1]!) * DEC_ONE + BigInt((m[2] ?? "").padEnd(18, "0"));
}

/** `a.MulInt(i)`: exact. */
export const decMulInt = (a: bigint, i: bigint): bigint => a * i;
/** `a.TruncateInt()`. */
export const decTruncate = decTruncateInt;
