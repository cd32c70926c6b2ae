/**
 * One ABCI request in, its response out: decodes the request into the plain types, calls the application
 * through the global serializer, and encodes the result as the matching `Response` member.
 */
import type { Application } from "./application.js";
import * as codec from "./codec.js";
import { UnsupportedRequestError } from "./codec.js";
import { tendermint } from "../proto/gen/tendermint.js";

import pb = tendermint.abci;

/** Runs application calls one at a time, in the order they are submitted, across all connections. */
export type Serialize = <T>(call: () => T | Promise<T>) => Promise<T>;

/** The `Response` oneof members, named as the request members they answer. */
export type RequestKind = NonNullable<pb.Request["value"]>;

/**
 * Answers one request. Echo and Flush are answered here without the application; every other method
 * goes through `serialize`. Throws what the application throws (the server turns it into an exception).
 *
 * @example
 * const response = await dispatchRequest(app, decodeRequest(frame), serialize);
 * socket.write(encodeFrame(encodeResponse(response)));
 */
export async function dispatchRequest(
  app: Application,
  request: pb.Request,
  serialize: Serialize,
): Promise<pb.IResponse> {
  const kind = request.value;
  switch (kind) {
    // Any connection, any time: a liveness probe. Answered by the server, never by the app.
    case "echo":
      return { echo: { message: request.echo?.message ?? "" } };

    // The client's "write everything you have": the server answers after all earlier responses of this
    // connection, which holds because each connection's responses are written strictly in order.
    case "flush":
      return { flush: {} };

    // Query connection, at start-up (handshake) and by the RPC `abci_info`. Must report exactly the height
    // and app hash of the last persisted Commit; CometBFT replays the blocks after it.
    case "info": {
      const req = codec.toInfoRequest(request.info ?? {});
      return { info: codec.fromInfoResponse(await serialize(() => app.info(req))) };
    }

    // Consensus connection, once, when Info reported height 0: genesis validators, params and app_state.
    // Must be deterministic; the returned app hash becomes the first block's expected app hash.
    case "initChain": {
      const req = codec.toInitChainRequest(request.initChain ?? {});
      return { initChain: codec.fromInitChainResponse(await serialize(() => app.initChain(req))) };
    }

    // Query connection, for RPC `abci_query`. Reads committed state only; never changes it. An app
    // with `queryOffThread` answers it outside the queue (its own thread and database connection),
    // so a heavy query never holds up the consensus connection; this connection still answers in order.
    case "query": {
      const req = codec.toQueryRequest(request.query ?? {});
      const offThread = app.queryOffThread ? await app.queryOffThread(req) : undefined;
      return { query: codec.fromQueryResponse(offThread ?? (await serialize(() => app.query(req)))) };
    }

    // Mempool connection, for each new tx (NEW) and after each Commit for the txs still pending (RECHECK).
    // A non-zero code keeps the tx out of the mempool; it must not touch the block state.
    case "checkTx": {
      const req = codec.toCheckTxRequest(request.checkTx ?? {});
      return { checkTx: codec.fromTxResult(await serialize(() => app.checkTx(req))) };
    }

    // Consensus connection, after FinalizeBlock of a decided block: persist atomically what FinalizeBlock
    // computed. A crash before it returns must leave Info at the previous height.
    case "commit":
      return { commit: codec.fromCommitResponse(await serialize(() => app.commit())) };

    // Snapshot connection, for peers that state-sync from this node.
    case "listSnapshots":
      return { listSnapshots: codec.fromListSnapshotsResponse(await serialize(() => app.listSnapshots())) };

    // Snapshot connection, on a node that state-syncs: accept or reject a peer's snapshot.
    case "offerSnapshot": {
      const req = codec.toOfferSnapshotRequest(request.offerSnapshot ?? {});
      const res = await serialize(() => app.offerSnapshot(req));
      return { offerSnapshot: { result: res.result as number as pb.ResponseOfferSnapshot.Result } };
    }

    // Snapshot connection: serve one chunk of a snapshot listed before.
    case "loadSnapshotChunk": {
      const req = codec.toLoadSnapshotChunkRequest(request.loadSnapshotChunk ?? {});
      const res = await serialize(() => app.loadSnapshotChunk(req));
      return { loadSnapshotChunk: { chunk: res.chunk } };
    }

    // Snapshot connection: apply one chunk of an accepted snapshot, in order.
    case "applySnapshotChunk": {
      const req = codec.toApplySnapshotChunkRequest(request.applySnapshotChunk ?? {});
      const res = await serialize(() => app.applySnapshotChunk(req));
      return { applySnapshotChunk: codec.fromApplySnapshotChunkResponse(res) };
    }

    // Consensus connection, on the proposer only: choose the block's txs (at most max_tx_bytes in total).
    // `local_last_commit` carries the previous height's vote extensions; this is the only place they appear.
    case "prepareProposal": {
      const req = codec.toPrepareProposalRequest(request.prepareProposal ?? {});
      const res = await serialize(() => app.prepareProposal(req));
      return { prepareProposal: { txs: res.txs } };
    }

    // Consensus connection, on every validator for every proposal (its own included). Must be
    // deterministic; REJECT makes the validator prevote nil, so reject only what is provably invalid.
    case "processProposal": {
      const req = codec.toProcessProposalRequest(request.processProposal ?? {});
      const res = await serialize(() => app.processProposal(req));
      return {
        processProposal: { status: res.status as number as pb.ResponseProcessProposal.ProposalStatus },
      };
    }

    // Consensus connection, before a validator precommits a block (only from the enable height on).
    // On the critical path of every block: must be quick and may be non-deterministic.
    case "extendVote": {
      const req = codec.toExtendVoteRequest(request.extendVote ?? {});
      const res = await serialize(() => app.extendVote(req));
      return { extendVote: { voteExtension: res.voteExtension } };
    }

    // Consensus connection, for each precommit received from another validator with a non-nil block.
    // REJECT discards the whole precommit: keep it lenient, or the chain can stall.
    case "verifyVoteExtension": {
      const req = codec.toVerifyVoteExtensionRequest(request.verifyVoteExtension ?? {});
      const res = await serialize(() => app.verifyVoteExtension(req));
      const status = res.status as number as pb.ResponseVerifyVoteExtension.VerifyStatus;
      return { verifyVoteExtension: { status } };
    }

    // Consensus connection, once per decided block (and on replay after a restart). Must be a pure
    // function of the block: one tx result per tx, in order, and the app hash of the resulting state.
    // Writes are held until Commit.
    case "finalizeBlock": {
      const req = codec.toFinalizeBlockRequest(request.finalizeBlock ?? {});
      return {
        finalizeBlock: codec.fromFinalizeBlockResponse(await serialize(() => app.finalizeBlock(req))),
      };
    }

    case undefined:
      throw new UnsupportedRequestError("ABCI request without a method (empty oneof)");
    default:
      return unreachable(kind);
  }
}

/**
 * The answer to a request whose handling threw, when the method allows one short of the fatal
 * `exception`: CheckTx and Query run on user input, so a throw there is a rejection with the SDK's
 * internal-error code (as the SDK's panic recovery answers), never a way to stop the node. Undefined for
 * every other method: a throw in a consensus method means the app's state cannot be trusted.
 *
 * @example
 * survivableFailure(request, new Error("bug"))?.checkTx?.code; // 1 for a CheckTx request
 */
export function survivableFailure(request: pb.Request, err: unknown): pb.IResponse | undefined {
  const failure = {
    code: 1,
    codespace: "undefined",
    log: `internal error: ${err instanceof Error ? err.message : String(err)}`,
  };
  if (request.value === "checkTx") return { checkTx: failure };
  if (request.value === "query") return { query: failure };
  return undefined;
}

function unreachable(kind: never): never {
  throw new UnsupportedRequestError(`unknown ABCI request ${String(kind)}`);
}
