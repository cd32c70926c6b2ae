/**
 * Distribution inside the whole app (real staking, bank, SQLite, FinalizeBlock with the last commit's
 * votes): fees reach the validators by power, a delegation made with MsgDelegate earns and withdraws
 * through the staking hooks, and every upoq stays accounted for.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MsgBeginRedelegate, MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MisbehaviorType } from "../../../abci/application.js";
import {
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgUpdateParams,
  MsgWithdrawDelegatorReward,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { createPoqBenchChain } from "../../../test/poq-app-chain.js";
import { msgSendAny, testKey } from "../../../test/raw-signer.js";
import { moduleAddress } from "../auth/address.js";
import { parseValoperAddress } from "./address.js";
import { DEC_ONE, decCoins } from "./dec.js";
import { readSigningInfo } from "../slashing/keeper.js";

const sender = testKey("dist-chain-sender");
const other = testKey("dist-chain-other");
const FEE = 1_500_000n; // what the bench chain's signed() pays per transaction

describe("distribution in the assembled app", () => {
  it("pays fees by power, pays a MsgDelegate delegator through the hooks, and loses no upoq", () => {
    const chain = createPoqBenchChain({ validators: 2, powers: [10n, 30n], accounts: [sender, other] });
    try {
      const view = () => ({
        store: chain.app.state.committedView(),
        blockHeight: chain.height,
        emitEvent() {},
      });
      const { staking } = chain.modules.core;
      const { keeper } = chain.modules.distribution;
      const [v0, v1] = staking.keeper.bondedValidators(view()).sort((a, b) => (a.tokens < b.tokens ? -1 : 1));
      assert.ok(v0 && v1 && v1.tokens === 3n * v0.tokens, "genesis stake follows the powers");
      const run = (txs: Uint8Array[]) => assert.deepEqual(chain.runBlock(txs).failed, []);

      for (let i = 0; i < 4; i++)
        run([chain.signed(sender, [msgSendAny(sender.address, other.address, 1n)])]);
      run([]); // allocates the last block's fee
      assert.equal(chain.balance(moduleAddress("fee_collector")), 0n);

      const selfRewards = (v: typeof v0) => {
        const del = staking.keeper.delegationsOf(view(), v.operatorAccount)[0]!;
        return (
          decCoins.truncate(keeper.pendingDelegationRewards(view(), v, v.operatorAccount, del.shares))
            .coins[0]?.amount ?? 0n
        );
      };
      const r0 = selfRewards(staking.keeper.validator(view(), v0.operatorAddress)!);
      const r1 = selfRewards(staking.keeper.validator(view(), v1.operatorAddress)!);
      assert.ok(r0 > 0n && r1 - 3n * r0 <= 3n && 3n * r0 - r1 <= 3n, `rewards by power: ${r0} and ${r1}`);

      // A delegator joins validator 0 with a real MsgDelegate, earns for a few blocks, then withdraws.
      run([
        chain.signed(other, [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
            value: MsgDelegate.encode({
              delegatorAddress: other.address,
              validatorAddress: v0.operatorAddress,
              amount: { denom: "upoq", amount: v0.tokens.toString() },
            }).finish(),
          },
        ]),
      ]);
      for (let i = 0; i < 3; i++)
        run([chain.signed(sender, [msgSendAny(sender.address, other.address, 1n)])]);
      const before = chain.balance(other.address);
      run([
        chain.signed(other, [
          {
            typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
            value: MsgWithdrawDelegatorReward.encode({
              delegatorAddress: other.address,
              validatorAddress: v0.operatorAddress,
            }).finish(),
          },
        ]),
      ]);
      const paid = chain.balance(other.address) - before + FEE;
      // Half of validator 0's stake through 4 allocations (the fees of the delegation's own block and
      // of three sends): validator 0's power share of 98% of each fee, less its commission.
      const rate = v0.commission.rate;
      const perBlock = (FEE * 98n * (DEC_ONE - rate)) / 100n / DEC_ONE / 4n / 2n;
      assert.ok(
        paid >= 4n * perBlock - 4n && paid <= 4n * perBlock + 4n,
        `paid ${paid}, per block ${perBlock}`,
      );

      // The books: the module account holds exactly what is owed; balances add up to the supply.
      let owed = keeper.store.getCommunityPool(view());
      for (const v of [v0, v1])
        owed = decCoins.add(
          owed,
          keeper.store.getOutstanding(view(), parseValoperAddress(v.operatorAddress)) ?? [],
        );
      assert.equal(owed[0]?.amount, chain.balance(moduleAddress("distribution")) * DEC_ONE);
      const { supply, balances } = chain.supply();
      assert.equal(balances, supply);
    } finally {
      chain.cleanup();
    }
  });

  it("funds the community pool, pays to a withdraw address, and takes params only from gov", () => {
    const chain = createPoqBenchChain({ validators: 1, accounts: [sender, other] });
    try {
      const view = () => ({
        store: chain.app.state.committedView(),
        blockHeight: chain.height,
        emitEvent() {},
      });
      const { keeper } = chain.modules.distribution;
      const [v] = chain.modules.core.staking.keeper.bondedValidators(view());
      assert.ok(v);
      const msg = (typeUrl: string, value: Uint8Array) => ({
        typeUrl: `/cosmos.distribution.v1beta1.${typeUrl}`,
        value,
      });
      const pool = () => decCoins.truncate(keeper.store.getCommunityPool(view())).coins[0]?.amount ?? 0n;

      const pool0 = pool();
      let r = chain.runBlock([
        chain.signed(sender, [
          msg(
            "MsgFundCommunityPool",
            MsgFundCommunityPool.encode({
              depositor: sender.address,
              amount: [{ denom: "upoq", amount: "7000" }],
            }).finish(),
          ),
        ]),
      ]);
      assert.deepEqual(r.failed, []);
      assert.ok(pool() >= pool0 + 7000n);

      // Rewards of `sender`'s delegation go to `other` once it says so.
      r = chain.runBlock([
        chain.signed(sender, [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
            value: MsgDelegate.encode({
              delegatorAddress: sender.address,
              validatorAddress: v.operatorAddress,
              amount: { denom: "upoq", amount: "5000000" },
            }).finish(),
          },
          msg(
            "MsgSetWithdrawAddress",
            MsgSetWithdrawAddress.encode({
              delegatorAddress: sender.address,
              withdrawAddress: other.address,
            }).finish(),
          ),
        ]),
      ]);
      assert.deepEqual(r.failed, []);
      chain.runBlock([chain.signed(other, [msgSendAny(other.address, sender.address, 1n)])]);
      const before = chain.balance(other.address);
      r = chain.runBlock([
        chain.signed(sender, [
          msg(
            "MsgWithdrawDelegatorReward",
            MsgWithdrawDelegatorReward.encode({
              delegatorAddress: sender.address,
              validatorAddress: v.operatorAddress,
            }).finish(),
          ),
        ]),
      ]);
      assert.deepEqual(r.failed, []);
      assert.ok(chain.balance(other.address) > before, "the rewards went to the withdraw address");

      // Anyone but the gov module account is refused (distribution 15), and the params stay.
      r = chain.runBlock([
        chain.signed(sender, [
          msg(
            "MsgUpdateParams",
            MsgUpdateParams.encode({
              authority: sender.address,
              params: {
                communityTax: "0",
                baseProposerReward: "0",
                bonusProposerReward: "0",
                withdrawAddrEnabled: true,
              },
            }).finish(),
          ),
        ]),
      ]);
      assert.equal(r.failed.length, 1);
      assert.match(r.failed[0]!, /invalid authority; expected poq1/);
      assert.equal(keeper.store.getParams(view()).communityTax, 2n * 10n ** 16n);
    } finally {
      chain.cleanup();
    }
  });

  it("a double-sign slash reaches a redelegation made after the infraction; rewards and books stay whole", () => {
    const chain = createPoqBenchChain({ validators: 3, accounts: [sender, other] });
    try {
      const view = () => ({
        store: chain.app.state.committedView(),
        blockHeight: chain.height,
        emitEvent() {},
      });
      const { staking } = chain.modules.core;
      const { keeper } = chain.modules.distribution;
      const byOperator = (i: number) =>
        staking.keeper
          .allValidators(view())
          .find((v) => v.operatorAccount === chain.validators[i]!.operator)!;
      const [v1, v2] = [byOperator(1), byOperator(2)];
      const run = (txs: Uint8Array[], opts?: Parameters<typeof chain.runBlock>[1]) =>
        assert.deepEqual(chain.runBlock(txs, opts).failed, []);
      const stake = (typeUrl: string, value: Uint8Array) =>
        chain.signed(other, [{ typeUrl: `/cosmos.staking.v1beta1.${typeUrl}`, value }]);

      run([
        stake(
          "MsgDelegate",
          MsgDelegate.encode({
            delegatorAddress: other.address,
            validatorAddress: v2.operatorAddress,
            amount: { denom: "upoq", amount: "20000000" },
          }).finish(),
        ),
      ]);
      run([chain.signed(sender, [msgSendAny(sender.address, other.address, 1n)])]);
      // Validator 2 signs two blocks at the next height; right after, `other` moves its stake away.
      const infraction = chain.height + 1n;
      run([
        stake(
          "MsgBeginRedelegate",
          MsgBeginRedelegate.encode({
            delegatorAddress: other.address,
            validatorSrcAddress: v2.operatorAddress,
            validatorDstAddress: v1.operatorAddress,
            amount: { denom: "upoq", amount: "20000000" },
          }).finish(),
        ),
      ]);
      assert.equal(staking.keeper.delegation(view(), other.address, v2.operatorAddress), undefined);
      const supply0 = chain.supply().supply;
      // CometBFT's evidence: power 30 at the infraction; the redelegation (made at it) owes 5% of its
      // 20,000,000, taken from its shares at validator 1; the other 500,000 from validator 2's tokens.
      run([], {
        misbehavior: [
          {
            type: MisbehaviorType.DuplicateVote,
            validator: { address: chain.validators[2]!.address, power: 30n },
            height: infraction,
            timeNanos: 1_700_000_000_000_000_000n,
            totalVotingPower: 50n,
          },
        ],
      });
      assert.equal(
        staking.keeper.delegation(view(), other.address, v1.operatorAddress)?.shares,
        19_000_000n * DEC_ONE,
      );
      const slashed = byOperator(2);
      assert.equal(slashed.tokens, 9_500_000n);
      assert.equal(slashed.jailed, true);
      assert.equal(readSigningInfo(view(), slashed.consensusAddress)?.tombstoned, true);
      assert.equal(byOperator(1).tokens, 10_000_000n + 19_000_000n);
      assert.equal(chain.supply().supply, supply0 - 1_500_000n);

      // Distribution saw the unbond at validator 1 through the hooks: `other` withdraws its rewards there.
      run([chain.signed(sender, [msgSendAny(sender.address, other.address, 1n)])]);
      const before = chain.balance(other.address);
      run([
        chain.signed(other, [
          {
            typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
            value: MsgWithdrawDelegatorReward.encode({
              delegatorAddress: other.address,
              validatorAddress: v1.operatorAddress,
            }).finish(),
          },
        ]),
      ]);
      assert.ok(chain.balance(other.address) + FEE > before, "rewards paid at the destination");

      // The books: the module account holds what is owed (up to the decimals' rounding); no upoq lost.
      let owed = keeper.store.getCommunityPool(view());
      for (const i of [0, 1, 2])
        owed = decCoins.add(
          owed,
          keeper.store.getOutstanding(view(), parseValoperAddress(byOperator(i).operatorAddress)) ?? [],
        );
      const held = chain.balance(moduleAddress("distribution")) * DEC_ONE;
      assert.ok(
        owed[0]!.amount <= held && held - owed[0]!.amount < 3n * DEC_ONE,
        `${owed[0]!.amount} ${held}`,
      );
      const { supply, balances } = chain.supply();
      assert.equal(balances, supply);
    } finally {
      chain.cleanup();
    }
  });
});
