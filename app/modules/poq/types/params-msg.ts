/**
 * `poq.v1.Params` and `poq.v1.MsgUpdateParams` (proto/poq/v1/tx.proto): the poq params as protobuf,
 * so that a governance proposal can carry a full new parameter set (for instance a new evaluator
 * pin). Field numbers follow the order of the fields in `PoqParams` (params.ts), starting at 1;
 * strings are `string`, block counts and amounts `uint64`, the rest `uint32`.
 */
import { defaultPoqParams, type PoqParams } from "../params.js";
import { decodeUtf8, expectBytes, expectVarint, readFields, WireError, WireWriter } from "./wire.js";
import type { MessageCodec } from "./msgs.js";

export const MSG_UPDATE_PARAMS_TYPE_URL = "/poq.v1.MsgUpdateParams";
export const MSG_UPDATE_PARAMS_RESPONSE_TYPE_URL = "/poq.v1.MsgUpdateParamsResponse";
export const MSG_UPDATE_PARAMS_AMINO_TYPE = "poq/MsgUpdateParams";

export interface MsgUpdateParams {
  /** The gov module account: the only authority. */
  authority: string;
  params?: PoqParams;
}

type Kind = "string" | "uint64" | "uint32";

/** `[field name, field number, kind]` in `PoqParams` order. */
export const POQ_PARAMS_FIELDS: ReadonlyArray<readonly [keyof PoqParams, number, Kind]> = Object.entries(
  defaultPoqParams(),
).map(([k, v], i) => [
  k as keyof PoqParams,
  i + 1,
  typeof v === "string" ? "string" : typeof v === "bigint" ? "uint64" : "uint32",
]);

const byNumber = new Map(POQ_PARAMS_FIELDS.map((f) => [f[1], f]));
const finished = (bytes: Uint8Array) => ({ finish: () => bytes });

function encodeParams(p: PoqParams): Uint8Array {
  const w = new WireWriter();
  for (const [name, no, kind] of POQ_PARAMS_FIELDS) {
    const v = p[name];
    if (kind === "string") w.string(no, v as string);
    else w.uint64(no, v as bigint | number);
  }
  return w.finish();
}

/** Absent fields are zero / empty (protobuf), not defaults: a proposal states every param. */
function decodeParams(bytes: Uint8Array): PoqParams {
  const out: Record<string, unknown> = {};
  for (const [name, , kind] of POQ_PARAMS_FIELDS)
    out[name] = kind === "string" ? "" : kind === "uint64" ? 0n : 0;
  for (const f of readFields(bytes)) {
    const spec = byNumber.get(f.field);
    if (!spec) throw new WireError(`Params: unknown field ${f.field}`);
    const [name, , kind] = spec;
    if (kind === "string") out[name] = decodeUtf8(expectBytes(f));
    else {
      const v = expectVarint(f);
      if (kind === "uint32" && v > 0xffffffffn) throw new WireError(`Params.${name}: ${v} overflows uint32`);
      out[name] = kind === "uint64" ? v : Number(v);
    }
  }
  return out as unknown as PoqParams;
}

export const PoqParamsCodec: MessageCodec<PoqParams> = {
  encode: (p) => finished(encodeParams(p)),
  decode: decodeParams,
  fromPartial: (o) => ({ ...defaultPoqParams(), ...o }),
};

export const MsgUpdateParams: MessageCodec<MsgUpdateParams> = {
  encode(m) {
    const w = new WireWriter().string(1, m.authority);
    if (m.params) w.message(2, encodeParams(m.params));
    return finished(w.finish());
  },
  decode(bytes) {
    const m: MsgUpdateParams = { authority: "" };
    for (const f of readFields(bytes)) {
      if (f.field === 1) m.authority = decodeUtf8(expectBytes(f));
      else if (f.field === 2) m.params = decodeParams(expectBytes(f));
      else throw new WireError(`MsgUpdateParams: unknown field ${f.field}`);
    }
    return m;
  },
  fromPartial: (o) => ({ authority: o.authority ?? "", ...(o.params ? { params: o.params } : {}) }),
};

export const MsgUpdateParamsResponse: MessageCodec<Record<string, never>> = {
  encode: () => finished(new Uint8Array()),
  decode(bytes) {
    for (const f of readFields(bytes))
      throw new WireError(`MsgUpdateParamsResponse: unknown field ${f.field}`);
    return {};
  },
  fromPartial: () => ({}),
};

/**
 * Amino JSON of MsgUpdateParams: snake_case, zero values omitted, 64-bit integers as strings.
 *
 * @example
 * updateParamsToAmino({ authority, params });
 */
export function updateParamsToAmino(m: MsgUpdateParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (m.params) {
    for (const [name, , kind] of POQ_PARAMS_FIELDS) {
      const v = m.params[name];
      if (v === "" || v === 0 || v === 0n) continue;
      const key = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      params[key] = kind === "uint64" ? String(v) : v;
    }
  }
  return { authority: m.authority, ...(m.params ? { params } : {}) };
}
