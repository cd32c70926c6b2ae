/**
 * Coins: a denom and a non-negative integer amount (bigint), and lists of them ("Coins") that are
 * sorted by denom with each denom once, as the SDK's `sdk.Coins`.
 */
import { ChainError } from "../../errors.js";
import { ErrInvalidCoins } from "../../sdk-errors.js";

export interface Coin {
  denom: string;
  amount: bigint;
}

/** The chain's base denom (SPEC section 2): fees, stakes and escrow are in it. */
export const BASE_DENOM = "upoq";

/** The SDK's denom rule: a letter, then 2..127 of letters, digits, `/ : . _ -`. */
const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const AMOUNT = /^[0-9]+$/;
/** The SDK's `math.Int` is capped at 256 bits; so are we. */
const MAX_AMOUNT = 2n ** 256n - 1n;

/**
 * Whether a denom is well formed.
 *
 * @example
 * isValidDenom("upoq"); // true
 */
export function isValidDenom(denom: string): boolean {
  return DENOM.test(denom);
}

/**
 * Parses an amount string (digits only: no sign, no decimals) into a bigint; throws
 * ErrInvalidCoins saying what is wrong.
 *
 * @example
 * parseAmount("1000", "amount"); // 1000n
 */
export function parseAmount(text: string, field: string): bigint {
  if (!AMOUNT.test(text)) {
    throw new ChainError(
      ErrInvalidCoins,
      `${field}: amount must be a non-negative integer, got ${JSON.stringify(text)}`,
    );
  }
  const value = BigInt(text);
  if (value > MAX_AMOUNT) throw new ChainError(ErrInvalidCoins, `${field}: amount is larger than 2^256-1`);
  return value;
}

/**
 * Renders coins the SDK way: `10upoq,5uatom` (empty string for none).
 *
 * @example
 * coinsToString([{ denom: "upoq", amount: 10n }]); // "10upoq"
 */
export function coinsToString(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

/**
 * Checks that coins are valid for a transfer: every denom well formed, every amount positive,
 * sorted by denom, no denom twice. Throws ErrInvalidCoins.
 *
 * @example
 * validatePositiveCoins([{ denom: "upoq", amount: 1n }], "amount");
 */
export function validatePositiveCoins(coins: readonly Coin[], field: string): void {
  let previous: string | undefined;
  for (const coin of coins) {
    if (!isValidDenom(coin.denom)) {
      throw new ChainError(ErrInvalidCoins, `${field}: invalid denom ${JSON.stringify(coin.denom)}`);
    }
    if (coin.amount <= 0n) {
      throw new ChainError(
        ErrInvalidCoins,
        `${field}: amount of ${coin.denom} must be positive, got ${coin.amount}`,
      );
    }
    if (previous !== undefined) {
      if (coin.denom === previous)
        throw new ChainError(ErrInvalidCoins, `${field}: duplicate denom ${coin.denom}`);
      if (coin.denom < previous) {
        throw new ChainError(
          ErrInvalidCoins,
          `${field}: coins are not sorted by denom (${previous} before ${coin.denom})`,
        );
      }
    }
    previous = coin.denom;
  }
}

/**
 * Converts protobuf coins (`{denom, amount: string}`) into validated coins; throws ErrInvalidCoins.
 * `allowEmpty` accepts an empty list (fees may be zero); transfers pass false.
 *
 * @example
 * coinsFromProto([{ denom: "upoq", amount: "5" }], "amount", false);
 */
export function coinsFromProto(
  coins: readonly { denom: string; amount: string }[],
  field: string,
  allowEmpty: boolean,
): Coin[] {
  if (coins.length === 0 && !allowEmpty) throw new ChainError(ErrInvalidCoins, `${field}: no coins given`);
  const parsed = coins.map((c) => ({ denom: c.denom, amount: parseAmount(c.amount, `${field} ${c.denom}`) }));
  validatePositiveCoins(parsed, field);
  return parsed;
}

/**
 * Coins → protobuf coins.
 *
 * @example
 * coinsToProto([{ denom: "upoq", amount: 5n }]); // [{ denom: "upoq", amount: "5" }]
 */
export function coinsToProto(coins: readonly Coin[]): { denom: string; amount: string }[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}
