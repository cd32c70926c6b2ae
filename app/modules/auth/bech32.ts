/**
 * Bech32 (BIP-173) encoding of account addresses, as the Cosmos SDK and CosmJS use it.
 *
 * Written out here rather than imported so that app/ depends only on pure, audited primitives
 * (hashes and curves); the algorithm is short and its test checks it against CosmJS. Addresses
 * are encoded and decoded several times per transaction and per genesis account, so the loops
 * work on numbers and build one string, without intermediate arrays.
 */

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
/** Value of each character code in CHARSET, -1 for characters outside it. */
const CHARSET_VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < CHARSET.length; i++) table[CHARSET.charCodeAt(i)] = i;
  return table;
})();
/** Character code of each 5-bit value. */
const CHARSET_CODE = Uint8Array.from(CHARSET, (c) => c.charCodeAt(0));
/** BIP-173 caps a string at 90 characters; the SDK raises it for long payloads, so do we. */
const MAX_LENGTH = 1023;

/** Why a bech32 string could not be decoded (the caller wraps it in a registered error). */
export class Bech32Error extends Error {
  override name = "Bech32Error" as const;
}

/** One step of the BCH checksum over a 5-bit value. */
function polymodStep(chk: number, value: number): number {
  const top = chk >>> 25;
  let out = ((chk & 0x1ffffff) << 5) ^ value;
  if (top & 1) out ^= 0x3b6a57b2;
  if (top & 2) out ^= 0x26508e6d;
  if (top & 4) out ^= 0x1ea119fa;
  if (top & 8) out ^= 0x3d4233dd;
  if (top & 16) out ^= 0x2a1462b3;
  return out;
}

/** The checksum state after the expanded prefix (high bits, a zero, low bits). */
function prefixChecksum(prefix: string): number {
  let chk = 1;
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk, prefix.charCodeAt(i) >> 5);
  chk = polymodStep(chk, 0);
  for (let i = 0; i < prefix.length; i++) chk = polymodStep(chk, prefix.charCodeAt(i) & 31);
  return chk;
}

/**
 * Encodes bytes as bech32 with the given human-readable prefix.
 *
 * @example
 * bech32Encode("poq", new Uint8Array(20)); // "poq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq..."
 */
export function bech32Encode(prefix: string, data: Uint8Array): string {
  // Characters are written as bytes and read back as one latin1 string: building it with `+=`
  // would allocate a string per character.
  const chars = Buffer.allocUnsafe(Math.ceil((data.length * 8) / 5) + 6);
  let n = 0;
  let chk = prefixChecksum(prefix);
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < data.length; i++) {
    acc = ((acc << 8) | (data[i] ?? 0)) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      const word = (acc >> bits) & 31;
      chk = polymodStep(chk, word);
      chars[n++] = CHARSET_CODE[word] ?? 0;
    }
  }
  if (bits > 0) {
    const word = (acc << (5 - bits)) & 31;
    chk = polymodStep(chk, word);
    chars[n++] = CHARSET_CODE[word] ?? 0;
  }
  for (let i = 0; i < 6; i++) chk = polymodStep(chk, 0);
  const mod = (chk ^ 1) >>> 0;
  for (let i = 0; i < 6; i++) chars[n++] = CHARSET_CODE[(mod >>> (5 * (5 - i))) & 31] ?? 0;
  return `${prefix}1${chars.toString("latin1", 0, n)}`;
}

/**
 * Decodes a bech32 string into its prefix and bytes; throws {@link Bech32Error} saying why not.
 *
 * @example
 * const { prefix, data } = bech32Decode("poq1...");
 */
export function bech32Decode(text: string): { prefix: string; data: Uint8Array } {
  if (text.length > MAX_LENGTH) throw new Bech32Error(`string is longer than ${MAX_LENGTH} characters`);
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) throw new Bech32Error("mixed-case string");
  const sep = lower.lastIndexOf("1");
  if (sep < 1) throw new Bech32Error("missing prefix or separator");
  const wordCount = lower.length - sep - 1;
  if (wordCount < 6) throw new Bech32Error("string too short for a checksum");
  const prefix = lower.slice(0, sep);
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c < 33 || c > 126) throw new Bech32Error("invalid character in prefix");
  }
  const words = new Uint8Array(wordCount);
  for (let i = 0; i < wordCount; i++) {
    const code = lower.charCodeAt(sep + 1 + i);
    const w = code < 128 ? (CHARSET_VALUE[code] ?? -1) : -1;
    if (w < 0) {
      const ch = String.fromCodePoint(lower.codePointAt(sep + 1 + i) ?? code);
      throw new Bech32Error(`invalid character '${ch}'`);
    }
    words[i] = w;
  }
  let chk = prefixChecksum(prefix);
  for (let i = 0; i < wordCount; i++) chk = polymodStep(chk, words[i] ?? 0);
  if (chk >>> 0 !== 1) throw new Bech32Error("invalid checksum");
  return { prefix, data: wordsToBytes(words.subarray(0, wordCount - 6)) };
}

/** 5-bit words back to bytes; the leftover bits must be fewer than 5 and all zero. */
function wordsToBytes(words: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((words.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < words.length; i++) {
    acc = ((acc << 5) | (words[i] ?? 0)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) !== 0) throw new Bech32Error("non-zero padding");
  return out;
}
