/**
 * Store layout of the validators module (documented in README.md):
 *
 * - `validators/` 0x01 | address (20 bytes) → JSON {@link ValidatorRecordJson}
 */
export const VALIDATORS_MODULE = "validators";

const PREFIX = new TextEncoder().encode("validators/");
const RECORD = 0x01;

/** Prefix of all validator records; iteration is in address byte order. */
export const recordsPrefix = (): Uint8Array => Uint8Array.of(...PREFIX, RECORD);

/** Key of one validator's record. */
export const recordKey = (address: Uint8Array): Uint8Array => Uint8Array.of(...PREFIX, RECORD, ...address);
