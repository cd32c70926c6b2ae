/**
 * Public keys and signatures: secp256k1 only, as CosmJS and Keplr accounts use.
 *
 * Three backends do the curve arithmetic, with the same verdicts (the range and low-S rules are
 * checked here first, whichever runs; the unit tests hold all three to @noble/curves on valid,
 * forged, high-S, out-of-range signatures and on-/off-curve keys):
 *
 * - `native`: libsecp256k1 through the `secp256k1` package's prebuilt binding, ~8x OpenSSL's speed;
 * - `openssl`: `node:crypto`, when the binding does not load;
 * - `js`: @noble/curves, when this Node's OpenSSL lacks the curve too.
 *
 * `POQ_SECP256K1=openssl|js` picks a slower one (benchmarks, the determinism test).
 */
import { createPublicKey, hash, verify } from "node:crypto";
import { createRequire } from "node:module";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { ChainError } from "../errors.js";
import { requireCanonical } from "./canonical.js";
import { bytesKey, createStringMemo } from "../store/memo.js";
import { SECP256K1_PUBKEY_TYPE_URL } from "../modules/auth/account.js";
import { ErrInvalidPubKey } from "../sdk-errors.js";

/**
 * Decodes a signer's `Any` public key into 33 compressed secp256k1 bytes on the curve; throws
 * ErrInvalidPubKey (sdk 8) for other key types and for bytes that are not a curve point.
 *
 * @example
 * const key = secp256k1PubKeyFromAny(signerInfo.publicKey);
 */
export function secp256k1PubKeyFromAny(any: Any): Uint8Array {
  if (any.typeUrl !== SECP256K1_PUBKEY_TYPE_URL) {
    throw new ChainError(ErrInvalidPubKey, `unsupported public key type ${JSON.stringify(any.typeUrl)}`);
  }
  // A copy: the memo's bytes are shared and must not be changed by a caller.
  return Uint8Array.from(checkedPubKey(bytesKey(any.value)));
}

/**
 * Decoding and the on-curve check of `PubKey` bytes, kept for keys that passed. The check
 * (a modular square root) costs more than the rest of a bank send, and every transaction of an
 * account carries the same key, in CheckTx and again in FinalizeBlock.
 */
const checkedPubKey = createStringMemo(32_768, (value: string): Uint8Array => {
  let key: Uint8Array;
  try {
    key = PubKey.decode(Buffer.from(value, "latin1")).key;
  } catch (err) {
    throw new ChainError(ErrInvalidPubKey, "undecodable secp256k1 public key", err);
  }
  // SIGN_MODE_LEGACY_AMINO_JSON does not sign the public key: only its canonical bytes may carry it.
  requireCanonical("secp256k1 PubKey", Buffer.from(value, "latin1"), PubKey.encode({ key }).finish());
  if (key.length !== 33)
    throw new ChainError(
      ErrInvalidPubKey,
      `secp256k1 public key must be 33 bytes (compressed), got ${key.length}`,
    );
  try {
    // OpenSSL decompresses the point (x < p, x^3 + 7 a square) to build the key object that
    // verification uses next, so the check and the key come from one C-speed step; the unit test
    // holds it to the same verdicts as @noble/curves.
    if (backend === "native") {
      if (!NATIVE?.publicKeyVerify(key)) throw new Error("libsecp256k1 refuses the point");
    } else if (backend === "openssl") opensslKeyOf(bytesKey(key));
    else secp256k1.Point.fromBytes(key).assertValidity();
  } catch (err) {
    throw new ChainError(ErrInvalidPubKey, "secp256k1 public key is not a point on the curve", err);
  }
  return key;
});

/** The order n of secp256k1's group. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = CURVE_ORDER >> 1n;

/** DER `SubjectPublicKeyInfo` header of a compressed secp256k1 key (id-ecPublicKey, secp256k1). */
const SPKI_COMPRESSED_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");

/**
 * OpenSSL key objects of compressed public keys. Building one parses and decompresses the point,
 * so it is kept for the next transaction of the same account; an invalid point throws and is not
 * kept.
 */
const opensslKeyOf = createStringMemo(8192, (compressed: string) =>
  createPublicKey({
    key: Buffer.concat([SPKI_COMPRESSED_PREFIX, Buffer.from(compressed, "latin1")]),
    format: "der",
    type: "spki",
  }),
);

/**
 * Whether this Node's OpenSSL knows secp256k1 (builds from nodejs.org do; some distributions'
 * system OpenSSL leaves the curve out). Without it, both checks run in JavaScript, with the same
 * verdicts, only slower.
 */
const OPENSSL_HAS_SECP256K1: boolean = (() => {
  try {
    opensslKeyOf(bytesKey(secp256k1.Point.BASE.toBytes(true)));
    return true;
  } catch {
    return false;
  }
})();

/** The part of the `secp256k1` package's binding used here. */
interface NativeSecp256k1 {
  /** Whether `key` (33 or 65 bytes) is a valid point. */
  publicKeyVerify(key: Uint8Array): boolean;
  /** Verifies a 64-byte compact signature over a 32-byte digest; throws on unparsable input. */
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, key: Uint8Array): boolean;
}

/**
 * libsecp256k1, or undefined when its binding does not load. `secp256k1/bindings` is the native
 * module only: the package's main entry would quietly fall back to its own JavaScript curve.
 */
const NATIVE: NativeSecp256k1 | undefined = (() => {
  try {
    const lib = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
    const g = secp256k1.Point.BASE.toBytes(true);
    return lib.publicKeyVerify(g) ? lib : undefined;
  } catch {
    return undefined;
  }
})();

/** Which library does the curve arithmetic. */
export type Secp256k1Backend = "native" | "openssl" | "js";

/** The fastest backend this process can load, or the one `POQ_SECP256K1` asks for when it loads. */
function defaultBackend(): Secp256k1Backend {
  const available = secp256k1Backends();
  const asked = process.env.POQ_SECP256K1 as Secp256k1Backend | undefined;
  if (asked && available.includes(asked)) return asked;
  return available[0] as Secp256k1Backend;
}

/**
 * The backends that load here, fastest first (`js` always does).
 *
 * @example
 * secp256k1Backends(); // ["native", "openssl", "js"]
 */
export function secp256k1Backends(): Secp256k1Backend[] {
  return [
    ...(NATIVE ? (["native"] as const) : []),
    ...(OPENSSL_HAS_SECP256K1 ? (["openssl"] as const) : []),
    "js",
  ];
}

let backend: Secp256k1Backend = defaultBackend();

/**
 * The backend in use.
 *
 * @example
 * secp256k1Backend(); // "native"
 */
export function secp256k1Backend(): Secp256k1Backend {
  return backend;
}

/**
 * Switches the backend (tests and benchmarks); throws when it does not load here. Verdicts do not
 * change, only speed.
 *
 * @example
 * useSecp256k1Backend("openssl");
 */
export function useSecp256k1Backend(which: Secp256k1Backend): void {
  if (!secp256k1Backends().includes(which)) throw new Error(`secp256k1 backend ${which} does not load here`);
  backend = which;
}

const scalar = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString("hex")}`);

/**
 * Verifies a 64-byte r||s secp256k1 signature over sha256(signBytes). High-S signatures are
 * rejected, as in the SDK, so that a third party cannot make a second valid signature (and a
 * second tx hash) from the first.
 *
 * The ECDSA check itself runs in the {@link secp256k1Backend} for compressed keys (libsecp256k1,
 * else OpenSSL); the range and low-S rules are checked here first, so the outcome is the one the
 * rules define, whichever library does the arithmetic (the unit test compares all of them on
 * valid, forged, high-S and out-of-range signatures).
 *
 * @example
 * verifySecp256k1(pubKey, signBytes, signature); // true or false
 */
export function verifySecp256k1(pubKey: Uint8Array, signBytes: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const r = scalar(signature.subarray(0, 32));
  const s = scalar(signature.subarray(32));
  if (r === 0n || r >= CURVE_ORDER || s === 0n || s > HALF_ORDER) return false;
  try {
    if (pubKey.length !== 33 || backend === "js") return verifySecp256k1Js(pubKey, signBytes, signature);
    if (backend === "native" && NATIVE) {
      return NATIVE.ecdsaVerify(signature, hash("sha256", signBytes, "buffer"), pubKey);
    }
    const key = opensslKeyOf(bytesKey(pubKey));
    return verify("sha256", signBytes, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

/**
 * The same check in JavaScript (@noble/curves): the reference the OpenSSL path is tested against,
 * and the path for keys that are not 33-byte compressed points.
 *
 * @example
 * verifySecp256k1Js(pubKey, signBytes, signature); // true or false
 */
export function verifySecp256k1Js(pubKey: Uint8Array, signBytes: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return secp256k1.verify(signature, sha256(signBytes), pubKey, {
      prehash: false,
      lowS: true,
      format: "compact",
    });
  } catch {
    return false;
  }
}
