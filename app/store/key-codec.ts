/**
 * Byte keys as JavaScript strings, for the in-memory layers.
 *
 * Each byte becomes one latin1 character, so a string compares exactly like its bytes (JS string
 * comparison is by UTF-16 code unit, and every code unit here is < 256). That lets the layers keep
 * keys in `Map`s and sort them with the default comparison while matching SQLite's BLOB order.
 */

/**
 * Encodes bytes as a latin1 string with the same ordering as the bytes.
 *
 * @example
 * keyToString(Uint8Array.of(0x61, 0x62)); // "ab"
 */
export function keyToString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

/**
 * Decodes a string made by {@link keyToString} back to bytes.
 *
 * @example
 * stringToKey("ab"); // Uint8Array [0x61, 0x62]
 */
export function stringToKey(s: string): Uint8Array {
  return Buffer.from(s, "latin1");
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined when there is
 * none (empty prefix, or all bytes 0xff).
 *
 * @example
 * prefixEnd(Uint8Array.of(0x01, 0xff)); // Uint8Array [0x02]
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = prefix.slice(0, end);
  out[end - 1] = (out[end - 1] ?? 0) + 1;
  return out;
}

/**
 * Byte-wise comparison, as SQLite compares BLOBs: negative, zero or positive.
 *
 * @example
 * compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0)); // < 0
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * A store key: a module's prefix followed by single bytes (type tags) and byte strings. Built on every
 * store access of every transaction, so: one allocation, no intermediate arrays.
 *
 * @example
 * prefixedKey(new TextEncoder().encode("bank/"), [0x02, addressBytes]);
 */
export function prefixedKey(prefix: Uint8Array, parts: readonly (number | Uint8Array)[]): Uint8Array {
  let size = prefix.length;
  for (const part of parts) size += typeof part === "number" ? 1 : part.length;
  const out = new Uint8Array(size);
  out.set(prefix, 0);
  let offset = prefix.length;
  for (const part of parts) {
    if (typeof part === "number") out[offset++] = part;
    else {
      out.set(part, offset);
      offset += part.length;
    }
  }
  return out;
}
