/**
 * Turning errors and events into ABCI results the way a Cosmos SDK chain does, so that CosmJS,
 * explorers and `tx_search` see familiar codes, logs and attributes.
 */
import type { Event } from "../../abci/application.js";
import { ChainError, type ErrorKind } from "../errors.js";
import {
  ErrInternal,
  ErrInvalidAddress,
  ErrInvalidCoins,
  ErrInvalidRequest,
  ErrKeyNotFound,
  ErrNotFound,
  ErrNotSupported,
  ErrTxDecode,
  ErrUnknownRequest,
} from "../sdk-errors.js";

/** What a failure becomes in a result: code, codespace and log. */
export interface ResultError {
  code: number;
  codespace: string;
  log: string;
}

/**
 * The registered kind of an error; anything that is not a {@link ChainError} is a bug and
 * becomes `ErrInternal` (code 1, codespace "undefined").
 */
export function errorKind(err: unknown): { kind: ErrorKind; details: string | undefined } {
  if (err instanceof ChainError) return { kind: err.kind, details: err.details };
  return { kind: ErrInternal, details: err instanceof Error ? err.message : String(err) };
}

/**
 * The SDK's log text for an error: `details: description` (the SDK wraps the registered error
 * with its details in front), or just the description.
 *
 * @example
 * errorLog(new ChainError(ErrInsufficientFunds, "0upoq is smaller than 5upoq"));
 * // "0upoq is smaller than 5upoq: insufficient funds"
 */
export function errorLog(err: unknown): string {
  const { kind, details } = errorKind(err);
  return details ? `${details}: ${kind.description}` : kind.description;
}

/** Code, codespace and log of a failed transaction, with an optional context prefix for the log. */
export function txError(err: unknown, prefix?: string): ResultError {
  const { kind } = errorKind(err);
  const log = errorLog(err);
  return { code: kind.code, codespace: kind.codespace, log: prefix ? `${prefix}: ${log}` : log };
}

/** gRPC status names CosmJS matches in query logs (`rpc error: code = NotFound`). */
function grpcCode(kind: ErrorKind): string {
  if (kind === ErrKeyNotFound || kind === ErrNotFound) return "NotFound";
  if (kind === ErrUnknownRequest || kind === ErrNotSupported) return "Unimplemented";
  if (kind === ErrInternal) return "Internal";
  if ([ErrInvalidRequest, ErrInvalidAddress, ErrInvalidCoins, ErrTxDecode].includes(kind))
    return "InvalidArgument";
  return "Unknown";
}

/**
 * Code, codespace and log of a failed query: the log reads like the SDK's gRPC error
 * (`rpc error: code = NotFound desc = ...`), which CosmJS relies on to tell "no such account".
 */
export function queryError(err: unknown): ResultError {
  const { kind } = errorKind(err);
  return {
    code: kind.code,
    codespace: kind.codespace,
    log: `rpc error: code = ${grpcCode(kind)} desc = ${errorLog(err)}`,
  };
}

/** Marks every attribute for indexing (CometBFT's `tx_search` finds only indexed ones). */
export function indexed(events: readonly Event[]): Event[] {
  return events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ ...a, index: true })) }));
}

/** Appends an attribute to each event (the SDK's `msg_index` on message events, `mode` on block events). */
export function withAttribute(events: readonly Event[], key: string, value: string): Event[] {
  return events.map((e) => ({ type: e.type, attributes: [...e.attributes, { key, value, index: true }] }));
}

/**
 * The `message` event the SDK's base app puts before a message's own events: `action` (type
 * URL), `sender` (first signer) and `module`, the last only when the handler's events carry no
 * `module` attribute themselves.
 */
export function messageEvent(
  typeUrl: string,
  sender: string | undefined,
  module: string,
  handlerEvents: readonly Event[],
): Event {
  const attributes = [{ key: "action", value: typeUrl, index: true }];
  if (sender) attributes.push({ key: "sender", value: sender, index: true });
  const hasModule = handlerEvents.some((e) => e.attributes.some((a) => a.key === "module"));
  if (!hasModule) attributes.push({ key: "module", value: module, index: true });
  return { type: "message", attributes };
}
