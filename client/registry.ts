/**
 * The CosmJS registry and amino types of this chain: the SDK's defaults plus the `poq.v1` messages,
 * so that CosmJS and Keplr sign PoQ transactions with SIGN_MODE_DIRECT and SIGN_MODE_LEGACY_AMINO_JSON.
 */
import { Registry, type GeneratedType } from "@cosmjs/proto-signing";
import { AminoTypes, createDefaultAminoConverters, defaultRegistryTypes } from "@cosmjs/stargate";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { poqMessageCodecs } from "../app/modules/poq/types/msgs.js";
import { poqAminoConverters } from "../app/modules/poq/types/amino.js";

/**
 * The poq codecs return `{ finish() }` from `encode` rather than a protobufjs Writer; CosmJS only
 * ever calls `encode(m).finish()`, `decode(bytes)` and `fromPartial(o)`, so the narrower shape is
 * enough and the cast is sound at runtime.
 */
const generated = (codec: object): GeneratedType => codec as GeneratedType;

/** Type URL → codec of every `poq.v1` message and message response. */
export const poqRegistryTypes: ReadonlyArray<[string, GeneratedType]> = poqMessageCodecs.map(
  ([typeUrl, codec]) => [typeUrl, generated(codec)],
);

/** `cosmos.slashing.v1beta1.MsgUnjail`, which CosmJS's defaults leave out (its converter throws "Not implemented"). */
const slashingRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  ["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail],
];
const slashingAminoConverters = {
  "/cosmos.slashing.v1beta1.MsgUnjail": {
    aminoType: "cosmos-sdk/MsgUnjail",
    toAmino: ({ validatorAddr }: { validatorAddr: string }) => ({ address: validatorAddr }),
    fromAmino: ({ address }: { address: string }) => ({ validatorAddr: address }),
  },
};

/**
 * A CosmJS Registry with the SDK's default types and the PoQ messages.
 *
 * @example
 * const registry = createPoqRegistry();
 * registry.encode({ typeUrl: "/poq.v1.MsgSubmitResponse", value: { node, requestId: 1n, response: "hi" } });
 */
export function createPoqRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...slashingRegistryTypes, ...poqRegistryTypes]);
}

/**
 * AminoTypes with the SDK's default converters (bank, ...) and the PoQ ones (`poq/MsgRequestInference`, ...).
 *
 * @example
 * createPoqAminoTypes().toAmino({ typeUrl: "/poq.v1.MsgUnregisterNode", value: { operator } });
 * // { type: "poq/MsgUnregisterNode", value: { operator } }
 */
export function createPoqAminoTypes(): AminoTypes {
  return new AminoTypes({
    ...createDefaultAminoConverters(),
    ...slashingAminoConverters,
    ...poqAminoConverters,
  });
}
