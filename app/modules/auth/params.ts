/**
 * Auth parameters: the Cosmos SDK's five (memo size, signature limit, gas costs) plus this
 * chain's fee floor and gas ceiling, which the SDK keeps in node configuration but which must
 * be consensus state here so that every node accepts the same transactions.
 */

/** A price in `upoq` per unit of gas as an exact ratio (no floats anywhere near consensus). */
export interface GasPrice {
  numerator: bigint;
  denominator: bigint;
}

export interface AuthParams {
  maxMemoCharacters: bigint;
  txSigLimit: bigint;
  txSizeCostPerByte: bigint;
  sigVerifyCostEd25519: bigint;
  sigVerifyCostSecp256k1: bigint;
  /** Minimum fee per unit of gas limit, in `upoq`. */
  minGasPrice: GasPrice;
  /** Largest gas limit a transaction may ask for. */
  maxTxGas: bigint;
}

/** The JSON form used in genesis, in the store and by REST: snake_case, integers as strings. */
export interface AuthParamsJson {
  max_memo_characters: string;
  tx_sig_limit: string;
  tx_size_cost_per_byte: string;
  sig_verify_cost_ed25519: string;
  sig_verify_cost_secp256k1: string;
  /** Decimal string, e.g. "0.025" (upoq per gas). */
  min_gas_price: string;
  max_tx_gas: string;
}

/**
 * Default parameters: the SDK's defaults, 0.025upoq per gas, 50M gas per transaction.
 *
 * @example
 * const params = defaultAuthParams();
 */
export function defaultAuthParams(): AuthParams {
  return {
    maxMemoCharacters: 256n,
    txSigLimit: 7n,
    txSizeCostPerByte: 10n,
    sigVerifyCostEd25519: 590n,
    sigVerifyCostSecp256k1: 1000n,
    minGasPrice: { numerator: 25n, denominator: 1000n },
    maxTxGas: 50_000_000n,
  };
}

const DECIMAL = /^(0|[1-9][0-9]{0,30})(?:\.([0-9]{1,18}))?$/;
const UINT = /^(0|[1-9][0-9]{0,19})$/;

/**
 * Parses a non-negative decimal string into an exact ratio, reduced so that equal prices are
 * stored identically.
 *
 * @example
 * parseGasPrice("0.025"); // { numerator: 1n, denominator: 40n }
 */
export function parseGasPrice(text: string): GasPrice {
  const m = DECIMAL.exec(text);
  if (!m)
    throw new RangeError(
      `min_gas_price must be a non-negative decimal like "0.025", got ${JSON.stringify(text)}`,
    );
  const frac = m[2] ?? "";
  const numerator = BigInt((m[1] ?? "0") + frac);
  const denominator = 10n ** BigInt(frac.length);
  const g = gcd(numerator, denominator);
  return { numerator: numerator / g, denominator: denominator / g };
}

/**
 * Formats a ratio as the shortest exact decimal string (denominators are powers of 2 and 5 only,
 * since they come from {@link parseGasPrice}).
 *
 * @example
 * formatGasPrice({ numerator: 1n, denominator: 40n }); // "0.025"
 */
export function formatGasPrice(price: GasPrice): string {
  let scale = 0;
  let den = price.denominator;
  let num = price.numerator;
  while (den !== 1n && scale < 40) {
    num *= 10n;
    const g = gcd(num, den);
    num /= g;
    den /= g;
    scale++;
  }
  if (den !== 1n) throw new RangeError("gas price has no finite decimal form");
  if (scale === 0) return num.toString();
  const digits = num.toString().padStart(scale + 1, "0");
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, "");
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/**
 * The fee a gas limit requires at a price: ceil(gas × price), in `upoq`.
 *
 * @example
 * requiredFee(200_000n, parseGasPrice("0.025")); // 5000n
 */
export function requiredFee(gasLimit: bigint, price: GasPrice): bigint {
  const product = gasLimit * price.numerator;
  return (product + price.denominator - 1n) / price.denominator;
}

/** Params → their JSON form. Keys are written in one fixed order, so the bytes are canonical. */
export function authParamsToJson(p: AuthParams): AuthParamsJson {
  return {
    max_memo_characters: p.maxMemoCharacters.toString(),
    tx_sig_limit: p.txSigLimit.toString(),
    tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
    sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
    sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString(),
    min_gas_price: formatGasPrice(p.minGasPrice),
    max_tx_gas: p.maxTxGas.toString(),
  };
}

/**
 * Parses and validates the JSON form; throws a RangeError naming the bad field.
 *
 * @example
 * authParamsFromJson(authParamsToJson(defaultAuthParams()));
 */
export function authParamsFromJson(raw: unknown): AuthParams {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new RangeError("auth params must be an object");
  }
  const obj = raw as Record<string, unknown>;
  const uint = (field: keyof AuthParamsJson, min: bigint): bigint => {
    const v = obj[field];
    if (typeof v !== "string" || !UINT.test(v)) {
      throw new RangeError(
        `auth params: ${field} must be an unsigned integer string, got ${JSON.stringify(v)}`,
      );
    }
    const n = BigInt(v);
    if (n < min) throw new RangeError(`auth params: ${field} must be at least ${min}, got ${n}`);
    if (n >= 2n ** 64n) throw new RangeError(`auth params: ${field} does not fit in 64 bits`);
    return n;
  };
  const known = new Set<string>(Object.keys(authParamsToJson(defaultAuthParams())));
  for (const k of Object.keys(obj)) {
    if (!known.has(k)) throw new RangeError(`auth params: unknown field ${JSON.stringify(k)}`);
  }
  const maxMemoCharacters = uint("max_memo_characters", 1n);
  const txSigLimit = uint("tx_sig_limit", 1n);
  const txSizeCostPerByte = uint("tx_size_cost_per_byte", 1n);
  const sigVerifyCostEd25519 = uint("sig_verify_cost_ed25519", 1n);
  const sigVerifyCostSecp256k1 = uint("sig_verify_cost_secp256k1", 1n);
  const price = obj["min_gas_price"];
  if (typeof price !== "string") throw new RangeError("auth params: min_gas_price must be a decimal string");
  return {
    maxMemoCharacters,
    txSigLimit,
    txSizeCostPerByte,
    sigVerifyCostEd25519,
    sigVerifyCostSecp256k1,
    minGasPrice: parseGasPrice(price),
    maxTxGas: uint("max_tx_gas", 1n),
  };
}
