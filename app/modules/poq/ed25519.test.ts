import { describe, it } from "node:test";
import assert from "node:assert/strict";
import nacl from "tweetnacl";
import { verifyEd25519 } from "./ed25519.js";

/** The group order L of Ed25519, little-endian in the signature's S half. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const le = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);

describe("ed25519 vote-extension signatures through OpenSSL", () => {
  const seeded = (i: number) => nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(i));

  it("gives tweetnacl's verdict on valid and on tampered signatures, keys and messages", () => {
    for (let i = 1; i <= 20; i++) {
      const kp = seeded(i);
      const msg = new Uint8Array(40 + i).fill(i * 3);
      const sig = nacl.sign.detached(msg, kp.secretKey);
      const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
        [kp.publicKey, msg, sig],
        [seeded(i + 100).publicKey, msg, sig],
        [kp.publicKey, Uint8Array.from(msg, (b, j) => (j === 0 ? b ^ 1 : b)), sig],
        [kp.publicKey, msg, Uint8Array.from(sig, (b, j) => (j === i ? b ^ 0x80 : b))],
      ];
      for (const [key, m, s] of cases)
        assert.equal(verifyEd25519(key, m, s), nacl.sign.detached.verify(m, s, key), `case of key ${i}`);
      assert.equal(verifyEd25519(kp.publicKey, msg, sig), true);
    }
  });

  it("rejects a non-canonical S (S + L), as CometBFT's Go verifier does", () => {
    const kp = seeded(7);
    const msg = new TextEncoder().encode("extension");
    const sig = nacl.sign.detached(msg, kp.secretKey);
    const s = fromLe(sig.subarray(32));
    const malleated = Uint8Array.from([...sig.subarray(0, 32), ...le(s + L)]);
    assert.ok(s + L < 1n << 256n);
    assert.equal(verifyEd25519(kp.publicKey, msg, malleated), false);
  });

  it("answers false, never throws, for wrong lengths and keys that are not points", () => {
    const kp = seeded(9);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = nacl.sign.detached(msg, kp.secretKey);
    assert.equal(verifyEd25519(kp.publicKey.subarray(1), msg, sig), false);
    assert.equal(verifyEd25519(kp.publicKey, msg, sig.subarray(1)), false);
    assert.equal(verifyEd25519(new Uint8Array(32).fill(0xff), msg, sig), false);
  });
});
