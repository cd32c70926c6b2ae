/**
 * The bytes a signer signs, rebuilt on the chain side exactly as CosmJS, Keplr and the Cosmos SDK
 * build them: SIGN_MODE_DIRECT (a protobuf SignDoc) and SIGN_MODE_LEGACY_AMINO_JSON (sorted-key
 * JSON of a StdSignDoc).
 */
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";

/**
 * SIGN_MODE_DIRECT sign bytes: `SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}`
 * with proto3 defaults omitted, as Go and CosmJS encode it.
 *
 * @example
 * const bytes = directSignBytes({ bodyBytes, authInfoBytes, chainId: "poq-devnet-1", accountNumber: 7n });
 */
export function directSignBytes(doc: {
  bodyBytes: Uint8Array;
  authInfoBytes: Uint8Array;
  chainId: string;
  accountNumber: bigint;
}): Uint8Array {
  return SignDoc.encode(SignDoc.fromPartial(doc)).finish();
}

function sortKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * JSON with object keys sorted at every level. Built by re-inserting keys in sorted order and
 * calling JSON.stringify, which is what CosmJS does, so that edge cases (undefined properties
 * left out, integer-like keys) come out identical.
 *
 * @example
 * sortedJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * Escapes `&`, `<`, `>` as `\u0026`, `\u003c`, `\u003e`, as Go's encoding/json does and CosmJS
 * mirrors. Those characters appear only inside string values of valid JSON, so a global
 * replacement is exact.
 *
 * @example
 * escapeAminoJson('{"memo":"a&b"}'); // '{"memo":"a\\u0026b"}'
 */
export function escapeAminoJson(json: string): string {
  return json.replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
}

export interface AminoSignDocInput {
  chainId: string;
  accountNumber: bigint;
  sequence: bigint;
  fee: {
    amount: readonly { denom: string; amount: string }[];
    gasLimit: bigint;
    granter: string;
    payer: string;
  };
  memo: string;
  /** Each message's amino form, from its MsgDescriptor's `toAmino`. */
  msgs: readonly { type: string; value: unknown }[];
  timeoutHeight: bigint;
}

/**
 * SIGN_MODE_LEGACY_AMINO_JSON sign bytes: the UTF-8 of the sorted, escaped StdSignDoc. Byte for
 * byte what `serializeSignDoc(makeSignDoc(...))` of @cosmjs/amino gives for the same transaction.
 *
 * @example
 * const bytes = aminoSignBytes({ chainId, accountNumber: 0n, sequence: 0n, fee, memo: "", msgs, timeoutHeight: 0n });
 */
export function aminoSignBytes(doc: AminoSignDocInput): Uint8Array {
  const fee: Record<string, unknown> = {
    amount: doc.fee.amount.map((c) => ({ amount: c.amount, denom: c.denom })),
    gas: doc.fee.gasLimit.toString(),
  };
  // Clients put granter and payer into the amino fee only when set; so must we.
  if (doc.fee.granter !== "") fee["granter"] = doc.fee.granter;
  if (doc.fee.payer !== "") fee["payer"] = doc.fee.payer;
  const signDoc: Record<string, unknown> = {
    account_number: doc.accountNumber.toString(),
    chain_id: doc.chainId,
    fee,
    memo: doc.memo,
    msgs: doc.msgs.map((m) => ({ type: m.type, value: m.value })),
    sequence: doc.sequence.toString(),
  };
  if (doc.timeoutHeight > 0n) signDoc["timeout_height"] = doc.timeoutHeight.toString();
  return new TextEncoder().encode(escapeAminoJson(sortedJson(signDoc)));
}
