/**
 * The account record and its protobuf encoding: `Any{/cosmos.auth.v1beta1.BaseAccount}` for
 * user accounts and `Any{/cosmos.auth.v1beta1.ModuleAccount}` for module accounts, exactly what
 * CosmJS's `accountFromAny` reads.
 */
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";

export const BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.ModuleAccount";
export const SECP256K1_PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey";

export interface Account {
  /** Bech32 `poq1...` address. */
  address: string;
  /** Compressed secp256k1 public key (33 bytes), known after the account's first signed tx. */
  pubKey: Uint8Array | undefined;
  accountNumber: bigint;
  sequence: bigint;
  /** Present for module accounts: the module's name and permissions. */
  module?: { name: string; permissions: string[] };
}

/**
 * Wraps a compressed secp256k1 key as `Any{/cosmos.crypto.secp256k1.PubKey}`.
 *
 * @example
 * const any = secp256k1PubKeyToAny(pubKey33);
 */
export function secp256k1PubKeyToAny(key: Uint8Array): Any {
  return Any.fromPartial({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: PubKey.encode({ key }).finish() });
}

function toBase(account: Account): BaseAccount {
  return BaseAccount.fromPartial({
    address: account.address,
    ...(account.pubKey ? { pubKey: secp256k1PubKeyToAny(account.pubKey) } : {}),
    accountNumber: account.accountNumber,
    sequence: account.sequence,
  });
}

/**
 * The account as an `Any`, the form the store keeps and `Query/Account` returns.
 *
 * @example
 * const any = accountToAny({ address, pubKey: undefined, accountNumber: 0n, sequence: 0n });
 */
export function accountToAny(account: Account): Any {
  if (account.module) {
    const value = ModuleAccount.encode(
      ModuleAccount.fromPartial({
        baseAccount: toBase(account),
        name: account.module.name,
        permissions: account.module.permissions,
      }),
    ).finish();
    return Any.fromPartial({ typeUrl: MODULE_ACCOUNT_TYPE_URL, value });
  }
  return Any.fromPartial({
    typeUrl: BASE_ACCOUNT_TYPE_URL,
    value: BaseAccount.encode(toBase(account)).finish(),
  });
}

function fromBase(base: BaseAccount | undefined): Account {
  if (!base) throw new RangeError("module account without base account");
  let pubKey: Uint8Array | undefined;
  if (base.pubKey) {
    if (base.pubKey.typeUrl !== SECP256K1_PUBKEY_TYPE_URL) {
      throw new RangeError(`unsupported public key type ${base.pubKey.typeUrl}`);
    }
    pubKey = PubKey.decode(base.pubKey.value).key;
  }
  return { address: base.address, pubKey, accountNumber: base.accountNumber, sequence: base.sequence };
}

/**
 * Decodes a stored account. Only this module writes these bytes, so a failure is corruption.
 *
 * @example
 * const account = accountFromAny(Any.decode(bytes));
 */
export function accountFromAny(any: Any): Account {
  if (any.typeUrl === BASE_ACCOUNT_TYPE_URL) return fromBase(BaseAccount.decode(any.value));
  if (any.typeUrl === MODULE_ACCOUNT_TYPE_URL) {
    const m = ModuleAccount.decode(any.value);
    return { ...fromBase(m.baseAccount), module: { name: m.name, permissions: [...m.permissions] } };
  }
  throw new RangeError(`unknown account type ${any.typeUrl}`);
}
