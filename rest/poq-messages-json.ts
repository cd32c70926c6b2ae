/**
 * Gateway JSON of the `poq.v1` messages inside transactions (grpc-gateway style: every field
 * emitted, uint64 as strings, uint32 as numbers), registered with {@link registerAnyJson}.
 */
import {
  MsgRegisterNode,
  MsgRegisterNodeResponse,
  MsgRequestInference,
  MsgRequestInferenceResponse,
  MsgSubmitResponse,
  MsgSubmitResponseResponse,
  MsgUnregisterNode,
  MsgUnregisterNodeResponse,
  PoqTypeUrl,
  type ProtoCoin,
} from "../app/modules/poq/types/msgs.js";
import { registerAnyJson } from "./gateway-json.js";

const coin = (c: ProtoCoin | undefined) => (c ? { denom: c.denom, amount: c.amount } : null);

/** Registers the PoQ messages and responses; idempotent. */
export function registerPoqAnyJson(): void {
  registerAnyJson(PoqTypeUrl.RegisterNode, {
    toJson: (b) => {
      const m = MsgRegisterNode.decode(b);
      return { operator: m.operator, models: m.models, stake: coin(m.stake), moniker: m.moniker };
    },
  });
  registerAnyJson(PoqTypeUrl.UnregisterNode, {
    toJson: (b) => ({ operator: MsgUnregisterNode.decode(b).operator }),
  });
  registerAnyJson(PoqTypeUrl.RequestInference, {
    toJson: (b) => {
      const m = MsgRequestInference.decode(b);
      return {
        requester: m.requester,
        model: m.model,
        prompt: m.prompt,
        max_tokens: m.maxTokens,
        fee: coin(m.fee),
        min_quality: m.minQuality,
      };
    },
  });
  registerAnyJson(PoqTypeUrl.SubmitResponse, {
    toJson: (b) => {
      const m = MsgSubmitResponse.decode(b);
      return { node: m.node, request_id: m.requestId.toString(), response: m.response };
    },
  });
  registerAnyJson(PoqTypeUrl.RequestInferenceResponse, {
    toJson: (b) => {
      const m = MsgRequestInferenceResponse.decode(b);
      return { request_id: m.requestId.toString(), node: m.node };
    },
  });
  registerAnyJson(PoqTypeUrl.UnregisterNodeResponse, {
    toJson: (b) => ({ completion_height: MsgUnregisterNodeResponse.decode(b).completionHeight.toString() }),
  });
  registerAnyJson(PoqTypeUrl.RegisterNodeResponse, {
    toJson: (b) => (MsgRegisterNodeResponse.decode(b), {}),
  });
  registerAnyJson(PoqTypeUrl.SubmitResponseResponse, {
    toJson: (b) => (MsgSubmitResponseResponse.decode(b), {}),
  });
}
