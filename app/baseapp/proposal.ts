/**
 * Proposal and vote-extension hooks: where PoQ plugs in its injected vote-extension transaction
 * and its checks. Each hook gets a read-only context on the last committed state.
 */
import type * as abci from "../../abci/application.js";
import type { ErrorKind } from "../errors.js";
import type { Context } from "../types.js";

/**
 * Transactions the proposer injects itself (PoQ: the previous height's extended commit). They are
 * not Cosmos transactions: FinalizeBlock hands them to `deliver` instead of the ante handler and the
 * router (a ChainError thrown there becomes the tx's result code, its writes reverted), and CheckTx
 * refuses them with `mempoolRejection`, so that nobody can send one through the mempool.
 */
export interface InjectedTxHooks {
  is(tx: Uint8Array): boolean;
  /** `block.otherTxs`: how many ordinary transactions the block carries besides this one. */
  deliver(ctx: Context, tx: Uint8Array, block: { readonly otherTxs: number }): void;
  mempoolRejection: ErrorKind;
}

export interface ProposalHooks {
  /** Returns the block's transactions; `txs` is the default selection (mempool order, within max bytes). */
  prepareProposal?(ctx: Context, req: abci.PrepareProposalRequest, txs: Uint8Array[]): Uint8Array[];
  /** Whether to accept the proposed block. */
  processProposal?(ctx: Context, req: abci.ProcessProposalRequest): boolean;
  /** This validator's vote extension for the block. */
  extendVote?(ctx: Context, req: abci.ExtendVoteRequest): Uint8Array;
  /** Whether another validator's vote extension is acceptable. */
  verifyVoteExtension?(ctx: Context, req: abci.VerifyVoteExtensionRequest): boolean;
  injected?: InjectedTxHooks;
}

/**
 * The mempool's transactions in order, stopping before the first that would pass
 * `max_tx_bytes` (CometBFT rejects a proposal whose transactions exceed it).
 *
 * @example
 * defaultPrepareProposal({ ...req, maxTxBytes: 1000n }).length;
 */
export function defaultPrepareProposal(
  req: Pick<abci.PrepareProposalRequest, "txs" | "maxTxBytes">,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let total = 0n;
  for (const tx of req.txs) {
    total += BigInt(tx.length);
    if (total > req.maxTxBytes) break;
    out.push(tx);
  }
  return out;
}
