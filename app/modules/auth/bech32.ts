/**
 * Bech32 (BIP-173) encoding of account addresses, as the Cosmos SDK and CosmJS use it.
 *
 * Written out here rather than imported so that app/ depends only on pure, audited primitives
 * (hashes and curves); the algorithm is short and its test checks it against CosmJS.
 */

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** BIP-173 caps a string at 90 characters; the SDK raises it for long payloads, so do we. */
const MAX_LENGTH = 1023;

/** Why a bech32 string could not be decoded (the caller wraps it in a registered error). */
export class Bech32Error extends Error {
  override name = "Bech32Error" as const;
}

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk ^= GENERATOR[i] ?? 0;
    }
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    const value = data[i] ?? 0;
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    throw new Bech32Error("non-zero padding");
  }
  return out;
}

/**
 * Encodes bytes as bech32 with the given human-readable prefix.
 *
 * @example
 * bech32Encode("poq", new Uint8Array(20)); // "poq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq..."
 */
export function bech32Encode(prefix: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true);
  const values = [...hrpExpand(prefix), ...words, 0, 0, 0, 0, 0, 0];
  const mod = polymod(values) ^ 1;
  const checksum: number[] = [];
  for (let i = 0; i < 6; i++) checksum.push((mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${[...words, ...checksum].map((w) => CHARSET[w]).join("")}`;
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
  if (lower.length - sep - 1 < 6) throw new Bech32Error("string too short for a checksum");
  const prefix = lower.slice(0, sep);
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c < 33 || c > 126) throw new Bech32Error("invalid character in prefix");
  }
  const words: number[] = [];
  for (const ch of lower.slice(sep + 1)) {
    const w = CHARSET.indexOf(ch);
    if (w < 0) throw new Bech32Error(`invalid character '${ch}'`);
    words.push(w);
  }
  if (polymod([...hrpExpand(prefix), ...words]) !== 1) throw new Bech32Error("invalid checksum");
  return { prefix, data: Uint8Array.from(convertBits(words.slice(0, -6), 5, 8, false)) };
}
