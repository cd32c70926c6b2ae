/**
 * Browser-side protobuf for the one transaction the page signs (MsgRequestInference): TxBody,
 * AuthInfo, SignDoc and TxRaw, and the few reads the page needs (the request id in TxMsgData).
 * Hand-written because the page ships without a bundler or CDN; field numbers are those of the
 * Cosmos SDK protos and proto/poq/v1/tx.proto.
 */

const utf8 = new TextEncoder();

/** Appends protobuf fields; zero values are omitted, as Go and CosmJS do. */
class Writer {
  private readonly out: number[] = [];

  private varint(v: bigint): void {
    while (v > 0x7fn) {
      this.out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.out.push(Number(v));
  }

  uint(field: number, v: bigint | number): this {
    if (BigInt(v) === 0n) return this;
    this.varint(BigInt((field << 3) | 0));
    this.varint(BigInt(v));
    return this;
  }

  bytes(field: number, b: Uint8Array, always = false): this {
    if (b.length === 0 && !always) return this;
    this.varint(BigInt((field << 3) | 2));
    this.varint(BigInt(b.length));
    for (const x of b) this.out.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export interface Coin {
  denom: string;
  amount: string;
}

const coin = (c: Coin): Uint8Array => new Writer().string(1, c.denom).string(2, c.amount).finish();
const any = (typeUrl: string, value: Uint8Array): Uint8Array =>
  new Writer().string(1, typeUrl).bytes(2, value).finish();

/** What the form submits. */
export interface InferenceRequest {
  requester: string;
  model: string;
  prompt: string;
  maxTokens: number;
  fee: Coin;
  minQuality: number;
  /** Independent answers from distinct nodes (0 or absent: one). */
  replicas?: number;
}

/** `poq.v1.MsgRequestInference` wrapped in a TxBody. */
export function encodeRequestBody(m: InferenceRequest, memo = ""): Uint8Array {
  const msg = new Writer()
    .string(1, m.requester)
    .string(2, m.model)
    .string(3, m.prompt)
    .uint(4, m.maxTokens)
    .bytes(5, coin(m.fee), true)
    .uint(6, m.minQuality)
    .uint(7, m.replicas ?? 0)
    .finish();
  return new Writer().bytes(1, any("/poq.v1.MsgRequestInference", msg), true).string(2, memo).finish();
}

/** AuthInfo with one secp256k1 signer in SIGN_MODE_DIRECT. */
export function encodeAuthInfo(pubkey: Uint8Array, sequence: bigint, fee: Coin[], gas: bigint): Uint8Array {
  const pk = any("/cosmos.crypto.secp256k1.PubKey", new Writer().bytes(1, pubkey).finish());
  const modeInfo = new Writer().bytes(1, new Writer().uint(1, 1).finish(), true).finish(); // single{mode: DIRECT}
  const signer = new Writer().bytes(1, pk, true).bytes(2, modeInfo, true).uint(3, sequence).finish();
  const feeMsg = new Writer();
  for (const c of fee) feeMsg.bytes(1, coin(c), true);
  feeMsg.uint(2, gas);
  return new Writer().bytes(1, signer, true).bytes(2, feeMsg.finish(), true).finish();
}

/** `cosmos.tx.v1beta1.TxRaw`. */
export function encodeTxRaw(
  bodyBytes: Uint8Array,
  authInfoBytes: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  return new Writer().bytes(1, bodyBytes).bytes(2, authInfoBytes).bytes(3, signature, true).finish();
}

interface Field {
  field: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function readFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const x = b[pos++];
      if (x === undefined || shift > 63n) throw new Error("bad protobuf");
      v |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return v;
    }
  };
  while (pos < b.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) out.push({ field, varint: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, bytes: b.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

/**
 * The request id from a committed MsgRequestInference's `TxMsgData` (the tx_response `data`, hex).
 *
 * @example
 * requestIdFromTxData(txResponse.data); // 7n
 */
export function requestIdFromTxData(hex: string): bigint | undefined {
  const bytes = Uint8Array.from((hex.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  for (const f of readFields(bytes)) {
    if (f.field !== 2 || !f.bytes) continue; // msg_responses
    const parts = readFields(f.bytes);
    const url = parts.find((p) => p.field === 1)?.bytes;
    const value = parts.find((p) => p.field === 2)?.bytes ?? new Uint8Array();
    if (url && new TextDecoder().decode(url) === "/poq.v1.MsgRequestInferenceResponse")
      return readFields(value).find((p) => p.field === 1)?.varint ?? 0n;
  }
  return undefined;
}

export function toBase64(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}
export const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
