/**
 * The base application: implements CometBFT's ABCI 2.0 {@link Application} on top of the state
 * store, the router and the modules. Each method says when CometBFT calls it and what it must
 * guarantee; the block flow is described in ARCHITECTURE.md.
 */
import { join } from "node:path";
import type * as abci from "../abci/application.js";
import {
  ApplySnapshotChunkResult,
  CheckTxType,
  OfferSnapshotResult,
  ProposalStatus,
  VerifyStatus,
  type Application,
  type Event,
} from "../abci/application.js";
import { createContext } from "./context.js";
import { BaseError } from "./errors.js";
import { parseAppState, validateAppState } from "./genesis.js";
import { createRouter, type Router } from "./router.js";
import { createStateStore, type StateStore } from "./store/state.js";
import { withMemosPaused } from "./store/memo.js";
import type { Context, Module } from "./types.js";
import { createSigVerificationCache, type SigVerificationCache } from "./tx/sig-cache.js";
import { handleQuery } from "./baseapp/query.js";
import { createQueryService } from "./baseapp/query-service.js";
import { indexed, txError, withAttribute } from "./baseapp/results.js";
import {
  passesStatelessChecks,
  runTx,
  txGasWanted,
  type AnteHandler,
  type TxRunnerDeps,
} from "./baseapp/tx-runner.js";
import {
  readBlockLimits,
  readChainId,
  writeBlockLimits,
  writeChainId,
  writeVoteExtensionsEnableHeight,
} from "./baseapp/chain-meta.js";
import { ErrOutOfGas } from "./sdk-errors.js";
import { defaultPrepareProposal, type ProposalHooks } from "./baseapp/proposal.js";
import type { HotPagePolicy } from "./store/hot-pages.js";

export type { AnteHandler } from "./baseapp/tx-runner.js";
export type { ProposalHooks } from "./baseapp/proposal.js";

/** Minimal structured logger; the app logs only what an operator needs. */
export interface AppLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface CreateAppOptions {
  /** Node home: the database is `<home>/data/application.db`. One of `home` or `dbPath` is required. */
  home?: string;
  /** Explicit SQLite path (tests, tools). */
  dbPath?: string;
  /**
   * The store layout a new database gets (`StateStoreOptions.layout`): only to replay a chain
   * started with an older layout from its genesis.
   */
  storeLayout?: number;
  /** Where the store keeps trie page rows (`StateStoreOptions.hotPages`): only for A/B benchmarks. */
  hotPages?: Readonly<HotPagePolicy>;
  /** The modules, in the order their genesis and block hooks run. */
  modules: readonly Module[];
  /** Runs before every transaction's messages: fee, sequence, signatures (`app/tx/ante.ts`). */
  ante: AnteHandler;
  /** Expected chain id; a mismatch with InitChain or the stored chain id is refused. */
  chainId?: string;
  /** Hooks for PrepareProposal / ProcessProposal / ExtendVote / VerifyVoteExtension (PoQ). */
  proposal?: ProposalHooks;
  /** Largest accepted transaction in bytes. */
  maxTxBytes?: number;
  /** Entries of the signature-verification cache (default 100,000). */
  sigCacheSize?: number;
  logger?: AppLogger;
  /** Application version string reported by Info. */
  version?: string;
  /**
   * Serve queries off the consensus thread: a worker thread with its own read-only connection and
   * the query routes of the ES module at `router` (it exports `createQueryRouter(): Router`, the
   * same routes as `modules`). See baseapp/query-service.ts. Default: every query on the main thread.
   */
  queryWorker?: { router: string | URL; timeoutMs?: number; startTimeoutMs?: number };
}

/** {@link Application} with every method synchronous: this app never awaits. */
export type SyncApplication = {
  [K in Exclude<keyof Application, "queryOffThread">]: Application[K] extends (...args: infer A) => infer R
    ? (...args: A) => Awaited<R>
    : never;
};

/** The app: the ABCI methods, plus access for tools and tests. */
export interface PoqApp extends SyncApplication {
  /** With `queryWorker`: queries answered by the worker thread (see {@link Application.queryOffThread}). */
  queryOffThread?(req: abci.QueryRequest): Promise<abci.QueryResponse | undefined>;
  readonly state: StateStore;
  readonly router: Router;
  /**
   * Replaces the (empty) state with a state-sync snapshot's entries as the committed state of
   * `height`, verified against the app hash the light client trusts (`StateStore.restore`: all or
   * nothing). Info then reports `height`, and the next FinalizeBlock must be `height + 1`.
   */
  restore(
    height: bigint,
    trustedAppHash: Uint8Array,
    entries: Iterable<[Uint8Array, Uint8Array]>,
    layout?: number,
  ): number;
  /** Closes the database (and stops the query worker). */
  close(): void;
}

/** The app was driven out of the ABCI order (a fatal condition: CometBFT must stop). */
export class AppStateError extends BaseError {
  override name = "AppStateError" as const;
}

const EMPTY = new Uint8Array(0);
const silent: AppLogger = { info: () => undefined, error: () => undefined };

/**
 * Creates the application over its SQLite state.
 *
 * @example
 * const app = createApp({ home: "~/.poq", modules: [auth, bank, validators], ante, chainId: "poq-devnet-1" });
 * await serveAbci(app, { address: "tcp://127.0.0.1:26658" });
 */
export function createApp(opts: CreateAppOptions): PoqApp {
  const dbPath =
    opts.dbPath ?? (opts.home !== undefined ? join(opts.home, "data", "application.db") : undefined);
  if (dbPath === undefined) throw new AppStateError("createApp needs `home` or `dbPath`");
  const logger = opts.logger ?? silent;
  const modules = [...opts.modules];
  const router = createRouter(modules);
  const state = createStateStore({
    path: dbPath,
    ...(opts.storeLayout !== undefined ? { layout: opts.storeLayout } : {}),
    ...(opts.hotPages !== undefined ? { hotPages: opts.hotPages } : {}),
  });
  const sigCache: SigVerificationCache = createSigVerificationCache({
    maxEntries: opts.sigCacheSize ?? 100_000,
  });
  const deps: TxRunnerDeps = {
    router,
    ante: opts.ante,
    sigCache,
    ...(opts.maxTxBytes !== undefined ? { maxTxBytes: opts.maxTxBytes } : {}),
  };
  const hooks = opts.proposal ?? {};
  if (opts.queryWorker && dbPath === ":memory:") {
    throw new AppStateError("a query worker needs a database file, not :memory:");
  }
  const queryService = opts.queryWorker
    ? createQueryService({
        dbPath,
        router: opts.queryWorker.router,
        logger,
        ...(opts.queryWorker.timeoutMs !== undefined ? { timeoutMs: opts.queryWorker.timeoutMs } : {}),
        ...(opts.queryWorker.startTimeoutMs !== undefined
          ? { startTimeoutMs: opts.queryWorker.startTimeoutMs }
          : {}),
      })
    : undefined;

  let chainId = readChainId(state.committedView()) ?? opts.chainId ?? "";
  if (opts.chainId !== undefined && chainId !== opts.chainId) {
    throw new AppStateError(`database ${dbPath} belongs to chain ${chainId}, not ${opts.chainId}`);
  }
  /** Height being finalized and not yet committed; undefined between Commit and FinalizeBlock. */
  let finalizing: bigint | undefined;
  /** The height the next FinalizeBlock must have (InitChain's initial height before the first block). */
  let nextHeight = state.lastHeight + 1n;
  /** Time of the last finalized block, for CheckTx contexts (0 until the first block after start). */
  let lastBlockTime = 0n;

  /** Genesis, begin/end block and injected txs: no transaction, so no gas to meter. */
  const blockContext = (height: bigint, timeNanos: bigint, events: Event[]): Context =>
    createContext({
      store: state.deliver,
      chainId,
      blockHeight: height,
      blockTimeNanos: timeNanos,
      events,
      metered: false,
    });
  const readContext = (): Context =>
    createContext({
      store: state.committedView(),
      chainId,
      blockHeight: state.lastHeight,
      blockTimeNanos: lastBlockTime,
      isCheck: true,
      metered: false,
    });

  /**
   * The ante handler over a proposal's transactions in order (sequences follow from one to the next),
   * on a scratch branch of the last committed state that is then dropped, as the SDK's default
   * proposal handlers verify them: the indexes of the transactions it refuses. The injected commit
   * has no ante. Deterministic: the ante reads only state and consensus params (the fee floor is
   * the auth param `min_gas_price`, not a local setting).
   */
  const anteRefusals = (txs: readonly Uint8Array[], height: bigint, timeNanos: bigint): number[] => {
    const env = { store: state.committedView(), chainId, height, timeNanos };
    const refused: number[] = [];
    txs.forEach((tx, i) => {
      if (!hooks.injected?.is(tx) && runTx(deps, env, "check", tx).code !== 0) refused.push(i);
    });
    return refused;
  };

  /** A proposer-injected transaction: its own checkpoint, its own result, no ante handler. */
  const deliverInjected = (
    injected: NonNullable<ProposalHooks["injected"]>,
    req: abci.FinalizeBlockRequest,
    tx: Uint8Array,
  ): abci.ExecTxResult => {
    const events: Event[] = [];
    state.deliver.checkpoint();
    const base = { data: EMPTY, info: "", gasWanted: 0n, gasUsed: 0n };
    try {
      const otherTxs = req.txs.filter((t) => !injected.is(t)).length;
      injected.deliver(blockContext(req.height, req.timeNanos, events), tx, { otherTxs });
      state.deliver.commit();
      return { ...base, code: 0, log: "", codespace: "", events: indexed(events) };
    } catch (err) {
      state.deliver.revert();
      return { ...base, ...txError(err), events: [] };
    }
  };

  const app: PoqApp = {
    state,
    router,
    close: () => {
      void queryService?.close();
      state.close();
    },
    ...(queryService ? { queryOffThread: (req: abci.QueryRequest) => queryService.query(req) } : {}),

    restore(height, trustedAppHash, entries, layout) {
      if (finalizing !== undefined) throw new AppStateError("snapshot restore while a block awaits Commit");
      const count = state.restore(height, trustedAppHash, entries, layout);
      chainId = readChainId(state.committedView()) ?? chainId;
      nextHeight = height + 1n;
      lastBlockTime = 0n;
      logger.info("state restored from a snapshot", { height, entries: count, chainId });
      return count;
    },

    /**
     * Info: called on the query connection at start-up (handshake). Reports exactly what the last
     * Commit persisted, so CometBFT replays precisely the blocks the app lacks.
     */
    info(): abci.InfoResponse {
      return {
        data: "poq",
        version: opts.version ?? "0.1.0",
        appVersion: 1n,
        lastBlockHeight: state.lastHeight,
        lastBlockAppHash: state.lastHeight === 0n ? EMPTY : state.lastAppHash,
      };
    },

    /**
     * InitChain: called before the first block whenever Info reported height 0 (so again after a
     * crash before block 1 was committed). Validates the whole `app_state` first (nothing is
     * written if any section is invalid), replaces any earlier genesis, lets each module write its
     * genesis, and persists it at height 0 (Info keeps saying 0 until block 1 is committed).
     * Returns the app hash of the genesis state.
     */
    initChain(req: abci.InitChainRequest): abci.InitChainResponse {
      if (state.lastHeight !== 0n) {
        throw new AppStateError(`InitChain at height ${state.lastHeight}: the chain is already initialized`);
      }
      if (opts.chainId !== undefined && req.chainId !== opts.chainId) {
        throw new AppStateError(
          `InitChain for chain ${req.chainId}, but this app was started for ${opts.chainId}`,
        );
      }
      const appState = parseAppState(req.appStateBytes);
      validateAppState(modules, appState);
      // A genesis from an earlier attempt (crash before block 1) is replaced, never merged.
      state.wipe();
      chainId = req.chainId;
      const ctx = blockContext(req.initialHeight, req.timeNanos, []);
      writeChainId(ctx.store, chainId);
      writeVoteExtensionsEnableHeight(ctx.store, req.consensusParams?.abci?.voteExtensionsEnableHeight ?? 0n);
      if (req.consensusParams?.block) writeBlockLimits(ctx.store, req.consensusParams.block);
      const chain = { chainId, initialHeight: req.initialHeight, validators: req.validators };
      // Memos paused: a large genesis passes each address through them once (see withMemosPaused).
      // Each section is dropped once its module is done with it, so its objects can be collected.
      withMemosPaused(() => {
        for (const m of modules) {
          m.initGenesis?.(ctx, appState[m.name], chain);
          delete appState[m.name];
        }
      });
      const appHash = state.commitGenesis();
      nextHeight = req.initialHeight;
      lastBlockTime = req.timeNanos;
      logger.info("genesis initialized", { chainId, modules: modules.map((m) => m.name) });
      return { validators: [], appHash };
    },

    /**
     * Query: any time, on the query connection. Reads only the last committed state (or a
     * throwaway branch of the check state for Simulate); never writes. `height` is the last
     * committed height. With `queryWorker`, the server asks `queryOffThread` first and only what
     * it hands back (Simulate, proven reads, anything before the first block) comes here.
     */
    query(req: abci.QueryRequest): abci.QueryResponse {
      return handleQuery(
        {
          router,
          state,
          chainId: () => chainId,
          simulate: (txBytes) => {
            state.check.checkpoint();
            try {
              return runTx(
                deps,
                { store: state.check, chainId, height: state.lastHeight + 1n, timeNanos: lastBlockTime },
                "simulate",
                txBytes,
              );
            } finally {
              state.check.revert();
            }
          },
        },
        req,
      );
    },

    /**
     * CheckTx: on the mempool connection, for each new transaction and (type Recheck) for those
     * left in the mempool after a Commit. Decodes and runs the ante handler on the check state,
     * so that sequences advance for the next transaction of the same sender; never touches the
     * committed or deliver state. Signature checks that pass are cached for FinalizeBlock.
     */
    checkTx(req: abci.CheckTxRequest): abci.CheckTxResponse {
      if (hooks.injected?.is(req.tx)) {
        const kind = hooks.injected.mempoolRejection;
        return {
          code: kind.code,
          codespace: kind.codespace,
          log: `${kind.description}: only the block proposer may include it`,
          data: EMPTY,
          info: "",
          gasWanted: 0n,
          gasUsed: 0n,
          events: [],
        };
      }
      const mode = req.type === CheckTxType.Recheck ? "recheck" : "check";
      const env = { store: state.check, chainId, height: state.lastHeight + 1n, timeNanos: lastBlockTime };
      const r = runTx(deps, env, mode, req.tx);
      return {
        code: r.code,
        data: r.data,
        log: r.log,
        info: r.info,
        gasWanted: r.gasWanted,
        gasUsed: r.gasUsed,
        events: r.events,
        codespace: r.codespace,
      };
    },

    /**
     * PrepareProposal: on the proposer only, before it proposes block `height`. Default: the
     * mempool's transactions that pass the ante handler in order, as many as fit `max_tx_bytes`. PoQ's hook extends it
     * (the injected vote-extension transaction goes first).
     */
    prepareProposal(req: abci.PrepareProposalRequest): abci.PrepareProposalResponse {
      // Only what the ante handler accepts, in order (a tx it refuses would get the block rejected).
      const refused = new Set(anteRefusals(req.txs, req.height, req.timeNanos));
      const valid = refused.size === 0 ? req.txs : req.txs.filter((_, i) => !refused.has(i));
      const txs = defaultPrepareProposal({ txs: valid, maxTxBytes: req.maxTxBytes });
      return { txs: hooks.prepareProposal ? hooks.prepareProposal(readContext(), req, txs) : txs };
    },

    /**
     * ProcessProposal: on every validator, for each proposed block. Must be deterministic and
     * reject only what no honest proposer would produce: a transaction that fails the stateless
     * checks (no CheckTx admits it), more gas than `max_gas`, a transaction the ante handler refuses
     * in block order on the committed state (PrepareProposal drops those), or what the PoQ hook
     * refuses. Otherwise accept.
     */
    processProposal(req: abci.ProcessProposalRequest): abci.ProcessProposalResponse {
      const undecodable = req.txs.some((tx) => !hooks.injected?.is(tx) && !passesStatelessChecks(deps, tx));
      if (undecodable) {
        logger.error("rejecting proposal: a transaction fails the stateless checks", { height: req.height });
        return { status: ProposalStatus.Reject };
      }
      // The consensus max_gas bounds the gas the block's transactions ask for, as in the SDK's
      // default handler (CometBFT's own mempool reaps within it; only a proposer that ignores it
      // passes it). Review L2.
      const { maxGas } = readBlockLimits(readContext().store);
      if (maxGas > 0n) {
        let wanted = 0n;
        for (const tx of req.txs) if (!hooks.injected?.is(tx)) wanted += txGasWanted(deps, tx) ?? 0n;
        if (wanted > maxGas) {
          logger.error("rejecting proposal: its transactions ask for more than max_gas", {
            height: req.height,
            wanted,
            maxGas,
          });
          return { status: ProposalStatus.Reject };
        }
      }
      // Every transaction must pass the ante handler (signature, sequence, fee, gas) in block order:
      // an honest proposer's PrepareProposal drops any that does not (issue 14).
      const refused = anteRefusals(req.txs, req.height, req.timeNanos);
      if (refused.length > 0) {
        logger.error("rejecting proposal: a transaction fails the ante handler", {
          height: req.height,
          index: refused[0],
        });
        return { status: ProposalStatus.Reject };
      }
      const accept = hooks.processProposal ? hooks.processProposal(readContext(), req) : true;
      return { status: accept ? ProposalStatus.Accept : ProposalStatus.Reject };
    },

    /**
     * ExtendVote: on a validator about to precommit a block (non-nil). Default: empty extension.
     * Must be fast: it is on the critical path of every block.
     */
    extendVote(req: abci.ExtendVoteRequest): abci.ExtendVoteResponse {
      return { voteExtension: hooks.extendVote ? hooks.extendVote(readContext(), req) : EMPTY };
    },

    /**
     * VerifyVoteExtension: for each other validator's precommit extension. Lenient on purpose
     * (a strict check can stall the chain); bad entries are dropped when they are aggregated.
     */
    verifyVoteExtension(req: abci.VerifyVoteExtensionRequest): abci.VerifyVoteExtensionResponse {
      const accept = hooks.verifyVoteExtension ? hooks.verifyVoteExtension(readContext(), req) : true;
      return { status: accept ? VerifyStatus.Accept : VerifyStatus.Reject };
    },

    /**
     * FinalizeBlock: once per decided block, on the consensus connection. Runs begin-block hooks,
     * every transaction in order (exactly one result each), end-block hooks, and returns the app
     * hash of the pending state. Nothing is persisted until Commit.
     */
    finalizeBlock(req: abci.FinalizeBlockRequest): abci.FinalizeBlockResponse {
      if (finalizing !== undefined && finalizing === req.height) {
        // CometBFT restarted between FinalizeBlock and Commit and replays the block: its result was
        // never persisted, so drop it and run the block again (as the SDK does). Refusing made a
        // restarted CometBFT exit on every start while this process lived.
        logger.info("FinalizeBlock replayed before Commit: running the block again", { height: req.height });
        state.discardPending();
        finalizing = undefined;
      }
      if (finalizing !== undefined) {
        throw new AppStateError(`FinalizeBlock ${req.height} while block ${finalizing} awaits Commit`);
      }
      if (req.height !== nextHeight) {
        throw new AppStateError(
          `FinalizeBlock ${req.height}, expected ${nextHeight} (committed ${state.lastHeight})`,
        );
      }
      finalizing = req.height;
      lastBlockTime = req.timeNanos;
      const block = {
        height: req.height,
        timeNanos: req.timeNanos,
        proposerAddress: req.proposerAddress,
        lastAppHash: state.lastHeight === 0n ? EMPTY : state.lastAppHash,
        decidedLastCommit: req.decidedLastCommit,
        misbehavior: req.misbehavior,
      };
      const beginEvents: Event[] = [];
      const ctxBegin = blockContext(req.height, req.timeNanos, beginEvents);
      for (const m of modules) m.beginBlock?.(ctxBegin, block);
      const env = { store: state.deliver, chainId, height: req.height, timeNanos: req.timeNanos };
      // Block gas meter (review L2): with a consensus max_gas, a transaction that could pass what is
      // left of it does not run (no fee, no sequence), as the SDK's block gas meter refuses it.
      const { maxGas } = readBlockLimits(state.deliver);
      let blockGas = 0n;
      const txResults = req.txs.map((tx): abci.ExecTxResult => {
        if (hooks.injected?.is(tx)) return deliverInjected(hooks.injected, req, tx);
        const wanted = txGasWanted(deps, tx) ?? 0n;
        if (maxGas > 0n && blockGas + wanted > maxGas) {
          return {
            code: ErrOutOfGas.code,
            codespace: ErrOutOfGas.codespace,
            log: `out of block gas: ${blockGas} used of max_gas ${maxGas}, the transaction asks for ${wanted}`,
            data: EMPTY,
            info: "",
            gasWanted: wanted,
            gasUsed: 0n,
            events: [],
          };
        }
        const { msgResponses: _unused, ...result } = runTx(deps, env, "deliver", tx);
        blockGas += result.gasUsed;
        return result;
      });
      const endEvents: Event[] = [];
      const ctxEnd = blockContext(req.height, req.timeNanos, endEvents);
      const validatorUpdates: abci.ValidatorUpdate[] = [];
      let consensusParamUpdates: abci.ConsensusParams | undefined;
      for (const m of modules) {
        const result = m.endBlock?.(ctxEnd, block);
        if (result) validatorUpdates.push(...result.validatorUpdates);
        if (result?.consensusParamUpdates) consensusParamUpdates = result.consensusParamUpdates;
      }
      return {
        events: indexed([
          ...withAttribute(beginEvents, "mode", "BeginBlock"),
          ...withAttribute(endEvents, "mode", "EndBlock"),
        ]),
        txResults,
        validatorUpdates,
        ...(consensusParamUpdates ? { consensusParamUpdates } : {}),
        appHash: state.workingHash(),
      };
    },

    /**
     * Commit: after FinalizeBlock, with the mempool locked. Persists the block's writes, height
     * and app hash in one SQLite transaction, then resets the check state to the new state.
     * Keeps all blocks (retain height 0).
     */
    commit(): abci.CommitResponse {
      if (finalizing === undefined) throw new AppStateError("Commit without FinalizeBlock");
      const appHash = state.commit(finalizing);
      nextHeight = finalizing + 1n;
      logger.info("committed", { height: finalizing, appHash: Buffer.from(appHash).toString("hex") });
      finalizing = undefined;
      return { retainHeight: 0n };
    },

    /**
     * Snapshots: none without a snapshot store. The validator process serves and restores them
     * (`validator/snapshots/`), calling {@link PoqApp.restore} once a snapshot is complete.
     */
    listSnapshots: () => ({ snapshots: [] }),
    offerSnapshot: () => ({ result: OfferSnapshotResult.Reject }),
    loadSnapshotChunk: () => ({ chunk: EMPTY }),
    applySnapshotChunk: () => ({
      result: ApplySnapshotChunkResult.Abort,
      refetchChunks: [],
      rejectSenders: [],
    }),
  };
  return app;
}
