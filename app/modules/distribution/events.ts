/**
 * Event types and attribute names distribution emits (the SDK's), and constructors.
 */
import type { Event } from "../../../abci/application.js";
import { type Coin, coinsToString } from "../bank/coins.js";
import { type DecCoin, decCoins } from "./dec.js";

export const EventRewards = "rewards";
export const EventCommission = "commission";
export const EventWithdrawRewards = "withdraw_rewards";
export const EventWithdrawCommission = "withdraw_commission";
export const EventSetWithdrawAddress = "set_withdraw_address";

const attr = (key: string, value: string) => ({ key, value, index: true });

/** `rewards{amount, validator}`: the delegators' part allocated to a validator (DecCoins). */
export const rewardsEvent = (amount: readonly DecCoin[], validator: string): Event => ({
  type: EventRewards,
  attributes: [attr("amount", decCoins.toString(amount)), attr("validator", validator)],
});

/** `commission{amount, validator}`: the commission part allocated to a validator (DecCoins). */
export const commissionEvent = (amount: readonly DecCoin[], validator: string): Event => ({
  type: EventCommission,
  attributes: [attr("amount", decCoins.toString(amount)), attr("validator", validator)],
});

/** `withdraw_rewards{amount, validator, delegator}` (amount may be empty: nothing was due). */
export const withdrawRewardsEvent = (
  amount: readonly Coin[],
  validator: string,
  delegator: string,
): Event => ({
  type: EventWithdrawRewards,
  attributes: [
    attr("amount", coinsToString(amount)),
    attr("validator", validator),
    attr("delegator", delegator),
  ],
});

/** `withdraw_commission{amount}` */
export const withdrawCommissionEvent = (amount: readonly Coin[]): Event => ({
  type: EventWithdrawCommission,
  attributes: [attr("amount", coinsToString(amount))],
});

/** `set_withdraw_address{withdraw_address}` */
export const setWithdrawAddressEvent = (withdrawAddress: string): Event => ({
  type: EventSetWithdrawAddress,
  attributes: [attr("withdraw_address", withdrawAddress)],
});
