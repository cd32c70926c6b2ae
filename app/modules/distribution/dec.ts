/**
 * The SDK's `LegacyDec` (18-decimal fixed point) and `DecCoins` over `bigint`: a decimal `d` is held
 * as the integer `d × 10^18`. No floats: every rounding is named (the arithmetic is in
 * `app/legacy-dec.ts`), so every node computes the same digits.
 */
import { ChainError } from "../../errors.js";
import { ErrInvalidCoins } from "../../sdk-errors.js";
import type { Coin } from "../bank/coins.js";
import { DEC_ONE, decFromInt, decMul, decMulTruncate, decQuoTruncate, formatDec } from "../../legacy-dec.js";

export {
  DEC_ONE,
  decFromInt,
  decMul,
  decMulTruncate,
  decQuo,
  decQuoTruncate,
  formatDec,
} from "../../legacy-dec.js";

const PRECISION = 18;
const DEC_TEXT = /^[0-9]+(\.[0-9]{1,18})?$/;

/** A coin whose amount is a LegacyDec (× 10^18). */
export interface DecCoin {
  denom: string;
  amount: bigint;
}

/**
 * Parses `"0.02"` (up to 18 decimals, no sign) into 2 × 10^16; throws ErrInvalidCoins naming `field`.
 *
 * @example
 * parseDec("0.5", "community_tax"); // 500000000000000000n
 */
export function parseDec(text: string, field: string): bigint {
  if (!DEC_TEXT.test(text)) {
    throw new ChainError(ErrInvalidCoins, `${field}: invalid decimal ${JSON.stringify(text)}`);
  }
  const [whole = "0", frac = ""] = text.split(".");
  return BigInt(whole) * DEC_ONE + BigInt(frac.padEnd(PRECISION, "0"));
}

/** Drops zero amounts and sorts by denom (DecCoins are kept in this canonical form). */
function canonical(coins: Iterable<DecCoin>): DecCoin[] {
  const out = [...coins].filter((c) => c.amount !== 0n);
  out.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return out;
}

function combine(a: readonly DecCoin[], b: readonly DecCoin[], sign: 1n | -1n): DecCoin[] {
  const sums = new Map<string, bigint>();
  for (const c of a) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
  for (const c of b) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + sign * c.amount);
  // canonical() sorts by denom, so the Map's insertion order never reaches the result.
  return canonical([...sums].map(([denom, amount]) => ({ denom, amount })));
}

/**
 * DecCoins arithmetic, in canonical form (sorted by denom, no zeros).
 *
 * @example
 * decCoins.add([{ denom: "upoq", amount: 1n }], [{ denom: "upoq", amount: 2n }]); // [{ denom: "upoq", amount: 3n }]
 */
export const decCoins = {
  add: (a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] => combine(a, b, 1n),
  /** `a - b`; a negative result is a broken invariant and throws. */
  sub(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
    const out = combine(a, b, -1n);
    const neg = out.find((c) => c.amount < 0n);
    if (neg) throw new Error(`negative DecCoins amount ${formatDec(neg.amount)}${neg.denom}`);
    return out;
  },
  mulDec: (a: readonly DecCoin[], d: bigint): DecCoin[] =>
    canonical(a.map((c) => ({ denom: c.denom, amount: decMul(c.amount, d) }))),
  mulDecTruncate: (a: readonly DecCoin[], d: bigint): DecCoin[] =>
    canonical(a.map((c) => ({ denom: c.denom, amount: decMulTruncate(c.amount, d) }))),
  quoDecTruncate: (a: readonly DecCoin[], d: bigint): DecCoin[] =>
    canonical(a.map((c) => ({ denom: c.denom, amount: decQuoTruncate(c.amount, d) }))),
  /** Per denom the smaller amount (the SDK's `Intersect`): denoms missing in `b` drop out. */
  intersect(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
    const other = new Map(b.map((c) => [c.denom, c.amount]));
    return canonical(
      a.map((c) => {
        const o = other.get(c.denom) ?? 0n;
        return { denom: c.denom, amount: c.amount < o ? c.amount : o };
      }),
    );
  },
  /** Whole coins and the decimal change (the SDK's `TruncateDecimal`). */
  truncate(a: readonly DecCoin[]): { coins: Coin[]; change: DecCoin[] } {
    const coins: Coin[] = [];
    const change: DecCoin[] = [];
    for (const c of canonical(a)) {
      const whole = c.amount / DEC_ONE;
      if (whole > 0n) coins.push({ denom: c.denom, amount: whole });
      const rest = c.amount - whole * DEC_ONE;
      if (rest !== 0n) change.push({ denom: c.denom, amount: rest });
    }
    return { coins, change };
  },
  fromCoins: (coins: readonly Coin[]): DecCoin[] =>
    canonical(coins.map((c) => ({ denom: c.denom, amount: decFromInt(c.amount) }))),
  isZero: (a: readonly DecCoin[]): boolean => a.every((c) => c.amount === 0n),
  /** The SDK's string form: `1.500000000000000000upoq`, comma separated. */
  toString: (a: readonly DecCoin[]): string => a.map((c) => `${formatDec(c.amount)}${c.denom}`).join(","),
  /** Protobuf form: the amount is the LegacyDec's integer (× 10^18) in decimal, as gogoproto writes it. */
  toProto: (a: readonly DecCoin[]): { denom: string; amount: string }[] =>
    a.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
  fromProto: (a: readonly { denom: string; amount: string }[]): DecCoin[] =>
    canonical(a.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }))),
  /** REST JSON form: 18-decimal strings. */
  toJson: (a: readonly DecCoin[]): { denom: string; amount: string }[] =>
    a.map((c) => ({ denom: c.denom, amount: formatDec(c.amount) })),
};
