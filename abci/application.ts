/**
 * The ABCI 2.0 (CometBFT v0.38) application interface, in plain TypeScript types.
 *
 * The socket server (`abci/server.ts`) decodes protobuf requests into these shapes, calls the
 * application one request at a time (calls are serialized across all four connections), and
 * encodes the results. Nothing here is chain-specific; `app/` implements {@link Application}.
 *
 * `queryOffThread`, when the app has it, is the exception: it is called outside that queue.
 *
 * Conventions: 64-bit integers are `bigint`; bytes are `Uint8Array`; optional protobuf fields that
 * the application may leave out are optional properties; timestamps are nanoseconds since the epoch
 * as `bigint` (CometBFT's block time, never the local clock).
 */

export interface Event {
  type: string;
  attributes: EventAttribute[];
}

export interface EventAttribute {
  key: string;
  value: string;
  /** Whether CometBFT indexes it for `tx_search`/`block_search`. */
  index: boolean;
}

export interface ValidatorUpdate {
  /** ed25519 public key, 32 bytes. */
  pubKeyEd25519: Uint8Array;
  power: bigint;
}

export interface Validator {
  /** First 20 bytes of sha256(ed25519 pubkey). */
  address: Uint8Array;
  power: bigint;
}

/** tendermint.types.BlockIDFlag */
export enum BlockIdFlag {
  Unknown = 0,
  Absent = 1,
  Commit = 2,
  Nil = 3,
}

export interface VoteInfo {
  validator: Validator;
  blockIdFlag: BlockIdFlag;
}

export interface ExtendedVoteInfo {
  validator: Validator;
  voteExtension: Uint8Array;
  extensionSignature: Uint8Array;
  blockIdFlag: BlockIdFlag;
}

export interface CommitInfo {
  round: number;
  votes: VoteInfo[];
}

export interface ExtendedCommitInfo {
  round: number;
  votes: ExtendedVoteInfo[];
}

export enum MisbehaviorType {
  Unknown = 0,
  DuplicateVote = 1,
  LightClientAttack = 2,
}

export interface Misbehavior {
  type: MisbehaviorType;
  validator: Validator;
  height: bigint;
  timeNanos: bigint;
  totalVotingPower: bigint;
}

/** The consensus parameters the app may read at InitChain and update in FinalizeBlock. */
export interface ConsensusParams {
  block?: { maxBytes: bigint; maxGas: bigint };
  evidence?: { maxAgeNumBlocks: bigint; maxAgeDurationNanos: bigint; maxBytes: bigint };
  validator?: { pubKeyTypes: string[] };
  version?: { app: bigint };
  abci?: { voteExtensionsEnableHeight: bigint };
}

// ---- requests and responses, in the order of the v0.38 `Request` oneof ----

export interface EchoRequest {
  message: string;
}
export interface EchoResponse {
  message: string;
}

export interface InfoRequest {
  version: string;
  blockVersion: bigint;
  p2pVersion: bigint;
  abciVersion: string;
}
export interface InfoResponse {
  data: string;
  version: string;
  appVersion: bigint;
  /** Exactly the height of the last Commit that was persisted (0 before the first block). */
  lastBlockHeight: bigint;
  /** Exactly the app hash persisted with that Commit (empty before the first block). */
  lastBlockAppHash: Uint8Array;
}

export interface InitChainRequest {
  timeNanos: bigint;
  chainId: string;
  consensusParams?: ConsensusParams;
  validators: ValidatorUpdate[];
  appStateBytes: Uint8Array;
  initialHeight: bigint;
}
export interface InitChainResponse {
  consensusParams?: ConsensusParams;
  /** Empty means "use the genesis validators as given". */
  validators: ValidatorUpdate[];
  appHash: Uint8Array;
}

export interface QueryRequest {
  data: Uint8Array;
  path: string;
  height: bigint;
  prove: boolean;
}
export interface QueryResponse {
  code: number;
  log: string;
  info: string;
  index: bigint;
  key: Uint8Array;
  value: Uint8Array;
  /** Merkle proof ops, when `prove` was asked and the app supports it. */
  proofOps?: { ops: { type: string; key: Uint8Array; data: Uint8Array }[] };
  /** Must be > 0 for CosmJS. */
  height: bigint;
  codespace: string;
}

export enum CheckTxType {
  New = 0,
  Recheck = 1,
}
export interface CheckTxRequest {
  tx: Uint8Array;
  type: CheckTxType;
}
export interface CheckTxResponse {
  code: number;
  data: Uint8Array;
  log: string;
  info: string;
  gasWanted: bigint;
  gasUsed: bigint;
  events: Event[];
  codespace: string;
}

export interface CommitResponse {
  /** Blocks below this height may be pruned by CometBFT; 0 keeps everything. */
  retainHeight: bigint;
}

export interface Snapshot {
  height: bigint;
  format: number;
  chunks: number;
  hash: Uint8Array;
  metadata: Uint8Array;
}
export interface ListSnapshotsResponse {
  snapshots: Snapshot[];
}
export interface OfferSnapshotRequest {
  snapshot?: Snapshot;
  appHash: Uint8Array;
}
export enum OfferSnapshotResult {
  Unknown = 0,
  Accept = 1,
  Abort = 2,
  Reject = 3,
  RejectFormat = 4,
  RejectSender = 5,
}
export interface OfferSnapshotResponse {
  result: OfferSnapshotResult;
}
export interface LoadSnapshotChunkRequest {
  height: bigint;
  format: number;
  chunk: number;
}
export interface LoadSnapshotChunkResponse {
  chunk: Uint8Array;
}
export interface ApplySnapshotChunkRequest {
  index: number;
  chunk: Uint8Array;
  sender: string;
}
export enum ApplySnapshotChunkResult {
  Unknown = 0,
  Accept = 1,
  Abort = 2,
  Retry = 3,
  RetrySnapshot = 4,
  RejectSnapshot = 5,
}
export interface ApplySnapshotChunkResponse {
  result: ApplySnapshotChunkResult;
  refetchChunks: number[];
  rejectSenders: string[];
}

export interface PrepareProposalRequest {
  maxTxBytes: bigint;
  txs: Uint8Array[];
  localLastCommit: ExtendedCommitInfo;
  misbehavior: Misbehavior[];
  height: bigint;
  timeNanos: bigint;
  nextValidatorsHash: Uint8Array;
  proposerAddress: Uint8Array;
}
export interface PrepareProposalResponse {
  txs: Uint8Array[];
}

export interface ProcessProposalRequest {
  txs: Uint8Array[];
  proposedLastCommit: CommitInfo;
  misbehavior: Misbehavior[];
  hash: Uint8Array;
  height: bigint;
  timeNanos: bigint;
  nextValidatorsHash: Uint8Array;
  proposerAddress: Uint8Array;
}
export enum ProposalStatus {
  Unknown = 0,
  Accept = 1,
  Reject = 2,
}
export interface ProcessProposalResponse {
  status: ProposalStatus;
}

export interface ExtendVoteRequest {
  hash: Uint8Array;
  height: bigint;
  timeNanos: bigint;
  txs: Uint8Array[];
  proposedLastCommit: CommitInfo;
  misbehavior: Misbehavior[];
  nextValidatorsHash: Uint8Array;
  proposerAddress: Uint8Array;
}
export interface ExtendVoteResponse {
  voteExtension: Uint8Array;
}

export interface VerifyVoteExtensionRequest {
  hash: Uint8Array;
  validatorAddress: Uint8Array;
  height: bigint;
  voteExtension: Uint8Array;
}
export enum VerifyStatus {
  Unknown = 0,
  Accept = 1,
  Reject = 2,
}
export interface VerifyVoteExtensionResponse {
  status: VerifyStatus;
}

export interface FinalizeBlockRequest {
  txs: Uint8Array[];
  decidedLastCommit: CommitInfo;
  misbehavior: Misbehavior[];
  hash: Uint8Array;
  height: bigint;
  timeNanos: bigint;
  nextValidatorsHash: Uint8Array;
  proposerAddress: Uint8Array;
}
export interface ExecTxResult {
  code: number;
  data: Uint8Array;
  log: string;
  info: string;
  gasWanted: bigint;
  gasUsed: bigint;
  events: Event[];
  codespace: string;
}
export interface FinalizeBlockResponse {
  events: Event[];
  /** Exactly one per transaction in the block, in order. */
  txResults: ExecTxResult[];
  validatorUpdates: ValidatorUpdate[];
  consensusParamUpdates?: ConsensusParams;
  appHash: Uint8Array;
}

/**
 * What CometBFT v0.38 calls, one method per ABCI request (Echo and Flush are answered by the
 * server itself). Methods may be async; the server never runs two of them at once.
 */
export interface Application {
  info(req: InfoRequest): Promise<InfoResponse> | InfoResponse;
  initChain(req: InitChainRequest): Promise<InitChainResponse> | InitChainResponse;
  query(req: QueryRequest): Promise<QueryResponse> | QueryResponse;
  /**
   * Optional: answers a Query off the consensus thread, outside the one-call-at-a-time queue (the
   * server awaits it without holding the queue, so FinalizeBlock and Commit go on meanwhile).
   * Resolves to undefined for a query that `query` must answer, through the queue.
   */
  queryOffThread?(req: QueryRequest): Promise<QueryResponse | undefined>;
  checkTx(req: CheckTxRequest): Promise<CheckTxResponse> | CheckTxResponse;
  commit(): Promise<CommitResponse> | CommitResponse;
  listSnapshots(): Promise<ListSnapshotsResponse> | ListSnapshotsResponse;
  offerSnapshot(req: OfferSnapshotRequest): Promise<OfferSnapshotResponse> | OfferSnapshotResponse;
  loadSnapshotChunk(
    req: LoadSnapshotChunkRequest,
  ): Promise<LoadSnapshotChunkResponse> | LoadSnapshotChunkResponse;
  applySnapshotChunk(
    req: ApplySnapshotChunkRequest,
  ): Promise<ApplySnapshotChunkResponse> | ApplySnapshotChunkResponse;
  prepareProposal(req: PrepareProposalRequest): Promise<PrepareProposalResponse> | PrepareProposalResponse;
  processProposal(req: ProcessProposalRequest): Promise<ProcessProposalResponse> | ProcessProposalResponse;
  extendVote(req: ExtendVoteRequest): Promise<ExtendVoteResponse> | ExtendVoteResponse;
  verifyVoteExtension(
    req: VerifyVoteExtensionRequest,
  ): Promise<VerifyVoteExtensionResponse> | VerifyVoteExtensionResponse;
  finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse> | FinalizeBlockResponse;
}
