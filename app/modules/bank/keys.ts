/**
 * Every key the bank module writes, in one place. The byte layout is documented in README.md
 * (State); change both together.
 */
import { prefixedKey } from "../../store/key-codec.js";

export const BANK_MODULE = "bank";

/** Every bank key starts with this, so bank never collides with another module in one store. */
export const BANK_STORE_PREFIX = new TextEncoder().encode("bank/");

const SUPPLY = 0x00;
const DENOM_METADATA = 0x01;
const BALANCE = 0x02;
const PARAMS = 0x03;

const encoder = new TextEncoder();
const utf8 = (s: string): Uint8Array => encoder.encode(s);

const key = (...parts: (number | Uint8Array)[]): Uint8Array => prefixedKey(BANK_STORE_PREFIX, parts);

/** `bank/ 0x00 | denom` → total supply of the denom, decimal ASCII. */
export const supplyKey = (denom: string): Uint8Array => key(SUPPLY, utf8(denom));
export const supplyPrefix = (): Uint8Array => key(SUPPLY);

/** `bank/ 0x01 | denom` → `cosmos.bank.v1beta1.Metadata` protobuf. */
export const denomMetadataKey = (denom: string): Uint8Array => key(DENOM_METADATA, utf8(denom));
export const denomMetadataPrefix = (): Uint8Array => key(DENOM_METADATA);

/**
 * `bank/ 0x02 | len(addr) | addr | denom` → balance, decimal ASCII (never zero: a zero balance
 * is deleted). The length byte keeps one address's balances a contiguous, unambiguous range.
 */
export const balanceKey = (address: Uint8Array, denom: string): Uint8Array =>
  key(BALANCE, address.length, address, utf8(denom));
/** `bank/ 0x02 | len(addr) | addr` — all balances of one address. */
export const balancesOfPrefix = (address: Uint8Array): Uint8Array => key(BALANCE, address.length, address);
/** `bank/ 0x02` — all balances (export). */
export const balancesPrefix = (): Uint8Array => key(BALANCE);

/** `bank/ 0x03` → the module parameters, canonical JSON. */
export const paramsKey = (): Uint8Array => key(PARAMS);

/** The denom after a fixed prefix (supply and metadata keys). */
export function denomAfter(prefix: Uint8Array, k: Uint8Array): string {
  return new TextDecoder().decode(k.slice(prefix.length));
}

/** Address bytes and denom out of a balance key. */
export function splitBalanceKey(k: Uint8Array): { address: Uint8Array; denom: string } {
  const offset = BANK_STORE_PREFIX.length + 1;
  const len = k[offset] ?? 0;
  return {
    address: k.slice(offset + 1, offset + 1 + len),
    denom: new TextDecoder().decode(k.slice(offset + 1 + len)),
  };
}
