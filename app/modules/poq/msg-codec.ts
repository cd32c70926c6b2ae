/**
 * What every poq message handler shares: strict decoding into a ChainError, coin and model id checks,
 * the amino view of a descriptor and the typed result.
 */
import { ChainError } from "../../errors.js";
import { requireCanonical } from "../../tx/canonical.js";
import type { MsgDescriptor, MsgResult } from "../../types.js";
import { ErrInvalidFee, ErrInvalidModel, ErrMalformedMsg } from "./errors.js";
import type { PoqParams } from "./params.js";
import type { MessageCodec, ProtoCoin } from "./types/msgs.js";
import { WireError, encodeUtf8 } from "./types/wire.js";

const AMOUNT = /^[0-9]{1,78}$/;
export const utf8Length = (s: string): number => encodeUtf8(s).length;

export function decodeMsg<T>(codec: MessageCodec<T>, bytes: Uint8Array, name: string): T {
  try {
    return codec.decode(bytes);
  } catch (cause) {
    if (cause instanceof WireError) throw new ChainError(ErrMalformedMsg, `${name}: ${cause.message}`, cause);
    throw cause;
  }
}

export function coinAmount(
  coin: ProtoCoin | undefined,
  params: PoqParams,
  field: string,
  kind: typeof ErrInvalidFee,
): bigint {
  if (!coin) throw new ChainError(kind, `${field} is required`);
  if (coin.denom !== params.denom)
    throw new ChainError(kind, `${field} must be in ${params.denom}, got "${coin.denom}"`);
  if (!AMOUNT.test(coin.amount))
    throw new ChainError(kind, `${field} amount "${coin.amount}" is not an integer`);
  return BigInt(coin.amount);
}

export function checkModelId(model: string, params: PoqParams, kind: typeof ErrInvalidModel): void {
  if (model === "" || utf8Length(model) > params.maxModelIdBytes || /[\s,]/.test(model)) {
    throw new ChainError(
      kind,
      `model id ${JSON.stringify(model.slice(0, 64))} must be 1..${params.maxModelIdBytes} bytes without spaces or commas`,
    );
  }
}

/**
 * A descriptor's `toAmino`: the message decoded, then its legacy amino JSON (types/amino.ts). The
 * amino signature covers the JSON, not the bytes, so the bytes must be the canonical encoding
 * (else the same signed tx would commit under a second hash).
 */
export const aminoOf =
  <T>(
    codec: MessageCodec<T>,
    name: string,
    converter: { aminoType: string; toAmino: (m: T) => unknown },
  ): NonNullable<MsgDescriptor["toAmino"]> =>
  (v) => {
    const msg = decodeMsg(codec, v, name);
    requireCanonical(name, v, codec.encode(msg).finish());
    return { type: converter.aminoType, value: converter.toAmino(msg) };
  };

export const result = <T>(typeUrl: string, codec: MessageCodec<T>, value: T): MsgResult => ({
  response: { typeUrl, value: codec.encode(value).finish() },
});
