/**
 * Runs one transaction in one of the four modes the SDK knows, with exactly one revert path:
 *
 * ```
 * checkpoint(tx)
 *   decode; ante (fee, sequence, signatures)      -- throws: revert(tx), result = error, no events
 *   checkpoint(msgs)                              -- deliver and simulate only
 *     route and run every message                 -- throws: revert(msgs), commit(tx): fee + sequence stay
 *   commit(msgs)
 * commit(tx)
 * ```
 */
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { Event, ExecTxResult } from "../../abci/application.js";
import { ChainError } from "../errors.js";
import { createContext } from "../context.js";
import { createGasMeter, createInfiniteGasMeter } from "../gas.js";
import type { Router } from "../router.js";
import { ErrUnknownRequest } from "../sdk-errors.js";
import type { AnyMsg, CheckpointStore, Context, GasMeter } from "../types.js";
import { decodeTx, type DecodedTx } from "../tx/decode.js";
// For its effect: exact-size protobuf buffers (see the module) before any transaction is encoded.
import "../tx/proto-writer.js";
import type { SigVerificationCache } from "../tx/sig-cache.js";
import { bytesKey } from "../store/memo.js";
import { indexed, messageEvent, txError, withAttribute } from "./results.js";

/** How a transaction runs: CheckTx (new or recheck), FinalizeBlock, or a Simulate query. */
export type TxMode = "check" | "recheck" | "deliver" | "simulate";

/** What the ante handler found out about the messages, so that the runner does not decode them again. */
export interface AnteOutcome {
  /** Each message's signers as its descriptor returned them, aligned with `tx.msgs`. */
  msgSigners: readonly (readonly string[])[];
}

/**
 * The ante handler the base app calls before the messages (the chain's is `runAnte` from
 * `app/tx/ante.ts`, bound to the auth and bank keepers). Throws a `ChainError` to reject.
 */
export type AnteHandler = (
  ctx: Context,
  tx: DecodedTx,
  opts: { simulate: boolean; sigCache: SigVerificationCache | undefined },
) => AnteOutcome;

export interface TxRunnerDeps {
  router: Router;
  ante: AnteHandler;
  sigCache: SigVerificationCache;
  /** Largest accepted transaction in bytes (decodeTx's default when absent). */
  maxTxBytes?: number;
  /** Bytes of transactions whose decoding is kept for reuse (default {@link DECODED_TX_BYTES_KEPT}). */
  decodedTxBytesKept?: number;
}

/** Where the transaction runs: the store (deliver or check state) and the block. */
export interface TxEnv {
  store: CheckpointStore;
  chainId: string;
  height: bigint;
  timeNanos: bigint;
}

/** The ABCI result plus the message responses (Simulate returns them separately). */
export interface TxOutcome extends ExecTxResult {
  msgResponses: AnyMsg[];
}

const EMPTY = new Uint8Array(0);

function failure(
  err: unknown,
  gasWanted: bigint,
  gas: GasMeter | undefined,
  events: Event[],
  prefix?: string,
): TxOutcome {
  return {
    ...txError(err, prefix),
    data: EMPTY,
    info: "",
    gasWanted,
    gasUsed: gas?.consumed ?? 0n,
    events: indexed(events),
    msgResponses: [],
  };
}

/**
 * What the decoded transactions a runner keeps may cost, in bytes of heap: several blocks of ordinary
 * transactions. A budget in bytes, not in entries: anyone can send CheckTx transactions that decode
 * and then fail the ante (no fee is charged), and 8,192 of them at the 1 MiB limit would hold gigabytes.
 */
export const DECODED_TX_BYTES_KEPT = 32 * 1024 * 1024;

/**
 * The heap one kept transaction costs beyond its bytes: the decoded body, auth info, messages and
 * their byte arrays and strings. Measured: a 305-byte MsgSend decodes into 3.4 KB of heap with its
 * key and copy (node 20); a byte count alone let 32 MiB of budget hold 55,000 of them, about 190 MB.
 */
const DECODED_TX_OVERHEAD = 4096;

/** The budget share of a kept transaction of `length` bytes: its key, its copy and the decoding. */
const keptCost = (length: number): number => 3 * length + DECODED_TX_OVERHEAD;

/** Per runner (its message table and size limit decide the decoding): exact tx bytes to the decoded tx. */
interface DecodedTxs {
  byBytes: Map<string, { tx: DecodedTx; size: number }>;
  bytes: number;
}
const decodedTxs = new WeakMap<TxRunnerDeps, DecodedTxs>();

/** Bytes of transactions whose decoding `deps`' runner holds now (for tests). */
export function decodedTxBytes(deps: TxRunnerDeps): number {
  return decodedTxs.get(deps)?.bytes ?? 0;
}

/**
 * Decodes `bytes`, once per runner: a transaction is decoded in CheckTx, in each ReCheck after a
 * block, in ProcessProposal and in FinalizeBlock. Decoding is a pure function of the bytes for a
 * given runner, so a later call with the same bytes gets the first call's result (shared, never
 * changed by its users; it holds a private copy of the bytes, not the request's buffer). Only
 * successes are kept: a refusal is decoded, and refused, again.
 */
function decodeWith(deps: TxRunnerDeps, bytes: Uint8Array): DecodedTx {
  let kept = decodedTxs.get(deps);
  if (!kept) {
    kept = { byBytes: new Map(), bytes: 0 };
    decodedTxs.set(deps, kept);
  }
  const key = bytesKey(bytes);
  const hit = kept.byBytes.get(key);
  if (hit) return hit.tx;
  const tx = decodeTx(Uint8Array.from(bytes), {
    lookupMsg: (url) => deps.router.msg(url)?.descriptor,
    ...(deps.maxTxBytes !== undefined ? { maxTxBytes: deps.maxTxBytes } : {}),
  });
  const size = keptCost(bytes.length);
  const budget = deps.decodedTxBytesKept ?? DECODED_TX_BYTES_KEPT;
  if (size > budget) return tx;
  // A Map iterates in insertion order: the oldest goes first.
  for (const [k, v] of kept.byBytes) {
    if (kept.bytes + size <= budget) break;
    kept.byBytes.delete(k);
    kept.bytes -= v.size;
  }
  kept.byBytes.set(key, { tx, size });
  kept.bytes += size;
  return tx;
}

/**
 * Drops the decoding of `bytes`: a transaction that has been delivered in a block, or refused by
 * CheckTx or ReCheck, leaves the mempool and is not decoded by this node again (a copy resent later
 * is simply decoded again).
 */
function forgetDecoded(deps: TxRunnerDeps, bytes: Uint8Array): void {
  const kept = decodedTxs.get(deps);
  if (!kept) return;
  const key = bytesKey(bytes);
  const hit = kept.byBytes.get(key);
  if (!hit) return;
  kept.byBytes.delete(key);
  kept.bytes -= hit.size;
}

/**
 * Whether `bytes` pass the stateless checks every CheckTx runs first (wire format, canonical
 * encoding, known messages, gas limit in range). A block carrying a tx that fails them was not
 * built from any honest mempool, so ProcessProposal rejects it, as the SDK's default handler does.
 *
 * @example
 * passesStatelessChecks(deps, Uint8Array.of(0xff)); // false
 */
export function passesStatelessChecks(deps: TxRunnerDeps, bytes: Uint8Array): boolean {
  try {
    decodeWith(deps, bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The gas limit (`gas_wanted`) a transaction asks for, or undefined when it does not decode.
 *
 * @example
 * txGasWanted(deps, txBytes); // 200000n
 */
export function txGasWanted(deps: TxRunnerDeps, bytes: Uint8Array): bigint | undefined {
  try {
    return decodeWith(deps, bytes).authInfo.fee?.gasLimit ?? 0n;
  } catch {
    return undefined;
  }
}

/**
 * Runs `bytes` as a transaction on `env.store` and returns its result; never throws for a bad
 * transaction (a rejection is a result code). Writes stay in `env.store`'s current layer.
 *
 * @example
 * const result = runTx(deps, { store: state.deliver, chainId, height, timeNanos }, "deliver", txBytes);
 * result.code; // 0
 */
export function runTx(deps: TxRunnerDeps, env: TxEnv, mode: TxMode, bytes: Uint8Array): TxOutcome {
  const outcome = runOnce(deps, env, mode, bytes);
  // Only a transaction that stays in the mempool is decoded here again (ReCheck, the proposal, the block).
  const staysInMempool = (mode === "check" || mode === "recheck") && outcome.code === 0;
  if (!staysInMempool) forgetDecoded(deps, bytes);
  return outcome;
}

function runOnce(deps: TxRunnerDeps, env: TxEnv, mode: TxMode, bytes: Uint8Array): TxOutcome {
  const simulate = mode === "simulate";
  let tx: DecodedTx;
  try {
    tx = decodeWith(deps, bytes);
  } catch (err) {
    return failure(err, 0n, undefined, []);
  }
  const gasWanted = tx.authInfo.fee?.gasLimit ?? 0n;
  // Simulation measures gas, so it must not stop at the (often zero) limit of the draft tx.
  const gas = simulate ? createInfiniteGasMeter() : createGasMeter(gasWanted);
  const base = {
    chainId: env.chainId,
    blockHeight: env.height,
    blockTimeNanos: env.timeNanos,
    gasMeter: gas,
  };
  const store = env.store;

  const anteEvents: Event[] = [];
  let ante: AnteOutcome;
  store.checkpoint();
  try {
    const ctx = createContext({ ...base, store, isCheck: mode !== "deliver", events: anteEvents });
    ante = deps.ante(ctx, tx, { simulate, sigCache: simulate ? undefined : deps.sigCache });
  } catch (err) {
    store.revert();
    return failure(err, gasWanted, gas, []);
  }
  if (mode === "check" || mode === "recheck") {
    store.commit();
    // No events, as the SDK's CheckTx answers a passing transaction: nothing reads them (CometBFT's
    // mempool ignores them, broadcast_tx_sync does not return them), and encoding them for every
    // transaction and every recheck was a measurable share of the mempool connection's work.
    return {
      code: 0,
      codespace: "",
      log: "",
      info: "",
      data: EMPTY,
      gasWanted,
      gasUsed: gas.consumed,
      events: [],
      msgResponses: [],
    };
  }

  store.checkpoint();
  const msgEvents: Event[] = [];
  const responses: AnyMsg[] = [];
  let index = 0;
  try {
    for (; index < tx.msgs.length; index++) {
      const msg = tx.msgs[index] as AnyMsg;
      const route = deps.router.msg(msg.typeUrl);
      if (!route) throw new ChainError(ErrUnknownRequest, `unrecognized message type: ${msg.typeUrl}`);
      const events: Event[] = [];
      const ctx = createContext({ ...base, store, isCheck: simulate, events });
      const result = route.descriptor.handler(ctx, msg);
      responses.push(result.response);
      // The signers the ante handler read: decoding the message once more for them is waste.
      const sender = ante.msgSigners[index]?.[0];
      const all = [messageEvent(msg.typeUrl, sender, route.module, events), ...events];
      msgEvents.push(...withAttribute(all, "msg_index", String(index)));
    }
  } catch (err) {
    store.revert();
    store.commit();
    return failure(err, gasWanted, gas, anteEvents, `failed to execute message; message index: ${index}`);
  }
  store.commit();
  store.commit();
  return {
    code: 0,
    codespace: "",
    log: "",
    info: "",
    data: TxMsgData.encode({ data: [], msgResponses: responses }).finish(),
    gasWanted,
    gasUsed: gas.consumed,
    events: indexed([...anteEvents, ...msgEvents]),
    msgResponses: responses,
  };
}
