/**
 * Auth genesis: parameters and accounts, in the SDK's JSON layout (accounts as JSON `Any`s).
 *
 * ```json
 * "auth": {
 *   "params": { "max_memo_characters": "256", ..., "min_gas_price": "0.025", "max_tx_gas": "50000000" },
 *   "accounts": [{ "@type": "/cosmos.auth.v1beta1.BaseAccount", "address": "poq1...",
 *                  "pub_key": null, "account_number": "0", "sequence": "0" }]
 * }
 * ```
 */
import { GenesisError } from "../../errors.js";
import type { Context } from "../../types.js";
import {
  type Account,
  BASE_ACCOUNT_TYPE_URL,
  MODULE_ACCOUNT_TYPE_URL,
  SECP256K1_PUBKEY_TYPE_URL,
} from "./account.js";
import { accountAddressFromPubKey, formatAccountAddress, parseAccountAddress } from "./address.js";
import type { AccountKeeper } from "./keeper.js";
import { AUTH_MODULE } from "./keys.js";
import { type AuthParams, authParamsFromJson, authParamsToJson, defaultAuthParams } from "./params.js";

export interface AuthGenesis {
  params: AuthParams;
  accounts: Account[];
}

const fail = (field: string, reason: string): never => {
  throw new GenesisError(AUTH_MODULE, field, reason);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The default section: default parameters, no accounts.
 *
 * @example
 * defaultAuthGenesisJson().params.min_gas_price; // "0.025"
 */
export function defaultAuthGenesisJson() {
  return { params: authParamsToJson(defaultAuthParams()), accounts: [] as unknown[] };
}

function uint(raw: unknown, field: string): bigint {
  if (typeof raw !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(raw) || BigInt(raw) >= 2n ** 64n) {
    return fail(field, `must be an unsigned 64-bit integer string, got ${JSON.stringify(raw)}`);
  }
  return BigInt(raw);
}

function parsePubKey(raw: unknown, field: string): Uint8Array | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (!isObject(raw) || raw["@type"] !== SECP256K1_PUBKEY_TYPE_URL || typeof raw["key"] !== "string") {
    return fail(field, `must be null or {"@type": "${SECP256K1_PUBKEY_TYPE_URL}", "key": "<base64>"}`);
  }
  const key = new Uint8Array(Buffer.from(raw["key"], "base64"));
  if (key.length !== 33)
    fail(`${field}.key`, `must be a 33-byte compressed secp256k1 key, got ${key.length} bytes`);
  return key;
}

function parseBase(raw: unknown, field: string): Account {
  if (!isObject(raw)) return fail(field, "must be an object");
  let address: string;
  try {
    address = formatAccountAddress(parseAccountAddress(String(raw["address"] ?? ""), "address"));
  } catch (err) {
    return fail(`${field}.address`, (err as Error).message);
  }
  const pubKey = parsePubKey(raw["pub_key"], `${field}.pub_key`);
  if (pubKey && accountAddressFromPubKey(pubKey) !== address) {
    fail(`${field}.pub_key`, `does not belong to ${address}`);
  }
  return {
    address,
    pubKey,
    accountNumber: uint(raw["account_number"] ?? "0", `${field}.account_number`),
    sequence: uint(raw["sequence"] ?? "0", `${field}.sequence`),
  };
}

function parseAccount(raw: unknown, field: string): Account {
  if (!isObject(raw)) return fail(field, "must be an object");
  const type = raw["@type"] ?? BASE_ACCOUNT_TYPE_URL;
  if (type === BASE_ACCOUNT_TYPE_URL) return parseBase(raw, field);
  if (type === MODULE_ACCOUNT_TYPE_URL) {
    const name = raw["name"];
    const perms = raw["permissions"] ?? [];
    if (typeof name !== "string" || name === "") return fail(`${field}.name`, "must be a non-empty string");
    if (!Array.isArray(perms) || !perms.every((p) => typeof p === "string")) {
      return fail(`${field}.permissions`, "must be an array of strings");
    }
    return {
      ...parseBase(raw["base_account"], `${field}.base_account`),
      module: { name, permissions: perms },
    };
  }
  return fail(`${field}.@type`, `unknown account type ${JSON.stringify(type)}`);
}

/**
 * Validates and parses the `auth` section (absent means the default): addresses, duplicates,
 * account numbers, public keys.
 *
 * @example
 * const genesis = parseAuthGenesis({ accounts: [{ address: "poq1...", account_number: "0", sequence: "0" }] });
 */
export function parseAuthGenesis(raw: unknown): AuthGenesis {
  const section = raw ?? defaultAuthGenesisJson();
  if (!isObject(section)) return fail("", "must be an object");
  for (const k of Object.keys(section)) if (k !== "params" && k !== "accounts") fail(k, "unknown field");
  let params: AuthParams;
  try {
    params = section["params"] === undefined ? defaultAuthParams() : authParamsFromJson(section["params"]);
  } catch (err) {
    return fail("params", (err as Error).message);
  }
  const list = section["accounts"] ?? [];
  if (!Array.isArray(list)) return fail("accounts", "must be an array");
  const accounts = list.map((a: unknown, i) => parseAccount(a, `accounts[${i}]`));
  const addresses = new Set<string>();
  const numbers = new Set<bigint>();
  accounts.forEach((a, i) => {
    if (addresses.has(a.address)) fail(`accounts[${i}].address`, `duplicate account ${a.address}`);
    if (numbers.has(a.accountNumber))
      fail(`accounts[${i}].account_number`, `duplicate account number ${a.accountNumber}`);
    addresses.add(a.address);
    numbers.add(a.accountNumber);
  });
  return { params, accounts };
}

/**
 * Writes parameters and accounts, sets the next account number past the largest given, and
 * creates the registered module accounts that genesis did not list (in name order).
 *
 * @example
 * initAuthGenesis(ctx, keeper, parseAuthGenesis(raw));
 */
export function initAuthGenesis(ctx: Context, keeper: AccountKeeper, genesis: AuthGenesis): void {
  keeper.setParams(ctx, genesis.params);
  let next = keeper.peekAccountNumber(ctx);
  for (const account of genesis.accounts) {
    keeper.setAccount(ctx, account);
    if (account.accountNumber >= next) next = account.accountNumber + 1n;
  }
  keeper.setNextAccountNumber(ctx, next);
  for (const name of keeper.moduleAccountNames()) keeper.ensureModuleAccount(ctx, name);
}

function accountToJson(a: Account) {
  const base = {
    address: a.address,
    pub_key: a.pubKey
      ? { "@type": SECP256K1_PUBKEY_TYPE_URL, key: Buffer.from(a.pubKey).toString("base64") }
      : null,
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
  };
  if (!a.module) return { "@type": BASE_ACCOUNT_TYPE_URL, ...base };
  return {
    "@type": MODULE_ACCOUNT_TYPE_URL,
    base_account: base,
    name: a.module.name,
    permissions: a.module.permissions,
  };
}

/**
 * The section as it would be written to a genesis file (accounts in store order).
 *
 * @example
 * const json = exportAuthGenesis(ctx, keeper);
 */
export function exportAuthGenesis(ctx: Context, keeper: AccountKeeper) {
  return {
    params: authParamsToJson(keeper.getParams(ctx)),
    accounts: [...keeper.accounts(ctx)].map(accountToJson),
  };
}
