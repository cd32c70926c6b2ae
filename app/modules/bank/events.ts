/**
 * Event types and attribute names the bank emits (the SDK's, so explorers and CosmJS read them),
 * and constructors. Attributes are indexed so that `tx_search` can find transfers.
 */
import type { Event } from "../../../abci/application.js";
import { type Coin, coinsToString } from "./coins.js";

export const EventCoinSpent = "coin_spent";
export const EventCoinReceived = "coin_received";
export const EventTransfer = "transfer";
export const EventMessage = "message";
export const EventCoinbase = "coinbase";
export const EventBurn = "burn";

export const AttrSpender = "spender";
export const AttrReceiver = "receiver";
export const AttrRecipient = "recipient";
export const AttrSender = "sender";
export const AttrAmount = "amount";
export const AttrMinter = "minter";
export const AttrBurner = "burner";

const attr = (key: string, value: string) => ({ key, value, index: true });

/** `coin_spent{spender, amount}` */
export const coinSpentEvent = (spender: string, coins: readonly Coin[]): Event => ({
  type: EventCoinSpent,
  attributes: [attr(AttrSpender, spender), attr(AttrAmount, coinsToString(coins))],
});

/** `coin_received{receiver, amount}` */
export const coinReceivedEvent = (receiver: string, coins: readonly Coin[]): Event => ({
  type: EventCoinReceived,
  attributes: [attr(AttrReceiver, receiver), attr(AttrAmount, coinsToString(coins))],
});

/** `transfer{recipient, sender, amount}` */
export const transferEvent = (sender: string, recipient: string, coins: readonly Coin[]): Event => ({
  type: EventTransfer,
  attributes: [
    attr(AttrRecipient, recipient),
    attr(AttrSender, sender),
    attr(AttrAmount, coinsToString(coins)),
  ],
});

/** `message{sender}` (the SDK adds it for every transfer) */
export const messageSenderEvent = (sender: string): Event => ({
  type: EventMessage,
  attributes: [attr(AttrSender, sender)],
});

/** `coinbase{minter, amount}` */
export const coinbaseEvent = (minter: string, coins: readonly Coin[]): Event => ({
  type: EventCoinbase,
  attributes: [attr(AttrMinter, minter), attr(AttrAmount, coinsToString(coins))],
});

/** `burn{burner, amount}` */
export const burnEvent = (burner: string, coins: readonly Coin[]): Event => ({
  type: EventBurn,
  attributes: [attr(AttrBurner, burner), attr(AttrAmount, coinsToString(coins))],
});
