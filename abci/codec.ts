/**
 * Maps the generated `tendermint.abci` messages to and from the plain types of `abci/application.ts`.
 *
 * Request side: every field is read with its proto3 default when absent (empty bytes, 0n, []), so the app
 * never sees `null`. Response side: plain values become the protobufjs input shapes; 64-bit integers go
 * through {@link fromBigInt} so that values beyond 2^53 survive.
 */
import type * as abci from "./application.js";
import {
  fromBigInt,
  fromConsensusParams,
  toBigInt,
  toBytes,
  toConsensusParams,
  toNanos,
} from "./codec-scalars.js";
import { tendermint } from "../proto/gen/tendermint.js";
import { BaseError } from "../app/errors.js";

import pb = tendermint.abci;

/** A request CometBFT sent that this server cannot represent (e.g. a secp256k1 validator key). */
export class UnsupportedRequestError extends BaseError {
  override name = "UnsupportedRequestError" as const;
}

/**
 * Decodes one ABCI request frame (without its length prefix).
 *
 * @example
 * decodeRequest(Uint8Array.of(0x12, 0x00)).value; // "flush"
 */
export function decodeRequest(bytes: Uint8Array): pb.Request {
  return pb.Request.decode(bytes);
}

/**
 * Encodes one ABCI response (without its length prefix).
 *
 * @example
 * encodeResponse({ flush: {} }); // Uint8Array [0x1a, 0x00]
 */
export function encodeResponse(response: pb.IResponse): Uint8Array {
  return pb.Response.encode(response).finish();
}

// ---------------------------------------------------------------- shared pieces

function toValidator(v: pb.IValidator | null | undefined): abci.Validator {
  return { address: toBytes(v?.address), power: toBigInt(v?.power) };
}

function toValidatorUpdate(v: pb.IValidatorUpdate): abci.ValidatorUpdate {
  const key = v.pubKey;
  if (!key?.ed25519 || key.ed25519.length === 0) {
    throw new UnsupportedRequestError("only ed25519 validator keys are supported", {
      details: key?.secp256k1 ? "got a secp256k1 key" : "the key is missing",
    });
  }
  return { pubKeyEd25519: toBytes(key.ed25519), power: toBigInt(v.power) };
}

function fromValidatorUpdate(v: abci.ValidatorUpdate): pb.IValidatorUpdate {
  return { pubKey: { ed25519: v.pubKeyEd25519 }, power: fromBigInt(v.power) };
}

function toCommitInfo(c: pb.ICommitInfo | null | undefined): abci.CommitInfo {
  return {
    round: c?.round ?? 0,
    votes: (c?.votes ?? []).map((v) => ({
      validator: toValidator(v.validator),
      blockIdFlag: (v.blockIdFlag ?? 0) as number as abci.BlockIdFlag,
    })),
  };
}

function toExtendedCommitInfo(c: pb.IExtendedCommitInfo | null | undefined): abci.ExtendedCommitInfo {
  return {
    round: c?.round ?? 0,
    votes: (c?.votes ?? []).map((v) => ({
      validator: toValidator(v.validator),
      voteExtension: toBytes(v.voteExtension),
      extensionSignature: toBytes(v.extensionSignature),
      blockIdFlag: (v.blockIdFlag ?? 0) as number as abci.BlockIdFlag,
    })),
  };
}

function toMisbehavior(list: pb.IMisbehavior[] | null | undefined): abci.Misbehavior[] {
  return (list ?? []).map((m) => ({
    type: (m.type ?? 0) as number as abci.MisbehaviorType,
    validator: toValidator(m.validator),
    height: toBigInt(m.height),
    timeNanos: toNanos(m.time),
    totalVotingPower: toBigInt(m.totalVotingPower),
  }));
}

function toTxs(list: Uint8Array[] | null | undefined): Uint8Array[] {
  return (list ?? []).map(toBytes);
}

function fromEvents(events: abci.Event[]): pb.IEvent[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  }));
}

function toSnapshot(s: pb.ISnapshot): abci.Snapshot {
  return {
    height: toBigInt(s.height),
    format: s.format ?? 0,
    chunks: s.chunks ?? 0,
    hash: toBytes(s.hash),
    metadata: toBytes(s.metadata),
  };
}

// ---------------------------------------------------------------- requests

export function toInfoRequest(r: pb.IRequestInfo): abci.InfoRequest {
  return {
    version: r.version ?? "",
    blockVersion: toBigInt(r.blockVersion),
    p2pVersion: toBigInt(r.p2pVersion),
    abciVersion: r.abciVersion ?? "",
  };
}

export function toInitChainRequest(r: pb.IRequestInitChain): abci.InitChainRequest {
  const params = toConsensusParams(r.consensusParams);
  return {
    timeNanos: toNanos(r.time),
    chainId: r.chainId ?? "",
    ...(params ? { consensusParams: params } : {}),
    validators: (r.validators ?? []).map(toValidatorUpdate),
    appStateBytes: toBytes(r.appStateBytes),
    initialHeight: toBigInt(r.initialHeight),
  };
}

export function toQueryRequest(r: pb.IRequestQuery): abci.QueryRequest {
  return { data: toBytes(r.data), path: r.path ?? "", height: toBigInt(r.height), prove: r.prove ?? false };
}

export function toCheckTxRequest(r: pb.IRequestCheckTx): abci.CheckTxRequest {
  return { tx: toBytes(r.tx), type: (r.type ?? 0) as number as abci.CheckTxType };
}

export function toOfferSnapshotRequest(r: pb.IRequestOfferSnapshot): abci.OfferSnapshotRequest {
  return { ...(r.snapshot ? { snapshot: toSnapshot(r.snapshot) } : {}), appHash: toBytes(r.appHash) };
}

export function toLoadSnapshotChunkRequest(r: pb.IRequestLoadSnapshotChunk): abci.LoadSnapshotChunkRequest {
  return { height: toBigInt(r.height), format: r.format ?? 0, chunk: r.chunk ?? 0 };
}

export function toApplySnapshotChunkRequest(
  r: pb.IRequestApplySnapshotChunk,
): abci.ApplySnapshotChunkRequest {
  return { index: r.index ?? 0, chunk: toBytes(r.chunk), sender: r.sender ?? "" };
}

export function toPrepareProposalRequest(r: pb.IRequestPrepareProposal): abci.PrepareProposalRequest {
  return {
    maxTxBytes: toBigInt(r.maxTxBytes),
    txs: toTxs(r.txs),
    localLastCommit: toExtendedCommitInfo(r.localLastCommit),
    misbehavior: toMisbehavior(r.misbehavior),
    height: toBigInt(r.height),
    timeNanos: toNanos(r.time),
    nextValidatorsHash: toBytes(r.nextValidatorsHash),
    proposerAddress: toBytes(r.proposerAddress),
  };
}

export function toProcessProposalRequest(r: pb.IRequestProcessProposal): abci.ProcessProposalRequest {
  return {
    txs: toTxs(r.txs),
    proposedLastCommit: toCommitInfo(r.proposedLastCommit),
    misbehavior: toMisbehavior(r.misbehavior),
    hash: toBytes(r.hash),
    height: toBigInt(r.height),
    timeNanos: toNanos(r.time),
    nextValidatorsHash: toBytes(r.nextValidatorsHash),
    proposerAddress: toBytes(r.proposerAddress),
  };
}

export function toExtendVoteRequest(r: pb.IRequestExtendVote): abci.ExtendVoteRequest {
  return {
    hash: toBytes(r.hash),
    height: toBigInt(r.height),
    timeNanos: toNanos(r.time),
    txs: toTxs(r.txs),
    proposedLastCommit: toCommitInfo(r.proposedLastCommit),
    misbehavior: toMisbehavior(r.misbehavior),
    nextValidatorsHash: toBytes(r.nextValidatorsHash),
    proposerAddress: toBytes(r.proposerAddress),
  };
}

export function toVerifyVoteExtensionRequest(
  r: pb.IRequestVerifyVoteExtension,
): abci.VerifyVoteExtensionRequest {
  return {
    hash: toBytes(r.hash),
    validatorAddress: toBytes(r.validatorAddress),
    height: toBigInt(r.height),
    voteExtension: toBytes(r.voteExtension),
  };
}

export function toFinalizeBlockRequest(r: pb.IRequestFinalizeBlock): abci.FinalizeBlockRequest {
  return {
    txs: toTxs(r.txs),
    decidedLastCommit: toCommitInfo(r.decidedLastCommit),
    misbehavior: toMisbehavior(r.misbehavior),
    hash: toBytes(r.hash),
    height: toBigInt(r.height),
    timeNanos: toNanos(r.time),
    nextValidatorsHash: toBytes(r.nextValidatorsHash),
    proposerAddress: toBytes(r.proposerAddress),
  };
}

// ---------------------------------------------------------------- responses

export function fromInfoResponse(r: abci.InfoResponse): pb.IResponseInfo {
  return {
    data: r.data,
    version: r.version,
    appVersion: fromBigInt(r.appVersion, true),
    lastBlockHeight: fromBigInt(r.lastBlockHeight),
    lastBlockAppHash: r.lastBlockAppHash,
  };
}

export function fromInitChainResponse(r: abci.InitChainResponse): pb.IResponseInitChain {
  return {
    ...(r.consensusParams ? { consensusParams: fromConsensusParams(r.consensusParams) } : {}),
    validators: r.validators.map(fromValidatorUpdate),
    appHash: r.appHash,
  };
}

export function fromQueryResponse(r: abci.QueryResponse): pb.IResponseQuery {
  return {
    code: r.code,
    log: r.log,
    info: r.info,
    index: fromBigInt(r.index),
    key: r.key,
    value: r.value,
    ...(r.proofOps ? { proofOps: { ops: r.proofOps.ops.map((o) => ({ ...o })) } } : {}),
    height: fromBigInt(r.height),
    codespace: r.codespace,
  };
}

/** CheckTx and FinalizeBlock report a transaction's outcome in the same shape. */
export function fromTxResult(r: abci.CheckTxResponse | abci.ExecTxResult): pb.IExecTxResult {
  return {
    code: r.code,
    data: r.data,
    log: r.log,
    info: r.info,
    gasWanted: fromBigInt(r.gasWanted),
    gasUsed: fromBigInt(r.gasUsed),
    events: fromEvents(r.events),
    codespace: r.codespace,
  };
}

export function fromCommitResponse(r: abci.CommitResponse): pb.IResponseCommit {
  return { retainHeight: fromBigInt(r.retainHeight) };
}

export function fromListSnapshotsResponse(r: abci.ListSnapshotsResponse): pb.IResponseListSnapshots {
  return {
    snapshots: r.snapshots.map((s) => ({
      height: fromBigInt(s.height, true),
      format: s.format,
      chunks: s.chunks,
      hash: s.hash,
      metadata: s.metadata,
    })),
  };
}

export function fromApplySnapshotChunkResponse(
  r: abci.ApplySnapshotChunkResponse,
): pb.IResponseApplySnapshotChunk {
  return {
    result: r.result as number as pb.ResponseApplySnapshotChunk.Result,
    refetchChunks: [...r.refetchChunks],
    rejectSenders: [...r.rejectSenders],
  };
}

export function fromFinalizeBlockResponse(r: abci.FinalizeBlockResponse): pb.IResponseFinalizeBlock {
  return {
    events: fromEvents(r.events),
    txResults: r.txResults.map(fromTxResult),
    validatorUpdates: r.validatorUpdates.map(fromValidatorUpdate),
    ...(r.consensusParamUpdates
      ? { consensusParamUpdates: fromConsensusParams(r.consensusParamUpdates) }
      : {}),
    appHash: r.appHash,
  };
}
