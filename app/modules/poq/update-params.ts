/**
 * MsgUpdateParams: replaces all poq params. Only the gov module account may send it (so only a
 * passed proposal changes them); the params are validated as genesis params are, and the denom
 * cannot change (stakes and escrows are held in it). Takes effect for the next block: the
 * evaluator pin included, so validators whose files do not match the new pin stop scoring.
 */
import { ChainError } from "../../errors.js";
import type { MsgDescriptor } from "../../types.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import { ErrInvalidSigner } from "../gov/errors.js";
import type { PoqDeps } from "./deps.js";
import { ErrMalformedMsg } from "./errors.js";
import { aminoOf, decodeMsg, result } from "./msg-codec.js";
import { InvalidParamsError, validatePoqParams, type PoqParams } from "./params.js";
import { paramsToJson } from "./keeper.js";
import {
  MSG_UPDATE_PARAMS_AMINO_TYPE,
  MSG_UPDATE_PARAMS_RESPONSE_TYPE_URL,
  MSG_UPDATE_PARAMS_TYPE_URL,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
  updateParamsToAmino,
} from "./types/params-msg.js";

/** The only account that may update poq params: the gov module's. */
export const poqParamsAuthority = (): string => moduleAddress("gov");

function checkParams(p: PoqParams | undefined): PoqParams {
  if (!p) throw new ChainError(ErrMalformedMsg, "MsgUpdateParams: params must be set");
  try {
    validatePoqParams(p);
  } catch (cause) {
    if (cause instanceof InvalidParamsError) throw new ChainError(ErrMalformedMsg, cause.message, cause);
    throw cause;
  }
  return p;
}

/**
 * The MsgUpdateParams descriptor.
 *
 * @example
 * const msgs = [...createPoqMsgServer(deps, params), createUpdateParamsMsg(deps)];
 */
export function createUpdateParamsMsg(deps: PoqDeps): MsgDescriptor {
  return {
    typeUrl: MSG_UPDATE_PARAMS_TYPE_URL,
    signers: (v) => [decodeMsg(MsgUpdateParams, v, "MsgUpdateParams").authority],
    toAmino: aminoOf(MsgUpdateParams, "MsgUpdateParams", {
      aminoType: MSG_UPDATE_PARAMS_AMINO_TYPE,
      toAmino: updateParamsToAmino,
    }),
    validateBasic(v) {
      const m = decodeMsg(MsgUpdateParams, v, "MsgUpdateParams");
      parseAccountAddress(m.authority, "authority");
      checkParams(m.params);
    },
    handler(ctx, msg) {
      const m = decodeMsg(MsgUpdateParams, msg.value, "MsgUpdateParams");
      const authority = poqParamsAuthority();
      if (m.authority !== authority)
        throw new ChainError(
          ErrInvalidSigner,
          `invalid authority; expected ${authority}, got ${m.authority}`,
        );
      const params = checkParams(m.params);
      const current = deps.keeper.getParams(ctx);
      if (params.denom !== current.denom)
        throw new ChainError(ErrMalformedMsg, `denom cannot change (${current.denom} -> ${params.denom})`);
      deps.keeper.setParams(ctx, params);
      ctx.emitEvent({
        type: "poq_params_updated",
        attributes: Object.entries(paramsToJson(params))
          .filter(([k]) => k.startsWith("evaluator_"))
          .map(([key, value]) => ({ key, value: String(value), index: true })),
      });
      return result(MSG_UPDATE_PARAMS_RESPONSE_TYPE_URL, MsgUpdateParamsResponse, {});
    },
  };
}
