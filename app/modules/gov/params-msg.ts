/**
 * The shape every module's `MsgUpdateParams` shares (the SDK's x/<module> ones): the whole params
 * object replaced at once, only by the gov module account, so it runs as a passed proposal's message.
 */
import { ChainError } from "../../errors.js";
import type { Context, MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import { ErrInvalidSigner } from "./errors.js";

/** What one module's MsgUpdateParams differs in. */
export interface GovParamsMsgSpec<M extends { authority: string }, P> {
  typeUrl: string;
  /** Strict protobuf decoding of the message (throws a registered error). */
  decode(value: Uint8Array): M;
  /** Canonical protobuf encoding, for the amino check that the signed bytes are canonical. */
  encode(m: M): Uint8Array;
  /** The params the message carries, validated (throws a registered error). */
  params(m: M): P;
  write(ctx: Context, params: P): void;
  /** Legacy amino JSON, `{type, value}`. */
  toAmino(m: M): { type: string; value: unknown };
  /** The encoded (empty) MsgUpdateParamsResponse. */
  response: Uint8Array;
}

/**
 * A MsgUpdateParams descriptor: signed by `authority`, which must be the gov module account.
 *
 * @example
 * const msg = govParamsMsg({ typeUrl, decode, encode: (m) => MsgUpdateParams.encode(m).finish(), ... });
 */
export function govParamsMsg<M extends { authority: string }, P>(
  spec: GovParamsMsgSpec<M, P>,
): MsgDescriptor {
  return {
    typeUrl: spec.typeUrl,
    signers: (value) => [spec.decode(value).authority],
    validateBasic: (value) => {
      const m = spec.decode(value);
      parseAccountAddress(m.authority, "authority");
      spec.params(m);
    },
    toAmino: (value) => {
      const m = spec.decode(value);
      requireCanonical("MsgUpdateParams", value, spec.encode(m));
      return spec.toAmino(m);
    },
    handler: (ctx, any) => {
      const m = spec.decode(any.value);
      const authority = moduleAddress("gov");
      if (m.authority !== authority)
        throw new ChainError(
          ErrInvalidSigner,
          `invalid authority; expected ${authority}, got ${m.authority}`,
        );
      spec.write(ctx, spec.params(m));
      return { response: { typeUrl: `${spec.typeUrl}Response`, value: spec.response } };
    },
  };
}
