/**
 * Length-prefixed framing of the CometBFT v0.38 ABCI socket protocol.
 *
 * Every message is its protobuf bytes preceded by the byte length as an **unsigned** LEB128 varint
 * (Go's `binary.PutUvarint`). ABCI before v0.35 used a signed zigzag varint; that format is not
 * accepted here, so a v0.34 peer fails loudly on its first frame instead of being misread.
 */
import { BaseError } from "../app/errors.js";

/**
 * Default cap on one frame: 128 MiB. CometBFT itself caps a block at 100 MiB (`MaxBlockSizeBytes`), and
 * the largest requests (PrepareProposal, FinalizeBlock) carry at most one block's transactions plus a
 * commit, so any message a correctly configured node sends fits; a bigger length prefix is corruption or
 * an attack and is refused before memory is allocated for it.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

/** A uint64 varint has at most 10 bytes. */
const MAX_VARINT_BYTES = 10;

/** A frame announced a length above the configured maximum. */
export class FrameTooLargeError extends BaseError {
  override name = "FrameTooLargeError" as const;
  constructor(
    readonly length: number,
    readonly maxMessageBytes: number,
  ) {
    super("ABCI frame too large", {
      details: `announced length ${length} exceeds the maximum of ${maxMessageBytes} bytes`,
    });
  }
}

/** The length prefix is not a valid unsigned varint. */
export class MalformedFrameError extends BaseError {
  override name = "MalformedFrameError" as const;
}

/**
 * Encodes a non-negative safe integer as an unsigned LEB128 varint.
 *
 * @example
 * encodeUvarint(300); // Uint8Array [0xac, 0x02]
 */
export function encodeUvarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a uint: ${value}`);
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** A decoded varint and how many bytes it took. */
export interface DecodedUvarint {
  value: number;
  length: number;
}

/**
 * Decodes an unsigned varint at `offset`. Returns `undefined` when the bytes end before the varint does.
 * Values above `max` are refused as soon as they are known, so a hostile 10-byte prefix never needs
 * more than safe-integer arithmetic.
 *
 * @example
 * decodeUvarint(Uint8Array.of(0xac, 0x02), 0, 1000); // { value: 300, length: 2 }
 */
export function decodeUvarint(bytes: Uint8Array, offset: number, max: number): DecodedUvarint | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * scale;
    if (value > max) throw new FrameTooLargeError(value, max);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
    scale *= 0x80;
  }
  throw new MalformedFrameError("varint length prefix longer than 10 bytes");
}

/**
 * Prefixes a message with its length.
 *
 * @example
 * encodeFrame(Uint8Array.of(0x12, 0x00)); // Uint8Array [0x02, 0x12, 0x00]
 */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const prefix = encodeUvarint(message.length);
  const out = new Uint8Array(prefix.length + message.length);
  out.set(prefix, 0);
  out.set(message, prefix.length);
  return out;
}

/** Splits a byte stream into messages; see {@link createFrameDecoder}. */
export interface FrameDecoder {
  /**
   * Adds bytes from the stream and hands each message they complete to `onMessage`, in order. On a bad
   * length prefix it throws, after delivering the messages that came before it in the same chunk.
   */
  push(chunk: Uint8Array, onMessage: (message: Uint8Array) => void): void;
  /** Bytes received that do not yet form a complete message. */
  readonly bufferedBytes: number;
}

/**
 * Creates a decoder that turns arbitrary chunks of a stream into whole messages: a chunk may hold part of a
 * frame, or several frames. Each byte is copied at most once, so large frames arriving in many small chunks
 * cost linear time.
 *
 * @example
 * const decoder = createFrameDecoder({ maxMessageBytes: 1024 });
 * const messages: Uint8Array[] = [];
 * decoder.push(Uint8Array.of(0x02, 0x12), (m) => messages.push(m)); // messages: []
 * decoder.push(Uint8Array.of(0x00, 0x02, 0x12, 0x00), (m) => messages.push(m)); // two messages 12 00
 */
export function createFrameDecoder(opts: { maxMessageBytes?: number } = {}): FrameDecoder {
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let expected: number | undefined;

  /** Removes and returns the first `n` buffered bytes (callers ensure they are there). */
  function take(n: number): Uint8Array {
    const first = chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
      buffered -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = chunks[0] as Uint8Array;
      const part = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (part === chunk.length) chunks.shift();
      else chunks[0] = chunk.subarray(part);
    }
    buffered -= n;
    return out;
  }

  /** The first few buffered bytes, without consuming them: enough to read a length prefix. */
  function head(): Uint8Array {
    const first = chunks[0];
    if (first !== undefined && (first.length >= MAX_VARINT_BYTES || chunks.length === 1)) return first;
    const n = Math.min(buffered, MAX_VARINT_BYTES);
    const out = new Uint8Array(n);
    let filled = 0;
    for (const chunk of chunks) {
      if (filled === n) break;
      const part = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
    }
    return out;
  }

  return {
    push(chunk, onMessage) {
      if (chunk.length > 0) {
        chunks.push(chunk);
        buffered += chunk.length;
      }
      for (;;) {
        if (expected === undefined) {
          if (buffered === 0) break;
          const prefix = decodeUvarint(head(), 0, max);
          if (prefix === undefined) break;
          take(prefix.length);
          expected = prefix.value;
        }
        if (buffered < expected) break;
        const length = expected;
        expected = undefined;
        onMessage(take(length));
      }
    },
    get bufferedBytes() {
      return buffered;
    },
  };
}
