/**
 * The Cosmos SDK's `LegacyDec` (18-decimal fixed point) over `bigint`: a decimal `d` is held as the
 * integer `d × 10^18`. No floats: every rounding is named (truncation, or the SDK's round-half-to-even
 * `chopPrecisionAndRound` of `Mul` and `Quo`), so every node computes the same digits. Shared by the
 * modules that keep SDK decimals (staking, slashing, distribution, gov); each parses its own text forms,
 * with its own errors.
 */

/** 10^18. */
export const DEC_ONE = 10n ** 18n;
const HALF = DEC_ONE / 2n;

/**
 * The SDK's `LegacyDec.String()`: always 18 decimals.
 *
 * @example
 * formatDec(2n * 10n ** 16n); // "0.020000000000000000"
 */
export function formatDec(d: bigint): string {
  const neg = d < 0n;
  const abs = neg ? -d : d;
  return `${neg ? "-" : ""}${abs / DEC_ONE}.${(abs % DEC_ONE).toString().padStart(18, "0")}`;
}

/** Removes 18 decimals with round-half-to-even (the SDK's `chopPrecisionAndRound`). */
function chopRound(n: bigint): bigint {
  if (n < 0n) return -chopRound(-n);
  const q = n / DEC_ONE;
  const r = n % DEC_ONE;
  if (r < HALF) return q;
  if (r > HALF) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

/** `a × b`, banker's rounding (the SDK's `Mul`). */
export const decMul = (a: bigint, b: bigint): bigint => chopRound(a * b);
/** `a × b`, truncated toward zero (the SDK's `MulTruncate`). */
export const decMulTruncate = (a: bigint, b: bigint): bigint => (a * b) / DEC_ONE;
/** `a / b`, banker's rounding (the SDK's `Quo`); `b` must not be 0. */
export const decQuo = (a: bigint, b: bigint): bigint => chopRound((a * DEC_ONE * DEC_ONE) / b);
/**
 * `a / b` rounded up at the 18th decimal when anything remains (the SDK's `QuoRoundUp`: `a × 10^18 / b`
 * truncated, plus one when the remainder has the quotient's sign); `b` must not be 0.
 */
export function decQuoRoundUp(a: bigint, b: bigint): bigint {
  const num = a * DEC_ONE;
  const q = num / b;
  const r = num % b;
  return r !== 0n && r < 0n === b < 0n ? q + 1n : q;
}
/** `a / b`, truncated (the SDK's `QuoTruncate`); `b` must not be 0. */
export const decQuoTruncate = (a: bigint, b: bigint): bigint => (a * DEC_ONE) / b;
/** An integer as a LegacyDec. */
export const decFromInt = (n: bigint): bigint => n * DEC_ONE;
/** The nearest integer, half to even (the SDK's `RoundInt`/`RoundInt64`). */
export const decRoundInt = (a: bigint): bigint => chopRound(a);
/** The integer part, truncated (the SDK's `TruncateInt`). */
export const decTruncateInt = (a: bigint): bigint => a / DEC_ONE;
