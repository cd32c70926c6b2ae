/**
 * Legacy amino JSON of the `poq.v1` messages, for SIGN_MODE_LEGACY_AMINO_JSON (Ledger, Keplr amino).
 *
 * The Cosmos SDK conventions: snake_case field names, zero values omitted (`omitempty`), 64-bit integers
 * as strings, 32-bit integers as JSON numbers, coins as `{denom, amount}` with a string amount. The
 * chain rebuilds these objects to check amino signatures, so clients must produce exactly the same;
 * {@link poqAminoConverters} has the shape of CosmJS `AminoConverters` for that purpose.
 */
import {
  MsgCommitResponse,
  MsgRegisterNode,
  MsgRequestInference,
  MsgSubmitResponse,
  MsgUnjailNode,
  MsgUnregisterNode,
  PoqAminoType,
  PoqTypeUrl,
  type ProtoCoin,
} from "./msgs.js";

type Json = Record<string, unknown>;

const omitEmpty = (o: Json): Json =>
  Object.fromEntries(
    Object.entries(o).filter(
      ([, v]) => v !== undefined && v !== "" && v !== 0 && !(Array.isArray(v) && v.length === 0),
    ),
  );
const coin = (c: ProtoCoin | undefined) => (c ? { denom: c.denom, amount: c.amount } : undefined);
const asString = (v: unknown): string => (typeof v === "string" ? v : "");
const asNumber = (v: unknown): number => (typeof v === "number" ? v : 0);
// Amino JSON carries bytes as base64, as the Cosmos SDK's legacy JSON does.
const base64 = (b: Uint8Array): string => (b.length === 0 ? "" : Buffer.from(b).toString("base64"));
const fromBase64 = (v: unknown): Uint8Array =>
  typeof v === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(v)
    ? new Uint8Array(Buffer.from(v, "base64"))
    : new Uint8Array();
const u64String = (v: bigint): string => (v === 0n ? "" : v.toString());
const fromU64String = (v: unknown): bigint => BigInt(/^[0-9]{1,20}$/.test(asString(v)) ? asString(v) : "0");
const asCoin = (v: unknown): ProtoCoin | undefined => {
  if (typeof v !== "object" || v === null) return undefined;
  const c = v as Json;
  return { denom: asString(c["denom"]), amount: asString(c["amount"]) };
};

/** Converters keyed by type URL: `{ aminoType, toAmino(msg), fromAmino(json) }`. */
export const poqAminoConverters = {
  [PoqTypeUrl.RegisterNode]: {
    aminoType: PoqAminoType.RegisterNode,
    toAmino: (m: MsgRegisterNode): Json =>
      omitEmpty({
        operator: m.operator,
        models: m.models,
        stake: coin(m.stake),
        moniker: m.moniker,
        min_fee: coin(m.minFee),
        max_in_flight: m.maxInFlight,
      }),
    fromAmino: (j: Json): MsgRegisterNode =>
      MsgRegisterNode.fromPartial({
        operator: asString(j["operator"]),
        models: Array.isArray(j["models"]) ? j["models"].map(asString) : [],
        ...(asCoin(j["stake"]) ? { stake: asCoin(j["stake"]) as ProtoCoin } : {}),
        moniker: asString(j["moniker"]),
        ...(asCoin(j["min_fee"]) ? { minFee: asCoin(j["min_fee"]) as ProtoCoin } : {}),
        ...(asNumber(j["max_in_flight"]) ? { maxInFlight: asNumber(j["max_in_flight"]) } : {}),
      }),
  },
  [PoqTypeUrl.UnjailNode]: {
    aminoType: PoqAminoType.UnjailNode,
    toAmino: (m: MsgUnjailNode): Json => omitEmpty({ operator: m.operator }),
    fromAmino: (j: Json): MsgUnjailNode => MsgUnjailNode.fromPartial({ operator: asString(j["operator"]) }),
  },
  [PoqTypeUrl.UnregisterNode]: {
    aminoType: PoqAminoType.UnregisterNode,
    toAmino: (m: MsgUnregisterNode): Json => omitEmpty({ operator: m.operator }),
    fromAmino: (j: Json): MsgUnregisterNode =>
      MsgUnregisterNode.fromPartial({ operator: asString(j["operator"]) }),
  },
  [PoqTypeUrl.RequestInference]: {
    aminoType: PoqAminoType.RequestInference,
    toAmino: (m: MsgRequestInference): Json =>
      omitEmpty({
        requester: m.requester,
        model: m.model,
        prompt: m.prompt,
        max_tokens: m.maxTokens,
        fee: coin(m.fee),
        min_quality: m.minQuality,
        replicas: m.replicas,
      }),
    fromAmino: (j: Json): MsgRequestInference =>
      MsgRequestInference.fromPartial({
        requester: asString(j["requester"]),
        model: asString(j["model"]),
        prompt: asString(j["prompt"]),
        maxTokens: asNumber(j["max_tokens"]),
        ...(asCoin(j["fee"]) ? { fee: asCoin(j["fee"]) as ProtoCoin } : {}),
        minQuality: asNumber(j["min_quality"]),
        replicas: asNumber(j["replicas"]),
      }),
  },
  [PoqTypeUrl.SubmitResponse]: {
    aminoType: PoqAminoType.SubmitResponse,
    toAmino: (m: MsgSubmitResponse): Json =>
      omitEmpty({
        node: m.node,
        request_id: u64String(m.requestId),
        response: m.response,
        salt: base64(m.salt ?? new Uint8Array()),
      }),
    fromAmino: (j: Json): MsgSubmitResponse =>
      MsgSubmitResponse.fromPartial({
        node: asString(j["node"]),
        requestId: fromU64String(j["request_id"]),
        response: asString(j["response"]),
        ...(asString(j["salt"]) !== "" ? { salt: fromBase64(j["salt"]) } : {}),
      }),
  },
  [PoqTypeUrl.CommitResponse]: {
    aminoType: PoqAminoType.CommitResponse,
    toAmino: (m: MsgCommitResponse): Json =>
      omitEmpty({ node: m.node, request_id: u64String(m.requestId), commitment: base64(m.commitment) }),
    fromAmino: (j: Json): MsgCommitResponse =>
      MsgCommitResponse.fromPartial({
        node: asString(j["node"]),
        requestId: fromU64String(j["request_id"]),
        commitment: fromBase64(j["commitment"]),
      }),
  },
} as const;
