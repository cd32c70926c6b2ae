/**
 * Conversions from protobuf and CometBFT JSON to the Cosmos gateway's JSON (grpc-gateway with
 * original proto names): snake_case keys, `@type` on Any, 64-bit integers as strings, bytes as base64.
 */
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import type { PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { RpcEvent, RpcTx } from "./chain-reader.js";

/** A JSON object as the gateway writes it. */
export type GatewayJson = { [key: string]: unknown };

/** Decodes an Any's value into gateway JSON (without `@type`). */
export interface AnyJsonCodec {
  toJson(value: Uint8Array): GatewayJson;
}

/** A codec built from a cosmjs-types / ts-proto message type. */
function protoJsonCodec<T>(type: { decode(b: Uint8Array): T; toJSON(m: T): unknown }): AnyJsonCodec {
  return { toJson: (value) => toSnakeJson(type.toJSON(type.decode(value))) as GatewayJson };
}

const anyCodecs = new Map<string, AnyJsonCodec>([
  ["/cosmos.bank.v1beta1.MsgSend", protoJsonCodec(MsgSend)],
  ["/cosmos.auth.v1beta1.BaseAccount", protoJsonCodec(BaseAccount)],
  ["/cosmos.crypto.secp256k1.PubKey", protoJsonCodec(Secp256k1PubKey)],
  ["/cosmos.crypto.ed25519.PubKey", protoJsonCodec(Ed25519PubKey)],
]);

/**
 * Teaches the gateway how to render another Any type (the PoQ messages register here).
 *
 * @example
 * registerAnyJson("/poq.v1.MsgSubmitResponse", { toJson: (b) => decodeSubmitResponseJson(b) });
 */
export function registerAnyJson(typeUrl: string, codec: AnyJsonCodec): void {
  anyCodecs.set(typeUrl, codec);
}

function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Renames camelCase keys to snake_case, recursively (ts-proto's `toJSON` uses JSON names; the
 * gateway uses the original proto names).
 *
 * @example
 * toSnakeJson({ gasLimit: "1" }); // { gas_limit: "1" }
 */
export function toSnakeJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeJson);
  if (value !== null && typeof value === "object") {
    const out: GatewayJson = {};
    for (const [k, v] of Object.entries(value)) out[camelToSnake(k)] = toSnakeJson(v);
    return out;
  }
  return value;
}

/**
 * An Any as the gateway renders it: `{"@type": url, ...fields}`; unknown types keep their bytes.
 *
 * @example
 * anyToJson({ typeUrl: "/cosmos.crypto.secp256k1.PubKey", value }); // { "@type": ..., key: "A..." }
 */
export function anyToJson(any: Any | undefined): GatewayJson | null {
  if (!any) return null;
  const codec = anyCodecs.get(any.typeUrl);
  if (!codec) return { "@type": any.typeUrl, value: Buffer.from(any.value).toString("base64") };
  try {
    return { "@type": any.typeUrl, ...codec.toJson(any.value) };
  } catch {
    // Undecodable bytes under a known type: show them raw rather than fail the whole response.
    return { "@type": any.typeUrl, value: Buffer.from(any.value).toString("base64") };
  }
}

/** A BaseAccount Any as the auth gateway returns it (pub_key null when not yet set). */
export function accountToJson(any: Any): GatewayJson {
  if (any.typeUrl !== "/cosmos.auth.v1beta1.BaseAccount") return anyToJson(any) ?? {};
  const acc = BaseAccount.decode(any.value);
  return {
    "@type": any.typeUrl,
    address: acc.address,
    pub_key: acc.pubKey ? anyToJson(acc.pubKey) : null,
    account_number: acc.accountNumber.toString(),
    sequence: acc.sequence.toString(),
  };
}

export function coinToJson(c: Coin): { denom: string; amount: string } {
  return { denom: c.denom, amount: c.amount };
}

/** `{next_key, total}`: next_key base64 or null when there is no further page. */
export function paginationToJson(p: PageResponse | undefined): { next_key: string | null; total: string } {
  if (!p) return { next_key: null, total: "0" };
  return {
    next_key: p.nextKey.length > 0 ? Buffer.from(p.nextKey).toString("base64") : null,
    total: p.total.toString(),
  };
}

/**
 * A transaction's bytes as the gateway's `cosmos.tx.v1beta1.Tx` JSON.
 *
 * @example
 * const json = txToJson(txRawBytes); // { body: { messages: [...] }, auth_info: {...}, signatures: [...] }
 */
export function txToJson(bytes: Uint8Array): GatewayJson {
  // TxRaw and Tx share field numbers; Tx decodes body and auth_info as messages.
  const tx = Tx.decode(bytes);
  const body = tx.body;
  const auth = tx.authInfo;
  return {
    body: {
      messages: (body?.messages ?? []).map(anyToJson),
      memo: body?.memo ?? "",
      timeout_height: (body?.timeoutHeight ?? 0n).toString(),
      extension_options: (body?.extensionOptions ?? []).map(anyToJson),
      non_critical_extension_options: (body?.nonCriticalExtensionOptions ?? []).map(anyToJson),
    },
    auth_info: {
      signer_infos: (auth?.signerInfos ?? []).map((s) => ({
        public_key: anyToJson(s.publicKey),
        mode_info: s.modeInfo ? toSnakeJson(modeInfoJson(s.modeInfo)) : null,
        sequence: s.sequence.toString(),
      })),
      fee: auth?.fee
        ? {
            amount: auth.fee.amount.map(coinToJson),
            gas_limit: auth.fee.gasLimit.toString(),
            payer: auth.fee.payer,
            granter: auth.fee.granter,
          }
        : null,
      tip: null,
    },
    signatures: tx.signatures.map((s) => Buffer.from(s).toString("base64")),
  };
}

function modeInfoJson(m: NonNullable<Tx["authInfo"]>["signerInfos"][number]["modeInfo"]): unknown {
  const names: Record<number, string> = {
    0: "SIGN_MODE_UNSPECIFIED",
    1: "SIGN_MODE_DIRECT",
    2: "SIGN_MODE_TEXTUAL",
    3: "SIGN_MODE_DIRECT_AUX",
    127: "SIGN_MODE_LEGACY_AMINO_JSON",
  };
  if (m?.single) return { single: { mode: names[m.single.mode] ?? String(m.single.mode) } };
  return { multi: m?.multi ? { bitarray: null, mode_infos: [] } : null };
}

/** CometBFT events as the gateway renders them (v0.38 attributes are plain strings). */
function eventsToJson(events: RpcEvent[] | null | undefined): GatewayJson[] {
  return (events ?? []).map((e) => ({
    type: e.type,
    attributes: (e.attributes ?? []).map((a) => ({ key: a.key, value: a.value, index: a.index ?? false })),
  }));
}

/**
 * A committed transaction as the gateway's `TxResponse` JSON, around its {@link txToJson} (which the
 * caller has already made for the response's `tx` field, so the bytes are decoded once).
 *
 * @example
 * const tx = txToJson(Buffer.from(rpcTx.tx, "base64"));
 * const txResponse = txResponseToJson(rpcTx, blockTime, tx);
 */
export function txResponseToJson(t: RpcTx, timestamp: string, tx: GatewayJson): GatewayJson {
  const r = t.tx_result;
  return {
    height: t.height,
    txhash: t.hash.toUpperCase(),
    codespace: r.codespace ?? "",
    code: r.code ?? 0,
    data: r.data ? Buffer.from(r.data, "base64").toString("hex").toUpperCase() : "",
    raw_log: r.log ?? "",
    logs: [],
    info: r.info ?? "",
    gas_wanted: r.gas_wanted ?? "0",
    gas_used: r.gas_used ?? "0",
    tx: { "@type": "/cosmos.tx.v1beta1.Tx", ...tx },
    timestamp,
    events: eventsToJson(r.events),
  };
}
