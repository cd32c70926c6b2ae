/**
 * Wires the poq module into the base app's block phases (ABCI 2.0):
 *
 * - PrepareProposal: the previous height's extended commit goes first in the block, and the
 *   mempool's transactions after it only as far as `max_tx_bytes` allows.
 * - ProcessProposal: a block whose injected commit is missing, misplaced, malformed, badly signed or
 *   short of 2/3 of the power is rejected.
 * - FinalizeBlock: the injected transaction is applied by the module (commitments and reveals) with a
 *   result of its own; CheckTx refuses it.
 * - ExtendVote: the validator's ready scores are packed (commitments, then reveals); the model never
 *   runs here. VerifyVoteExtension is lenient and deterministic.
 *
 * The local scores and this validator's consensus address are inputs from the validator process;
 * they shape only this node's vote extension, never the app hash directly.
 */
import { defaultPrepareProposal, type ProposalHooks } from "./baseapp/proposal.js";
import { readVoteExtensionsEnableHeight } from "./baseapp/chain-meta.js";
import type { AppLogger } from "./app.js";
import { ErrInjectedCommitInMempool } from "./modules/poq/errors.js";
import type { LocalScore } from "./modules/poq/extension-planner.js";
import type { PoqModule } from "./modules/poq/module.js";

export interface PoqProposalOptions {
  poq: PoqModule;
  /** This validator's consensus address (20 bytes); without it the node extends nothing. */
  validatorAddress?: Uint8Array;
  /** Scores the local evaluator has finished, by request id (read at each ExtendVote). */
  localScores?: () => ReadonlyMap<bigint, LocalScore>;
  /**
   * This validator's beacon secret for a height and the one of the height before (32 random bytes
   * each, drawn by the validator process; the app never makes randomness).
   */
  beaconSecrets?: (height: bigint) => { secret: Uint8Array; previous?: Uint8Array | undefined };
  logger?: AppLogger;
}

/**
 * The base app's proposal hooks for PoQ.
 *
 * @example
 * const hooks = createPoqProposalHooks({ poq, validatorAddress, localScores: () => scorer.ready() });
 * const app = createApp({ home, modules, ante, proposal: hooks });
 */
export function createPoqProposalHooks(opts: PoqProposalOptions): ProposalHooks {
  const { poq } = opts;
  return {
    prepareProposal(ctx, req, txs) {
      const injected = poq.prepareInjectedCommit({
        height: req.height,
        enableHeight: readVoteExtensionsEnableHeight(ctx.store),
        localLastCommit: req.localLastCommit,
      });
      if (!injected) return txs;
      // The same cut as the default selection, with the injected tx's bytes taken first; never a
      // negative budget (review L2: the extensions are capped so that the injected commit fits).
      const left = req.maxTxBytes - BigInt(injected.length);
      return [injected, ...defaultPrepareProposal({ txs, maxTxBytes: left > 0n ? left : 0n })];
    },

    processProposal(ctx, req) {
      try {
        poq.verifyInjectedCommit(ctx, {
          txs: req.txs,
          height: req.height,
          enableHeight: readVoteExtensionsEnableHeight(ctx.store),
          chainId: ctx.chainId,
          lastCommit: req.proposedLastCommit,
        });
        return true;
      } catch (err) {
        opts.logger?.error("rejecting proposal", {
          height: req.height,
          reason: err instanceof Error ? err.message : String(err),
        });
        return false;
      }
    },

    extendVote(ctx, req) {
      if (!opts.validatorAddress || !opts.localScores) return new Uint8Array();
      return poq.extendVote(ctx, {
        validator: opts.validatorAddress,
        height: req.height,
        scores: opts.localScores(),
        txs: req.txs,
        ...(opts.beaconSecrets ? { beacon: opts.beaconSecrets(req.height) } : {}),
      });
    },

    verifyVoteExtension: (ctx, req) => poq.verifyVoteExtension(ctx, req.voteExtension),

    injected: {
      is: (tx) => poq.isInjectedCommitTx(tx),
      deliver: (ctx, tx, block) => {
        poq.applyInjectedCommit(ctx, tx, block);
      },
      mempoolRejection: ErrInjectedCommitInMempool,
    },
  };
}
