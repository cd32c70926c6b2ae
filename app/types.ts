/**
 * The contracts between the app's parts: the store every module writes through, the context a
 * message handler runs in, and the shape a module plugs into the app with.
 *
 * Everything here is deterministic: no clocks (block time comes from CometBFT), no randomness,
 * no floats. Amounts are `bigint`.
 */
import type {
  CommitInfo,
  ConsensusParams,
  Event,
  Misbehavior,
  ValidatorUpdate,
} from "../abci/application.js";

/**
 * A key-value view of the state. Keys and values are bytes; iteration is in ascending
 * byte order of keys, so it is the same on every node.
 */
export interface KVStore {
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Entries whose key starts with `prefix`, ascending by key (descending with `reverse`). */
  iterate(
    prefix: Uint8Array,
    opts?: { reverse?: boolean; limit?: number; start?: Uint8Array },
  ): Iterable<[Uint8Array, Uint8Array]>;
}

/**
 * A store whose writes can be undone: each transaction takes a checkpoint and ends with exactly
 * one of `commit` (keep its writes in the enclosing layer) or `revert` (drop them).
 * Checkpoints nest.
 */
export interface CheckpointStore extends KVStore {
  checkpoint(): void;
  commit(): void;
  revert(): void;
}

/** Consumes gas; throws {@link OutOfGasError} when the limit is passed. */
export interface GasMeter {
  readonly limit: bigint;
  readonly consumed: bigint;
  consume(amount: bigint, descriptor: string): void;
}

/** Where a message handler or hook runs: the state, the block it is in and where its events go. */
export interface Context {
  readonly store: KVStore;
  readonly chainId: string;
  readonly blockHeight: bigint;
  /** Block time from the header, nanoseconds since the epoch. */
  readonly blockTimeNanos: bigint;
  readonly gasMeter: GasMeter;
  /** Whether this run is CheckTx/simulation (no side effects beyond the check state). */
  readonly isCheck: boolean;
  emitEvent(event: Event): void;
}

/** A decoded message of a transaction: its type URL and protobuf value. */
export interface AnyMsg {
  typeUrl: string;
  value: Uint8Array;
}

/** What a message handler returns: the `Any`-wrapped response for `TxMsgData.msg_responses`. */
export interface MsgResult {
  response: AnyMsg;
}

export type MsgHandler = (ctx: Context, msg: AnyMsg) => MsgResult;

/** Decodes a message just enough to tell who must sign it (bech32 addresses) and to validate it statelessly. */
export interface MsgDescriptor {
  typeUrl: string;
  /** Bech32 account addresses that must sign; throws a registered error when the message is malformed. */
  signers(value: Uint8Array): string[];
  /** Stateless checks (amounts positive, addresses valid, sizes); throws a registered error. */
  validateBasic(value: Uint8Array): void;
  /** Legacy amino JSON of the message (`{type, value}`) for SIGN_MODE_LEGACY_AMINO_JSON, when supported. */
  toAmino?(value: Uint8Array): { type: string; value: unknown };
  handler: MsgHandler;
}

/** ABCI query handler: protobuf request bytes in, protobuf response bytes out. */
export type QueryHandler = (ctx: Context, data: Uint8Array) => Uint8Array;

/** Information about the block being finalized, for hooks. */
export interface BlockInfo {
  height: bigint;
  timeNanos: bigint;
  proposerAddress: Uint8Array;
  /**
   * The app hash persisted by the previous Commit (empty before the first block). Not a seed: the
   * block's proposer and every user see it before the block is built (PoQ draws from its beacon).
   */
  lastAppHash?: Uint8Array;
  /**
   * The votes of the previous block's commit (FinalizeBlock `decided_last_commit`): every validator of
   * that height with its power and whether it signed. Empty at the first block. Distribution pays by it,
   * slashing counts downtime from it.
   */
  decidedLastCommit?: CommitInfo;
  /** Evidence of misbehaviour CometBFT reports in this block (FinalizeBlock `misbehavior`). */
  misbehavior?: readonly Misbehavior[];
}

/** What an end-block hook may return: validator power changes for CometBFT (staking). */
export interface EndBlockResult {
  validatorUpdates: ValidatorUpdate[];
  /** New consensus params for CometBFT (the consensus module, after a governance proposal). */
  consensusParamUpdates?: ConsensusParams;
}

/** What InitChain tells every module besides its own `app_state` section. */
export interface GenesisChainInfo {
  chainId: string;
  initialHeight: bigint;
  /** The genesis validator set CometBFT passed to InitChain (ed25519 keys and powers), in its order. */
  validators: readonly ValidatorUpdate[];
}

/**
 * A module in the cosmos-sdk shape: messages, queries, genesis and block hooks.
 * `app/app.ts` routes to modules by type URL and query path.
 */
export interface Module {
  readonly name: string;
  readonly msgs: readonly MsgDescriptor[];
  /** Full gRPC-style paths, e.g. `/cosmos.bank.v1beta1.Query/Balance`. */
  readonly queries: Readonly<Record<string, QueryHandler>>;
  /** Validates this module's part of genesis `app_state`; throws a GenesisError with a clear message. */
  validateGenesis?(raw: unknown): void;
  /** Writes this module's genesis state; `raw` has passed `validateGenesis` (undefined when the section is absent). */
  initGenesis?(ctx: Context, raw: unknown, chain: GenesisChainInfo): void;
  exportGenesis?(ctx: Context): unknown;
  beginBlock?(ctx: Context, block: BlockInfo): void;
  /** End of block; staking returns the block's `validator_updates` (take effect in CometBFT two blocks later). */
  endBlock?(ctx: Context, block: BlockInfo): EndBlockResult | void;
}
