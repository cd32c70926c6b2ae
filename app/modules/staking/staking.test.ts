import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgCreateValidator,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
  MsgUpdateParams,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import {
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryPoolResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { createApp, type PoqApp } from "../../app.js";
import { createContext } from "../../context.js";
import { createCoreModules, type CoreModules } from "../../core-modules.js";
import { ChainError } from "../../errors.js";
import type { AnyMsg, Context } from "../../types.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import { testKey } from "../../../test/raw-signer.js";
import { consensusAddress } from "../validators/keeper.js";
import { DEC_SCALE, type StakingHooks } from "./hooks.js";
import { BONDED_POOL, NOT_BONDED_POOL } from "./keys.js";
import { valoperOf } from "./records.js";
import { tokensFromShares, sharesFromTokens } from "./keeper.js";
import { decQuo, decQuoRoundUp } from "../../legacy-dec.js";
import { decFromJson, decToJson } from "./dec.js";
import { rfc3339 } from "./events.js";

const CHAIN = "poq-test-1";
const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;
const dir = mkdtempSync(join(tmpdir(), "poq-staking-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const op = [testKey("op0"), testKey("op1")];
const alice = testKey("alice");
const newOp = testKey("newop");
const consKey = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 0xff);
const valoper = (address: string) => valoperOf(parseAccountAddress(address));

interface Chain {
  app: PoqApp;
  core: CoreModules;
  calls: string[];
  ctx(height: bigint, timeNanos?: bigint): Context;
  run(ctx: Context, typeUrl: string, value: Uint8Array): void;
  endBlock(ctx: Context): { pubKey: string; power: bigint }[];
  balance(ctx: Context, address: string): bigint;
}

let n = 0;
function chain(params: Record<string, unknown> = {}): Chain {
  const core = createCoreModules();
  const calls: string[] = [];
  const hooks: StakingHooks = {
    afterValidatorCreated: (_c, v) => void calls.push(`created ${v}`),
    beforeDelegationCreated: (_c, d, v) => void calls.push(`beforeCreate ${d} ${v}`),
    beforeDelegationSharesModified: (_c, d, v) => void calls.push(`beforeModify ${d} ${v}`),
    afterDelegationModified: (_c, d, v) => void calls.push(`afterModify ${d} ${v}`),
    beforeDelegationRemoved: (_c, d, v) => void calls.push(`removed ${d} ${v}`),
    beforeValidatorSlashed: (_c, v, f) => void calls.push(`slashed ${v} ${f}`),
    afterValidatorRemoved: (_c, _cons, v) => void calls.push(`validatorRemoved ${v}`),
  };
  core.staking.keeper.addHooks(hooks);
  const app = createApp({
    dbPath: join(dir, `s${n++}.db`),
    modules: core.modules,
    ante: core.ante,
    chainId: CHAIN,
  });
  const appState = {
    bank: {
      balances: [alice, newOp, ...op].map((k) => ({
        address: k.address,
        coins: [{ denom: "upoq", amount: "100000000" }],
      })),
    },
    validators: {
      validators: op.map((k, i) => ({
        pub_key: Buffer.from(consKey(i)).toString("base64"),
        operator: k.address,
        moniker: `v${i}`,
      })),
    },
    staking: { params: { unbonding_time: "100s", ...params } },
  };
  app.initChain({
    timeNanos: T0,
    chainId: CHAIN,
    validators: [
      { pubKeyEd25519: consKey(0), power: 10n },
      { pubKeyEd25519: consKey(1), power: 5n },
    ],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  });
  return {
    app,
    core,
    calls,
    ctx: (height, timeNanos = T0 + height * SEC) =>
      createContext({
        store: app.state.deliver,
        chainId: CHAIN,
        blockHeight: height,
        blockTimeNanos: timeNanos,
        metered: false,
      }),
    run(ctx, typeUrl, value) {
      const d = core.staking.msgs.find((m) => m.typeUrl === typeUrl);
      assert.ok(d, typeUrl);
      d.validateBasic(value);
      d.handler(ctx, { typeUrl, value } satisfies AnyMsg);
    },
    endBlock(ctx) {
      const r = core.staking.endBlock?.(ctx, {
        height: ctx.blockHeight,
        timeNanos: ctx.blockTimeNanos,
        proposerAddress: new Uint8Array(20),
      });
      return (r ? r.validatorUpdates : []).map((u) => ({
        pubKey: Buffer.from(u.pubKeyEd25519).toString("hex"),
        power: u.power,
      }));
    },
    balance: (ctx, address) => core.bank.keeper.getBalance(ctx, address, "upoq").amount,
  };
}

const createMsg = (key = newOp, amount = "20000000", cons = consKey(9)) =>
  MsgCreateValidator.encode(
    MsgCreateValidator.fromPartial({
      description: { moniker: "newbie" },
      commission: {
        rate: (DEC_SCALE / 10n).toString(),
        maxRate: (DEC_SCALE / 5n).toString(),
        maxChangeRate: (DEC_SCALE / 100n).toString(),
      },
      minSelfDelegation: "1",
      delegatorAddress: "",
      validatorAddress: valoper(key.address),
      pubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: Ed25519PubKey.encode({ key: cons }).finish(),
      },
      value: { denom: "upoq", amount },
    }),
  ).finish();

const delegateMsg = (from: string, to: string, amount: bigint) =>
  MsgDelegate.encode({
    delegatorAddress: from,
    validatorAddress: to,
    amount: { denom: "upoq", amount: amount.toString() },
  }).finish();
const undelegateMsg = (from: string, to: string, amount: bigint) =>
  MsgUndelegate.encode({
    delegatorAddress: from,
    validatorAddress: to,
    amount: { denom: "upoq", amount: amount.toString() },
  }).finish();

const STAKING_PARAMS = {
  unbondingTime: { seconds: 600n, nanos: 0 },
  maxValidators: 50,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom: "upoq",
  minCommissionRate: "50000000000000000",
};

const isErr = (codespace: string, code: number) => (e: unknown) =>
  e instanceof ChainError && e.codespace === codespace && e.code === code;

const hexKey = (k: Uint8Array) => Buffer.from(k).toString("hex");

describe("staking: LegacyDec and shares math", () => {
  it("prints and parses 18-decimal decs; Quo rounds as the SDK's LegacyDec", () => {
    assert.equal(decToJson(DEC_SCALE / 10n), "0.100000000000000000");
    assert.equal(decToJson(3n * DEC_SCALE), "3.000000000000000000");
    assert.equal(decFromJson("0.05"), DEC_SCALE / 20n);
    assert.equal(decFromJson("1.0000000000000000001"), undefined);
    assert.equal(decQuo(2n * DEC_SCALE, 3n * DEC_SCALE), 666666666666666667n);
    assert.equal(decQuo(1n * DEC_SCALE, 3n * DEC_SCALE), 333333333333333333n);
    // The SDK's Quo truncates the quotient to 36 decimals, then rounds the 18th half to even.
    // 10^-18 / 2 is exactly half an atomic: 0 (even), where half away from zero gave 1.
    assert.equal(decQuo(1n, 2n * DEC_SCALE), 0n);
    assert.equal(decQuo(3n, 2n * DEC_SCALE), 2n, "1.5 atomics: to the even 2");
    assert.equal(decQuo(-1n, 2n * DEC_SCALE), 0n);
    // A hair above half, but exactly half once cut to 36 decimals: the SDK rounds it to even too.
    assert.equal(decQuo(1n, 2n * DEC_SCALE - 1n), 0n);
    // Slashing's effective fraction rounds up (QuoRoundUp): 1 of 3 tokens is 0.33...34.
    assert.equal(decQuoRoundUp(1n * DEC_SCALE, 3n * DEC_SCALE), 333333333333333334n);
    assert.equal(decQuoRoundUp(1n * DEC_SCALE, 4n * DEC_SCALE), DEC_SCALE / 4n);
    assert.equal(rfc3339(T0), "2023-11-14T22:13:20Z");
    assert.equal(rfc3339(951_782_400n * SEC + 500_000_000n), "2000-02-29T00:00:00.5Z");
  });

  it("issues shares at the exchange rate and gives back at most what was put in", () => {
    // After a 10% slash: 90 tokens for 100 shares.
    const v = { tokens: 90n, delegatorShares: 100n * DEC_SCALE };
    const shares = sharesFromTokens(v, 9n);
    assert.equal(shares, 10n * DEC_SCALE);
    assert.equal(tokensFromShares(v, shares), 9n);
    assert.equal(tokensFromShares(v, 1n), 0n, "dust truncates");
    const odd = { tokens: 7n, delegatorShares: 3n * DEC_SCALE };
    assert.ok(tokensFromShares(odd, sharesFromTokens(odd, 5n)) <= 5n);
  });
});

describe("staking keeper", () => {
  it("bonds the genesis validators with self-delegations the bonded pool holds", () => {
    const c = chain();
    const ctx = c.ctx(1n);
    const bonded = c.core.staking.keeper.bondedValidators(ctx);
    assert.deepEqual(
      bonded.map((v) => [v.operatorAddress, v.tokens, v.status]),
      [
        [valoper(op[0]!.address), 10_000_000n, "BOND_STATUS_BONDED"],
        [valoper(op[1]!.address), 5_000_000n, "BOND_STATUS_BONDED"],
      ],
    );
    assert.equal(c.core.staking.keeper.totalBonded(ctx), 15_000_000n);
    assert.equal(c.balance(ctx, moduleAddress(BONDED_POOL)), 15_000_000n);
    const self = c.core.staking.keeper.delegation(ctx, op[0]!.address, valoper(op[0]!.address));
    assert.equal(self?.shares, 10_000_000n * DEC_SCALE);
    assert.deepEqual(c.endBlock(ctx), [], "CometBFT already runs the genesis set");
    assert.ok(c.calls.includes(`created ${valoper(op[1]!.address)}`));
  });

  it("a new validator joins the set by MsgCreateValidator; the consensus view follows two blocks later", () => {
    const c = chain();
    const ctx = c.ctx(3n);
    c.run(ctx, "/cosmos.staking.v1beta1.MsgCreateValidator", createMsg());
    assert.equal(c.balance(ctx, newOp.address), 80_000_000n);
    assert.deepEqual(c.calls.slice(-3), [
      `created ${valoper(newOp.address)}`,
      `beforeCreate ${newOp.address} ${valoper(newOp.address)}`,
      `afterModify ${newOp.address} ${valoper(newOp.address)}`,
    ]);
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 20_000_000n, "unbonded until EndBlock");
    assert.deepEqual(c.endBlock(ctx), [{ pubKey: hexKey(consKey(9)), power: 20n }]);
    assert.equal(c.balance(ctx, moduleAddress(BONDED_POOL)), 35_000_000n);
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 0n);
    const view = c.core.validators.keeper;
    assert.equal(view.get(ctx, consensusAddress(consKey(9))), undefined, "not yet in CometBFT's set");
    c.endBlock(c.ctx(4n));
    assert.equal(view.get(ctx, consensusAddress(consKey(9))), undefined);
    c.endBlock(c.ctx(5n));
    const joined = view.get(ctx, consensusAddress(consKey(9)));
    assert.equal(joined?.power, 20n);
    assert.equal(joined?.operator, newOp.address);
    assert.deepEqual(
      c.core.staking.keeper.bondedValidators(ctx).map((v) => v.description.moniker),
      ["newbie", "v0", "v1"],
      "power order",
    );
    // Same key again, or the same operator again: refused.
    assert.throws(
      () => c.run(c.ctx(6n), "/cosmos.staking.v1beta1.MsgCreateValidator", createMsg()),
      isErr("staking", 4),
    );
    assert.throws(
      () =>
        c.run(
          c.ctx(6n),
          "/cosmos.staking.v1beta1.MsgCreateValidator",
          createMsg(alice, "20000000", consKey(0)),
        ),
      isErr("staking", 5),
    );
  });

  it("refuses bad commission, a self-bond below the minimum and a wrong denom", () => {
    const c = chain({ min_commission_rate: "0.05" });
    const ctx = c.ctx(2n);
    const base = MsgCreateValidator.decode(createMsg());
    const enc = (m: MsgCreateValidator) => MsgCreateValidator.encode(m).finish();
    const url = "/cosmos.staking.v1beta1.MsgCreateValidator";
    assert.throws(
      () =>
        c.run(
          ctx,
          url,
          enc({ ...base, commission: { ...base.commission, rate: (DEC_SCALE / 2n).toString() } }),
        ),
      isErr("staking", 11),
    );
    assert.throws(
      () =>
        c.run(
          ctx,
          url,
          enc({ ...base, commission: { ...base.commission, maxRate: (2n * DEC_SCALE).toString() } }),
        ),
      isErr("staking", 10),
    );
    assert.throws(
      () => c.run(ctx, url, enc({ ...base, commission: { ...base.commission, rate: "0" } })),
      isErr("staking", 40),
    );
    assert.throws(
      () => c.run(ctx, url, enc({ ...base, minSelfDelegation: "30000000" })),
      isErr("staking", 16),
    );
    assert.throws(
      () => c.run(ctx, url, enc({ ...base, value: { denom: "uatom", amount: "20000000" } })),
      isErr("sdk", 18),
    );
    assert.throws(
      () =>
        c.run(
          ctx,
          url,
          enc({
            ...base,
            description: { moniker: "", identity: "", website: "", securityContact: "", details: "" },
          }),
        ),
      isErr("sdk", 18),
    );
    assert.throws(
      () =>
        c.run(
          ctx,
          url,
          enc({ ...base, pubkey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: new Uint8Array(35) } }),
        ),
      isErr("staking", 6),
    );
    assert.equal(c.core.staking.keeper.validator(ctx, valoper(newOp.address)), undefined);
  });

  it("delegates at the exchange rate, undelegates through the unbonding period, pays out at maturity", () => {
    const c = chain();
    const v0 = valoper(op[0]!.address);
    const ctx = c.ctx(2n);
    c.run(ctx, "/cosmos.staking.v1beta1.MsgDelegate", delegateMsg(alice.address, v0, 5_000_000n));
    assert.equal(c.core.staking.keeper.delegation(ctx, alice.address, v0)?.shares, 5_000_000n * DEC_SCALE);
    assert.deepEqual(c.endBlock(ctx), [{ pubKey: hexKey(consKey(0)), power: 15n }]);
    assert.equal(c.balance(ctx, alice.address), 95_000_000n);
    const t = T0 + 10n * SEC;
    c.run(
      c.ctx(3n, t),
      "/cosmos.staking.v1beta1.MsgUndelegate",
      undelegateMsg(alice.address, v0, 2_000_000n),
    );
    assert.deepEqual(c.endBlock(c.ctx(3n, t)), [{ pubKey: hexKey(consKey(0)), power: 13n }]);
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 2_000_000n);
    const q = (ctx2: Context) =>
      QueryDelegatorUnbondingDelegationsResponse.decode(
        c.core.staking.queries["/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations"]!(
          ctx2,
          QueryDelegatorUnbondingDelegationsRequest.encode({ delegatorAddr: alice.address }).finish(),
        ),
      ).unbondingResponses;
    assert.equal(q(ctx)[0]?.entries[0]?.balance, "2000000");
    c.endBlock(c.ctx(4n, t + 99n * SEC));
    assert.equal(c.balance(ctx, alice.address), 95_000_000n, "not before unbonding_time");
    c.endBlock(c.ctx(5n, t + 100n * SEC));
    assert.equal(c.balance(ctx, alice.address), 97_000_000n);
    assert.deepEqual(q(ctx), []);
    // Undelegating everything removes the delegation.
    c.run(c.ctx(6n), "/cosmos.staking.v1beta1.MsgUndelegate", undelegateMsg(alice.address, v0, 3_000_000n));
    assert.equal(c.core.staking.keeper.delegation(ctx, alice.address, v0), undefined);
    assert.ok(c.calls.includes(`removed ${alice.address} ${v0}`));
    assert.throws(
      () => c.run(c.ctx(6n), "/cosmos.staking.v1beta1.MsgUndelegate", undelegateMsg(alice.address, v0, 1n)),
      isErr("staking", 19),
    );
  });

  it("cancels part, then the rest, of an unbonding entry back into the delegation (MsgCancelUnbondingDelegation)", () => {
    const c = chain();
    const v0 = valoper(op[0]!.address);
    const cancel = (amount: bigint, creationHeight: bigint) =>
      MsgCancelUnbondingDelegation.encode({
        delegatorAddress: alice.address,
        validatorAddress: v0,
        amount: { denom: "upoq", amount: amount.toString() },
        creationHeight,
      }).finish();
    const url = "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation";
    c.run(c.ctx(2n), "/cosmos.staking.v1beta1.MsgDelegate", delegateMsg(alice.address, v0, 5_000_000n));
    c.run(c.ctx(3n), "/cosmos.staking.v1beta1.MsgUndelegate", undelegateMsg(alice.address, v0, 4_000_000n));
    c.endBlock(c.ctx(3n));
    const ctx = c.ctx(4n);
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 4_000_000n);
    assert.throws(() => c.run(ctx, url, cancel(1_000_000n, 2n)), isErr("sdk", 18), "no entry at height 2");
    assert.throws(() => c.run(ctx, url, cancel(5_000_000n, 3n)), isErr("sdk", 18), "more than the entry");
    c.run(ctx, url, cancel(1_000_000n, 3n));
    assert.equal(c.core.staking.keeper.delegation(ctx, alice.address, v0)?.shares, 2_000_000n * DEC_SCALE);
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 3_000_000n, "back from the not-bonded pool");
    assert.equal(c.core.staking.keeper.validator(ctx, v0)?.tokens, 12_000_000n);
    c.run(ctx, url, cancel(3_000_000n, 3n));
    assert.equal(c.core.staking.keeper.delegation(ctx, alice.address, v0)?.shares, 5_000_000n * DEC_SCALE);
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 0n);
    assert.throws(() => c.run(ctx, url, cancel(1n, 3n)), isErr("staking", 26), "the entry is gone");
    assert.deepEqual(c.endBlock(ctx), [{ pubKey: hexKey(consKey(0)), power: 15n }]);
    // Nothing is paid out at the old completion time.
    c.endBlock(c.ctx(5n, T0 + 200n * SEC));
    assert.equal(c.balance(ctx, alice.address), 95_000_000n);
  });

  it("redelegates without moving tokens out of the pools and refuses a transitive redelegation", () => {
    const c = chain();
    const [v0, v1] = op.map((k) => valoper(k.address)) as [string, string];
    const ctx = c.ctx(2n);
    c.run(ctx, "/cosmos.staking.v1beta1.MsgDelegate", delegateMsg(alice.address, v0, 4_000_000n));
    const red = (src: string, dst: string, amount: bigint) =>
      MsgBeginRedelegate.encode({
        delegatorAddress: alice.address,
        validatorSrcAddress: src,
        validatorDstAddress: dst,
        amount: { denom: "upoq", amount: amount.toString() },
      }).finish();
    c.run(ctx, "/cosmos.staking.v1beta1.MsgBeginRedelegate", red(v0, v1, 3_000_000n));
    assert.equal(c.core.staking.keeper.delegation(ctx, alice.address, v1)?.shares, 3_000_000n * DEC_SCALE);
    assert.equal(c.balance(ctx, moduleAddress(BONDED_POOL)), 19_000_000n);
    assert.throws(
      () => c.run(ctx, "/cosmos.staking.v1beta1.MsgBeginRedelegate", red(v1, v0, 1_000_000n)),
      isErr("staking", 32),
    );
    assert.throws(
      () => c.run(ctx, "/cosmos.staking.v1beta1.MsgBeginRedelegate", red(v0, v0, 1_000_000n)),
      isErr("staking", 29),
    );
    assert.deepEqual(c.endBlock(ctx), [
      { pubKey: hexKey(consKey(0)), power: 11n },
      { pubKey: hexKey(consKey(1)), power: 8n },
    ]);
    c.endBlock(c.ctx(3n, T0 + 2n * SEC + 100n * SEC));
    c.run(c.ctx(4n, T0 + 200n * SEC), "/cosmos.staking.v1beta1.MsgBeginRedelegate", red(v1, v0, 1_000_000n));
  });

  it("keeps the top max_validators by power; a leaver unbonds, then its tokens are not bonded", () => {
    const c = chain({ max_validators: 2 });
    const ctx = c.ctx(2n);
    c.run(ctx, "/cosmos.staking.v1beta1.MsgCreateValidator", createMsg(newOp, "7000000"));
    // newbie (7) pushes v1 (5) out.
    assert.deepEqual(c.endBlock(ctx), [
      { pubKey: hexKey(consKey(9)), power: 7n },
      { pubKey: hexKey(consKey(1)), power: 0n },
    ]);
    const v1 = c.core.staking.keeper.validator(ctx, valoper(op[1]!.address));
    assert.equal(v1?.status, "BOND_STATUS_UNBONDING");
    assert.equal(c.balance(ctx, moduleAddress(NOT_BONDED_POOL)), 5_000_000n);
    c.endBlock(c.ctx(3n, T0 + 200n * SEC));
    assert.equal(
      c.core.staking.keeper.validator(ctx, valoper(op[1]!.address))?.status,
      "BOND_STATUS_UNBONDED",
    );
    // A delegation brings it back above newbie, which then leaves.
    c.run(
      c.ctx(4n),
      "/cosmos.staking.v1beta1.MsgDelegate",
      delegateMsg(alice.address, valoper(op[1]!.address), 3_000_000n),
    );
    assert.deepEqual(c.endBlock(c.ctx(4n)), [
      { pubKey: hexKey(consKey(1)), power: 8n },
      { pubKey: hexKey(consKey(9)), power: 0n },
    ]);
    assert.equal(c.balance(ctx, moduleAddress(BONDED_POOL)), 18_000_000n);
  });

  it("jails an operator whose self-delegation falls below its minimum; a jailed validator leaves the set", () => {
    const c = chain();
    const v1 = valoper(op[1]!.address);
    const ctx = c.ctx(2n);
    c.run(ctx, "/cosmos.staking.v1beta1.MsgUndelegate", undelegateMsg(op[1]!.address, v1, 5_000_000n));
    assert.equal(c.core.staking.keeper.validator(ctx, v1)?.jailed, true);
    assert.deepEqual(c.endBlock(ctx), [{ pubKey: hexKey(consKey(1)), power: 0n }]);
    // Unbonded, no shares left: once its unbonding ends the validator is deleted.
    c.endBlock(c.ctx(3n, T0 + 300n * SEC));
    assert.equal(c.core.staking.keeper.validator(ctx, v1), undefined);
    assert.ok(c.calls.includes(`validatorRemoved ${v1}`));
  });

  it("slashes the stake at the infraction, unbonding entries since then included, and burns it", () => {
    const c = chain();
    const v0 = valoper(op[0]!.address);
    const ctx = c.ctx(5n);
    c.run(ctx, "/cosmos.staking.v1beta1.MsgDelegate", delegateMsg(alice.address, v0, 10_000_000n));
    c.run(ctx, "/cosmos.staking.v1beta1.MsgUndelegate", undelegateMsg(alice.address, v0, 4_000_000n));
    c.endBlock(ctx);
    const supply = c.core.bank.keeper.getSupply(ctx, "upoq").amount;
    const ctx6 = c.ctx(6n);
    // 10% of the 20 power it had at height 4: 2,000,000 due; 400,000 from alice's unbonding entry (made at 5).
    const burned = c.core.staking.keeper.slash(ctx6, consensusAddress(consKey(0)), 4n, 20n, DEC_SCALE / 10n);
    assert.equal(burned, 2_000_000n);
    const v = c.core.staking.keeper.validator(ctx6, v0);
    assert.equal(v?.tokens, 16_000_000n - 1_600_000n);
    assert.equal(c.core.bank.keeper.getSupply(ctx6, "upoq").amount, supply - 2_000_000n);
    assert.equal(c.balance(ctx6, moduleAddress(NOT_BONDED_POOL)), 3_600_000n);
    assert.ok(c.calls.some((s) => s.startsWith(`slashed ${v0} 100000000000000000`)));
    c.core.staking.keeper.jail(ctx6, consensusAddress(consKey(0)));
    assert.deepEqual(c.endBlock(ctx6), [{ pubKey: hexKey(consKey(0)), power: 0n }]);
    c.core.staking.keeper.unjail(ctx6, consensusAddress(consKey(0)));
    assert.deepEqual(c.endBlock(c.ctx(7n)), [{ pubKey: hexKey(consKey(0)), power: 14n }]);
    // 1% of 14 power: 140,000 of its 14,400,000 tokens. Distribution is told 0.00972...2 rounded up
    // (the SDK's QuoRoundUp), not truncated.
    const ctx8 = c.ctx(8n);
    assert.equal(
      c.core.staking.keeper.slash(ctx8, consensusAddress(consKey(0)), 8n, 14n, DEC_SCALE / 100n),
      140_000n,
    );
    assert.equal(c.calls.at(-1), `slashed ${v0} 9722222222222223`);
    // Nothing to burn from its tokens: no hook (the SDK returns before it; distribution would record a slash).
    const v1 = valoper(op[1]!.address);
    assert.equal(
      c.core.staking.keeper.slash(ctx8, consensusAddress(consKey(1)), 8n, 0n, DEC_SCALE / 100n),
      0n,
    );
    assert.ok(!c.calls.some((s) => s.startsWith(`slashed ${v1}`)));
  });

  it("slashes redelegations made since the infraction at their destination, not older ones", () => {
    const c = chain();
    const [v0, v1] = op.map((k) => valoper(k.address)) as [string, string];
    const red = (who: string, amount: bigint) =>
      MsgBeginRedelegate.encode({
        delegatorAddress: who,
        validatorSrcAddress: v0,
        validatorDstAddress: v1,
        amount: { denom: "upoq", amount: amount.toString() },
      }).finish();
    const redelegate = "/cosmos.staking.v1beta1.MsgBeginRedelegate";
    c.run(c.ctx(2n), "/cosmos.staking.v1beta1.MsgDelegate", delegateMsg(alice.address, v0, 10_000_000n));
    c.run(c.ctx(2n), "/cosmos.staking.v1beta1.MsgDelegate", delegateMsg(newOp.address, v0, 3_000_000n));
    // Before the infraction (height 4): not slashed.
    c.run(c.ctx(3n), redelegate, red(alice.address, 2_000_000n));
    // After it: both answer for it. newOp then unbonds most of its redelegated stake from v1.
    const ctx5 = c.ctx(5n);
    c.run(ctx5, redelegate, red(alice.address, 4_000_000n));
    c.run(ctx5, redelegate, red(newOp.address, 3_000_000n));
    c.run(ctx5, "/cosmos.staking.v1beta1.MsgUndelegate", undelegateMsg(newOp.address, v1, 2_900_000n));
    const keeper = c.core.staking.keeper;
    assert.equal(keeper.validator(ctx5, v0)?.tokens, 14_000_000n);
    assert.equal(keeper.validator(ctx5, v1)?.tokens, 11_100_000n);
    const supply = c.core.bank.keeper.getSupply(ctx5, "upoq").amount;
    const mark = c.calls.length;

    // 10% of the 21 power v0 had at height 4: 2,100,000 due. alice's redelegation of height 5 owes
    // 400,000 (0.1 of its 4,000,000 destination shares unbonded from v1 and burned); newOp's owes
    // 300,000 but only 100,000 shares are left at v1; the rest, 1,400,000, comes from v0's tokens.
    const ctx6 = c.ctx(6n);
    const burned = keeper.slash(ctx6, consensusAddress(consKey(0)), 4n, 21n, DEC_SCALE / 10n);
    assert.equal(burned, 400_000n + 100_000n + 1_400_000n);
    assert.equal(keeper.validator(ctx6, v0)?.tokens, 12_600_000n);
    assert.equal(keeper.validator(ctx6, v1)?.tokens, 11_100_000n - 500_000n);
    assert.equal(keeper.validator(ctx6, v1)?.delegatorShares, (11_100_000n - 500_000n) * DEC_SCALE);
    assert.equal(keeper.delegation(ctx6, alice.address, v1)?.shares, 5_600_000n * DEC_SCALE);
    assert.equal(keeper.delegation(ctx6, newOp.address, v1), undefined);
    assert.equal(keeper.delegation(ctx6, alice.address, v0)?.shares, 4_000_000n * DEC_SCALE);
    assert.equal(c.core.bank.keeper.getSupply(ctx6, "upoq").amount, supply - burned);
    assert.equal(c.balance(ctx6, moduleAddress(BONDED_POOL)), 12_600_000n + 10_600_000n);
    assert.equal(c.balance(ctx6, moduleAddress(NOT_BONDED_POOL)), 2_900_000n, "newOp's unbonding from v1");
    // The destination's delegations change through the hooks, as any unbond (distribution pays first).
    assert.deepEqual(c.calls.slice(mark), [
      `beforeModify ${alice.address} ${v1}`,
      `afterModify ${alice.address} ${v1}`,
      `beforeModify ${newOp.address} ${v1}`,
      `removed ${newOp.address} ${v1}`,
      `slashed ${v0} 100000000000000000`,
    ]);
    // v1 lost power by the slash: the set follows at EndBlock.
    assert.deepEqual(c.endBlock(ctx6), [
      { pubKey: hexKey(consKey(0)), power: 12n },
      { pubKey: hexKey(consKey(1)), power: 10n },
    ]);
  });

  it("edits description and commission within the SDK's limits", () => {
    const c = chain();
    const v0 = valoper(op[0]!.address);
    const edit = (rate: string, t: bigint, moniker = "[do-not-modify]") =>
      c.run(
        c.ctx(9n, t),
        "/cosmos.staking.v1beta1.MsgEditValidator",
        MsgEditValidator.encode({
          description: {
            moniker,
            identity: "[do-not-modify]",
            website: "https://x.example",
            securityContact: "[do-not-modify]",
            details: "[do-not-modify]",
          },
          validatorAddress: v0,
          commissionRate: rate,
          minSelfDelegation: "",
        }).finish(),
      );
    assert.throws(
      () => edit("110000000000000000", T0 + 10n * SEC),
      isErr("staking", 12),
      "within 24h of genesis",
    );
    const day = 24n * 3600n * SEC;
    assert.throws(
      () => edit("150000000000000000", T0 + day),
      isErr("staking", 15),
      "more than max_change_rate",
    );
    edit("105000000000000000", T0 + day);
    const v = c.core.staking.keeper.validator(c.ctx(9n), v0);
    assert.equal(v?.commission.rate, 105_000_000_000_000_000n);
    assert.equal(v?.description.moniker, "v0");
    assert.equal(v?.description.website, "https://x.example");
  });

  it("answers the SDK query paths: validators by status, pool", () => {
    const c = chain({ max_validators: 1 });
    const ctx = c.ctx(2n);
    c.endBlock(ctx);
    const vals = (status: string) =>
      QueryValidatorsResponse.decode(
        c.core.staking.queries["/cosmos.staking.v1beta1.Query/Validators"]!(
          ctx,
          QueryValidatorsRequest.encode({ status }).finish(),
        ),
      ).validators.map((v) => v.description.moniker);
    assert.deepEqual(vals("BOND_STATUS_BONDED"), ["v0"]);
    assert.deepEqual(vals("BOND_STATUS_UNBONDING"), ["v1"]);
    assert.equal(vals("").length, 2);
    const pool = QueryPoolResponse.decode(
      c.core.staking.queries["/cosmos.staking.v1beta1.Query/Pool"]!(ctx, new Uint8Array(0)),
    ).pool;
    assert.deepEqual(pool, { bondedTokens: "10000000", notBondedTokens: "5000000" });
  });

  it("is deterministic: two chains fed the same messages reach the same app hash", () => {
    const hashes = [chain(), chain()].map((c) => {
      const ctx = c.ctx(2n);
      c.run(ctx, "/cosmos.staking.v1beta1.MsgCreateValidator", createMsg());
      c.run(
        ctx,
        "/cosmos.staking.v1beta1.MsgDelegate",
        delegateMsg(alice.address, valoper(newOp.address), 3n),
      );
      c.endBlock(ctx);
      return Buffer.from(c.app.state.workingHash()).toString("hex");
    });
    assert.equal(hashes[0], hashes[1]);
  });
});

describe("staking amino JSON", () => {
  it("is what CosmJS's staking converters build, for every message", async () => {
    const { AminoTypes, createStakingAminoConverters } = await import("@cosmjs/stargate");
    const { createSlashingModule } = await import("../slashing/module.js");
    const { MsgUnjail } = await import("cosmjs-types/cosmos/slashing/v1beta1/tx");
    const cosmjs = new AminoTypes({
      ...createStakingAminoConverters(),
      "/cosmos.slashing.v1beta1.MsgUnjail": {
        aminoType: "cosmos-sdk/MsgUnjail",
        toAmino: ({ validatorAddr }: { validatorAddr: string }) => ({ address: validatorAddr }),
        fromAmino: ({ address }: { address: string }) => ({ validatorAddr: address }),
      },
    });
    const core = createCoreModules();
    const v0 = valoper(op[0]!.address);
    const v1 = valoper(op[1]!.address);
    const cases: [string, Uint8Array, object][] = [
      ["/cosmos.staking.v1beta1.MsgCreateValidator", createMsg(), MsgCreateValidator.decode(createMsg())],
      [
        "/cosmos.staking.v1beta1.MsgDelegate",
        delegateMsg(alice.address, v0, 5n),
        MsgDelegate.decode(delegateMsg(alice.address, v0, 5n)),
      ],
      [
        "/cosmos.staking.v1beta1.MsgUndelegate",
        undelegateMsg(alice.address, v0, 5n),
        MsgUndelegate.decode(undelegateMsg(alice.address, v0, 5n)),
      ],
    ];
    const red = MsgBeginRedelegate.encode({
      delegatorAddress: alice.address,
      validatorSrcAddress: v0,
      validatorDstAddress: v1,
      amount: { denom: "upoq", amount: "7" },
    }).finish();
    cases.push(["/cosmos.staking.v1beta1.MsgBeginRedelegate", red, MsgBeginRedelegate.decode(red)]);
    for (const edit of [
      { commissionRate: "120000000000000000", minSelfDelegation: "5" },
      { commissionRate: "", minSelfDelegation: "" },
    ]) {
      const bytes = MsgEditValidator.encode({
        description: {
          moniker: "m",
          identity: "",
          website: "w",
          securityContact: "",
          details: "[do-not-modify]",
        },
        validatorAddress: v0,
        ...edit,
      }).finish();
      cases.push(["/cosmos.staking.v1beta1.MsgEditValidator", bytes, MsgEditValidator.decode(bytes)]);
    }
    const cancel = MsgCancelUnbondingDelegation.encode({
      delegatorAddress: alice.address,
      validatorAddress: v0,
      amount: { denom: "upoq", amount: "9" },
      creationHeight: 12n,
    }).finish();
    cases.push([
      "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
      cancel,
      MsgCancelUnbondingDelegation.decode(cancel),
    ]);
    const all = [...core.staking.msgs, ...createSlashingModule({ staking: core.staking.keeper }).msgs];
    const unjail = MsgUnjail.encode({ validatorAddr: v0 }).finish();
    cases.push(["/cosmos.slashing.v1beta1.MsgUnjail", unjail, MsgUnjail.decode(unjail)]);
    // Every converter CosmJS has for staking is compared here.
    const { createStakingAminoConverters: converters } = await import("@cosmjs/stargate");
    for (const typeUrl of Object.keys(converters()))
      assert.ok(
        cases.some(([t]) => t === typeUrl),
        `${typeUrl} compared`,
      );
    for (const [typeUrl, bytes, value] of cases) {
      const ours = all.find((m) => m.typeUrl === typeUrl)?.toAmino?.(bytes);
      // Keys with undefined values vanish in the signed JSON, as in CosmJS's serialization.
      assert.deepEqual(
        JSON.parse(JSON.stringify(ours)),
        JSON.parse(JSON.stringify(cosmjs.toAmino({ typeUrl, value }))),
        typeUrl,
      );
    }
  });

  it("has an amino form for every staking message: CosmJS's names where it converts one, the SDK's otherwise", async () => {
    const { createStakingAminoConverters } = await import("@cosmjs/stargate");
    const cosmjs = createStakingAminoConverters() as Record<string, { aminoType: string }>;
    const core = createCoreModules();
    assert.deepEqual(
      core.staking.msgs.filter((m) => !m.toAmino).map((m) => m.typeUrl),
      [],
      "every staking message has an amino form",
    );
    // Every type CosmJS converts is one of ours (its JSON is compared in the test above).
    for (const typeUrl of Object.keys(cosmjs))
      assert.ok(
        core.staking.msgs.some((m) => m.typeUrl === typeUrl),
        typeUrl,
      );
    assert.equal(
      cosmjs["/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation"]?.aminoType,
      "cosmos-sdk/MsgCancelUnbondingDelegation",
      "CosmJS's name is the SDK's legacy one (x/staking/types/codec.go)",
    );
    // CosmJS has no converter for MsgUpdateParams: the SDK's registered name.
    assert.equal(cosmjs["/cosmos.staking.v1beta1.MsgUpdateParams"], undefined);
    const update = core.staking.msgs.find((m) => m.typeUrl === "/cosmos.staking.v1beta1.MsgUpdateParams");
    assert.equal(
      update?.toAmino?.(MsgUpdateParams.encode({ authority: alice.address, params: STAKING_PARAMS }).finish())
        .type,
      "cosmos-sdk/x/staking/MsgUpdateParams",
    );
  });

  it("signs a proposal carrying the staking and slashing MsgUpdateParams with an amino-only signer; the app checks it", async () => {
    const { Secp256k1Wallet } = await import("@cosmjs/amino");
    const { SigningStargateClient } = await import("@cosmjs/stargate");
    const { TxRaw } = await import("cosmjs-types/cosmos/tx/v1beta1/tx");
    const { MsgSubmitProposal } = await import("cosmjs-types/cosmos/gov/v1/tx");
    const { MsgUpdateParams: SlashingMsgUpdateParams } =
      await import("cosmjs-types/cosmos/slashing/v1beta1/tx");
    const { createPoqAminoTypes, createPoqRegistry } = await import("../../../client/registry.js");
    const { createPoqBenchChain, POQ_BENCH_CHAIN_ID } = await import("../../../test/poq-app-chain.js");
    const proposer = testKey("amino-proposer");
    const chain = createPoqBenchChain({ validators: 1, accounts: [proposer] });
    try {
      const gov = moduleAddress("gov");
      const text = (t: string) => new TextEncoder().encode(t);
      const staking = MsgUpdateParams.fromPartial({ authority: gov, params: STAKING_PARAMS });
      const slashing = SlashingMsgUpdateParams.fromPartial({
        authority: gov,
        params: {
          signedBlocksWindow: 2000n,
          minSignedPerWindow: text("600000000000000000"),
          downtimeJailDuration: { seconds: 120n, nanos: 0 },
          slashFractionDoubleSign: text("50000000000000000"),
          slashFractionDowntime: text("1000000000000000"),
        },
      });
      const anys = [
        {
          typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams",
          value: MsgUpdateParams.encode(staking).finish(),
        },
        {
          typeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParams",
          value: SlashingMsgUpdateParams.encode(slashing).finish(),
        },
      ];
      const submit = MsgSubmitProposal.fromPartial({
        messages: anys,
        initialDeposit: [{ denom: "upoq", amount: "10000000" }],
        proposer: proposer.address,
        title: "params",
        summary: "staking and slashing params",
      });
      // The SDK's amino JSON (x/tx aminojson): durations as nanoseconds in strings, decimals with 18
      // places, int64 as strings, uint32 as numbers; the app builds the same to check the signature.
      const expected = {
        type: "cosmos-sdk/v1/MsgSubmitProposal",
        value: {
          messages: [
            {
              type: "cosmos-sdk/x/staking/MsgUpdateParams",
              value: {
                authority: gov,
                params: {
                  unbonding_time: "600000000000",
                  max_validators: 50,
                  max_entries: 7,
                  historical_entries: 10000,
                  bond_denom: "upoq",
                  min_commission_rate: "0.050000000000000000",
                },
              },
            },
            {
              type: "cosmos-sdk/x/slashing/MsgUpdateParams",
              value: {
                authority: gov,
                params: {
                  signed_blocks_window: "2000",
                  min_signed_per_window: "0.600000000000000000",
                  downtime_jail_duration: "120000000000",
                  slash_fraction_double_sign: "0.050000000000000000",
                  slash_fraction_downtime: "0.001000000000000000",
                },
              },
            },
          ],
          initial_deposit: [{ denom: "upoq", amount: "10000000" }],
          proposer: proposer.address,
          title: "params",
          summary: "staking and slashing params",
        },
      };
      const aminoTypes = createPoqAminoTypes();
      const msg = { typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: submit };
      assert.deepEqual(aminoTypes.toAmino(msg), expected, "the client's amino JSON");
      const route = chain.app.router.msg(msg.typeUrl)!;
      assert.deepEqual(
        route.descriptor.toAmino!(MsgSubmitProposal.encode(submit).finish()),
        expected,
        "the app's amino JSON",
      );
      assert.deepEqual(aminoTypes.fromAmino(expected), msg, "and back");

      // Signed SIGN_MODE_LEGACY_AMINO_JSON by a key that cannot sign DIRECT, then run by the app.
      const wallet = await Secp256k1Wallet.fromKey(proposer.privKey, "poq");
      const client = await SigningStargateClient.offline(wallet, {
        registry: createPoqRegistry(),
        aminoTypes,
      });
      const view = { store: chain.app.state.committedView() };
      const account = chain.modules.core.auth.keeper.getAccount(view, proposer.address)!;
      const raw = await client.sign(
        proposer.address,
        [msg],
        { amount: [{ denom: "upoq", amount: "1500000" }], gas: "50000000" },
        "",
        { accountNumber: account.accountNumber, sequence: 0, chainId: POQ_BENCH_CHAIN_ID },
      );
      const r = chain.runBlock([TxRaw.encode(raw).finish()]);
      assert.deepEqual(r.failed, []);
      const stored = chain.modules.gov.keeper.getProposal({ store: chain.app.state.committedView() }, 1n);
      assert.deepEqual(
        stored?.messages.map((a) => [a.typeUrl, Buffer.from(a.value).toString("hex")]),
        anys.map((a) => [a.typeUrl, Buffer.from(a.value).toString("hex")]),
      );
    } finally {
      chain.cleanup();
    }
  });
});
