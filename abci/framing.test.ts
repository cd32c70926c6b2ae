import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createFrameDecoder,
  decodeUvarint,
  encodeFrame,
  encodeUvarint,
  FrameTooLargeError,
  type FrameDecoder,
  MalformedFrameError,
} from "./framing.js";
import { decodeRequest, encodeResponse } from "./codec.js";
import { tendermint } from "../proto/gen/tendermint.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ""), "hex"));

/** Pushes a chunk and returns the messages it completed. */
function collect(decoder: FrameDecoder, chunk: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  decoder.push(chunk, (m) => out.push(m));
  return out;
}

describe("ABCI framing", () => {
  it("matches the check bytes of FIELD-NOTES for Flush", () => {
    assert.equal(hex(encodeFrame(tendermint.abci.Request.encode({ flush: {} }).finish())), "021200");
    assert.equal(hex(encodeFrame(encodeResponse({ flush: {} }))), "021a00");
    assert.equal(decodeRequest(bytes("1200")).value, "flush");
  });

  it("encodes unsigned varints at the byte boundaries (not zigzag)", () => {
    const cases: [number, string][] = [
      [0, "00"],
      [1, "01"], // zigzag would give 02
      [127, "7f"],
      [128, "8001"],
      [300, "ac02"],
      [16383, "ff7f"],
      [16384, "808001"],
      [2 ** 32, "8080808010"],
      [Number.MAX_SAFE_INTEGER, "ffffffffffffff0f"],
    ];
    for (const [value, expected] of cases) {
      assert.equal(hex(encodeUvarint(value)), expected, `encode ${value}`);
      assert.deepEqual(decodeUvarint(bytes(expected), 0, Number.MAX_SAFE_INTEGER), {
        value,
        length: expected.length / 2,
      });
    }
    assert.throws(() => encodeUvarint(-1), RangeError);
    assert.throws(() => encodeUvarint(1.5), RangeError);
  });

  it("reports an unfinished varint as incomplete and an overlong one as malformed", () => {
    assert.equal(decodeUvarint(bytes("80"), 0, 1000), undefined);
    assert.equal(decodeUvarint(bytes("ff ff"), 0, Number.MAX_SAFE_INTEGER), undefined);
    assert.throws(
      () => decodeUvarint(bytes("80".repeat(10) + "00"), 0, Number.MAX_SAFE_INTEGER),
      MalformedFrameError,
    );
  });

  it("refuses a length above the maximum as soon as the prefix shows it", () => {
    const decoder = createFrameDecoder({ maxMessageBytes: 1000 });
    assert.throws(
      () => collect(decoder, encodeUvarint(1001)),
      (err: unknown) =>
        err instanceof FrameTooLargeError && err.length === 1001 && /1000 bytes/.test(err.message),
    );
    // A hostile prefix of 0xff bytes is refused from its first bytes, long before any payload arrives.
    assert.throws(
      () => collect(createFrameDecoder({ maxMessageBytes: 1000 }), bytes("ffff")),
      FrameTooLargeError,
    );
    // Exactly the maximum is fine.
    const ok = createFrameDecoder({ maxMessageBytes: 3 });
    assert.deepEqual(collect(ok, bytes("03 010203")), [bytes("010203")]);
  });

  it("reassembles frames delivered one byte at a time", () => {
    const payloads = [bytes("1200"), new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => i % 256)];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const decoder = createFrameDecoder({ maxMessageBytes: 1024 });
    const out: Uint8Array[] = [];
    for (const byte of stream) out.push(...collect(decoder, Uint8Array.of(byte)));
    assert.deepEqual(
      out.map((m) => hex(m)),
      payloads.map((p) => hex(p)),
    );
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("splits several frames in one chunk and keeps a trailing partial frame", () => {
    const decoder = createFrameDecoder();
    const chunk = Buffer.concat([
      encodeFrame(bytes("1200")),
      encodeFrame(bytes("0a03616263")),
      bytes("05 0a03"),
    ]);
    assert.deepEqual(
      collect(decoder, chunk).map((m) => hex(m)),
      ["1200", "0a03616263"],
    );
    assert.equal(decoder.bufferedBytes, 2);
    assert.deepEqual(
      collect(decoder, bytes("6162")).map((m) => hex(m)),
      [],
    );
    assert.deepEqual(
      collect(decoder, bytes("63 021200")).map((m) => hex(m)),
      ["0a03616263", "1200"],
    );
  });

  it("reads a length prefix split across chunks", () => {
    const payload = new Uint8Array(200).fill(7);
    const frame = encodeFrame(payload); // 2-byte prefix c8 01
    const decoder = createFrameDecoder();
    assert.deepEqual(collect(decoder, frame.subarray(0, 1)), []);
    assert.deepEqual(collect(decoder, frame.subarray(1, 50)), []);
    const [message] = collect(decoder, frame.subarray(50));
    assert.deepEqual(message, payload);
  });
});
