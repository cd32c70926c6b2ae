/**
 * Transaction decoding: `cosmos.tx.v1beta1.TxRaw` bytes into a body, auth info and typed
 * messages, strictly. Anything a CosmJS or Keplr client would not produce is refused here with a
 * registered error, before any state is read.
 */
import { hash } from "node:crypto";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ChainError } from "../errors.js";
import { requireCanonical } from "./canonical.js";
import {
  ErrInvalidRequest,
  ErrNotSupported,
  ErrTxDecode,
  ErrTxTooLarge,
  ErrUnknownExtensionOptions,
  ErrUnauthorized,
  ErrNoSignatures,
} from "../sdk-errors.js";
import type { AnyMsg, MsgDescriptor } from "../types.js";
import { checkFields, fieldPayloads, WireFormatError } from "./wire.js";

/** Wire types: 0 varint, 2 length-delimited. */
const VARINT = 0;
const BYTES = 2;

const TX_RAW = { 1: BYTES, 2: BYTES, 3: BYTES };
const TX_BODY = { 1: BYTES, 2: BYTES, 3: VARINT, 4: VARINT, 5: BYTES, 1023: BYTES, 2047: BYTES };
const AUTH_INFO = { 1: BYTES, 2: BYTES, 3: BYTES };
const SIGNER_INFO = { 1: BYTES, 2: BYTES, 3: VARINT };
const MODE_INFO = { 1: BYTES, 2: BYTES };
const MODE_INFO_SINGLE = { 1: VARINT };
const FEE = { 1: BYTES, 2: VARINT, 3: BYTES, 4: BYTES };
const COIN = { 1: BYTES, 2: BYTES };
const ANY = { 1: BYTES, 2: BYTES };

/**
 * The SDK's `MaxGasWanted`: the gas limit travels as uint64 but ABCI reports it in int64 fields
 * (CheckTx and ExecTxResult `gas_wanted`), so anything above is refused before it can reach one.
 */
export const MAX_GAS_WANTED = (1n << 63n) - 1n;

export interface DecodeTxOptions {
  /** The message descriptor for a type URL; undefined means the chain does not know it. */
  lookupMsg: (typeUrl: string) => MsgDescriptor | undefined;
  /** Largest accepted TxRaw in bytes (default 1 MiB). */
  maxTxBytes?: number;
  /** Most messages in one transaction (default 64). */
  maxMsgs?: number;
}

/** A decoded transaction. Fields keep the exact bytes that were signed. */
export interface DecodedTx {
  /** sha256 of the TxRaw bytes: the hash CometBFT and CosmJS show. */
  hash: Uint8Array;
  /** Size of the TxRaw in bytes (charged per byte by the ante handler). */
  size: number;
  bodyBytes: Uint8Array;
  authInfoBytes: Uint8Array;
  signatures: Uint8Array[];
  body: TxBody;
  authInfo: AuthInfo;
  msgs: AnyMsg[];
  /** The descriptor of each message, aligned with {@link msgs}. */
  descriptors: MsgDescriptor[];
}

function fail(details: string, cause?: unknown): never {
  throw new ChainError(ErrTxDecode, details, cause);
}

/** Checks the nested messages the generated decoders would accept with unknown fields. */
function checkAuthInfoShape(authInfoBytes: Uint8Array): void {
  const fields = checkFields(authInfoBytes, AUTH_INFO, "AuthInfo");
  for (const signerInfo of fieldPayloads(fields, 1)) {
    const sf = checkFields(signerInfo, SIGNER_INFO, "SignerInfo");
    for (const pk of fieldPayloads(sf, 1)) checkFields(pk, ANY, "SignerInfo.public_key");
    for (const mode of fieldPayloads(sf, 2)) {
      const mf = checkFields(mode, MODE_INFO, "ModeInfo");
      for (const single of fieldPayloads(mf, 1)) checkFields(single, MODE_INFO_SINGLE, "ModeInfo.Single");
    }
  }
  for (const fee of fieldPayloads(fields, 2)) {
    const ff = checkFields(fee, FEE, "Fee");
    for (const coin of fieldPayloads(ff, 1)) checkFields(coin, COIN, "Fee.amount");
  }
}

/**
 * Decodes and statelessly checks a transaction: wire format, known fields (unknown non-critical
 * TxBody fields too: amino signatures do not cover them), canonical encoding, known message types,
 * no extension options, at least one message and one signature per signer info. Throws a
 * {@link ChainError} in the `sdk` codespace (2 tx parse error, 18 invalid request, 21 tx too
 * large, 31 unknown extension options, ...).
 *
 * @example
 * const tx = decodeTx(txBytes, { lookupMsg: (url) => router.descriptor(url) });
 * tx.msgs[0]?.typeUrl; // "/cosmos.bank.v1beta1.MsgSend"
 */
export function decodeTx(bytes: Uint8Array, opts: DecodeTxOptions): DecodedTx {
  const maxTxBytes = opts.maxTxBytes ?? 1024 * 1024;
  const maxMsgs = opts.maxMsgs ?? 64;
  if (bytes.length === 0) fail("empty transaction");
  if (bytes.length > maxTxBytes) {
    throw new ChainError(ErrTxTooLarge, `transaction is ${bytes.length} bytes, the limit is ${maxTxBytes}`);
  }
  let raw: TxRaw;
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    const rawFields = checkFields(bytes, TX_RAW, "TxRaw");
    if (fieldPayloads(rawFields, 1).length > 1 || fieldPayloads(rawFields, 2).length > 1) {
      fail("TxRaw: body_bytes or auth_info_bytes given twice");
    }
    raw = TxRaw.decode(bytes);
    const bodyFields = checkFields(raw.bodyBytes, TX_BODY, "TxBody");
    for (const msg of fieldPayloads(bodyFields, 1)) checkFields(msg, ANY, "TxBody.messages");
    checkAuthInfoShape(raw.authInfoBytes);
    body = TxBody.decode(raw.bodyBytes);
    authInfo = AuthInfo.decode(raw.authInfoBytes);
    requireCanonical("TxRaw", bytes, TxRaw.encode(raw).finish());
    requireCanonical("TxBody", raw.bodyBytes, TxBody.encode(body).finish());
    requireCanonical("AuthInfo", raw.authInfoBytes, AuthInfo.encode(authInfo).finish());
  } catch (err) {
    if (err instanceof ChainError) throw err;
    if (err instanceof WireFormatError) fail(err.message, err);
    fail(`malformed transaction bytes: ${err instanceof Error ? err.message : String(err)}`, err);
  }

  if (body.extensionOptions.length > 0) {
    throw new ChainError(
      ErrUnknownExtensionOptions,
      `unknown extension option ${body.extensionOptions[0]?.typeUrl ?? ""}`,
    );
  }
  if (body.unordered) throw new ChainError(ErrNotSupported, "unordered transactions are not supported");
  if (body.timeoutTimestamp !== undefined) {
    throw new ChainError(ErrNotSupported, "timeout_timestamp is not supported; use timeout_height");
  }
  if (authInfo.tip !== undefined) throw new ChainError(ErrNotSupported, "tips are not supported");
  if (!authInfo.fee) fail("AuthInfo: missing fee");
  if (authInfo.fee.gasLimit > MAX_GAS_WANTED) {
    throw new ChainError(
      ErrInvalidRequest,
      `invalid gas supplied; ${authInfo.fee.gasLimit} > ${MAX_GAS_WANTED}`,
    );
  }
  if (body.messages.length === 0)
    throw new ChainError(ErrInvalidRequest, "must contain at least one message");
  if (body.messages.length > maxMsgs) {
    throw new ChainError(ErrInvalidRequest, `too many messages: ${body.messages.length} > ${maxMsgs}`);
  }
  if (raw.signatures.length === 0) throw new ChainError(ErrNoSignatures, "no signatures supplied");
  if (raw.signatures.length !== authInfo.signerInfos.length) {
    throw new ChainError(
      ErrUnauthorized,
      `wrong number of signatures; expected ${authInfo.signerInfos.length}, got ${raw.signatures.length}`,
    );
  }

  const descriptors: MsgDescriptor[] = [];
  const msgs: AnyMsg[] = [];
  for (const any of body.messages) {
    const descriptor = opts.lookupMsg(any.typeUrl);
    if (!descriptor) fail(`unable to resolve type URL ${any.typeUrl}`);
    descriptors.push(descriptor);
    msgs.push({ typeUrl: any.typeUrl, value: any.value });
  }

  return {
    hash: Uint8Array.from(hash("sha256", bytes, "buffer")),
    size: bytes.length,
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    signatures: raw.signatures,
    body,
    authInfo,
    msgs,
    descriptors,
  };
}
