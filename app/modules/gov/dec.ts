/**
 * The SDK's `LegacyDec` without floats: a bigint holding the value times 10^18. Multiplication and
 * division round half to even at the 18th decimal ("banker's rounding"), as `LegacyDec` does.
 */
export const DEC_ONE = 10n ** 18n;
const HALF = DEC_ONE / 2n;

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

/**
 * The SDK's `LegacyDec.String()`: always 18 decimals.
 *
 * @example
 * formatDec(500000000000000000n); // "0.500000000000000000"
 */
export function formatDec(raw: bigint): string {
  const neg = raw < 0n;
  const abs = neg ? -raw : raw;
  return `${neg ? "-" : ""}${abs / DEC_ONE}.${(abs % DEC_ONE).toString().padStart(18, "0")}`;
}

/** Removes 18 decimals with round-half-to-even (the SDK's `chopPrecisionAndRound`). */
function chop(x: bigint): bigint {
  if (x < 0n) return -chop(-x);
  const q = x / DEC_ONE;
  const r = x % DEC_ONE;
  if (r < HALF) return q;
  if (r > HALF) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

/** `a.Mul(b)`. */
export const decMul = (a: bigint, b: bigint): bigint => chop(a * b);
/** `a.MulInt(i)`: exact. */
export const decMulInt = (a: bigint, i: bigint): bigint => a * i;
/** `a.Quo(b)`; b must not be 0. */
export const decQuo = (a: bigint, b: bigint): bigint => chop((a * DEC_ONE * DEC_ONE) / b);
/** `a.TruncateInt()`. */
export const decTruncate = (a: bigint): bigint => a / DEC_ONE;
/** An integer as a decimal. */
export const decFromInt = (i: bigint): bigint => i * DEC_ONE;
