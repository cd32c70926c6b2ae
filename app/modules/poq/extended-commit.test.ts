import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { BlockIdFlag } from "../../../abci/application.js";
import type { CommitInfo, ExtendedCommitInfo } from "../../../abci/application.js";
import {
  checkInjectionPlacement,
  decodeInjectedCommit,
  encodeInjectedCommit,
  injectionRequired,
  InvalidInjectedCommitError,
  isInjectedCommitTx,
  verifyExtendedCommit,
  voteExtensionSignBytes,
} from "./extended-commit.js";
import { fromHex, toHex } from "./types/wire.js";

const CHAIN = "poq-test-1";
const keys = [1, 2, 3, 4].map((n) => nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(n)));
const address = (pk: Uint8Array) => sha256(pk).subarray(0, 20);
const vals = keys.map((k, i) => ({ key: k, address: address(k.publicKey), power: BigInt(10 + i) }));
const pubKeyOf = (a: Uint8Array) => vals.find((v) => toHex(v.address) === toHex(a))?.key.publicKey;

function build(
  height: bigint,
  round: number,
  flags: BlockIdFlag[],
): { commit: ExtendedCommitInfo; last: CommitInfo } {
  const votes = vals.map((v, i) => {
    const flag = flags[i] ?? BlockIdFlag.Commit;
    const ext = flag === BlockIdFlag.Commit ? Uint8Array.of(i, 0xaa) : new Uint8Array();
    const sig =
      flag === BlockIdFlag.Commit
        ? nacl.sign.detached(voteExtensionSignBytes(ext, height - 1n, round, CHAIN), v.key.secretKey)
        : new Uint8Array();
    return {
      validator: { address: v.address, power: v.power },
      voteExtension: ext,
      extensionSignature: sig,
      blockIdFlag: flag,
    };
  });
  return {
    commit: { round, votes },
    last: { round, votes: votes.map((v) => ({ validator: v.validator, blockIdFlag: v.blockIdFlag })) },
  };
}
const verify = (commit: ExtendedCommitInfo, last: CommitInfo, height = 10n) =>
  verifyExtendedCommit({
    commit,
    lastCommit: last,
    height,
    chainId: CHAIN,
    voteExtensionsEnableHeight: 1n,
    pubKeyOf,
  });
const rejects = (commit: ExtendedCommitInfo, last: CommitInfo, height = 10n) =>
  assert.throws(() => verify(commit, last, height), InvalidInjectedCommitError);

describe("vote-extension sign bytes", () => {
  it("match the FIELD-NOTES vector (zero round omitted, length-delimited)", () => {
    assert.equal(
      toHex(voteExtensionSignBytes(fromHex("aabb"), 5n, 0, "test-1")),
      "150a02aabb1105000000000000002206746573742d31",
    );
  });
  it("write round when non-zero and omit an empty extension", () => {
    const b = voteExtensionSignBytes(new Uint8Array(), 5n, 2, "c");
    assert.equal(toHex(b), "15" + "110500000000000000" + "190200000000000000" + "2201" + "63");
    // The vector of the removed abci/ copy of this function: height 1, round 2.
    assert.equal(
      toHex(voteExtensionSignBytes(new Uint8Array(), 1n, 2, "c")),
      "15" + "110100000000000000" + "190200000000000000" + "2201" + "63",
    );
  });
});

describe("injected commit", () => {
  it("round-trips through the transaction format and is marked", () => {
    const { commit } = build(10n, 1, [BlockIdFlag.Commit, BlockIdFlag.Absent, BlockIdFlag.Nil]);
    const tx = encodeInjectedCommit(commit);
    assert.ok(isInjectedCommitTx(tx));
    assert.equal(tx[0], 0);
    assert.deepEqual(decodeInjectedCommit(tx), commit);
    assert.ok(!isInjectedCommitTx(Uint8Array.of(0x0a, 0x00)));
    assert.throws(() => decodeInjectedCommit(Uint8Array.of(0x0a)), InvalidInjectedCommitError);
    assert.throws(
      () => decodeInjectedCommit(Uint8Array.of(...tx.subarray(0, 7), 0x12, 0x05, 0x01)),
      InvalidInjectedCommitError,
    );
  });
  it("verifies a genuine commit, with absent and nil votes", () => {
    const { commit, last } = build(10n, 0, []);
    verify(commit, last);
    const partial = build(10n, 3, [
      BlockIdFlag.Commit,
      BlockIdFlag.Absent,
      BlockIdFlag.Commit,
      BlockIdFlag.Commit,
    ]);
    verify(partial.commit, partial.last);
  });
  it("rejects forged signatures, tampered extensions, wrong height, round or chain", () => {
    const { commit, last } = build(10n, 0, []);
    const tampered = structuredClone(commit);
    tampered.votes[1]!.voteExtension = Uint8Array.of(1, 0xab);
    rejects(tampered, last);
    const forged = structuredClone(commit);
    forged.votes[0]!.extensionSignature = new Uint8Array(64);
    rejects(forged, last);
    rejects(commit, last, 11n); // signatures are for height 9
    assert.throws(
      () =>
        verifyExtendedCommit({
          commit,
          lastCommit: last,
          height: 10n,
          chainId: "other-1",
          voteExtensionsEnableHeight: 1n,
          pubKeyOf,
        }),
      InvalidInjectedCommitError,
    );
    rejects({ ...commit, round: 1 }, last);
    const unknownKey = () =>
      verifyExtendedCommit({
        commit,
        lastCommit: last,
        height: 10n,
        chainId: CHAIN,
        voteExtensionsEnableHeight: 1n,
        pubKeyOf: () => undefined,
      });
    assert.throws(unknownKey, InvalidInjectedCommitError);
  });
  it("rejects a commit that differs from the block's last commit", () => {
    const { commit, last } = build(10n, 0, []);
    rejects({ ...commit, votes: commit.votes.slice(1) }, last);
    rejects({ ...commit, votes: [commit.votes[1]!, commit.votes[0]!, ...commit.votes.slice(2)] }, last);
    const flagged = structuredClone(commit);
    flagged.votes[3]!.blockIdFlag = BlockIdFlag.Absent;
    flagged.votes[3]!.voteExtension = new Uint8Array();
    flagged.votes[3]!.extensionSignature = new Uint8Array();
    rejects(flagged, last);
    const power = structuredClone(commit);
    power.votes[0]!.validator.power = 99n;
    rejects(power, last);
    const dup = structuredClone(commit);
    dup.votes[1] = structuredClone(dup.votes[0]!);
    const dupLast = { ...last, votes: [last.votes[0]!, last.votes[0]!, ...last.votes.slice(2)] };
    rejects(dup, dupLast);
  });
  it("rejects an extension on a non-commit vote", () => {
    const { commit, last } = build(10n, 0, [
      BlockIdFlag.Commit,
      BlockIdFlag.Commit,
      BlockIdFlag.Commit,
      BlockIdFlag.Nil,
    ]);
    const sneaky = structuredClone(commit);
    sneaky.votes[3]!.voteExtension = Uint8Array.of(1);
    rejects(sneaky, last);
  });
  it("requires more than 2/3 of the power signed", () => {
    // powers 10, 11, 12, 13 (total 46): 11+12+13 = 36 > 30.67; 10+11+12 = 33 > 30.67; 10+11 = 21 not
    const ok = build(10n, 0, [BlockIdFlag.Absent]);
    verify(ok.commit, ok.last);
    const low = build(10n, 0, [BlockIdFlag.Commit, BlockIdFlag.Commit, BlockIdFlag.Absent, BlockIdFlag.Nil]);
    rejects(low.commit, low.last);
  });
  it("handles heights at or below the enable height", () => {
    assert.equal(injectionRequired(1n, 1n), false);
    assert.equal(injectionRequired(2n, 1n), true);
    assert.equal(injectionRequired(100n, 0n), false);
    // The first block of a chain started from an export (initial height 101): no last commit.
    assert.equal(injectionRequired(101n, 1n, false), false);
    assert.equal(injectionRequired(101n, 1n, true), true);
    const { commit, last } = build(2n, 0, []);
    assert.throws(
      () =>
        verifyExtendedCommit({
          commit,
          lastCommit: last,
          height: 2n,
          chainId: CHAIN,
          voteExtensionsEnableHeight: 2n,
          pubKeyOf,
        }),
      InvalidInjectedCommitError,
    );
    verifyExtendedCommit({
      commit,
      lastCommit: last,
      height: 2n,
      chainId: CHAIN,
      voteExtensionsEnableHeight: 1n,
      pubKeyOf,
    });
  });
  it("checks placement: first when required, nowhere otherwise", () => {
    const tx = encodeInjectedCommit(build(10n, 0, []).commit);
    const other = Uint8Array.of(0x0a, 0x01, 0x00);
    assert.equal(
      checkInjectionPlacement({ txs: [tx, other], height: 10n, voteExtensionsEnableHeight: 1n }),
      tx,
    );
    assert.throws(
      () => checkInjectionPlacement({ txs: [other, tx], height: 10n, voteExtensionsEnableHeight: 1n }),
      InvalidInjectedCommitError,
    );
    assert.throws(
      () => checkInjectionPlacement({ txs: [other], height: 10n, voteExtensionsEnableHeight: 1n }),
      InvalidInjectedCommitError,
    );
    assert.throws(
      () => checkInjectionPlacement({ txs: [], height: 10n, voteExtensionsEnableHeight: 1n }),
      InvalidInjectedCommitError,
    );
    assert.throws(
      () => checkInjectionPlacement({ txs: [tx], height: 1n, voteExtensionsEnableHeight: 1n }),
      InvalidInjectedCommitError,
    );
    // A chain's first block after an export: none is due, and one is misplaced.
    const first = { height: 10n, voteExtensionsEnableHeight: 1n, hasLastCommit: false };
    assert.equal(checkInjectionPlacement({ txs: [other], ...first }), undefined);
    assert.throws(() => checkInjectionPlacement({ txs: [tx, other], ...first }), InvalidInjectedCommitError);
    assert.equal(
      checkInjectionPlacement({ txs: [other], height: 1n, voteExtensionsEnableHeight: 1n }),
      undefined,
    );
  });
});
