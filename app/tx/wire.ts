/**
 * A strict walk over protobuf wire format, used to reject transactions the generated decoders
 * would silently accept: truncated or malformed bytes, unknown fields (the SDK's
 * `RejectUnknownFields`), and the deprecated group wire types.
 */

export interface WireField {
  field: number;
  wireType: number;
  /** The payload of a length-delimited field (wire type 2). */
  bytes?: Uint8Array;
}

/** Malformed protobuf bytes; the caller wraps it in ErrTxDecode. */
export class WireFormatError extends Error {
  override name = "WireFormatError" as const;
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new WireFormatError("truncated varint");
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      if (result >= 1n << 64n) throw new WireFormatError("varint overflows 64 bits");
      return [result, pos + i + 1];
    }
    shift += 7n;
  }
  throw new WireFormatError("varint longer than 10 bytes");
}

/**
 * Splits a message into its top-level fields, checking every length and wire type.
 *
 * @example
 * readWireFields(Uint8Array.of(0x0a, 0x01, 0x61)); // [{ field: 1, wireType: 2, bytes: [0x61] }]
 */
export function readWireFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (field === 0 || tag >> 3n > 0x1fffffffn)
      throw new WireFormatError(`invalid field number ${tag >> 3n}`);
    pos = afterTag;
    switch (wireType) {
      case 0:
        pos = readVarint(buf, pos)[1];
        out.push({ field, wireType });
        break;
      case 1:
        if (pos + 8 > buf.length) throw new WireFormatError("truncated fixed64");
        pos += 8;
        out.push({ field, wireType });
        break;
      case 2: {
        const [len, afterLen] = readVarint(buf, pos);
        if (BigInt(buf.length - afterLen) < len)
          throw new WireFormatError(`field ${field}: length exceeds the input`);
        const end = afterLen + Number(len);
        out.push({ field, wireType, bytes: buf.subarray(afterLen, end) });
        pos = end;
        break;
      }
      case 5:
        if (pos + 4 > buf.length) throw new WireFormatError("truncated fixed32");
        pos += 4;
        out.push({ field, wireType });
        break;
      default:
        throw new WireFormatError(`field ${field}: unsupported wire type ${wireType}`);
    }
  }
  return out;
}

/** What a message may contain: field number → expected wire type. */
export type FieldSchema = Readonly<Record<number, number>>;

/**
 * Checks that a message has only the listed fields, each with its wire type, and returns them.
 * Fields whose number has bit 11 set (>= 1024 in the SDK's convention) are "non-critical" and
 * tolerated when `allowNonCritical` is set, as the SDK does for TxBody.
 *
 * @example
 * checkFields(bytes, { 1: 2, 2: 2, 3: 2 }, "TxRaw");
 */
export function checkFields(
  buf: Uint8Array,
  schema: FieldSchema,
  name: string,
  allowNonCritical = false,
): WireField[] {
  let fields: WireField[];
  try {
    fields = readWireFields(buf);
  } catch (err) {
    if (err instanceof WireFormatError) throw new WireFormatError(`${name}: ${err.message}`);
    throw err;
  }
  for (const f of fields) {
    const expected = schema[f.field];
    if (expected === undefined) {
      if (allowNonCritical && (f.field & 1024) !== 0) continue;
      throw new WireFormatError(`${name}: unknown field number ${f.field}`);
    }
    if (expected !== f.wireType) {
      throw new WireFormatError(
        `${name}: field ${f.field} has wire type ${f.wireType}, expected ${expected}`,
      );
    }
  }
  return fields;
}

/** The payloads of one length-delimited field, in order. */
export function fieldPayloads(fields: readonly WireField[], field: number): Uint8Array[] {
  return fields.filter((f) => f.field === field && f.bytes !== undefined).map((f) => f.bytes as Uint8Array);
}
