/**
 * Account addresses: the chain's bech32 prefixes, address derivation from a secp256k1 key, and
 * module account addresses.
 */
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ChainError } from "../../errors.js";
import { ErrInvalidAddress } from "../../sdk-errors.js";
import { bytesKey, createStringMemo } from "../../store/memo.js";
import { bech32Decode, bech32Encode, Bech32Error } from "./bech32.js";

/** Bech32 prefixes (SPEC section 2). */
export const BECH32_PREFIX = {
  account: "poq",
  accountPub: "poqpub",
  validator: "poqvaloper",
  validatorPub: "poqvaloperpub",
  consensus: "poqvalcons",
  consensusPub: "poqvalconspub",
} as const;

/**
 * Entries of each address memo. Every transaction decodes and re-encodes the same few addresses
 * several times (signers, fee payer, balances, events), in CheckTx and again in FinalizeBlock.
 */
const ADDRESS_MEMO_ENTRIES = 32_768;

/** bech32 decoding of strings that decoded; a bad string throws and is not kept. */
const decodeBech32 = createStringMemo(ADDRESS_MEMO_ENTRIES, bech32Decode);
const encodeAccountBytes = createStringMemo(ADDRESS_MEMO_ENTRIES, (bytes: string) =>
  bech32Encode(BECH32_PREFIX.account, Buffer.from(bytes, "latin1")),
);
const addressOfPubKey = createStringMemo(ADDRESS_MEMO_ENTRIES, (pubKey: string) =>
  bech32Encode(BECH32_PREFIX.account, ripemd160(sha256(Buffer.from(pubKey, "latin1")))),
);

/** Module addresses by name: the fee collector's is needed by every transaction. */
const moduleAddressOf = createStringMemo(1024, (name: string) =>
  bech32Encode(BECH32_PREFIX.account, sha256(new TextEncoder().encode(name)).slice(0, 20)),
);

/**
 * Derives the account address of a compressed secp256k1 public key:
 * bech32("poq", ripemd160(sha256(pubkey))), as CosmJS and Keplr do.
 *
 * @example
 * accountAddressFromPubKey(compressed33Bytes); // "poq1..."
 */
export function accountAddressFromPubKey(pubKey: Uint8Array): string {
  return addressOfPubKey(bytesKey(pubKey));
}

/**
 * The address of a module account, as the SDK's `authtypes.NewModuleAddress(name)`:
 * the first 20 bytes of sha256(name).
 *
 * @example
 * moduleAddress("fee_collector"); // "poq1..."
 */
export function moduleAddress(name: string): string {
  return moduleAddressOf(name);
}

/**
 * Decodes a bech32 account address into its bytes, or throws `ErrInvalidAddress` (sdk 7)
 * with a message naming the field and the reason.
 *
 * @example
 * const bytes = parseAccountAddress("poq1...", "from_address");
 */
export function parseAccountAddress(address: string, field = "address"): Uint8Array {
  if (address === "")
    throw new ChainError(ErrInvalidAddress, `${field}: empty address string is not allowed`);
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = decodeBech32(address);
  } catch (err) {
    const why = err instanceof Bech32Error ? err.message : "undecodable";
    throw new ChainError(
      ErrInvalidAddress,
      `${field}: invalid bech32 address ${JSON.stringify(address)}: ${why}`,
    );
  }
  if (decoded.prefix !== BECH32_PREFIX.account) {
    throw new ChainError(
      ErrInvalidAddress,
      `${field}: invalid Bech32 prefix; expected ${BECH32_PREFIX.account}, got ${decoded.prefix}`,
    );
  }
  if (decoded.data.length !== 20 && decoded.data.length !== 32) {
    throw new ChainError(
      ErrInvalidAddress,
      `${field}: address must be 20 or 32 bytes, got ${decoded.data.length}`,
    );
  }
  // A copy: the memo's bytes are shared and must not be changed by a caller.
  return decoded.data.slice();
}

/**
 * Re-encodes address bytes as a `poq` bech32 string (the canonical, lower-case form).
 *
 * @example
 * formatAccountAddress(new Uint8Array(20));
 */
export function formatAccountAddress(bytes: Uint8Array): string {
  return encodeAccountBytes(bytesKey(bytes));
}
