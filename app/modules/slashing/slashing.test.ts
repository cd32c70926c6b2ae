import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { BlockIdFlag, MisbehaviorType } from "../../../abci/application.js";
import { createApp } from "../../app.js";
import { createContext } from "../../context.js";
import { createCoreModules } from "../../core-modules.js";
import { ChainError } from "../../errors.js";
import type { Context } from "../../types.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import { testKey } from "../../../test/raw-signer.js";
import { consensusAddress } from "../validators/keeper.js";
import { BONDED_POOL } from "../staking/keys.js";
import { valoperOf } from "../staking/records.js";
import { minSignedPerWindow, readSigningInfo, JAILED_FOREVER_NANOS } from "./keeper.js";

const CHAIN = "poq-test-1";
const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;
const dir = mkdtempSync(join(tmpdir(), "poq-slashing-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ops = [testKey("s0"), testKey("s1"), testKey("s2")];
const consKey = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 5 + n + 1) & 0xff);
const cons = (n: number) => consensusAddress(consKey(n));
let seq = 0;

function chain() {
  const core = createCoreModules();
  const app = createApp({
    dbPath: join(dir, `s${seq++}.db`),
    modules: core.modules,
    ante: core.ante,
    chainId: CHAIN,
  });
  app.initChain({
    timeNanos: T0,
    chainId: CHAIN,
    validators: ops.map((_, i) => ({ pubKeyEd25519: consKey(i), power: 10n })),
    appStateBytes: new TextEncoder().encode(
      JSON.stringify({
        validators: {
          validators: ops.map((k, i) => ({
            pub_key: Buffer.from(consKey(i)).toString("base64"),
            operator: k.address,
            moniker: `s${i}`,
          })),
        },
        slashing: {
          params: { signed_blocks_window: "10", min_signed_per_window: "0.5", downtime_jail_duration: "60s" },
        },
      }),
    ),
    initialHeight: 1n,
  });
  const ctx = (height: bigint): Context =>
    createContext({
      store: app.state.deliver,
      chainId: CHAIN,
      blockHeight: height,
      blockTimeNanos: T0 + height * SEC,
      metered: false,
    });
  /** Block `height` whose last commit lacks the validators in `absent`. */
  const block = (
    height: bigint,
    absent: number[],
    misbehavior = [] as Parameters<NonNullable<typeof core.slashing.beginBlock>>[1]["misbehavior"],
  ) => {
    const c = ctx(height);
    core.slashing.beginBlock?.(c, {
      height,
      timeNanos: c.blockTimeNanos,
      proposerAddress: new Uint8Array(20),
      decidedLastCommit: {
        round: 0,
        votes: ops.map((_, i) => ({
          validator: { address: cons(i), power: 10n },
          blockIdFlag: absent.includes(i) ? BlockIdFlag.Absent : BlockIdFlag.Commit,
        })),
      },
      misbehavior: misbehavior ?? [],
    });
    const r = core.staking.endBlock?.(c, {
      height,
      timeNanos: c.blockTimeNanos,
      proposerAddress: new Uint8Array(20),
    });
    return r ? r.validatorUpdates : [];
  };
  const unjailTx = (n: number, height: bigint) => {
    const d = core.slashing.msgs[0]!;
    const value = MsgUnjail.encode({
      validatorAddr: valoperOf(parseAccountAddress(ops[n]!.address)),
    }).finish();
    d.validateBasic(value);
    return d.handler(ctx(height), { typeUrl: d.typeUrl, value });
  };
  return { app, core, ctx, block, unjailTx };
}

const isErr = (code: number) => (e: unknown) =>
  e instanceof ChainError && e.codespace === "slashing" && e.code === code;

describe("slashing", () => {
  it("rounds the blocks to sign per window half to even, as the SDK's RoundInt64", () => {
    const half = 5n * 10n ** 17n;
    const min = (window: bigint, fraction: bigint) =>
      minSignedPerWindow({ signedBlocksWindow: window, minSignedPerWindow: fraction });
    assert.equal(min(1000n, half), 500n);
    // Exact halves: 500.5 goes down to the even 500 (half up would say 501), 501.5 up to 502.
    assert.equal(min(1001n, half), 500n);
    assert.equal(min(1003n, half), 502n);
    // 0.05 of 10 blocks (0.5): 0, so one missed block more is allowed than rounding half up gives.
    assert.equal(min(10n, 5n * 10n ** 16n), 0n);
    assert.equal(min(10n, 6n * 10n ** 16n), 1n);
  });

  it("jails and slashes a validator that misses more than the window allows, and unjails it after the jail time", () => {
    const c = chain();
    // Window 10, 50% must be signed: more than 5 missed of the last 10 heights jails, once 10
    // heights have passed since the first miss (at 7).
    for (let h = 2n; h <= 17n; h++) assert.deepEqual(c.block(h, h >= 7n ? [2] : []), []);
    assert.equal(readSigningInfo(c.ctx(17n), cons(2))?.missedBlocksCounter, 10n, "heights 8..17");
    const updates = c.block(18n, [2]);
    assert.deepEqual(
      updates.map((u) => [Buffer.from(u.pubKeyEd25519).toString("hex"), u.power]),
      [[Buffer.from(consKey(2)).toString("hex"), 0n]],
    );
    const v = c.core.staking.keeper.validatorByConsAddr(c.ctx(18n), cons(2));
    assert.equal(v?.jailed, true);
    assert.equal(v?.tokens, 9_900_000n, "1% slashed");
    assert.equal(
      c.core.bank.keeper.getBalance(c.ctx(18n), moduleAddress(BONDED_POOL), "upoq").amount,
      20_000_000n,
    );
    const info = readSigningInfo(c.ctx(18n), cons(2));
    assert.equal(info?.jailedUntilNanos, T0 + 18n * SEC + 60n * SEC);
    assert.equal(info?.missedBlocksCounter, 0n);
    assert.throws(() => c.unjailTx(2, 19n), isErr(4), "still jailed");
    assert.throws(() => c.unjailTx(1, 19n), isErr(5), "not jailed");
    c.unjailTx(2, 80n);
    assert.deepEqual(
      c.block(80n, []).map((u) => u.power),
      [9n],
    );
  });

  it("writes nothing for a block every validator signed, and forgets misses that left the window", () => {
    const c = chain();
    c.block(2n, [1]);
    assert.equal(readSigningInfo(c.ctx(2n), cons(1))?.missedBlocksCounter, 1n);
    const hash = (h: bigint) => {
      c.block(h, []);
      return Buffer.from(c.core.staking.keeper.totalBonded(c.ctx(h)).toString()).toString("hex") + hex(c);
    };
    const hex = (x: typeof c) => Buffer.from(x.app.state.workingHash()).toString("hex");
    hash(3n);
    assert.equal(readSigningInfo(c.ctx(3n), cons(1))?.missedBlocksCounter, 1n);
    hash(12n);
    assert.equal(readSigningInfo(c.ctx(12n), cons(1))?.missedBlocksCounter, 0n, "height 2 left the window");
    assert.equal(hash(13n), hash(14n), "nothing written once no miss is left");
  });

  it("slashes 5% for a duplicate vote at the stake it had then, jails and tombstones for ever", () => {
    const c = chain();
    c.block(2n, []);
    c.block(
      5n,
      [],
      [
        {
          type: MisbehaviorType.DuplicateVote,
          validator: { address: cons(0), power: 10n },
          height: 3n,
          timeNanos: T0,
          totalVotingPower: 30n,
        },
      ],
    );
    const v = c.core.staking.keeper.validatorByConsAddr(c.ctx(5n), cons(0));
    assert.equal(v?.jailed, true);
    assert.equal(v?.tokens, 9_500_000n);
    const info = readSigningInfo(c.ctx(5n), cons(0));
    assert.equal(info?.tombstoned, true);
    assert.equal(info?.jailedUntilNanos, JAILED_FOREVER_NANOS);
    assert.throws(() => c.unjailTx(0, 10_000n), isErr(4));
    // Evidence again for the tombstoned validator changes nothing.
    c.block(
      6n,
      [],
      [
        {
          type: MisbehaviorType.DuplicateVote,
          validator: { address: cons(0), power: 10n },
          height: 4n,
          timeNanos: T0,
          totalVotingPower: 30n,
        },
      ],
    );
    assert.equal(c.core.staking.keeper.validatorByConsAddr(c.ctx(6n), cons(0))?.tokens, 9_500_000n);
  });
});
