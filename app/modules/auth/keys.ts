/**
 * Every key the auth module writes, in one place. The byte layout is documented in README.md
 * (State); change both together.
 */
import { prefixedKey } from "../../store/key-codec.js";

/** Module name; also its namespace in the shared store. */
export const AUTH_MODULE = "auth";

/** Every auth key starts with this, so auth never collides with another module in one store. */
export const AUTH_STORE_PREFIX = new TextEncoder().encode("auth/");

const ACCOUNT_PREFIX = 0x01;
const GLOBAL_ACCOUNT_NUMBER = 0x02;
const PARAMS = 0x03;

const key = (...parts: (number | Uint8Array)[]): Uint8Array => prefixedKey(AUTH_STORE_PREFIX, parts);

/** `auth/ 0x01` — the prefix of all accounts, for iteration (export). */
export const accountsPrefix = (): Uint8Array => key(ACCOUNT_PREFIX);

/**
 * `auth/ 0x01 | len(addr) | addr` → `google.protobuf.Any` of the account.
 * The length byte keeps 20- and 32-byte addresses from being prefixes of each other.
 */
export function accountKey(address: Uint8Array): Uint8Array {
  return key(ACCOUNT_PREFIX, address.length, address);
}

/** `auth/ 0x02` → the next account number, 8 bytes big-endian. */
export const globalAccountNumberKey = (): Uint8Array => key(GLOBAL_ACCOUNT_NUMBER);

/** `auth/ 0x03` → the module parameters, canonical JSON. */
export const paramsKey = (): Uint8Array => key(PARAMS);

/** Address bytes back out of an account key (for iteration). */
export function addressFromAccountKey(k: Uint8Array): Uint8Array {
  const offset = AUTH_STORE_PREFIX.length + 1;
  const len = k[offset] ?? 0;
  return k.slice(offset + 1, offset + 1 + len);
}
