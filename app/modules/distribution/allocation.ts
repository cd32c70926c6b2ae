/**
 * Block allocation (BeginBlock): the fees collected in the previous block, plus the optional fixed
 * block reward from the genesis-funded `block_rewards` pool, go to the validators of the previous
 * block's commit by voting power, less `community_tax` for the community pool (the SDK v0.50 rules:
 * every vote of `decided_last_commit` counts, signed or not, as the SDK does; downtime is slashing's
 * business; no proposer bonus).
 */
import type { VoteInfo } from "../../../abci/application.js";
import type { Context } from "../../types.js";
import { moduleAddress } from "../auth/address.js";
import { FEE_COLLECTOR } from "../auth/keeper.js";
import type { Coin } from "../bank/coins.js";
import type { BankKeeper } from "../bank/keeper.js";
import { DEC_ONE, decCoins, decFromInt, decQuoTruncate } from "./dec.js";
import type { DistributionKeeper, RewardValidator } from "./keeper.js";
import { BLOCK_REWARDS_MODULE, DISTRIBUTION_MODULE } from "./keys.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

export interface AllocateDeps {
  bank: BankKeeper;
  keeper: DistributionKeeper;
  /** The validator behind a consensus address, as staking knows it now (undefined when gone). */
  validatorByConsAddr(ctx: Ctx, consensusAddress: Uint8Array): RewardValidator | undefined;
}

/**
 * Moves this block's income into the distribution module account and returns it: everything in
 * `fee_collector`, and `min(block_reward, pool balance)` from `block_rewards`.
 */
function collect(ctx: Ctx, deps: AllocateDeps): Coin[] {
  const fees = deps.bank.getAllBalances(ctx, moduleAddress(FEE_COLLECTOR));
  if (fees.length > 0) deps.bank.sendCoinsFromModuleToModule(ctx, FEE_COLLECTOR, DISTRIBUTION_MODULE, fees);
  const reward = deps.keeper.store.getBlockReward(ctx);
  let paid: Coin[] = [];
  if (reward && reward.amount > 0n) {
    const have = deps.bank.getBalance(ctx, moduleAddress(BLOCK_REWARDS_MODULE), reward.denom).amount;
    const amount = have < reward.amount ? have : reward.amount;
    if (amount > 0n) {
      paid = [{ denom: reward.denom, amount }];
      deps.bank.sendCoinsFromModuleToModule(ctx, BLOCK_REWARDS_MODULE, DISTRIBUTION_MODULE, paid);
    }
  }
  return decCoins.truncate(decCoins.add(decCoins.fromCoins(fees), decCoins.fromCoins(paid))).coins;
}

/**
 * Allocates the block's income to the votes of the last commit.
 *
 * @example
 * allocateTokens(ctx, deps, block.decidedLastCommit?.votes ?? []);
 */
export function allocateTokens(ctx: Ctx, deps: AllocateDeps, votes: readonly VoteInfo[]): void {
  const income = decCoins.fromCoins(collect(ctx, deps));
  if (income.length === 0) return;
  let totalPower = 0n;
  for (const v of votes) totalPower += v.validator.power;
  if (totalPower === 0n) {
    deps.keeper.addToCommunityPool(ctx, income);
    return;
  }
  const params = deps.keeper.store.getParams(ctx);
  const forValidators = decCoins.mulDecTruncate(income, DEC_ONE - params.communityTax);
  let remaining = income;
  for (const vote of votes) {
    const validator = deps.validatorByConsAddr(ctx, vote.validator.address);
    // A validator removed since it signed has no records left: its share stays with the pool.
    if (!validator || !deps.keeper.hasValidator(ctx, validator.operatorAddress)) continue;
    const fraction = decQuoTruncate(decFromInt(vote.validator.power), decFromInt(totalPower));
    const reward = decCoins.mulDecTruncate(forValidators, fraction);
    if (reward.length === 0) continue;
    deps.keeper.allocateTokensToValidator(ctx, validator, reward);
    remaining = decCoins.sub(remaining, reward);
  }
  deps.keeper.addToCommunityPool(ctx, remaining);
}
