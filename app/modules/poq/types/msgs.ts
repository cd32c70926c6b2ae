/**
 * The `poq.v1` transaction messages (proto/poq/v1/tx.proto): TypeScript shapes, strict protobuf
 * codecs and legacy amino JSON.
 *
 * Each codec has the shape CosmJS's `Registry` expects of a generated type (`encode(m).finish()`,
 * `decode(bytes)`, `fromPartial(obj)`), so clients register them directly:
 * `new Registry([[PoqTypeUrl.RequestInference, MsgRequestInference], ...])`.
 * Decoding rejects unknown fields and wrong wire types, as the Cosmos SDK does for tx messages.
 */
import {
  decodeUtf8,
  expectBytes,
  expectVarint,
  readFields,
  WireError,
  WireWriter,
  type WireField,
} from "./wire.js";
import {
  MSG_UPDATE_PARAMS_RESPONSE_TYPE_URL,
  MSG_UPDATE_PARAMS_TYPE_URL,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
} from "./params-msg.js";

/** `cosmos.base.v1beta1.Coin` on the wire: the amount is a decimal string. */
export interface ProtoCoin {
  denom: string;
  amount: string;
}

export interface MsgRegisterNode {
  operator: string;
  models: string[];
  stake?: ProtoCoin;
  moniker: string;
  /** Field 5: the smallest fee (per answer) the node takes; absent = the chain's min_request_fee. */
  minFee?: ProtoCoin;
  /** Field 6: most requests in flight at once; absent or 0 = the chain's default. */
  maxInFlight?: number;
}
export type MsgRegisterNodeResponse = Record<string, never>;
export interface MsgUnjailNode {
  operator: string;
}
export type MsgUnjailNodeResponse = Record<string, never>;
export interface MsgUnregisterNode {
  operator: string;
}
export interface MsgUnregisterNodeResponse {
  completionHeight: bigint;
}
export interface MsgRequestInference {
  requester: string;
  model: string;
  prompt: string;
  maxTokens: number;
  fee?: ProtoCoin;
  minQuality: number;
  /** Independent answers wanted from distinct nodes; 0, 1 or absent = one. */
  replicas?: number;
}
export interface MsgRequestInferenceResponse {
  requestId: bigint;
  /** The first assigned node ("" while the request waits). */
  node: string;
  /** Every assigned node (replicated requests: one per answer). */
  nodes?: string[];
}
export interface MsgCommitResponse {
  node: string;
  requestId: bigint;
  commitment: Uint8Array;
}
export type MsgCommitResponseResponse = Record<string, never>;
export interface MsgSubmitResponse {
  node: string;
  requestId: bigint;
  response: string;
  /** The commitment's salt (replicated requests); empty or absent otherwise. */
  salt?: Uint8Array;
}
export type MsgSubmitResponseResponse = Record<string, never>;

export const PoqTypeUrl = {
  RegisterNode: "/poq.v1.MsgRegisterNode",
  RegisterNodeResponse: "/poq.v1.MsgRegisterNodeResponse",
  UnregisterNode: "/poq.v1.MsgUnregisterNode",
  UnregisterNodeResponse: "/poq.v1.MsgUnregisterNodeResponse",
  RequestInference: "/poq.v1.MsgRequestInference",
  RequestInferenceResponse: "/poq.v1.MsgRequestInferenceResponse",
  SubmitResponse: "/poq.v1.MsgSubmitResponse",
  SubmitResponseResponse: "/poq.v1.MsgSubmitResponseResponse",
  UnjailNode: "/poq.v1.MsgUnjailNode",
  UnjailNodeResponse: "/poq.v1.MsgUnjailNodeResponse",
  CommitResponse: "/poq.v1.MsgCommitResponse",
  CommitResponseResponse: "/poq.v1.MsgCommitResponseResponse",
} as const;

/** Amino names (SPEC section 3) for SIGN_MODE_LEGACY_AMINO_JSON. */
export const PoqAminoType = {
  RegisterNode: "poq/MsgRegisterNode",
  UnregisterNode: "poq/MsgUnregisterNode",
  RequestInference: "poq/MsgRequestInference",
  SubmitResponse: "poq/MsgSubmitResponse",
  UnjailNode: "poq/MsgUnjailNode",
  CommitResponse: "poq/MsgCommitResponse",
} as const;

/** A codec in the shape of a ts-proto / protobufjs generated type, as CosmJS's Registry uses it. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  fromPartial(object: Partial<T>): T;
}

const U32_MAX = 0xffffffffn;
const str = (f: WireField): string => decodeUtf8(expectBytes(f));
const u32 = (f: WireField): number => {
  const v = expectVarint(f);
  if (v > U32_MAX) throw new WireError(`field ${f.field}: ${v} overflows uint32`);
  return Number(v);
};
const unknown = (msg: string, f: WireField): never => {
  throw new WireError(`${msg}: unknown field ${f.field}`);
};
const finished = (bytes: Uint8Array) => ({ finish: () => bytes });

function encodeCoin(c: ProtoCoin): Uint8Array {
  return new WireWriter().string(1, c.denom).string(2, c.amount).finish();
}

function decodeCoin(bytes: Uint8Array): ProtoCoin {
  const coin: ProtoCoin = { denom: "", amount: "" };
  for (const f of readFields(bytes)) {
    if (f.field === 1) coin.denom = str(f);
    else if (f.field === 2) coin.amount = str(f);
    else unknown("Coin", f);
  }
  return coin;
}

function withCoin<K extends string>(key: K, coin: ProtoCoin | undefined): { [P in K]?: ProtoCoin } {
  return (coin ? { [key]: coin } : {}) as { [P in K]?: ProtoCoin };
}

export const MsgRegisterNode: MessageCodec<MsgRegisterNode> = {
  encode(m) {
    const w = new WireWriter().string(1, m.operator);
    for (const model of m.models) w.bytes(2, new TextEncoder().encode(model), true);
    if (m.stake) w.message(3, encodeCoin(m.stake));
    w.string(4, m.moniker);
    if (m.minFee) w.message(5, encodeCoin(m.minFee));
    return finished(w.uint64(6, m.maxInFlight ?? 0).finish());
  },
  decode(bytes) {
    const m: MsgRegisterNode = { operator: "", models: [], moniker: "" };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.operator = str(f);
      else if (f.field === 2) m.models.push(str(f));
      else if (f.field === 3) m.stake = decodeCoin(expectBytes(f));
      else if (f.field === 4) m.moniker = str(f);
      else if (f.field === 5) m.minFee = decodeCoin(expectBytes(f));
      else if (f.field === 6) m.maxInFlight = u32(f);
      else unknown("MsgRegisterNode", f);
    }
    return m;
  },
  fromPartial(o) {
    return {
      operator: o.operator ?? "",
      models: [...(o.models ?? [])],
      ...withCoin("stake", o.stake),
      moniker: o.moniker ?? "",
      ...withCoin("minFee", o.minFee),
      ...(o.maxInFlight ? { maxInFlight: o.maxInFlight } : {}),
    };
  },
};

export const MsgUnjailNode: MessageCodec<MsgUnjailNode> = {
  encode: (m) => finished(new WireWriter().string(1, m.operator).finish()),
  decode(bytes) {
    const m: MsgUnjailNode = { operator: "" };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.operator = str(f);
      else unknown("MsgUnjailNode", f);
    }
    return m;
  },
  fromPartial: (o) => ({ operator: o.operator ?? "" }),
};

export const MsgUnjailNodeResponse: MessageCodec<MsgUnjailNodeResponse> = {
  encode: () => finished(new Uint8Array()),
  decode(bytes) {
    for (const f of readFields(bytes)) unknown("MsgUnjailNodeResponse", f);
    return {};
  },
  fromPartial: () => ({}),
};

export const MsgRegisterNodeResponse: MessageCodec<MsgRegisterNodeResponse> = {
  encode: () => finished(new Uint8Array()),
  decode(bytes) {
    for (const f of readFields(bytes)) unknown("MsgRegisterNodeResponse", f);
    return {};
  },
  fromPartial: () => ({}),
};

export const MsgUnregisterNode: MessageCodec<MsgUnregisterNode> = {
  encode: (m) => finished(new WireWriter().string(1, m.operator).finish()),
  decode(bytes) {
    const m: MsgUnregisterNode = { operator: "" };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.operator = str(f);
      else unknown("MsgUnregisterNode", f);
    }
    return m;
  },
  fromPartial: (o) => ({ operator: o.operator ?? "" }),
};

export const MsgUnregisterNodeResponse: MessageCodec<MsgUnregisterNodeResponse> = {
  encode: (m) => finished(new WireWriter().uint64(1, m.completionHeight).finish()),
  decode(bytes) {
    const m: MsgUnregisterNodeResponse = { completionHeight: 0n };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.completionHeight = expectVarint(f);
      else unknown("MsgUnregisterNodeResponse", f);
    }
    return m;
  },
  fromPartial: (o) => ({ completionHeight: o.completionHeight ?? 0n }),
};

export const MsgRequestInference: MessageCodec<MsgRequestInference> = {
  encode(m) {
    const w = new WireWriter()
      .string(1, m.requester)
      .string(2, m.model)
      .string(3, m.prompt)
      .uint64(4, m.maxTokens);
    if (m.fee) w.message(5, encodeCoin(m.fee));
    return finished(
      w
        .uint64(6, m.minQuality)
        .uint64(7, m.replicas ?? 0)
        .finish(),
    );
  },
  decode(bytes) {
    // Fields added after the first release (replicas) appear only when set, as in older clients' objects.
    const m: MsgRequestInference = { requester: "", model: "", prompt: "", maxTokens: 0, minQuality: 0 };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.requester = str(f);
      else if (f.field === 2) m.model = str(f);
      else if (f.field === 3) m.prompt = str(f);
      else if (f.field === 4) m.maxTokens = u32(f);
      else if (f.field === 5) m.fee = decodeCoin(expectBytes(f));
      else if (f.field === 6) m.minQuality = u32(f);
      else if (f.field === 7) m.replicas = u32(f);
      else unknown("MsgRequestInference", f);
    }
    return m;
  },
  fromPartial(o) {
    return {
      requester: o.requester ?? "",
      model: o.model ?? "",
      prompt: o.prompt ?? "",
      maxTokens: o.maxTokens ?? 0,
      ...withCoin("fee", o.fee),
      minQuality: o.minQuality ?? 0,
      ...(o.replicas ? { replicas: o.replicas } : {}),
    };
  },
};

export const MsgRequestInferenceResponse: MessageCodec<MsgRequestInferenceResponse> = {
  encode(m) {
    const w = new WireWriter().uint64(1, m.requestId).string(2, m.node);
    for (const node of m.nodes ?? []) w.bytes(3, new TextEncoder().encode(node), true);
    return finished(w.finish());
  },
  decode(bytes) {
    const m: MsgRequestInferenceResponse = { requestId: 0n, node: "" };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.requestId = expectVarint(f);
      else if (f.field === 2) m.node = str(f);
      else if (f.field === 3) (m.nodes ??= []).push(str(f));
      else unknown("MsgRequestInferenceResponse", f);
    }
    return m;
  },
  fromPartial: (o) => ({
    requestId: o.requestId ?? 0n,
    node: o.node ?? "",
    ...(o.nodes ? { nodes: [...o.nodes] } : {}),
  }),
};

export const MsgCommitResponse: MessageCodec<MsgCommitResponse> = {
  encode: (m) =>
    finished(new WireWriter().string(1, m.node).uint64(2, m.requestId).bytes(3, m.commitment).finish()),
  decode(bytes) {
    const m: MsgCommitResponse = { node: "", requestId: 0n, commitment: new Uint8Array() };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.node = str(f);
      else if (f.field === 2) m.requestId = expectVarint(f);
      else if (f.field === 3) m.commitment = Uint8Array.from(expectBytes(f));
      else unknown("MsgCommitResponse", f);
    }
    return m;
  },
  fromPartial: (o) => ({
    node: o.node ?? "",
    requestId: o.requestId ?? 0n,
    commitment: Uint8Array.from(o.commitment ?? []),
  }),
};

export const MsgCommitResponseResponse: MessageCodec<MsgCommitResponseResponse> = {
  encode: () => finished(new Uint8Array()),
  decode(bytes) {
    for (const f of readFields(bytes)) unknown("MsgCommitResponseResponse", f);
    return {};
  },
  fromPartial: () => ({}),
};

export const MsgSubmitResponse: MessageCodec<MsgSubmitResponse> = {
  encode: (m) =>
    finished(
      new WireWriter()
        .string(1, m.node)
        .uint64(2, m.requestId)
        .string(3, m.response)
        .bytes(4, m.salt ?? new Uint8Array())
        .finish(),
    ),
  decode(bytes) {
    const m: MsgSubmitResponse = { node: "", requestId: 0n, response: "" };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.node = str(f);
      else if (f.field === 2) m.requestId = expectVarint(f);
      else if (f.field === 3) m.response = str(f);
      else if (f.field === 4) m.salt = Uint8Array.from(expectBytes(f));
      else unknown("MsgSubmitResponse", f);
    }
    return m;
  },
  fromPartial: (o) => ({
    node: o.node ?? "",
    requestId: o.requestId ?? 0n,
    response: o.response ?? "",
    ...(o.salt ? { salt: Uint8Array.from(o.salt) } : {}),
  }),
};

export const MsgSubmitResponseResponse: MessageCodec<MsgSubmitResponseResponse> = {
  encode: () => finished(new Uint8Array()),
  decode(bytes) {
    for (const f of readFields(bytes)) unknown("MsgSubmitResponseResponse", f);
    return {};
  },
  fromPartial: () => ({}),
};

/**
 * Type URL → codec of every `poq.v1` message and message response: the one list a registry of
 * them (CosmJS's `Registry` in client/registry.ts) is built from.
 *
 * @example
 * for (const [typeUrl, codec] of poqMessageCodecs) registry.register(typeUrl, codec);
 */
export const poqMessageCodecs: ReadonlyArray<readonly [string, MessageCodec<unknown>]> = [
  [PoqTypeUrl.RegisterNode, MsgRegisterNode],
  [PoqTypeUrl.RegisterNodeResponse, MsgRegisterNodeResponse],
  [PoqTypeUrl.UnregisterNode, MsgUnregisterNode],
  [PoqTypeUrl.UnregisterNodeResponse, MsgUnregisterNodeResponse],
  [PoqTypeUrl.RequestInference, MsgRequestInference],
  [PoqTypeUrl.RequestInferenceResponse, MsgRequestInferenceResponse],
  [PoqTypeUrl.SubmitResponse, MsgSubmitResponse],
  [PoqTypeUrl.SubmitResponseResponse, MsgSubmitResponseResponse],
  [PoqTypeUrl.UnjailNode, MsgUnjailNode],
  [PoqTypeUrl.UnjailNodeResponse, MsgUnjailNodeResponse],
  [PoqTypeUrl.CommitResponse, MsgCommitResponse],
  [PoqTypeUrl.CommitResponseResponse, MsgCommitResponseResponse],
  [MSG_UPDATE_PARAMS_TYPE_URL, MsgUpdateParams as MessageCodec<unknown>],
  [MSG_UPDATE_PARAMS_RESPONSE_TYPE_URL, MsgUpdateParamsResponse as MessageCodec<unknown>],
];
