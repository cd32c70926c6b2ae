/**
 * Bank messages: `/cosmos.bank.v1beta1.MsgSend` (amino `cosmos-sdk/MsgSend`).
 */
import { MsgSend, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ChainError } from "../../errors.js";
import { ErrTxDecode, ErrUnauthorized } from "../../sdk-errors.js";
import type { MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { checkFields, WireFormatError } from "../../tx/wire.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import type { AccountView } from "../auth/keeper.js";
import { coinsFromProto } from "./coins.js";
import { ErrSendDisabled } from "./errors.js";
import type { BankKeeper } from "./keeper.js";

export const MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend";
export const MSG_SEND_RESPONSE_TYPE_URL = "/cosmos.bank.v1beta1.MsgSendResponse";
export const MSG_SEND_AMINO_TYPE = "cosmos-sdk/MsgSend";

const COIN = { 1: 2, 2: 2 };

/**
 * Decodes MsgSend bytes, refusing malformed bytes and unknown fields (ErrTxDecode, sdk 2).
 *
 * @example
 * const msg = decodeMsgSend(any.value);
 */
export function decodeMsgSend(value: Uint8Array): MsgSend {
  try {
    const fields = checkFields(value, { 1: 2, 2: 2, 3: 2 }, "MsgSend");
    for (const f of fields) if (f.field === 3 && f.bytes) checkFields(f.bytes, COIN, "MsgSend.amount");
    return MsgSend.decode(value);
  } catch (err) {
    if (err instanceof WireFormatError) throw new ChainError(ErrTxDecode, err.message, err);
    throw new ChainError(ErrTxDecode, "malformed MsgSend", err);
  }
}

/**
 * Stateless checks: both addresses valid bech32 `poq`, amount non-empty, positive, sorted, unique.
 *
 * @example
 * validateMsgSend(decodeMsgSend(bytes));
 */
export function validateMsgSend(msg: MsgSend): void {
  parseAccountAddress(msg.fromAddress, "from_address");
  parseAccountAddress(msg.toAddress, "to_address");
  coinsFromProto(msg.amount, "amount", false);
}

export interface MsgSendDeps {
  bank: BankKeeper;
  /** To refuse transfers to module accounts, whose balances only their modules may move. */
  accounts: AccountView;
}

/**
 * The MsgSend descriptor: signer, stateless checks, amino form and handler.
 *
 * @example
 * const send = createMsgSendDescriptor({ bank, accounts });
 * send.handler(ctx, { typeUrl: MSG_SEND_TYPE_URL, value });
 */
export function createMsgSendDescriptor(deps: MsgSendDeps): MsgDescriptor {
  return {
    typeUrl: MSG_SEND_TYPE_URL,
    signers: (value) => [decodeMsgSend(value).fromAddress],
    validateBasic: (value) => validateMsgSend(decodeMsgSend(value)),
    toAmino: (value) => {
      const msg = decodeMsgSend(value);
      // The amino signature covers the JSON below, not these bytes: only one encoding may carry it.
      requireCanonical("MsgSend", value, MsgSend.encode(msg).finish());
      return {
        type: MSG_SEND_AMINO_TYPE,
        value: {
          from_address: msg.fromAddress,
          to_address: msg.toAddress,
          amount: msg.amount.map((c) => ({ denom: c.denom, amount: c.amount })),
        },
      };
    },
    handler: (ctx, any) => {
      const msg = decodeMsgSend(any.value);
      // validateMsgSend's checks, in its order, keeping what they parse.
      parseAccountAddress(msg.fromAddress, "from_address");
      const to = formatAccountAddress(parseAccountAddress(msg.toAddress, "to_address"));
      const coins = coinsFromProto(msg.amount, "amount", false);
      for (const coin of coins) {
        if (!deps.bank.isSendEnabled(ctx, coin.denom)) {
          throw new ChainError(ErrSendDisabled, `${coin.denom} transfers are currently disabled`);
        }
      }
      if (deps.accounts.moduleNameOf(to) !== undefined) {
        throw new ChainError(ErrUnauthorized, `${to} is not allowed to receive funds`);
      }
      deps.bank.sendCoins(ctx, msg.fromAddress, to, coins);
      return {
        response: { typeUrl: MSG_SEND_RESPONSE_TYPE_URL, value: MsgSendResponse.encode({}).finish() },
      };
    },
  };
}
