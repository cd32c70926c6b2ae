/**
 * Distribution messages (`cosmos.distribution.v1beta1`, SDK v0.50 type URLs and amino names):
 * MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission, MsgSetWithdrawAddress,
 * MsgFundCommunityPool, and MsgUpdateParams (authority: the gov module account).
 */
import {
  MsgFundCommunityPool,
  MsgFundCommunityPoolResponse,
  MsgSetWithdrawAddress,
  MsgSetWithdrawAddressResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrTxDecode, ErrUnauthorized } from "../../sdk-errors.js";
import type { Context, MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { checkFields, fieldPayloads, WireFormatError, type FieldSchema } from "../../tx/wire.js";
import { formatAccountAddress, moduleAddress, parseAccountAddress } from "../auth/address.js";
import type { AccountView } from "../auth/keeper.js";
import { coinsFromProto, coinsToProto } from "../bank/coins.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { StakingView } from "../staking/hooks.js";
import { formatValoperAddress, parseValoperAddress } from "./address.js";
import { decCoins } from "./dec.js";
import {
  ErrInvalidSigner,
  ErrNoDelegationExists,
  ErrNoValidatorExists,
  ErrSetWithdrawAddrDisabled,
} from "./errors.js";
import { setWithdrawAddressEvent } from "./events.js";
import type { DistributionKeeper } from "./keeper.js";
import { DISTRIBUTION_MODULE } from "./keys.js";
import { formatDec } from "./dec.js";
import { paramsFromProto, paramsProblem } from "./params.js";

const P = "/cosmos.distribution.v1beta1.";
export const DistributionTypeUrl = {
  withdrawDelegatorReward: `${P}MsgWithdrawDelegatorReward`,
  withdrawValidatorCommission: `${P}MsgWithdrawValidatorCommission`,
  setWithdrawAddress: `${P}MsgSetWithdrawAddress`,
  fundCommunityPool: `${P}MsgFundCommunityPool`,
  updateParams: `${P}MsgUpdateParams`,
} as const;

/** The SDK's legacy amino names (CosmJS's distribution amino converters use the same). */
export const DistributionAminoType = {
  withdrawDelegatorReward: "cosmos-sdk/MsgWithdrawDelegationReward",
  withdrawValidatorCommission: "cosmos-sdk/MsgWithdrawValCommission",
  setWithdrawAddress: "cosmos-sdk/MsgModifyWithdrawAddress",
  fundCommunityPool: "cosmos-sdk/MsgFundCommunityPool",
  updateParams: "cosmos-sdk/distribution/MsgUpdateParams",
} as const;

/** The account allowed to send MsgUpdateParams: the gov module's. */
export const DISTRIBUTION_AUTHORITY = moduleAddress("gov");

interface Codec<T> {
  decode(b: Uint8Array): T;
  encode(m: T): { finish(): Uint8Array };
}

function decoder<T>(
  codec: Codec<T>,
  name: string,
  schema: FieldSchema,
  nested?: Record<number, [FieldSchema, string]>,
) {
  return (value: Uint8Array): T => {
    try {
      const fields = checkFields(value, schema, name);
      for (const [field, [inner, innerName]] of Object.entries(nested ?? {}))
        for (const b of fieldPayloads(fields, Number(field))) checkFields(b, inner, `${name}.${innerName}`);
      return codec.decode(value);
    } catch (err) {
      if (err instanceof WireFormatError) throw new ChainError(ErrTxDecode, err.message, err);
      throw new ChainError(ErrTxDecode, `malformed ${name}`, err);
    }
  };
}

const COIN: FieldSchema = { 1: 2, 2: 2 };
const decodeWithdrawReward = decoder(MsgWithdrawDelegatorReward, "MsgWithdrawDelegatorReward", {
  1: 2,
  2: 2,
});
const decodeWithdrawCommission = decoder(MsgWithdrawValidatorCommission, "MsgWithdrawValidatorCommission", {
  1: 2,
});
const decodeSetWithdraw = decoder(MsgSetWithdrawAddress, "MsgSetWithdrawAddress", { 1: 2, 2: 2 });
const decodeFund = decoder(
  MsgFundCommunityPool,
  "MsgFundCommunityPool",
  { 1: 2, 2: 2 },
  { 1: [COIN, "amount"] },
);
const decodeUpdateParams = decoder(
  MsgUpdateParams,
  "MsgUpdateParams",
  { 1: 2, 2: 2 },
  {
    2: [{ 1: 2, 2: 2, 3: 2, 4: 0 }, "params"],
  },
);

const canonical = <T>(codec: Codec<T>, name: string, value: Uint8Array, msg: T): void =>
  requireCanonical(name, value, codec.encode(msg).finish());

const response = (typeUrl: string, value: Uint8Array) => ({
  response: { typeUrl: `${typeUrl}Response`, value },
});

export interface DistributionMsgDeps {
  keeper: DistributionKeeper;
  bank: BankKeeper;
  accounts: AccountView;
  staking: StakingView;
}

/**
 * The message descriptors.
 *
 * @example
 * const msgs = createDistributionMsgs({ keeper, bank, accounts, staking });
 */
export function createDistributionMsgs(deps: DistributionMsgDeps): MsgDescriptor[] {
  const { keeper, staking } = deps;

  const withdrawReward: MsgDescriptor = {
    typeUrl: DistributionTypeUrl.withdrawDelegatorReward,
    signers: (v) => [decodeWithdrawReward(v).delegatorAddress],
    validateBasic(v) {
      const m = decodeWithdrawReward(v);
      parseAccountAddress(m.delegatorAddress, "delegator_address");
      parseValoperAddress(m.validatorAddress, "validator_address");
    },
    toAmino(v) {
      const m = decodeWithdrawReward(v);
      canonical(MsgWithdrawDelegatorReward, "MsgWithdrawDelegatorReward", v, m);
      return {
        type: DistributionAminoType.withdrawDelegatorReward,
        value: { delegator_address: m.delegatorAddress, validator_address: m.validatorAddress },
      };
    },
    handler(ctx, any) {
      const m = decodeWithdrawReward(any.value);
      const delegator = formatAccountAddress(parseAccountAddress(m.delegatorAddress, "delegator_address"));
      const valoper = formatValoperAddress(parseValoperAddress(m.validatorAddress));
      const validator = staking.validator(ctx, valoper);
      if (!validator) throw new ChainError(ErrNoValidatorExists, valoper);
      const del = staking.delegation(ctx, delegator, valoper);
      if (!del) throw new ChainError(ErrNoDelegationExists, `${delegator} -> ${valoper}`);
      const amount = keeper.withdrawDelegationRewards(ctx, validator, delegator, del.shares);
      // The delegation lives on: its accrual starts again from the period just ended.
      keeper.initializeDelegation(ctx, validator, delegator, del.shares);
      return response(
        DistributionTypeUrl.withdrawDelegatorReward,
        MsgWithdrawDelegatorRewardResponse.encode({ amount: coinsToProto(amount) }).finish(),
      );
    },
  };

  const withdrawCommission: MsgDescriptor = {
    typeUrl: DistributionTypeUrl.withdrawValidatorCommission,
    signers: (v) => [formatAccountAddress(parseValoperAddress(decodeWithdrawCommission(v).validatorAddress))],
    validateBasic: (v) => void parseValoperAddress(decodeWithdrawCommission(v).validatorAddress),
    toAmino(v) {
      const m = decodeWithdrawCommission(v);
      canonical(MsgWithdrawValidatorCommission, "MsgWithdrawValidatorCommission", v, m);
      return {
        type: DistributionAminoType.withdrawValidatorCommission,
        value: { validator_address: m.validatorAddress },
      };
    },
    handler(ctx, any) {
      const m = decodeWithdrawCommission(any.value);
      const valoper = formatValoperAddress(parseValoperAddress(m.validatorAddress));
      const amount = keeper.withdrawValidatorCommission(ctx, valoper);
      return response(
        DistributionTypeUrl.withdrawValidatorCommission,
        MsgWithdrawValidatorCommissionResponse.encode({ amount: coinsToProto(amount) }).finish(),
      );
    },
  };

  const setWithdrawAddress: MsgDescriptor = {
    typeUrl: DistributionTypeUrl.setWithdrawAddress,
    signers: (v) => [decodeSetWithdraw(v).delegatorAddress],
    validateBasic(v) {
      const m = decodeSetWithdraw(v);
      parseAccountAddress(m.delegatorAddress, "delegator_address");
      parseAccountAddress(m.withdrawAddress, "withdraw_address");
    },
    toAmino(v) {
      const m = decodeSetWithdraw(v);
      canonical(MsgSetWithdrawAddress, "MsgSetWithdrawAddress", v, m);
      return {
        type: DistributionAminoType.setWithdrawAddress,
        value: { delegator_address: m.delegatorAddress, withdraw_address: m.withdrawAddress },
      };
    },
    handler(ctx, any) {
      const m = decodeSetWithdraw(any.value);
      const del = parseAccountAddress(m.delegatorAddress, "delegator_address");
      const to = parseAccountAddress(m.withdrawAddress, "withdraw_address");
      if (!keeper.store.getParams(ctx).withdrawAddrEnabled) throw new ChainError(ErrSetWithdrawAddrDisabled);
      const toAddress = formatAccountAddress(to);
      if (deps.accounts.moduleNameOf(toAddress) !== undefined)
        throw new ChainError(ErrUnauthorized, `${toAddress} is not allowed to receive external funds`);
      // Setting the address back to the delegator's own is the default: no entry needed.
      if (Buffer.compare(del, to) === 0) keeper.store.deleteWithdrawAddr(ctx, del);
      else keeper.store.setWithdrawAddr(ctx, del, to);
      ctx.emitEvent(setWithdrawAddressEvent(toAddress));
      return response(
        DistributionTypeUrl.setWithdrawAddress,
        MsgSetWithdrawAddressResponse.encode({}).finish(),
      );
    },
  };

  const fundCommunityPool: MsgDescriptor = {
    typeUrl: DistributionTypeUrl.fundCommunityPool,
    signers: (v) => [decodeFund(v).depositor],
    validateBasic(v) {
      const m = decodeFund(v);
      parseAccountAddress(m.depositor, "depositor");
      coinsFromProto(m.amount, "amount", false);
    },
    toAmino(v) {
      const m = decodeFund(v);
      canonical(MsgFundCommunityPool, "MsgFundCommunityPool", v, m);
      return {
        type: DistributionAminoType.fundCommunityPool,
        value: {
          amount: m.amount.map((c) => ({ denom: c.denom, amount: c.amount })),
          depositor: m.depositor,
        },
      };
    },
    handler(ctx, any) {
      const m = decodeFund(any.value);
      const coins = coinsFromProto(m.amount, "amount", false);
      deps.bank.sendCoinsFromAccountToModule(ctx, m.depositor, DISTRIBUTION_MODULE, coins);
      keeper.addToCommunityPool(ctx, decCoins.fromCoins(coins));
      return response(
        DistributionTypeUrl.fundCommunityPool,
        MsgFundCommunityPoolResponse.encode({}).finish(),
      );
    },
  };

  const updateParams: MsgDescriptor = {
    typeUrl: DistributionTypeUrl.updateParams,
    signers: (v) => [decodeUpdateParams(v).authority],
    validateBasic(v) {
      const m = decodeUpdateParams(v);
      parseAccountAddress(m.authority, "authority");
      checkParams(m);
    },
    toAmino(v) {
      const m = decodeUpdateParams(v);
      canonical(MsgUpdateParams, "MsgUpdateParams", v, m);
      const p = checkParams(m);
      return {
        type: DistributionAminoType.updateParams,
        value: {
          authority: m.authority,
          params: {
            community_tax: formatDec(p.communityTax),
            base_proposer_reward: formatDec(p.baseProposerReward),
            bonus_proposer_reward: formatDec(p.bonusProposerReward),
            withdraw_addr_enabled: p.withdrawAddrEnabled,
          },
        },
      };
    },
    handler(ctx: Context, any) {
      const m = decodeUpdateParams(any.value);
      if (m.authority !== DISTRIBUTION_AUTHORITY) {
        throw new ChainError(
          ErrInvalidSigner,
          `invalid authority; expected ${DISTRIBUTION_AUTHORITY}, got ${m.authority}`,
        );
      }
      keeper.store.setParams(ctx, checkParams(m));
      return response(DistributionTypeUrl.updateParams, MsgUpdateParamsResponse.encode({}).finish());
    },
  };

  return [withdrawReward, withdrawCommission, setWithdrawAddress, fundCommunityPool, updateParams];
}

function checkParams(m: MsgUpdateParams) {
  const digits = /^[0-9]*$/;
  const { params } = m;
  if (
    !digits.test(params.communityTax) ||
    !digits.test(params.baseProposerReward) ||
    !digits.test(params.bonusProposerReward)
  ) {
    throw new ChainError(ErrInvalidRequest, "params: decimals must be non-negative");
  }
  const p = paramsFromProto(params);
  const problem = paramsProblem(p);
  if (problem) throw new ChainError(ErrInvalidRequest, `params: ${problem}`);
  return p;
}
