/**
 * Decoding and stateless checks of the staking messages (the SDK's `Msg.Validate`, v0.50):
 * unknown fields refused, addresses, amounts, commission rates and description lengths.
 */
import type { Description, CommissionRates } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { ChainError } from "../../errors.js";
import { ErrInvalidAddress, ErrInvalidRequest, ErrTxDecode } from "../../sdk-errors.js";
import { checkFields, WireFormatError, type FieldSchema } from "../../tx/wire.js";
import { parseAccountAddress } from "../auth/address.js";
import { isValidDenom } from "../bank/coins.js";
import { decFromProto } from "./dec.js";
import {
  ErrCommissionChangeRateGTMaxRate,
  ErrCommissionChangeRateNegative,
  ErrCommissionGTMaxRate,
  ErrCommissionHuge,
  ErrCommissionNegative,
  ErrEmptyValidatorAddr,
} from "./errors.js";
import { DEC_SCALE } from "./hooks.js";
import { valoperBytes } from "./records.js";

/** The SDK's marker for "leave this description field as it is" in MsgEditValidator. */
export const DO_NOT_MODIFY = "[do-not-modify]";

/** Decodes with a strict field check first (ErrTxDecode on unknown fields or bad bytes). */
export function strictDecode<T>(
  value: Uint8Array,
  schema: FieldSchema,
  name: string,
  decode: (bytes: Uint8Array) => T,
): T {
  try {
    checkFields(value, schema, name);
    return decode(value);
  } catch (err) {
    if (err instanceof WireFormatError) throw new ChainError(ErrTxDecode, err.message, err);
    throw new ChainError(ErrTxDecode, `malformed ${name}`, err);
  }
}

/** The 20 bytes of a `poqvaloper1...` field, or ErrInvalidAddress / ErrEmptyValidatorAddr. */
export function parseValoper(address: string, field: string): Uint8Array {
  if (address === "")
    throw new ChainError(ErrEmptyValidatorAddr, `${field}: empty address string is not allowed`);
  const bytes = valoperBytes(address);
  if (!bytes) throw new ChainError(ErrInvalidAddress, `${field}: invalid validator address ${address}`);
  return bytes;
}

export { parseAccountAddress };

/** A positive amount of one coin (`amount` of MsgDelegate and friends); ErrInvalidRequest otherwise. */
export function parseBondCoin(
  coin: { denom: string; amount: string } | undefined,
  what: string,
): { denom: string; amount: bigint } {
  if (
    !coin ||
    !isValidDenom(coin.denom) ||
    !/^[0-9]{1,78}$/.test(coin.amount) ||
    BigInt(coin.amount) === 0n
  ) {
    throw new ChainError(ErrInvalidRequest, `invalid ${what} amount`);
  }
  return { denom: coin.denom, amount: BigInt(coin.amount) };
}

/** Parses a LegacyDec protobuf field (integer atomics string). */
export function parseDecField(text: string, field: string): bigint {
  const d = decFromProto(text);
  if (d === undefined)
    throw new ChainError(ErrInvalidRequest, `${field}: ${JSON.stringify(text)} is not a decimal`);
  return d;
}

/** Commission rates (the SDK's `CommissionRates.Validate`). */
export function parseCommission(c: CommissionRates | undefined): {
  rate: bigint;
  maxRate: bigint;
  maxChangeRate: bigint;
} {
  if (!c || (c.rate === "" && c.maxRate === "" && c.maxChangeRate === ""))
    throw new ChainError(ErrInvalidRequest, "empty commission");
  const maxRate = parseDecField(c.maxRate, "commission.max_rate");
  const rate = parseDecField(c.rate, "commission.rate");
  const maxChangeRate = parseDecField(c.maxChangeRate, "commission.max_change_rate");
  if (maxRate < 0n) throw new ChainError(ErrCommissionNegative, "max_rate");
  if (maxRate > DEC_SCALE) throw new ChainError(ErrCommissionHuge, "max_rate");
  if (rate < 0n) throw new ChainError(ErrCommissionNegative, "rate");
  if (rate > maxRate) throw new ChainError(ErrCommissionGTMaxRate, "rate is above max_rate");
  if (maxChangeRate < 0n) throw new ChainError(ErrCommissionChangeRateNegative, "max_change_rate");
  if (maxChangeRate > maxRate)
    throw new ChainError(ErrCommissionChangeRateGTMaxRate, "max_change_rate is above max_rate");
  return { rate, maxRate, maxChangeRate };
}

const LIMITS: [keyof Description, string, number][] = [
  ["moniker", "moniker", 70],
  ["identity", "identity", 3000],
  ["website", "website", 140],
  ["securityContact", "security_contact", 140],
  ["details", "details", 280],
];

/** The SDK's `Description.EnsureLength` (ErrInvalidRequest naming the field). */
export function checkDescription(d: Description): void {
  for (const [k, name, max] of LIMITS) {
    const v = d[k];
    if (v !== DO_NOT_MODIFY && [...v].length > max) {
      throw new ChainError(ErrInvalidRequest, `invalid ${name} length; got: ${[...v].length}, max: ${max}`);
    }
  }
}

/** Whether every description field is empty (the SDK refuses an empty description). */
export const isEmptyDescription = (d: Description | undefined): boolean =>
  !d || LIMITS.every(([k]) => d[k] === "");
