/**
 * A small, strict protobuf wire codec for the `poq.v1` messages, the vote-extension payload and the
 * injected commit.
 *
 * Why hand-written: 64-bit fields must be `bigint` without a Long dependency, and consensus-facing
 * decoders must be strict (wire type checked, lengths bounded, no truncation), which generated
 * decoders are not. The field numbers are those of `proto/poq/v1/*.proto`; bytes written here are
 * what protobufjs, CosmJS and Go's encoders write for the same values (zero values omitted, fields
 * in ascending order).
 */
import { BaseError } from "../../../errors.js";

/** Protobuf wire types. */
export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;

/** Thrown by {@link WireReader} on any malformed input. */
export class WireError extends BaseError {
  override name = "WireError" as const;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });
const U64_MAX = (1n << 64n) - 1n;

/**
 * Unsigned LEB128 varints and raw bytes appended to one growing buffer: the byte level that
 * {@link WireWriter} (protobuf fields) and the compact request record (`kept-record.ts`) write with.
 *
 * @example
 * new VarintWriter().uvarint(300).raw(Uint8Array.of(1)).finish(); // ac 02 01
 */
export class VarintWriter {
  // One growing buffer, and varints below 2^31 in int32 arithmetic: the vote extension, its
  // canonical re-encoding check and the injected commit are encoded on every block, and a byte
  // array built from BigInt operations made them a visible part of ExtendVote.
  protected buf = new Uint8Array(64);
  protected len = 0;

  protected reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  protected small(value: number): void {
    this.reserve(5);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }

  /** An unsigned varint; a {@link WireError} when it is negative or does not fit 64 bits. */
  uvarint(value: bigint | number): this {
    if (typeof value === "number" && value >= 0 && value <= 0x7fffffff && Number.isInteger(value)) {
      this.small(value);
      return this;
    }
    const big = BigInt(value);
    if (big < 0n || big > U64_MAX) throw new WireError(`varint out of range: ${big}`);
    if (big <= 0x7fffffffn) {
      this.small(Number(big));
      return this;
    }
    this.reserve(10);
    let v = big;
    while (v > 0x7fn) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  /**
   * Bytes appended as they are; in a protobuf message, fields already encoded (a repeated element
   * encoded once and reused) give the same output as writing them here.
   */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Builds protobuf bytes field by field. Zero values are written only when asked, so that output
 * matches Go's proto3 encoding.
 *
 * @example
 * const bytes = new WireWriter().uint64(1, 7n).string(2, "x").finish(); // 08 07 12 01 78
 */
export class WireWriter extends VarintWriter {
  private tag(field: number, wireType: number): void {
    this.small(((field << 3) | wireType) >>> 0);
  }

  /** A uint64/uint32/enum field; omitted when zero. */
  uint64(field: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v === 0n) return this;
    this.tag(field, WireType.Varint);
    return this.uvarint(v);
  }

  /** An int64 field (two's complement varint); omitted when zero. */
  int64(field: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v === 0n) return this;
    this.tag(field, WireType.Varint);
    return this.uvarint(BigInt.asUintN(64, v));
  }

  /** An sfixed64 field (8 bytes little-endian); omitted when zero. */
  sfixed64(field: number, value: bigint): this {
    if (value === 0n) return this;
    this.tag(field, WireType.Fixed64);
    this.reserve(8);
    let v = BigInt.asUintN(64, value);
    for (let i = 0; i < 8; i++) {
      this.buf[this.len++] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this;
  }

  /** A bytes field; omitted when empty unless `always`. */
  bytes(field: number, value: Uint8Array, always = false): this {
    if (value.length === 0 && !always) return this;
    this.tag(field, WireType.Bytes);
    this.uvarint(value.length);
    return this.raw(value);
  }

  /** A string field; omitted when empty. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message field, always written (even when empty), as repeated elements need. */
  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded, true);
  }
}

/** One decoded field: its number, wire type and raw value. */
export type WireField =
  | { field: number; wireType: 0; value: bigint }
  | { field: number; wireType: 1; value: Uint8Array }
  | { field: number; wireType: 2; value: Uint8Array }
  | { field: number; wireType: 5; value: Uint8Array };

/**
 * Reads protobuf fields strictly: unknown wire types, truncated values and varints longer than
 * 10 bytes throw {@link WireError}.
 *
 * @example
 * for (const f of readFields(bytes)) if (f.field === 1 && f.wireType === 0) id = f.value;
 */
export function readFields(bytes: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    // Most varints here (tags, lengths, ids) fit in one or two bytes: skip BigInt arithmetic then.
    const b0 = bytes[pos];
    if (b0 !== undefined && b0 < 0x80) {
      pos++;
      return BigInt(b0);
    }
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = bytes[pos++];
      if (b === undefined) throw new WireError("truncated varint");
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result > U64_MAX) throw new WireError("varint overflows 64 bits");
        return result;
      }
    }
    throw new WireError("varint longer than 10 bytes");
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > bytes.length) throw new WireError("truncated field");
    const v = bytes.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0 || key >> 3n > 0x1fffffffn) throw new WireError(`invalid field number ${key >> 3n}`);
    switch (wireType) {
      case WireType.Varint:
        out.push({ field, wireType, value: varint() });
        break;
      case WireType.Fixed64:
        out.push({ field, wireType, value: take(8) });
        break;
      case WireType.Bytes: {
        const len = varint();
        if (len > BigInt(bytes.length - pos)) throw new WireError("truncated length-delimited field");
        out.push({ field, wireType, value: take(Number(len)) });
        break;
      }
      case WireType.Fixed32:
        out.push({ field, wireType, value: take(4) });
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType} for field ${field}`);
    }
  }
  return out;
}

/** Decodes UTF-8 strictly (invalid sequences throw {@link WireError}). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch (cause) {
    throw new WireError("invalid UTF-8", { cause });
  }
}

/** UTF-8 bytes of a string. */
export function encodeUtf8(value: string): Uint8Array {
  return textEncoder.encode(value);
}

/** Expects a varint field and returns it; throws on a wire-type mismatch. */
export function expectVarint(f: WireField): bigint {
  if (f.wireType !== WireType.Varint) throw new WireError(`field ${f.field}: expected varint`);
  return f.value;
}

/** Expects a length-delimited field and returns its bytes; throws on a wire-type mismatch. */
export function expectBytes(f: WireField): Uint8Array {
  if (f.wireType !== WireType.Bytes) throw new WireError(`field ${f.field}: expected length-delimited`);
  return f.value;
}

/**
 * A bare unsigned varint (LEB128), as used for length-delimited framing.
 *
 * @example
 * encodeUvarint(300n); // ac 02
 */
export function encodeUvarint(value: bigint): Uint8Array {
  if (value < 0n || value > U64_MAX) throw new WireError(`varint out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Big-endian fixed-width encoding of an unsigned integer, for keys and hash inputs. */
export function uintBE(value: bigint, width: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(width * 8))
    throw new WireError(`${value} does not fit ${width} bytes`);
  const out = new Uint8Array(width);
  // Every poq key holds a u64: two 32-bit halves in int arithmetic spare a BigInt per byte.
  if (width === 8) {
    const hi = Number(value >> 32n);
    const lo = Number(value & 0xffffffffn);
    for (let i = 0; i < 4; i++) {
      out[3 - i] = (hi >>> (8 * i)) & 0xff;
      out[7 - i] = (lo >>> (8 * i)) & 0xff;
    }
    return out;
  }
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Reads a big-endian unsigned integer. */
export function readUintBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Bytes of a hex string; throws {@link WireError} on odd length or non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new WireError("invalid hex");
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Byte-wise comparison, for canonical orderings: the store's (same sign, native memcmp). */
export { compareBytes } from "../../../store/key-codec.js";

/** Whether two byte arrays are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Buffer.compare is a native memcmp; memos compare whole injected commits with it on every call.
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
