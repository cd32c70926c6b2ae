/**
 * Typed helpers that sign and broadcast the PoQ messages and return what the chain answered.
 */
import { coin as makeCoin, type Coin, type StdFee } from "@cosmjs/amino";
import type { DeliverTxResponse, SigningStargateClient } from "@cosmjs/stargate";
import { BaseError } from "../app/errors.js";
import { answerCommitment } from "../app/modules/poq/answer-commitment.js";
import {
  MsgRequestInferenceResponse,
  PoqTypeUrl,
  type MsgCommitResponse,
  type MsgRegisterNode,
  type MsgRequestInference,
  type MsgSubmitResponse,
  type MsgUnregisterNode,
  type MsgUnjailNode,
} from "../app/modules/poq/types/msgs.js";

/** A transaction the chain rejected (CheckTx or DeliverTx): its ABCI code, codespace and log. */
export class PoqTxError extends BaseError {
  override name = "PoqTxError" as const;
  readonly code: number;
  readonly codespace: string;
  readonly txHash: string;

  constructor(res: { code: number; codespace?: string; rawLog?: string; transactionHash: string }) {
    super(`transaction ${res.transactionHash} failed with ${res.codespace ?? ""}/${res.code}`, {
      details: res.rawLog ?? "",
    });
    this.code = res.code;
    this.codespace = res.codespace ?? "";
    this.txHash = res.transactionHash;
  }
}

/** How to pay for a transaction: a fixed fee, "auto" (simulate × 1.4) or a simulation multiplier. */
export interface TxOptions {
  fee?: StdFee | "auto" | number;
  memo?: string;
}

/** Where a transaction landed. */
export interface TxResult {
  txHash: string;
  height: number;
  gasUsed: bigint;
}

const DEFAULT_FEE_MULTIPLIER = 1.5;

/** `"1000upoq"`, `"1000"` (upoq) or a Coin. */
export function parseCoin(value: Coin | string | bigint, defaultDenom = "upoq"): Coin {
  if (typeof value === "object") return value;
  const m = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})?$/.exec(String(value));
  if (!m || m[1] === undefined) throw new RangeError(`not an amount: ${String(value)}`);
  return makeCoin(m[1], m[2] ?? defaultDenom);
}

async function broadcast(
  client: SigningStargateClient,
  signer: string,
  typeUrl: string,
  value: object,
  opts: TxOptions,
): Promise<DeliverTxResponse> {
  const res = await client.signAndBroadcast(
    signer,
    [{ typeUrl, value }],
    opts.fee ?? DEFAULT_FEE_MULTIPLIER,
    opts.memo ?? "",
  );
  if (res.code !== 0) throw new PoqTxError(res);
  return res;
}

const result = (res: DeliverTxResponse): TxResult => ({
  txHash: res.transactionHash,
  height: res.height,
  gasUsed: res.gasUsed,
});

/** What {@link requestInference} asks for. */
export interface RequestInferenceParams {
  model: string;
  prompt: string;
  /** The escrowed fee, e.g. "1000upoq". */
  fee: Coin | string | bigint;
  maxTokens?: number;
  /** Basis points 0..10000; below it the node is not paid. */
  minQuality?: number;
  /** Independent answers from distinct nodes (default 1); each node is paid from fee / replicas. */
  replicas?: number;
}

/**
 * Sends MsgRequestInference and returns the request id. The request is PENDING when its block
 * commits: its nodes are drawn in a later block from the validators' randomness beacon, so that
 * neither the requester nor a proposer can choose them; wait for them with `waitForAssignment`
 * (poq-query.ts), or for the result with `waitForQuality`.
 *
 * @example
 * const { requestId } = await requestInference(client, address, {
 *   model: "llama-3-8b-instruct", prompt: "What is PoQ?", fee: "5000upoq", minQuality: 5000,
 * });
 * const assigned = await waitForAssignment(query, requestId); // assigned.assigned_nodes
 */
export async function requestInference(
  client: SigningStargateClient,
  requester: string,
  p: RequestInferenceParams,
  opts: TxOptions = {},
): Promise<TxResult & { requestId: bigint }> {
  const msg: MsgRequestInference = {
    requester,
    model: p.model,
    prompt: p.prompt,
    maxTokens: p.maxTokens ?? 256,
    fee: parseCoin(p.fee),
    minQuality: p.minQuality ?? 0,
    ...(p.replicas !== undefined && p.replicas > 1 ? { replicas: p.replicas } : {}),
  };
  const res = await broadcast(client, requester, PoqTypeUrl.RequestInference, msg, opts);
  const answer = res.msgResponses.find((r) => r.typeUrl === PoqTypeUrl.RequestInferenceResponse);
  if (!answer) throw new BaseError(`transaction ${res.transactionHash} has no MsgRequestInferenceResponse`);
  return { ...result(res), requestId: MsgRequestInferenceResponse.decode(answer.value).requestId };
}

/**
 * Sends MsgSubmitResponse: the assigned node's answer to a request.
 *
 * @example
 * await submitResponse(client, nodeAddress, 7n, "PoQ pays for answers by their quality.");
 */
export async function submitResponse(
  client: SigningStargateClient,
  node: string,
  requestId: bigint,
  response: string,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msg: MsgSubmitResponse = { node, requestId, response };
  return result(await broadcast(client, node, PoqTypeUrl.SubmitResponse, msg, opts));
}

/**
 * Sends MsgCommitResponse: an assigned node of a replicated request commits to its answer before any
 * answer is public. Keep `salt` (32 random bytes) and the answer: {@link revealResponse} needs both.
 *
 * @example
 * const salt = crypto.getRandomValues(new Uint8Array(32));
 * await commitResponse(client, nodeAddress, 7n, "Canberra.", salt);
 */
export async function commitResponse(
  client: SigningStargateClient,
  node: string,
  requestId: bigint,
  response: string,
  salt: Uint8Array,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msg: MsgCommitResponse = {
    node,
    requestId,
    commitment: answerCommitment({ requestId, node, salt, response }),
  };
  return result(await broadcast(client, node, PoqTypeUrl.CommitResponse, msg, opts));
}

/**
 * Sends MsgSubmitResponse with the salt: reveals a committed answer once the request's reveal phase
 * is open (every assigned node committed, or the commit deadline passed).
 *
 * @example
 * await revealResponse(client, nodeAddress, 7n, "Canberra.", salt);
 */
export async function revealResponse(
  client: SigningStargateClient,
  node: string,
  requestId: bigint,
  response: string,
  salt: Uint8Array,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msg: MsgSubmitResponse = { node, requestId, response, salt };
  return result(await broadcast(client, node, PoqTypeUrl.SubmitResponse, msg, opts));
}

/** What {@link registerNode} bonds and offers. */
export interface RegisterNodeParams {
  models: string[];
  stake: Coin | string | bigint;
  moniker?: string;
  /** The smallest fee per answer it takes (default: the chain's min_request_fee). */
  minFee?: Coin | string | bigint;
  /** Most requests in flight at once (default 0: the chain's default). */
  maxInFlight?: number;
}

/**
 * Sends MsgRegisterNode: offer models and bond stake.
 *
 * @example
 * await registerNode(client, operator, { models: ["llama-3-8b-instruct"], stake: "1000000upoq", moniker: "n1" });
 */
export async function registerNode(
  client: SigningStargateClient,
  operator: string,
  p: RegisterNodeParams,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msg: MsgRegisterNode = {
    operator,
    models: p.models,
    stake: parseCoin(p.stake),
    moniker: p.moniker ?? "",
    ...(p.minFee !== undefined ? { minFee: parseCoin(p.minFee) } : {}),
    ...(p.maxInFlight ? { maxInFlight: p.maxInFlight } : {}),
  };
  return result(await broadcast(client, operator, PoqTypeUrl.RegisterNode, msg, opts));
}

/**
 * Sends MsgUnregisterNode: stop taking requests (the stake returns after unbonding).
 *
 * @example
 * await unregisterNode(client, operator);
 */
export async function unregisterNode(
  client: SigningStargateClient,
  operator: string,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msg: MsgUnregisterNode = { operator };
  return result(await broadcast(client, operator, PoqTypeUrl.UnregisterNode, msg, opts));
}

/**
 * Sends MsgUnjailNode: a node jailed after a missed deadline or a score under the floor takes
 * requests again (its stake must still meet the chain's minimum).
 *
 * @example
 * await unjailNode(client, operator);
 */
export async function unjailNode(
  client: SigningStargateClient,
  operator: string,
  opts: TxOptions = {},
): Promise<TxResult> {
  const msg: MsgUnjailNode = { operator };
  return result(await broadcast(client, operator, PoqTypeUrl.UnjailNode, msg, opts));
}
