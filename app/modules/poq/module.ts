/**
 * The poq module: Proof of Quality requests, nodes, committees and commit-reveal scores carried in
 * vote extensions (see README.md). Besides the {@link Module} shape it exposes the hooks the base app
 * calls around vote extensions; the base app wires them, the module never touches ABCI itself.
 */
import type { CommitInfo, ExtendedCommitInfo } from "../../../abci/application.js";
import { ChainError } from "../../errors.js";
import type { Context, Module } from "../../types.js";
import { poqBeginBlock, poqEndBlock } from "./block.js";
import type { PoqBank, PoqDeps } from "./deps.js";
import { ErrInvalidInjectedCommit } from "./errors.js";
import {
  checkInjectionPlacement,
  decodeInjectedCommit,
  encodeInjectedCommit,
  injectionRequired,
  InvalidInjectedCommitError,
  isInjectedCommitTx,
  verifyExtendedCommit,
} from "./extended-commit.js";
import { createExtensionEntryCache } from "./extension-entries.js";
import {
  createInFlightMemo,
  createRequestReadCache,
  planVoteExtension,
  type LocalScore,
} from "./extension-planner.js";
import {
  PoqGenesisError,
  exportPoqGenesis,
  initPoqGenesis,
  parsePoqGenesis,
  poqGenesisHoldings,
} from "./genesis.js";
import { moduleAddress } from "../auth/address.js";
import { createPoqKeeper, type PoqKeeper, type StoreContext } from "./keeper.js";
import { POQ_MODULE, requestKey } from "./keys.js";
import { createPoqMsgServer } from "./msg-server.js";
import { beaconCommitment } from "./beacon.js";
import { defaultPoqParams, type PoqParams } from "./params.js";
import { createPoqQueries } from "./queries.js";
import { applyInjectedCommit } from "./scoring.js";
import { isValidVoteExtension } from "./vote-extension.js";
import { bytesEqual } from "./types/wire.js";
import { readBlockLimits } from "../../baseapp/chain-meta.js";
import type { ValidatorsView } from "../validators/keeper.js";

export interface CreatePoqModuleOptions {
  bank: PoqBank;
  validators: Pick<ValidatorsView, "get" | "list">;
  /**
   * Parameters for stateless checks (validateBasic has no store). Defaults to the genesis params
   * seen by validateGenesis/initGenesis, else the defaults.
   */
  params?: PoqParams;
}

export interface PoqModule extends Module {
  readonly keeper: PoqKeeper;
  /**
   * PrepareProposal: the transaction to put first in block `height` (built from
   * `local_last_commit`), or undefined when vote extensions are not on for `height - 1`.
   */
  prepareInjectedCommit(p: {
    height: bigint;
    enableHeight: bigint;
    localLastCommit: ExtendedCommitInfo;
  }): Uint8Array | undefined;
  /**
   * ProcessProposal: throws ChainError(poq 19) when the block's injected commit is missing, misplaced,
   * malformed, or fails the signature / 2/3-power checks. Reject the proposal when it throws.
   */
  verifyInjectedCommit(
    ctx: StoreContext,
    p: {
      txs: readonly Uint8Array[];
      height: bigint;
      enableHeight: bigint;
      chainId: string;
      lastCommit: CommitInfo;
    },
  ): void;
  /** FinalizeBlock, for the injected transaction (after BeginBlock): records commitments and reveals. */
  /**
   * Records the commitments and reveals of the previous height's extensions, and mixes the beacon
   * unless the block is idle (`block.otherTxs` 0 and no open work: see scoring.ts).
   */
  applyInjectedCommit(
    ctx: Context,
    tx: Uint8Array,
    block?: { readonly otherTxs: number },
  ): { commitments: number; reveals: number };
  /** Whether transaction bytes are an injected commit (CheckTx must reject them: poq 20). */
  isInjectedCommitTx(tx: Uint8Array): boolean;
  /** VerifyVoteExtension: deterministic and lenient (empty is fine); false for malformed or oversized. */
  verifyVoteExtension(ctx: StoreContext, extension: Uint8Array): boolean;
  /**
   * Whether `validator` will sit on every committee drawn next (every validator with power does when
   * there are no more of them than `committee_size`). Its scorer then scores an answer as soon as it
   * lands instead of waiting for the draw, and its commitment is in time for the earliest reveal.
   * Off-chain advice only: a validator excluded by trust meanwhile just has its commitment dropped.
   */
  sitsOnNextCommittees(ctx: StoreContext, validator: Uint8Array): boolean;
  /** ExtendVote: the extension to sign, from ready local scores; never runs the model. */
  extendVote(
    ctx: StoreContext,
    p: {
      validator: Uint8Array;
      height: bigint;
      scores: ReadonlyMap<bigint, LocalScore>;
      txs: readonly Uint8Array[];
      /** This validator's beacon secret for `height` and the one of `height - 1` (from validator/). */
      beacon?: { secret: Uint8Array; previous?: Uint8Array | undefined };
    },
  ): Uint8Array;
}

/**
 * Creates the poq module.
 *
 * @example
 * const poq = createPoqModule({ bank, validators: validatorsModule.keeper });
 * // auth must list the module account: createAccountKeeper({ moduleAccounts: { poq: [] } })
 */
export function createPoqModule(opts: CreatePoqModuleOptions): PoqModule {
  const keeper = createPoqKeeper();
  const deps: PoqDeps = { keeper, bank: opts.bank, validators: opts.validators };
  /** Bytes a vote takes in the injected commit besides its extension (address, power, signature, tags). */
  const VOTE_FRAMING_BYTES = 256n;
  let staticParams = opts.params ?? defaultPoqParams();
  const requestCache = createRequestReadCache((ctx, id) => ctx.store.get(requestKey(id)));
  const entries = createExtensionEntryCache();
  const inFlight = createInFlightMemo();
  /**
   * The most bytes one validator's extension may take: `max_vote_extension_bytes`, or less when
   * every validator's full extension would not fit half of the block's `max_bytes` together (the
   * injected commit carries all of them; review L2). ExtendVote packs within it and
   * VerifyVoteExtension refuses more, both from the same committed state.
   */
  const extensionCap = (ctx: StoreContext): number => {
    const param = keeper.getParams(ctx).maxVoteExtensionBytes;
    const voters = BigInt(Math.max(1, opts.validators.list(ctx).length));
    const share = readBlockLimits(ctx.store).maxBytes / 2n / voters - VOTE_FRAMING_BYTES;
    return share >= BigInt(param) ? param : Number(share > 0n ? share : 0n);
  };
  return {
    name: POQ_MODULE,
    keeper,
    msgs: createPoqMsgServer(deps, () => staticParams),
    queries: createPoqQueries(keeper, opts.validators),
    validateGenesis(raw) {
      const g = parsePoqGenesis(raw);
      if (!opts.params) staticParams = g.params;
    },
    initGenesis(ctx, raw) {
      const g = parsePoqGenesis(raw);
      if (!opts.params) staticParams = g.params;
      initPoqGenesis(keeper, ctx, g);
      // A module account short of the stakes makes a later payout throw in a block hook and halt
      // the chain; one holding more would pay other users' escrow with it (review L3).
      const held = opts.bank.getBalance(ctx, moduleAddress(POQ_MODULE), g.params.denom).amount;
      const owed = poqGenesisHoldings(g);
      if (held !== owed) {
        throw new PoqGenesisError(
          g.store
            ? `the ${POQ_MODULE} module account holds ${held}${g.params.denom}, but the exported state owes ${owed}${g.params.denom} (node stakes and the escrow of open requests): the bank genesis must give it exactly that`
            : `the ${POQ_MODULE} module account holds ${held}${g.params.denom}, but the genesis nodes stake ${owed}${g.params.denom}: the bank genesis must give it exactly the stakes`,
        );
      }
    },
    exportGenesis: (ctx) => exportPoqGenesis(keeper, ctx),
    beginBlock(ctx) {
      // A restarted process learns its static params from state.
      if (!opts.params) staticParams = keeper.getParams(ctx);
      poqBeginBlock(ctx, deps);
    },
    endBlock: (ctx) => poqEndBlock(ctx, deps),
    prepareInjectedCommit(p) {
      return injectionRequired(p.height, p.enableHeight, p.localLastCommit.votes.length > 0)
        ? encodeInjectedCommit(p.localLastCommit)
        : undefined;
    },
    verifyInjectedCommit(ctx, p) {
      try {
        const tx = checkInjectionPlacement({
          txs: p.txs,
          height: p.height,
          voteExtensionsEnableHeight: p.enableHeight,
          hasLastCommit: p.lastCommit.votes.length > 0,
        });
        if (tx === undefined) return;
        verifyExtendedCommit({
          commit: decodeInjectedCommit(tx),
          lastCommit: p.lastCommit,
          height: p.height,
          chainId: p.chainId,
          voteExtensionsEnableHeight: p.enableHeight,
          pubKeyOf: (address) => opts.validators.get(ctx, address)?.pubKey,
        });
      } catch (cause) {
        if (cause instanceof InvalidInjectedCommitError)
          throw new ChainError(ErrInvalidInjectedCommit, cause.message, cause);
        throw cause;
      }
    },
    applyInjectedCommit(ctx, tx, block) {
      return applyInjectedCommit(ctx, deps, decodeInjectedCommit(tx), block);
    },
    isInjectedCommitTx,
    verifyVoteExtension: (ctx, extension) => isValidVoteExtension(extension, extensionCap(ctx)),
    sitsOnNextCommittees(ctx, validator) {
      const pool = opts.validators.list(ctx).filter((v) => v.power > 0n);
      return (
        pool.length <= keeper.getParams(ctx).committeeSize &&
        pool.some((v) => bytesEqual(v.address, validator))
      );
    },
    extendVote(ctx, p) {
      const maxBytes = keeper.getParams(ctx).maxVoteExtensionBytes;
      const bytes = planVoteExtension(keeper, ctx, {
        maxBytes: extensionCap(ctx),
        validator: p.validator,
        height: p.height,
        scores: p.scores,
        readRequest: (id) => requestCache.read(ctx, id),
        inFlightCommitments: inFlight.read(p.txs[0], maxBytes),
        entries,
        ...(p.beacon
          ? {
              beacon: {
                commitment: beaconCommitment(p.height, p.validator, p.beacon.secret),
                reveal: p.beacon.previous,
              },
            }
          : {}),
      });
      requestCache.retain(p.scores);
      entries.retain(p.scores);
      return bytes;
    },
  };
}
