/**
 * Validator operator addresses (`poqvaloper1...`): the operator account's bytes under the validator
 * prefix (SPEC section 2).
 */
import { ChainError } from "../../errors.js";
import { ErrInvalidAddress } from "../../sdk-errors.js";
import { BECH32_PREFIX } from "../auth/address.js";
import { bech32Decode, bech32Encode } from "../auth/bech32.js";

/**
 * Decodes a `poqvaloper1...` address to its bytes; throws ErrInvalidAddress (sdk 7) naming `field`.
 *
 * @example
 * parseValoperAddress("poqvaloper1...", "validator_address");
 */
export function parseValoperAddress(address: string, field = "validator_address"): Uint8Array {
  if (address === "")
    throw new ChainError(ErrInvalidAddress, `${field}: empty address string is not allowed`);
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = bech32Decode(address);
  } catch {
    throw new ChainError(ErrInvalidAddress, `${field}: invalid bech32 address ${JSON.stringify(address)}`);
  }
  if (decoded.prefix !== BECH32_PREFIX.validator) {
    throw new ChainError(
      ErrInvalidAddress,
      `${field}: invalid Bech32 prefix; expected ${BECH32_PREFIX.validator}, got ${decoded.prefix}`,
    );
  }
  if (decoded.data.length !== 20 && decoded.data.length !== 32) {
    throw new ChainError(
      ErrInvalidAddress,
      `${field}: address must be 20 or 32 bytes, got ${decoded.data.length}`,
    );
  }
  return decoded.data;
}

/**
 * Encodes validator operator bytes as `poqvaloper1...`.
 *
 * @example
 * formatValoperAddress(bytes); // "poqvaloper1..."
 */
export function formatValoperAddress(bytes: Uint8Array): string {
  return bech32Encode(BECH32_PREFIX.validator, bytes);
}
