import { test } from "node:test";
import assert from "node:assert/strict";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  secp256k1Backend,
  secp256k1Backends,
  useSecp256k1Backend,
  verifySecp256k1,
  verifySecp256k1Js,
  type Secp256k1Backend,
} from "./signature.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const be32 = (n: bigint): Uint8Array => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex"));
const sigOf = (r: bigint, s: bigint): Uint8Array => Uint8Array.from([...be32(r), ...be32(s)]);
const scalar = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString("hex")}`);

function signed(seed: number): { pub: Uint8Array; msg: Uint8Array; sig: Uint8Array } {
  const secret = sha256(Uint8Array.of(seed, 1));
  const msg = sha256(Uint8Array.of(seed, 2));
  const sig = secp256k1.sign(sha256(msg), secret, { prehash: false, lowS: true, format: "compact" });
  return { pub: secp256k1.getPublicKey(secret, true), msg, sig };
}

/** Runs `body` with each backend that loads here, then goes back to the default one. */
function withEachBackend(body: (b: Secp256k1Backend) => void): void {
  const before = secp256k1Backend();
  try {
    for (const b of secp256k1Backends()) {
      useSecp256k1Backend(b);
      body(b);
    }
  } finally {
    useSecp256k1Backend(before);
  }
}

/** Every backend must agree with the JavaScript reference on every case; `expected` is what the rules say. */
function check(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, expected: boolean, what: string): void {
  assert.equal(verifySecp256k1Js(pub, msg, sig), expected, `reference: ${what}`);
  withEachBackend((b) => assert.equal(verifySecp256k1(pub, msg, sig), expected, `${b}: ${what}`));
}

test("libsecp256k1 and OpenSSL load here, and the fastest is the default", () => {
  // The binding ships prebuilt for linux-x64 (glibc and musl); a broken install would silently run slower.
  if (process.platform === "linux" && process.arch === "x64") {
    assert.deepEqual(secp256k1Backends(), ["native", "openssl", "js"]);
  }
  assert.equal(secp256k1Backend(), process.env.POQ_SECP256K1 ?? secp256k1Backends()[0]);
});

test("every backend and the JavaScript reference agree: valid, forged, other key, other message", () => {
  for (let seed = 0; seed < 12; seed++) {
    const { pub, msg, sig } = signed(seed);
    check(pub, msg, sig, true, `valid #${seed}`);
    const forged = Uint8Array.from(sig);
    forged[seed % 64] = (forged[seed % 64] ?? 0) ^ 1;
    check(pub, msg, forged, false, `flipped byte #${seed}`);
    check(signed(seed + 100).pub, msg, sig, false, `other key #${seed}`);
    check(pub, Uint8Array.of(...msg, 0), sig, false, `other message #${seed}`);
  }
});

test("high-S twins, zero and out-of-range scalars, wrong lengths and bad keys are refused by both", () => {
  const { pub, msg, sig } = signed(7);
  const r = scalar(sig.subarray(0, 32));
  const s = scalar(sig.subarray(32));
  check(pub, msg, sigOf(r, N - s), false, "high-S twin of a valid signature");
  check(pub, msg, sigOf(0n, s), false, "r = 0");
  check(pub, msg, sigOf(r, 0n), false, "s = 0");
  check(pub, msg, sigOf(r + N, s), false, "r + n (same point x, out of range)");
  check(pub, msg, sigOf(N, s), false, "r = n");
  check(pub, msg, sig.subarray(0, 63), false, "63 bytes");
  check(pub, msg, Uint8Array.of(...sig, 0), false, "65 bytes");
  const offCurve = Uint8Array.from(pub);
  offCurve[0] = 0x04; // not a compressed-point prefix
  check(offCurve, msg, sig, false, "bad key prefix");
  check(new Uint8Array(33).fill(2), msg, sig, false, "x not on the curve");
  check(secp256k1.Point.fromBytes(pub).toBytes(false), msg, sig, true, "uncompressed key (JavaScript path)");
});

test("public keys: each backend's point check gives the verdicts of @noble/curves", async () => {
  const { PubKey } = await import("cosmjs-types/cosmos/crypto/secp256k1/keys");
  const { secp256k1PubKeyFromAny } = await import("./signature.js");
  const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
  const accepts = (key: Uint8Array): boolean => {
    try {
      secp256k1PubKeyFromAny({
        typeUrl: "/cosmos.crypto.secp256k1.PubKey",
        value: PubKey.encode({ key }).finish(),
      });
      return true;
    } catch {
      return false;
    }
  };
  const nobleAccepts = (key: Uint8Array): boolean => {
    try {
      secp256k1.Point.fromBytes(key).assertValidity();
      return true;
    } catch {
      return false;
    }
  };
  /** Random x (about half have no y) and edge values; `salt` gives each backend keys no other saw. */
  const casesFor = (salt: number): Uint8Array[] => {
    const cases: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const x = sha256(Uint8Array.of(i, i >> 8, 7, salt));
      cases.push(Uint8Array.of(2 + (i % 2), ...x));
    }
    for (const x of [0n, 1n, 7n, P - 1n, P, P + 1n, (1n << 256n) - 1n]) {
      for (const prefix of [0, 1, 2, 3, 4, 5, 6, 7]) cases.push(Uint8Array.of(prefix, ...be32(x)));
    }
    return cases;
  };
  // Verdicts are kept per key bytes, so each backend gets fresh keys.
  let salt = 0;
  withEachBackend((b) => {
    const cases = casesFor(++salt);
    let valid = 0;
    for (const key of cases) {
      const expected = nobleAccepts(key);
      if (expected) valid++;
      assert.equal(accepts(key), expected, `${b}: key ${Buffer.from(key).toString("hex")}`);
    }
    assert.ok(valid > 100 && valid < cases.length - 100, `a mix of valid and invalid keys (${valid})`);
  });
});
