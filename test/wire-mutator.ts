/**
 * Seeded mutations of protobuf bytes for the fuzz tests: byte-level ones, and structure-aware ones
 * that walk the message tree (any length-delimited payload that parses as a message) and rewrite one
 * field: a 32- or 64-bit extreme, a field dropped, doubled or moved, a padded length prefix, invalid
 * UTF-8, an unknown field. No schema: it finds the fields in the bytes.
 */
import { seeded } from "../bench/fault-load.js";

export interface Prng {
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** Draws from mulberry32 (bench/fault-load.ts), so that every run feeds the same inputs. */
export function prng(seed: number): Prng {
  const next = seeded(seed);
  return {
    int: (n) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}

export const EXTREMES = [
  0n,
  1n,
  127n,
  128n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n + 1n,
];
const EXTREMES_64 = [...EXTREMES, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

// ---- a protobuf wire walker, just enough to rewrite any field of a message tree ----

export interface Field {
  num: number;
  wire: number;
  /** Varint and fixed values as numbers, length-delimited payloads as bytes. */
  value: bigint | Uint8Array;
}

function readVarint(b: Uint8Array, at: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n, i = at; i < b.length && shift < 70n; i++, shift += 7n) {
    v |= BigInt(b[i]! & 0x7f) << shift;
    if ((b[i]! & 0x80) === 0) return [v, i + 1];
  }
  throw new Error("bad varint");
}

/** The fields of `b`, or undefined when it is not a well-formed message. */
export function parse(b: Uint8Array): Field[] | undefined {
  const out: Field[] = [];
  try {
    for (let at = 0; at < b.length;) {
      const [tag, next] = readVarint(b, at);
      const num = Number(tag >> 3n);
      const wire = Number(tag & 7n);
      if (num === 0) return undefined;
      if (wire === 0) {
        const [v, end] = readVarint(b, next);
        out.push({ num, wire, value: v });
        at = end;
      } else if (wire === 2) {
        const [len, start] = readVarint(b, next);
        const end = start + Number(len);
        if (end > b.length) return undefined;
        out.push({ num, wire, value: b.subarray(start, end) });
        at = end;
      } else if (wire === 1 || wire === 5) {
        const size = wire === 1 ? 8 : 4;
        if (next + size > b.length) return undefined;
        out.push({
          num,
          wire,
          value: BigInt(
            `0x${Buffer.from(b.subarray(next, next + size))
              .reverse()
              .toString("hex")}`,
          ),
        });
        at = next + size;
      } else return undefined;
    }
  } catch {
    return undefined;
  }
  return out;
}

function varint(v: bigint, pad = false): number[] {
  const out: number[] = [];
  let x = v;
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  if (pad) {
    out[out.length - 1] = (out[out.length - 1] as number) | 0x80;
    out.push(0);
  }
  return out;
}

export function serialize(fields: readonly Field[], padLengths = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const bytesOf = (xs: number[]) => parts.push(Uint8Array.from(xs));
  for (const f of fields) {
    bytesOf(varint(BigInt((f.num << 3) | f.wire)));
    if (f.wire === 0) bytesOf(varint(f.value as bigint));
    else if (f.wire === 2) {
      const bytes = f.value as Uint8Array;
      bytesOf(varint(BigInt(bytes.length), padLengths));
      parts.push(bytes);
    } else {
      const size = f.wire === 1 ? 8 : 4;
      const hex = (f.value as bigint)
        .toString(16)
        .padStart(size * 2, "0")
        .slice(-size * 2);
      parts.push(Buffer.from(hex, "hex").reverse());
    }
  }
  return Uint8Array.from(Buffer.concat(parts));
}

/** Rewrites one field somewhere in the message tree of `bytes` (descending into payloads that parse). */
export function mutateStructure(bytes: Uint8Array, r: Prng, depth = 0): Uint8Array {
  const fields = parse(bytes);
  if (!fields || fields.length === 0) return bytes;
  const i = r.int(fields.length);
  const f = fields[i]!;
  const nested = f.wire === 2 ? parse(f.value as Uint8Array) : undefined;
  if (nested && nested.length > 0 && depth < 5 && r.int(3) > 0) {
    const copy = [...fields];
    copy[i] = { ...f, value: mutateStructure(f.value as Uint8Array, r, depth + 1) };
    return serialize(copy);
  }
  const copy = [...fields];
  switch (r.int(7)) {
    case 0: // a varint (or a length-delimited field turned varint) holds an extreme value
      copy[i] = { num: f.num, wire: 0, value: r.pick(EXTREMES_64) };
      break;
    case 1:
      copy.splice(i, 1);
      break;
    case 2:
      copy.splice(i, 0, f);
      break;
    case 3: // moved to the end: fields out of order
      copy.splice(i, 1);
      copy.push(f);
      break;
    case 4:
      return serialize(copy, true);
    case 5: // invalid UTF-8 or an empty payload
      copy[i] = { num: f.num, wire: 2, value: r.int(2) ? Uint8Array.of(0xc3, 0x28, 0xff) : new Uint8Array() };
      break;
    default: // an unknown field
      copy.splice(r.int(copy.length + 1), 0, {
        num: r.pick([6, 15, 1024, 2049, 536870911]),
        wire: 0,
        value: 1n,
      });
  }
  return serialize(copy);
}

export function mutateBytes(bytes: Uint8Array, r: Prng): Uint8Array {
  const b = Buffer.from(bytes);
  const at = r.int(Math.max(b.length, 1));
  const join = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
  switch (r.int(6)) {
    case 0:
      b[at] = (b[at] ?? 0) ^ (1 << r.int(8));
      return Uint8Array.from(b);
    case 1:
      b[at] = r.pick([0x00, 0x7f, 0x80, 0xff]);
      return Uint8Array.from(b);
    case 2:
      return join(b.subarray(0, at), Uint8Array.of(r.int(256)), b.subarray(at));
    case 3:
      return join(b.subarray(0, at), b.subarray(at + 1 + r.int(4)));
    case 4:
      return Uint8Array.from(b.subarray(0, at));
    default: {
      const from = r.int(Math.max(b.length, 1));
      return join(b.subarray(0, at), b.subarray(from, from + 1 + r.int(16)), b.subarray(at));
    }
  }
}
