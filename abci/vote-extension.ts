/**
 * The bytes a CometBFT v0.38 validator signs (ed25519) for its vote extension: the length-delimited
 * protobuf encoding of `tendermint.types.CanonicalVoteExtension`.
 *
 * Go omits zero-valued proto3 fields while protobufjs writes any field that is set, so fields equal to
 * their default (round 0, an empty extension, ...) are left out here to produce Go's exact bytes; one
 * extra `round: 0` and every signature check fails.
 */
import { fromBigInt } from "./codec-scalars.js";
import { encodeFrame } from "./framing.js";
import { tendermint } from "../proto/gen/tendermint.js";

export interface VoteExtensionSignDoc {
  extension: Uint8Array;
  /** Height of the vote that carried the extension (the previous height, seen from PrepareProposal). */
  height: bigint;
  round: number;
  chainId: string;
}

/**
 * Sign bytes of a vote extension, exactly as CometBFT produces them.
 *
 * @example
 * voteExtensionSignBytes({ extension: Uint8Array.of(0xaa, 0xbb), height: 5n, round: 0, chainId: "test-1" });
 * // 15 0a02aabb 11 0500000000000000 22 06 746573742d31
 */
export function voteExtensionSignBytes(doc: VoteExtensionSignDoc): Uint8Array {
  const message: tendermint.types.ICanonicalVoteExtension = {};
  if (doc.extension.length > 0) message.extension = doc.extension;
  if (doc.height !== 0n) message.height = fromBigInt(doc.height);
  if (doc.round !== 0) message.round = fromBigInt(BigInt(doc.round));
  if (doc.chainId !== "") message.chainId = doc.chainId;
  return encodeFrame(tendermint.types.CanonicalVoteExtension.encode(message).finish());
}
