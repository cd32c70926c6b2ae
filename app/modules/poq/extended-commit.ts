/**
 * The injected extended commit: the previous height's vote extensions, put into the block by its
 * proposer as the first transaction, because ProcessProposal and FinalizeBlock never see extensions.
 *
 * Transaction bytes: INJECTED_COMMIT_MAGIC || protobuf `tendermint.abci.ExtendedCommitInfo`
 * (round = 1 int32; votes = 2 { validator = 1 { address = 1, power = 3 }, vote_extension = 3,
 * extension_signature = 4, block_id_flag = 5 }). The magic starts with 0x00, which no protobuf message
 * can start with (field number 0 is invalid), so it is never confused with a Cosmos `TxRaw`.
 *
 * Validation follows what the Cosmos SDK does for injected commits: the same round and votes (address,
 * power, flag, in order) as the block's last commit, no duplicate validators, an ed25519 signature by
 * every COMMIT vote over CometBFT's canonical vote-extension sign bytes, and more than 2/3 of the total
 * power signed.
 */
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, verifyEd25519 } from "./ed25519.js";
import { BlockIdFlag } from "../../../abci/application.js";
import type { CommitInfo, ExtendedCommitInfo, ExtendedVoteInfo } from "../../../abci/application.js";
import { BaseError } from "../../errors.js";
import {
  bytesEqual,
  concatBytes,
  encodeUvarint,
  expectBytes,
  expectVarint,
  readFields,
  toHex,
  WireError,
  WireWriter,
} from "./types/wire.js";

/** "\0poqxc" + format version 1. */
export const INJECTED_COMMIT_MAGIC = Uint8Array.of(0x00, 0x70, 0x6f, 0x71, 0x78, 0x63, 0x01);

/** Thrown when an injected commit is malformed or does not verify; the block must be rejected. */
export class InvalidInjectedCommitError extends BaseError {
  override name = "InvalidInjectedCommitError" as const;
}

/**
 * Whether votes of height `height - 1` carry extensions, i.e. whether block `height` must start with
 * an injected commit. Extensions are on from `enableHeight` (0 = never), so the first block that
 * carries them is `enableHeight + 1`. A chain's first block has no last commit (`hasLastCommit`
 * false), so nothing to inject, even when it follows the heights of an exported chain (`poq export`:
 * initial height H + 1, extensions on from 1). CometBFT gives an empty last commit there only: at
 * every later height it lists each validator of the previous one, and CometBFT checks it against
 * that set before the app sees the block.
 *
 * @example
 * injectionRequired(2n, 1n); // true
 * injectionRequired(1n, 1n); // false
 * injectionRequired(101n, 1n, false); // false: the first block of a chain exported at 100
 */
export function injectionRequired(height: bigint, enableHeight: bigint, hasLastCommit = true): boolean {
  return enableHeight > 0n && height > enableHeight && hasLastCommit;
}

/** Whether transaction bytes are an injected commit (by the magic prefix). */
export function isInjectedCommitTx(tx: Uint8Array): boolean {
  return (
    tx.length >= INJECTED_COMMIT_MAGIC.length &&
    bytesEqual(tx.subarray(0, INJECTED_COMMIT_MAGIC.length), INJECTED_COMMIT_MAGIC)
  );
}

/**
 * CometBFT's sign bytes for a vote extension: the length-delimited (uvarint length prefix) protobuf
 * `CanonicalVoteExtension{extension = 1 bytes, height = 2 sfixed64, round = 3 sfixed64, chain_id = 4}`,
 * with Go's proto3 rule that zero values (empty extension, round 0) are omitted.
 *
 * @example
 * voteExtensionSignBytes(Uint8Array.of(0xaa, 0xbb), 5n, 0, "test-1");
 * // 15 0a02aabb 11 0500000000000000 22 06 746573742d31
 */
export function voteExtensionSignBytes(
  extension: Uint8Array,
  height: bigint,
  round: number,
  chainId: string,
): Uint8Array {
  const body = new WireWriter()
    .bytes(1, extension)
    .sfixed64(2, height)
    .sfixed64(3, BigInt(round))
    .string(4, chainId)
    .finish();
  return concatBytes(encodeUvarint(BigInt(body.length)), body);
}

function encodeVote(v: ExtendedVoteInfo): Uint8Array {
  const validator = new WireWriter().bytes(1, v.validator.address).int64(3, v.validator.power).finish();
  return new WireWriter()
    .message(1, validator)
    .bytes(3, v.voteExtension)
    .bytes(4, v.extensionSignature)
    .uint64(5, v.blockIdFlag)
    .finish();
}

/**
 * Builds the injected-commit transaction from PrepareProposal's `local_last_commit`.
 *
 * @example
 * const tx = encodeInjectedCommit(req.localLastCommit); // put first in the block
 */
export function encodeInjectedCommit(commit: ExtendedCommitInfo): Uint8Array {
  const w = new WireWriter().int64(1, commit.round);
  for (const v of commit.votes) w.message(2, encodeVote(v));
  return concatBytes(INJECTED_COMMIT_MAGIC, w.finish());
}

function decodeVote(bytes: Uint8Array): ExtendedVoteInfo {
  const vote: ExtendedVoteInfo = {
    validator: { address: new Uint8Array(), power: 0n },
    voteExtension: new Uint8Array(),
    extensionSignature: new Uint8Array(),
    blockIdFlag: BlockIdFlag.Unknown,
  };
  for (const f of readFields(bytes)) {
    if (f.field === 1) {
      for (const g of readFields(expectBytes(f))) {
        if (g.field === 1) vote.validator.address = Uint8Array.from(expectBytes(g));
        else if (g.field === 3) vote.validator.power = BigInt.asIntN(64, expectVarint(g));
        else throw new WireError(`validator: unknown field ${g.field}`);
      }
    } else if (f.field === 3) vote.voteExtension = Uint8Array.from(expectBytes(f));
    else if (f.field === 4) vote.extensionSignature = Uint8Array.from(expectBytes(f));
    else if (f.field === 5) {
      const flag = expectVarint(f);
      if (flag < 1n || flag > 3n) throw new WireError(`unknown block_id_flag ${flag}`);
      vote.blockIdFlag = Number(flag) as BlockIdFlag;
    } else throw new WireError(`vote: unknown field ${f.field}`);
  }
  return vote;
}

/**
 * Parses an injected-commit transaction; throws {@link InvalidInjectedCommitError} when malformed.
 *
 * @example
 * const commit = decodeInjectedCommit(req.txs[0]);
 */
export function decodeInjectedCommit(tx: Uint8Array): ExtendedCommitInfo {
  if (!isInjectedCommitTx(tx))
    throw new InvalidInjectedCommitError("not an injected commit (magic prefix missing)");
  try {
    const commit: ExtendedCommitInfo = { round: 0, votes: [] };
    for (const f of readFields(tx.subarray(INJECTED_COMMIT_MAGIC.length))) {
      if (f.field === 1) {
        const round = BigInt.asIntN(64, expectVarint(f));
        if (round < 0n || round > 0x7fffffffn) throw new WireError(`round ${round} out of range`);
        commit.round = Number(round);
      } else if (f.field === 2) commit.votes.push(decodeVote(expectBytes(f)));
      else throw new WireError(`unknown field ${f.field}`);
    }
    return commit;
  } catch (cause) {
    if (cause instanceof WireError)
      throw new InvalidInjectedCommitError("malformed injected commit", { details: cause.message, cause });
    throw cause;
  }
}

export interface VerifyExtendedCommitParams {
  commit: ExtendedCommitInfo;
  /** The block's last commit as CometBFT gave it (ProcessProposal `proposed_last_commit`). */
  lastCommit: CommitInfo;
  /** Height of the block that carries the injected commit; extensions are from `height - 1`. */
  height: bigint;
  chainId: string;
  voteExtensionsEnableHeight: bigint;
  /** ed25519 public key (32 bytes) of a validator's consensus address, from app state. */
  pubKeyOf: (address: Uint8Array) => Uint8Array | undefined;
}

/**
 * Verifies an injected commit; throws {@link InvalidInjectedCommitError} saying why it is not valid.
 *
 * @example
 * verifyExtendedCommit({ commit, lastCommit: req.proposedLastCommit, height: req.height, chainId,
 *   voteExtensionsEnableHeight: 1n, pubKeyOf });
 */
export function verifyExtendedCommit(p: VerifyExtendedCommitParams): void {
  const fail = (why: string): never => {
    throw new InvalidInjectedCommitError("invalid injected commit", { details: why });
  };
  if (!injectionRequired(p.height, p.voteExtensionsEnableHeight)) {
    fail(`vote extensions are not enabled for height ${p.height - 1n}`);
  }
  const { commit, lastCommit } = p;
  if (commit.round !== lastCommit.round)
    fail(`round ${commit.round} != last commit round ${lastCommit.round}`);
  if (commit.votes.length !== lastCommit.votes.length) {
    fail(`${commit.votes.length} votes != ${lastCommit.votes.length} in the last commit`);
  }
  const seen = new Set<string>();
  let total = 0n;
  let signed = 0n;
  commit.votes.forEach((vote, i) => {
    const expected = lastCommit.votes[i];
    const addr = toHex(vote.validator.address);
    if (!expected) return fail(`vote ${i} missing in the last commit`);
    if (!bytesEqual(vote.validator.address, expected.validator.address))
      fail(`vote ${i}: validator ${addr} out of order`);
    if (vote.validator.power !== expected.validator.power)
      fail(`vote ${i}: power differs from the last commit`);
    if (vote.blockIdFlag !== expected.blockIdFlag)
      fail(`vote ${i}: block id flag differs from the last commit`);
    if (seen.has(addr)) fail(`duplicate vote by ${addr}`);
    seen.add(addr);
    if (vote.validator.power < 0n) fail(`vote ${i}: negative power`);
    total += vote.validator.power;
    if (vote.blockIdFlag !== BlockIdFlag.Commit) {
      if (vote.voteExtension.length > 0 || vote.extensionSignature.length > 0) {
        fail(`vote ${i}: a non-commit vote carries an extension`);
      }
      return;
    }
    const pubKey = p.pubKeyOf(vote.validator.address);
    if (!pubKey || pubKey.length !== ED25519_PUBLIC_KEY_BYTES) fail(`no ed25519 key for validator ${addr}`);
    if (vote.extensionSignature.length !== ED25519_SIGNATURE_BYTES) fail(`vote ${i}: bad signature length`);
    const msg = voteExtensionSignBytes(vote.voteExtension, p.height - 1n, commit.round, p.chainId);
    if (!verifyEd25519(pubKey as Uint8Array, msg, vote.extensionSignature)) {
      fail(`vote ${i}: extension signature of ${addr} does not verify`);
    }
    signed += vote.validator.power;
  });
  if (total <= 0n || signed * 3n <= total * 2n)
    fail(`signed power ${signed} is not more than 2/3 of ${total}`);
}

export interface CheckInjectionParams {
  txs: readonly Uint8Array[];
  height: bigint;
  voteExtensionsEnableHeight: bigint;
  /** Whether the block has a last commit (false only at the chain's first height; default true). */
  hasLastCommit?: boolean;
}

/**
 * Checks where injected commits sit in a proposed block: exactly the first transaction when
 * extensions are on, nowhere otherwise. Returns the injected transaction, if any.
 *
 * @example
 * const injected = checkInjectionPlacement({ txs: req.txs, height: req.height, voteExtensionsEnableHeight: 1n });
 */
export function checkInjectionPlacement(p: CheckInjectionParams): Uint8Array | undefined {
  const required = injectionRequired(p.height, p.voteExtensionsEnableHeight, p.hasLastCommit ?? true);
  p.txs.forEach((tx, i) => {
    if (isInjectedCommitTx(tx) && (i > 0 || !required)) {
      throw new InvalidInjectedCommitError("misplaced injected commit", {
        details: `transaction ${i} at height ${p.height}`,
      });
    }
  });
  if (!required) return undefined;
  const first = p.txs[0];
  if (!first || !isInjectedCommitTx(first)) {
    throw new InvalidInjectedCommitError("injected commit missing", {
      details: `height ${p.height} requires one first`,
    });
  }
  return first;
}
