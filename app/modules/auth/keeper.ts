/**
 * The auth keeper: accounts, the global account number, module accounts and parameters.
 * Other modules receive the read-only {@link AccountView} unless they must create accounts.
 */
import { Any } from "cosmjs-types/google/protobuf/any";
import { ChainError } from "../../errors.js";
import { ErrUnknownAddress } from "../../sdk-errors.js";
import type { Context } from "../../types.js";
import { type Account, accountFromAny, accountToAny } from "./account.js";
import { formatAccountAddress, moduleAddress, parseAccountAddress } from "./address.js";
import {
  accountKey,
  accountsPrefix,
  addressFromAccountKey,
  globalAccountNumberKey,
  paramsKey,
} from "./keys.js";
import { createLastBytesMemo } from "../../store/memo.js";
import { type AuthParams, authParamsFromJson, authParamsToJson, defaultAuthParams } from "./params.js";

/** The part of a context the keepers read: the store only. Any {@link Context} qualifies. */
export type StoreContext = Pick<Context, "store">;

/** Module account that receives transaction fees. */
export const FEE_COLLECTOR = "fee_collector";

/** Read-only access to accounts and parameters. */
export interface AccountView {
  getAccount(ctx: StoreContext, address: string): Account | undefined;
  hasAccount(ctx: StoreContext, address: string): boolean;
  getParams(ctx: StoreContext): AuthParams;
  /** All accounts, ascending by address bytes. */
  accounts(ctx: StoreContext): Iterable<Account>;
  /** Address of a module account (registered or not): first 20 bytes of sha256(name). */
  moduleAddress(name: string): string;
  /** Registered module account names, sorted. */
  moduleAccountNames(): string[];
  /** The module name whose account has this address, if any (such addresses cannot receive MsgSend). */
  moduleNameOf(address: string): string | undefined;
}

/** Writing access: create and update accounts, set parameters. */
export interface AccountKeeper extends AccountView {
  /** Creates a new account with the next account number; throws if it exists. */
  newAccount(ctx: StoreContext, address: string): Account;
  setAccount(ctx: StoreContext, account: Account): void;
  /**
   * Creates the account (with the next account number) when it does not exist yet. Returns nothing:
   * every send calls it for its recipient, and decoding an account only to drop it was a visible
   * part of each payout.
   */
  ensureAccount(ctx: StoreContext, address: string): void;
  /** A registered module's account, created on first use; throws ErrUnknownAddress for unregistered names. */
  ensureModuleAccount(ctx: StoreContext, name: string): Account;
  setParams(ctx: StoreContext, params: AuthParams): void;
  /** The next account number to assign (read without consuming it). */
  peekAccountNumber(ctx: StoreContext): bigint;
  setNextAccountNumber(ctx: StoreContext, next: bigint): void;
}

export interface CreateAccountKeeperOptions {
  /** Module accounts other modules use, name → permissions (`fee_collector` is always present). */
  moduleAccounts?: Readonly<Record<string, readonly string[]>>;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function u64be(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

/**
 * Creates the auth keeper.
 *
 * @example
 * const accounts = createAccountKeeper({ moduleAccounts: { poq: ["burner"] } });
 * accounts.ensureAccount(ctx, "poq1...");
 * const acc = accounts.getAccount(ctx, "poq1...");
 */
export function createAccountKeeper(opts: CreateAccountKeeperOptions = {}): AccountKeeper {
  const modules = new Map<string, readonly string[]>([[FEE_COLLECTOR, []]]);
  for (const [name, perms] of Object.entries(opts.moduleAccounts ?? {})) modules.set(name, [...perms]);
  const decodeParams = createLastBytesMemo((raw) => authParamsFromJson(JSON.parse(textDecoder.decode(raw))));
  const byAddress = new Map<string, string>();
  for (const name of modules.keys()) byAddress.set(moduleAddress(name), name);
  // Every transfer out of or into a module (each PoQ payout, each fee escrow) re-reads its module
  // account; it is decoded again only when its stored bytes change (a pure decode of equal bytes).
  const moduleAccounts = new Map<string, { raw: Buffer; account: Account }>();

  /** The stored bytes of an account (one store read, the same one {@link getAccount} makes). */
  const readAccount = (ctx: StoreContext, address: string): Uint8Array | undefined =>
    ctx.store.get(accountKey(parseAccountAddress(address)));

  const getAccount = (ctx: StoreContext, address: string): Account | undefined => {
    const raw = readAccount(ctx, address);
    return raw ? accountFromAny(Any.decode(raw)) : undefined;
  };

  const setAccount = (ctx: StoreContext, account: Account): void => {
    const bytes = parseAccountAddress(account.address);
    // Store the canonical spelling, so a mixed-case input never becomes a second identity.
    const canonical = { ...account, address: formatAccountAddress(bytes) };
    ctx.store.set(accountKey(bytes), Any.encode(accountToAny(canonical)).finish());
  };

  const peekAccountNumber = (ctx: StoreContext): bigint => {
    const raw = ctx.store.get(globalAccountNumberKey());
    return raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigUint64(0) : 0n;
  };
  const setNextAccountNumber = (ctx: StoreContext, next: bigint): void =>
    ctx.store.set(globalAccountNumberKey(), u64be(next));

  const newAccount = (ctx: StoreContext, address: string, module?: Account["module"]): Account => {
    if (getAccount(ctx, address)) throw new RangeError(`account ${address} already exists`);
    const accountNumber = peekAccountNumber(ctx);
    setNextAccountNumber(ctx, accountNumber + 1n);
    const account: Account = {
      address: formatAccountAddress(parseAccountAddress(address)),
      pubKey: undefined,
      accountNumber,
      sequence: 0n,
      ...(module ? { module } : {}),
    };
    setAccount(ctx, account);
    return account;
  };

  return {
    getAccount,
    hasAccount: (ctx, address) => ctx.store.has(accountKey(parseAccountAddress(address))),
    getParams: (ctx) => {
      // Read (and charged) on every transaction; decoded again only when the bytes change.
      const raw = ctx.store.get(paramsKey());
      return raw ? decodeParams(raw) : defaultAuthParams();
    },
    *accounts(ctx) {
      for (const [k, v] of ctx.store.iterate(accountsPrefix())) {
        const account = accountFromAny(Any.decode(v));
        // The key is the source of truth for the address; the value must agree.
        if (account.address !== formatAccountAddress(addressFromAccountKey(k))) {
          throw new RangeError(`account record under ${account.address} has a mismatched key`);
        }
        yield account;
      }
    },
    moduleAddress,
    moduleAccountNames: () => [...modules.keys()].sort(),
    moduleNameOf: (address) => byAddress.get(address.toLowerCase()),
    newAccount: (ctx, address) => newAccount(ctx, address),
    setAccount,
    ensureAccount(ctx, address) {
      if (!readAccount(ctx, address)) newAccount(ctx, address);
    },
    ensureModuleAccount(ctx, name) {
      const perms = modules.get(name);
      if (!perms) throw new ChainError(ErrUnknownAddress, `module account ${name} is not registered`);
      const address = moduleAddress(name);
      const raw = readAccount(ctx, address);
      if (raw) {
        const hit = moduleAccounts.get(name);
        const existing = hit?.raw.equals(raw) ? hit.account : accountFromAny(Any.decode(raw));
        if (!existing.module) {
          // Coins sent to the module address before its account existed made a plain account;
          // promote it, as the SDK does, keeping its number.
          const promoted: Account = { ...existing, module: { name, permissions: [...perms] } };
          setAccount(ctx, promoted);
          return promoted;
        }
        if (existing !== hit?.account) moduleAccounts.set(name, { raw: Buffer.from(raw), account: existing });
        // A copy, so that no caller can change what the next one reads.
        return { ...existing, module: { ...existing.module, permissions: [...existing.module.permissions] } };
      }
      return newAccount(ctx, address, { name, permissions: [...perms] });
    },
    setParams: (ctx, params) =>
      ctx.store.set(paramsKey(), textEncoder.encode(JSON.stringify(authParamsToJson(params)))),
    peekAccountNumber,
    setNextAccountNumber,
  };
}
