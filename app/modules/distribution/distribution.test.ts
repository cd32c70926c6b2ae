import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BlockIdFlag, type VoteInfo } from "../../../abci/application.js";
import { createContext, type ContextWithEvents } from "../../context.js";
import { ChainError, GenesisError } from "../../errors.js";
import { createStateStore } from "../../store/state.js";
import { moduleAddress } from "../auth/address.js";
import { bech32Encode } from "../auth/bech32.js";
import { FEE_COLLECTOR } from "../auth/keeper.js";
import { createAuthModule } from "../auth/module.js";
import { createBankModule } from "../bank/module.js";
import { parseValoperAddress } from "./address.js";
import { allocateTokens } from "./allocation.js";
import { DEC_ONE, decCoins, decMul, decQuo, formatDec, parseDec } from "./dec.js";
import { parseDistributionGenesis } from "./genesis.js";
import { createDistributionKeeper, type RewardValidator } from "./keeper.js";
import { BLOCK_REWARDS_MODULE, DISTRIBUTION_MODULE } from "./keys.js";

const acc = (n: number) => bech32Encode("poq", new Uint8Array(20).fill(n));
const valoper = (n: number) => bech32Encode("poqvaloper", new Uint8Array(20).fill(n));
const consAddr = (n: number) => new Uint8Array(20).fill(100 + n);
const dec = (n: bigint) => n * DEC_ONE;
const pct = (n: bigint) => (n * DEC_ONE) / 100n;
const FUNDER = acc(99);

/**
 * A chain with real auth, bank and SQLite state, and the distribution keeper. Staking is played by
 * the test: validators and delegations are plain values it changes in the order staking calls the
 * hooks (before*: old values, after*: new values).
 */
function setup(opts: { communityTax?: bigint; funder?: bigint; blockRewardPool?: bigint } = {}) {
  const state = createStateStore({ path: ":memory:" });
  const auth = createAuthModule({
    moduleAccounts: { [DISTRIBUTION_MODULE]: [], [BLOCK_REWARDS_MODULE]: [] },
  });
  const bank = createBankModule({ accounts: auth.keeper });
  const keeper = createDistributionKeeper({ bank: bank.keeper });
  let height = 1n;
  const ctx = (): ContextWithEvents =>
    createContext({ store: state.deliver, chainId: "t-1", blockHeight: height, blockTimeNanos: 0n });
  const chain = { chainId: "t-1", initialHeight: 1n, validators: [] };
  auth.initGenesis?.(ctx(), undefined, chain);
  const balances = [
    { address: FUNDER, coins: [{ denom: "upoq", amount: String(opts.funder ?? 10n ** 12n) }] },
  ];
  if (opts.blockRewardPool)
    balances.push({
      address: moduleAddress(BLOCK_REWARDS_MODULE),
      coins: [{ denom: "upoq", amount: String(opts.blockRewardPool) }],
    });
  balances.sort((a, b) => (a.address < b.address ? -1 : 1));
  bank.initGenesis?.(ctx(), { balances }, chain);
  keeper.store.setParams(ctx(), {
    communityTax: opts.communityTax ?? pct(2n),
    baseProposerReward: 0n,
    bonusProposerReward: 0n,
    withdrawAddrEnabled: true,
  });

  const validators = new Map<number, RewardValidator & { cons: Uint8Array }>();
  const shares = new Map<string, bigint>();
  const val = (n: number) => {
    const v = validators.get(n);
    if (!v) throw new Error(`no validator ${n}`);
    return v;
  };
  const balance = (address: string) => bank.keeper.getBalance(ctx(), address, "upoq").amount;

  const env = {
    state,
    bank: bank.keeper,
    keeper,
    ctx,
    balance,
    val,
    setHeight(h: bigint) {
      height = h;
    },
    createValidator(n: number, commissionPct: bigint) {
      const v = {
        operatorAddress: valoper(n),
        tokens: 0n,
        delegatorShares: 0n,
        commission: { rate: pct(commissionPct) },
        cons: consAddr(n),
      };
      validators.set(n, v);
      keeper.initializeValidator(ctx(), v.operatorAddress);
    },
    /** MsgDelegate: hooks around staking's update (shares issued at the validator's exchange rate). */
    delegate(delegator: string, n: number, amount: bigint) {
      const v = val(n);
      const key = `${delegator}/${n}`;
      const had = shares.get(key);
      if (had === undefined) keeper.incrementValidatorPeriod(ctx(), v);
      else keeper.withdrawDelegationRewards(ctx(), v, delegator, had);
      const issued = v.tokens === 0n ? dec(amount) : (v.delegatorShares * amount) / v.tokens;
      v.tokens += amount;
      v.delegatorShares += issued;
      shares.set(key, (had ?? 0n) + issued);
      keeper.initializeDelegation(ctx(), v, delegator, (had ?? 0n) + issued);
    },
    /** MsgUndelegate of `amount` tokens (all shares when it is everything). */
    undelegate(delegator: string, n: number, amount: bigint | "all") {
      const v = val(n);
      const key = `${delegator}/${n}`;
      const had = shares.get(key) ?? 0n;
      keeper.withdrawDelegationRewards(ctx(), v, delegator, had);
      if (amount === "all") amount = (v.tokens * had) / v.delegatorShares;
      const burned =
        amount === (v.tokens * had) / v.delegatorShares ? had : (v.delegatorShares * amount) / v.tokens;
      v.tokens -= amount;
      v.delegatorShares -= burned;
      const left = had - burned;
      if (left === 0n) shares.delete(key);
      else {
        shares.set(key, left);
        keeper.initializeDelegation(ctx(), v, delegator, left);
      }
    },
    /** Slashing: the hook first (old tokens), then the tokens drop. */
    slash(n: number, fractionPct: bigint) {
      const v = val(n);
      keeper.recordSlash(ctx(), v, pct(fractionPct));
      v.tokens -= (v.tokens * fractionPct) / 100n;
    },
    shares: (delegator: string, n: number) => shares.get(`${delegator}/${n}`) ?? 0n,
    pending: (delegator: string, n: number) =>
      keeper.pendingDelegationRewards(ctx(), val(n), delegator, shares.get(`${delegator}/${n}`) ?? 0n),
    withdraw(delegator: string, n: number) {
      const v = val(n);
      const s = shares.get(`${delegator}/${n}`) ?? 0n;
      const paid = keeper.withdrawDelegationRewards(ctx(), v, delegator, s);
      keeper.initializeDelegation(ctx(), v, delegator, s);
      return paid.find((c) => c.denom === "upoq")?.amount ?? 0n;
    },
    /** A block: `fees` paid into fee_collector during the previous block, allocated to `votes` (validator n, power). */
    block(fees: bigint, votes: [number, bigint][]) {
      height += 1n;
      const c = ctx();
      if (fees > 0n)
        bank.keeper.sendCoinsFromAccountToModule(c, FUNDER, FEE_COLLECTOR, [{ denom: "upoq", amount: fees }]);
      const voteInfos: VoteInfo[] = votes.map(([n, power]) => ({
        validator: { address: consAddr(n), power },
        blockIdFlag: BlockIdFlag.Commit,
      }));
      allocateTokens(
        c,
        {
          bank: bank.keeper,
          keeper,
          validatorByConsAddr: (_ctx, addr) =>
            [...validators.values()].find((v) => Buffer.compare(v.cons, addr) === 0),
        },
        voteInfos,
      );
      return c.events;
    },
    /** Every upoq the distribution module holds is owed to someone: outstanding rewards + community pool. */
    assertBooksBalance() {
      const c = ctx();
      let owed = keeper.store.getCommunityPool(c);
      for (const v of validators.values()) {
        owed = decCoins.add(
          owed,
          keeper.store.getOutstanding(c, parseValoperAddress(v.operatorAddress)) ?? [],
        );
      }
      const held = dec(balance(moduleAddress(DISTRIBUTION_MODULE)));
      assert.equal(formatDec(owed.find((x) => x.denom === "upoq")?.amount ?? 0n), formatDec(held));
    },
  };
  return env;
}

const upoq = (coins: readonly { denom: string; amount: bigint }[]) =>
  coins.find((c) => c.denom === "upoq")?.amount ?? 0n;

describe("distribution: LegacyDec", () => {
  it("parses and formats 18-decimal strings and rounds like the SDK", () => {
    assert.equal(parseDec("0.02", "x"), 2n * 10n ** 16n);
    assert.equal(formatDec(parseDec("1.5", "x")), "1.500000000000000000");
    assert.throws(() => parseDec("-1", "x"), ChainError);
    assert.throws(() => parseDec("0.1234567890123456789", "x"), ChainError);
    // Banker's rounding at the 18th decimal: 0.5 ulp goes to even.
    assert.equal(decMul(1n, DEC_ONE / 2n), 0n);
    assert.equal(decMul(3n, DEC_ONE / 2n), 2n);
    assert.equal(decQuo(dec(2n), dec(3n)), 666666666666666667n);
    const { coins, change } = decCoins.truncate([{ denom: "upoq", amount: parseDec("12.75", "x") }]);
    assert.deepEqual(coins, [{ denom: "upoq", amount: 12n }]);
    assert.deepEqual(change, [{ denom: "upoq", amount: parseDec("0.75", "x") }]);
  });
});

describe("distribution: allocation", () => {
  it("splits the fees by voting power after the community tax, commission first", () => {
    const env = setup();
    env.createValidator(1, 10n);
    env.createValidator(2, 0n);
    env.delegate(acc(1), 1, 3_000_000n);
    env.delegate(acc(2), 2, 1_000_000n);
    const events = env.block(4000n, [
      [1, 3n],
      [2, 1n],
    ]);
    const c = env.ctx();
    // 2% of 4000 to the pool; 3920 split 3:1 = 2940 and 980; validator 1 keeps 10% of its part.
    assert.equal(upoq(env.keeper.store.getCommunityPool(c)), dec(80n));
    assert.equal(upoq(env.keeper.store.getCommission(c, new Uint8Array(20).fill(1))), dec(294n));
    assert.equal(upoq(env.keeper.store.getOutstanding(c, new Uint8Array(20).fill(1)) ?? []), dec(2940n));
    assert.equal(upoq(env.keeper.store.getOutstanding(c, new Uint8Array(20).fill(2)) ?? []), dec(980n));
    assert.equal(env.balance(moduleAddress(FEE_COLLECTOR)), 0n);
    const rewards = events.filter((e) => e.type === "rewards").map((e) => e.attributes.map((a) => a.value));
    assert.deepEqual(rewards, [
      ["2940.000000000000000000upoq", valoper(1)],
      ["980.000000000000000000upoq", valoper(2)],
    ]);
    env.assertBooksBalance();
    // The delegators' part: validator 1's delegators get 2940 - 294 once the block is over.
    env.setHeight(3n);
    assert.equal(upoq(env.pending(acc(1), 1)), dec(2646n));
    assert.equal(upoq(env.pending(acc(2), 2)), dec(980n));
  });

  it("sends a vote of an unknown validator, and a block without votes, to the community pool", () => {
    const env = setup({ communityTax: 0n });
    env.createValidator(1, 0n);
    env.delegate(acc(1), 1, 1_000_000n);
    env.block(1000n, [
      [1, 1n],
      [7, 1n],
    ]);
    assert.equal(upoq(env.keeper.store.getCommunityPool(env.ctx())), dec(500n));
    env.block(1000n, []);
    assert.equal(upoq(env.keeper.store.getCommunityPool(env.ctx())), dec(1500n));
    env.assertBooksBalance();
  });

  it("pays the block reward from the genesis-funded pool until it runs dry; supply never changes", () => {
    const env = setup({ communityTax: 0n, blockRewardPool: 2500n });
    env.keeper.store.setBlockReward(env.ctx(), { denom: "upoq", amount: 1000n });
    env.createValidator(1, 0n);
    env.delegate(acc(1), 1, 1_000_000n);
    const supply = env.bank.getSupply(env.ctx(), "upoq").amount;
    for (let i = 0; i < 4; i++) env.block(0n, [[1, 1n]]);
    assert.equal(env.balance(moduleAddress(BLOCK_REWARDS_MODULE)), 0n);
    assert.equal(upoq(env.pending(acc(1), 1)), dec(2500n));
    assert.equal(env.bank.getSupply(env.ctx(), "upoq").amount, supply);
    env.assertBooksBalance();
  });
});

describe("distribution: F1 rewards", () => {
  it("splits rewards by stake and by the time each delegation was bonded", () => {
    const env = setup({ communityTax: 0n });
    env.createValidator(1, 0n);
    env.delegate(acc(1), 1, 1_000_000n);
    env.block(1000n, [[1, 1n]]); // acc1 alone: 1000
    env.delegate(acc(2), 1, 3_000_000n); // same block: acc2 earns nothing of it
    env.block(1000n, [[1, 1n]]); // 1:3 → 250 / 750
    env.block(2000n, [[1, 1n]]); // 500 / 1500
    env.setHeight(10n);
    assert.equal(upoq(env.pending(acc(1), 1)), dec(1750n));
    assert.equal(upoq(env.pending(acc(2), 1)), dec(2250n));
    const before = env.balance(acc(1));
    assert.equal(env.withdraw(acc(1), 1), 1750n);
    assert.equal(env.balance(acc(1)) - before, 1750n);
    assert.equal(upoq(env.pending(acc(1), 1)), 0n, "withdrawn: nothing pending");
    env.assertBooksBalance();
  });

  it("follows a delegation that changes mid-way (partial undelegation, then a top-up)", () => {
    const env = setup({ communityTax: 0n });
    env.createValidator(1, 0n);
    env.delegate(acc(1), 1, 2_000_000n);
    env.delegate(acc(2), 1, 2_000_000n);
    env.block(1000n, [[1, 1n]]); // 500 / 500
    const b1 = env.balance(acc(1));
    env.undelegate(acc(1), 1, 1_000_000n); // pays acc1 its 500 now
    assert.equal(env.balance(acc(1)) - b1, 500n);
    env.block(3000n, [[1, 1n]]); // 1:2 → 1000 / 2000
    env.delegate(acc(1), 1, 3_000_000n); // pays 1000, now 4:2
    assert.equal(env.balance(acc(1)) - b1, 1500n);
    env.block(6000n, [[1, 1n]]); // 4000 / 2000
    env.setHeight(20n);
    assert.equal(upoq(env.pending(acc(1), 1)), dec(4000n));
    assert.equal(upoq(env.pending(acc(2), 1)), dec(4500n));
    env.assertBooksBalance();
  });

  it("pays commission to the operator and the rest to delegators", () => {
    const env = setup({ communityTax: 0n });
    env.createValidator(1, 20n);
    env.delegate(acc(1), 1, 1_000_000n); // operator's self-delegation (valoper 1 = account 1)
    env.delegate(acc(2), 1, 1_000_000n);
    env.block(10_000n, [[1, 1n]]); // 2000 commission, 4000 each
    env.setHeight(30n);
    assert.equal(upoq(env.pending(acc(2), 1)), dec(4000n));
    const before = env.balance(acc(1));
    const paid = env.keeper.withdrawValidatorCommission(env.ctx(), valoper(1));
    assert.deepEqual(paid, [{ denom: "upoq", amount: 2000n }]);
    assert.equal(env.balance(acc(1)) - before, 2000n);
    assert.throws(
      () => env.keeper.withdrawValidatorCommission(env.ctx(), valoper(1)),
      (e: unknown) => e instanceof ChainError && e.codespace === "distribution" && e.code === 7,
    );
    env.assertBooksBalance();
  });

  it("pays to the withdraw address when one is set", () => {
    const env = setup({ communityTax: 0n });
    env.createValidator(1, 0n);
    env.delegate(acc(2), 1, 1_000_000n);
    env.keeper.store.setWithdrawAddr(env.ctx(), new Uint8Array(20).fill(2), new Uint8Array(20).fill(3));
    env.block(900n, [[1, 1n]]);
    env.setHeight(40n);
    const before = env.balance(acc(3));
    assert.equal(env.withdraw(acc(2), 1), 900n);
    assert.equal(env.balance(acc(3)) - before, 900n);
  });

  it("cuts the stake of a slashed validator's delegators from the slash on", () => {
    const env = setup({ communityTax: 0n });
    env.createValidator(1, 0n);
    env.delegate(acc(1), 1, 1_000_000n);
    env.block(1000n, [[1, 1n]]); // 1000 at full stake
    env.slash(1, 50n);
    env.block(1000n, [[1, 1n]]); // the whole validator (now 500,000 tokens) earns 1000 again
    env.setHeight(50n);
    assert.equal(upoq(env.pending(acc(1), 1)), dec(2000n));
    env.delegate(acc(2), 1, 500_000n); // same stake as acc1 now
    env.block(2000n, [[1, 1n]]);
    env.setHeight(60n);
    assert.equal(upoq(env.pending(acc(1), 1)), dec(3000n));
    assert.equal(upoq(env.pending(acc(2), 1)), dec(1000n));
    assert.equal(env.withdraw(acc(1), 1), 3000n);
    env.assertBooksBalance();
  });

  it("keeps every upoq accounted for through uneven splits, and leaks no records when a validator goes", () => {
    const env = setup();
    env.createValidator(1, 7n);
    env.createValidator(2, 13n);
    const delegators = [acc(1), acc(2), acc(3), acc(4), acc(5)];
    const supply = env.bank.getSupply(env.ctx(), "upoq").amount;
    for (let i = 0; i < 40; i++) {
      const d = delegators[i % delegators.length] as string;
      const n = 1 + (i % 2);
      if (i % 3 === 0) env.delegate(d, n, 333_333n + BigInt(i) * 7n);
      else if (i % 5 === 0 && env.shares(d, n) > 0n) env.withdraw(d, n);
      env.block(1_234n + BigInt(i) * 17n, [
        [1, 3n + BigInt(i % 4)],
        [2, 5n],
      ]);
      env.assertBooksBalance();
    }
    // Everyone leaves validator 2; its records go with it.
    for (const d of delegators) {
      const s = env.shares(d, 2);
      if (s > 0n) env.undelegate(d, 2, "all");
    }
    env.keeper.removeValidator(env.ctx(), valoper(2));
    assert.equal(env.keeper.store.countHistorical(env.ctx(), new Uint8Array(20).fill(2)), 0);
    assert.equal(env.keeper.store.getCurrent(env.ctx(), new Uint8Array(20).fill(2)), undefined);
    env.assertBooksBalance();
    assert.equal(env.bank.getSupply(env.ctx(), "upoq").amount, supply, "no block reward: supply constant");
    // Validator 1 keeps one historical record per live delegation plus the one its current period starts from.
    const live = delegators.filter((d) => env.shares(d, 1) > 0n).length;
    assert.equal(env.keeper.store.countHistorical(env.ctx(), new Uint8Array(20).fill(1)) <= live + 1, true);
  });
});

describe("distribution: genesis", () => {
  it("takes the SDK's shape with defaults and names the bad field", () => {
    const g = parseDistributionGenesis(undefined);
    assert.equal(g.params.communityTax, pct(2n));
    assert.equal(g.blockReward.amount, 0n);
    assert.throws(
      () => parseDistributionGenesis({ params: { community_tax: "1.5" } }),
      (e: unknown) => e instanceof GenesisError && /community_tax must be between 0 and 1/.test(e.message),
    );
    assert.throws(
      () => parseDistributionGenesis({ validator_current_rewards: [{}] }),
      (e: unknown) => e instanceof GenesisError && /validator_current_rewards/.test(e.message),
    );
    assert.throws(
      () => parseDistributionGenesis({ block_reward: { denom: "upoq", amount: "-1" } }),
      (e: unknown) => e instanceof GenesisError && /block_reward/.test(e.message),
    );
  });
});
