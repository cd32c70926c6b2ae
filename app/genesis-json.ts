/**
 * Reading a module's exported genesis JSON (staking, slashing, distribution, gov): small typed readers
 * that name the field in their {@link GenesisError} (`invalid genesis app_state.staking.validators[2].tokens:
 * must be a non-negative integer string, got "-1"`), and the RFC 3339 times the SDK's JSON uses.
 * Deterministic: no clock, no floats.
 */
import { GenesisError } from "./errors.js";
import { bech32Decode } from "./modules/auth/bech32.js";
import { BECH32_PREFIX } from "./modules/auth/address.js";
import { isValidDenom } from "./modules/bank/coins.js";
import { decFromJson } from "./modules/staking/dec.js";

export type JsonObject = Record<string, unknown>;

const DAYS_BEFORE_EPOCH = 719_468n;
const NANOS = 1_000_000_000n;

/**
 * Nanoseconds since the epoch of an RFC 3339 UTC time as the SDK prints one
 * (`2023-11-14T22:13:20.5Z`); undefined when malformed. The inverse of `rfc3339` (staking/events.ts).
 *
 * @example
 * parseRfc3339("1970-01-01T00:00:01.5Z"); // 1_500_000_000n
 */
export function parseRfc3339(text: string): bigint | undefined {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z$/.exec(
    text,
  );
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((x) => BigInt(x ?? "0")) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  if (month < 1n || month > 12n || day < 1n || day > 31n || hour > 23n || minute > 59n || second > 59n)
    return undefined;
  // Howard Hinnant's days-from-civil (the inverse of rfc3339's civil-from-days).
  const y = month <= 2n ? year - 1n : year;
  const era = y / 400n;
  const yoe = y - era * 400n;
  const mp = month > 2n ? month - 3n : month + 9n;
  const doy = (153n * mp + 2n) / 5n + day - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  const days = era * 146_097n + doe - DAYS_BEFORE_EPOCH;
  if (days < 0n) return undefined;
  const frac = BigInt((m[7] ?? "").padEnd(9, "0"));
  return (days * 86_400n + hour * 3600n + minute * 60n + second) * NANOS + frac;
}

/**
 * Typed reads of one module's section; every failure is a {@link GenesisError} naming `module.field`.
 *
 * @example
 * const r = new GenesisReader("staking");
 * const tokens = r.uint(v.tokens, "validators[0].tokens");
 */
export class GenesisReader {
  constructor(readonly module: string) {}

  fail(field: string, reason: string): never {
    throw new GenesisError(this.module, field, reason);
  }

  /** An object whose keys are all in `known` (when given). */
  obj(v: unknown, field: string, known?: readonly string[]): JsonObject {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return this.fail(field, "must be an object");
    if (known)
      for (const k of Object.keys(v))
        if (!known.includes(k)) this.fail(field === "" ? k : `${field}.${k}`, "unknown field");
    return v as JsonObject;
  }

  /** An array (absent or null: empty). */
  list(v: unknown, field: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(field, "must be an array");
    return v;
  }

  str(v: unknown, field: string): string {
    return typeof v === "string" ? v : this.fail(field, "must be a string");
  }

  bool(v: unknown, field: string): boolean {
    return typeof v === "boolean" ? v : this.fail(field, "must be true or false");
  }

  /** A non-negative integer string below 2^`bits` (a JSON number is accepted when `numbers`). */
  uint(v: unknown, field: string, bits = 256, numbers = false): bigint {
    const text = numbers && typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
    if (
      typeof text !== "string" ||
      !/^(0|[1-9][0-9]{0,77})$/.test(text) ||
      BigInt(text) >= 2n ** BigInt(bits)
    )
      return this.fail(field, `must be a non-negative integer string, got ${JSON.stringify(v)}`);
    return BigInt(text);
  }

  /** A LegacyDec in its JSON form ("0.100000000000000000"), non-negative; returns its × 10^18 atomics. */
  dec(v: unknown, field: string): bigint {
    const d = typeof v === "string" ? decFromJson(v) : undefined;
    if (d === undefined || d < 0n)
      return this.fail(field, `must be a non-negative decimal string, got ${JSON.stringify(v)}`);
    return d;
  }

  /** An RFC 3339 UTC time → nanoseconds since the epoch. */
  time(v: unknown, field: string): bigint {
    const t = typeof v === "string" ? parseRfc3339(v) : undefined;
    return (
      t ??
      this.fail(
        field,
        `must be an RFC 3339 UTC time such as "2024-01-01T00:00:00Z", got ${JSON.stringify(v)}`,
      )
    );
  }

  /** 20 address bytes of a bech32 address with `prefix` (`poq`, `poqvaloper`, `poqvalcons`). */
  address(v: unknown, field: string, prefix: string = BECH32_PREFIX.account): Uint8Array {
    if (typeof v === "string") {
      try {
        const d = bech32Decode(v);
        if (d.prefix === prefix && d.data.length === 20) return Uint8Array.from(d.data);
      } catch {
        // reported below
      }
    }
    return this.fail(field, `must be a ${prefix}1... address, got ${JSON.stringify(v)}`);
  }

  /** `[{denom, amount}]` with valid, distinct denoms and amounts read by `amount`. */
  coinList<T>(
    v: unknown,
    field: string,
    amount: (a: unknown, at: string) => T,
  ): { denom: string; amount: T }[] {
    const seen = new Set<string>();
    return this.list(v, field).map((c, i) => {
      const at = `${field}[${i}]`;
      const o = this.obj(c, at, ["denom", "amount"]);
      const denom = this.str(o.denom, `${at}.denom`);
      if (!isValidDenom(denom)) this.fail(`${at}.denom`, `invalid denom ${JSON.stringify(denom)}`);
      if (seen.has(denom)) this.fail(`${at}.denom`, `duplicate denom ${denom}`);
      seen.add(denom);
      return { denom, amount: amount(o.amount, `${at}.amount`) };
    });
  }
}

/** Whether two byte arrays are equal. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Hex of bytes (map keys). */
export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex");
