/**
 * Canonical encodings (ADR-027: fields in field-number order, minimal varints and length prefixes, no
 * default values written out), which is what the generated encoders write.
 *
 * The tx hash is taken over the TxRaw bytes, while SIGN_MODE_LEGACY_AMINO_JSON signs a JSON document
 * made from the decoded messages: any second encoding of the same values keeps an amino signature
 * valid and would commit the same transaction under a second hash. So every byte string that the
 * signature does not cover must be the one canonical encoding of what it decodes to.
 */
import { ChainError } from "../errors.js";
import { ErrTxDecode } from "../sdk-errors.js";

/**
 * Throws ErrTxDecode (sdk 2) unless `bytes` equal `canonical` (the decoded value encoded again).
 *
 * @example
 * requireCanonical("TxBody", raw.bodyBytes, TxBody.encode(body).finish());
 */
export function requireCanonical(name: string, bytes: Uint8Array, canonical: Uint8Array): void {
  if (Buffer.compare(bytes, canonical) !== 0) {
    throw new ChainError(
      ErrTxDecode,
      `${name} is not canonically encoded (fields out of order, a non-minimal varint or length, ` +
        `or a default value written out)`,
    );
  }
}
