/**
 * Staking messages (`cosmos.staking.v1beta1`, SDK v0.50 type URLs and amino names): create and
 * edit a validator, delegate, undelegate, redelegate. Each descriptor decodes strictly, checks
 * statelessly, names its signer, gives its amino JSON as CosmJS builds it, and runs the keeper rules.
 */
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  MsgBeginRedelegate,
  MsgBeginRedelegateResponse,
  MsgCancelUnbondingDelegation,
  MsgCancelUnbondingDelegationResponse,
  MsgCreateValidator,
  MsgCreateValidatorResponse,
  MsgDelegate,
  MsgDelegateResponse,
  MsgEditValidator,
  MsgEditValidatorResponse,
  MsgUndelegate,
  MsgUndelegateResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { Description } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { ChainError } from "../../errors.js";
import { ErrInvalidAddress, ErrInvalidRequest } from "../../sdk-errors.js";
import type { Context, MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { formatAccountAddress } from "../auth/address.js";
import { govParamsMsg } from "../gov/params-msg.js";
import type { ValidatorsView } from "../validators/keeper.js";
import { consensusAddress } from "../validators/keeper.js";
import { decFromProto, decToJson } from "./dec.js";
import { stakingUpdateParamsAmino } from "./params-amino.js";
import {
  ErrCommissionGTMaxChangeRate,
  ErrCommissionGTMaxRate,
  ErrCommissionLTMinRate,
  ErrCommissionNegative,
  ErrCommissionUpdateTime,
  ErrEmptyValidatorPubKey,
  ErrMinSelfDelegationDecreased,
  ErrNoDelegation,
  ErrNoValidatorFound,
  ErrSelfDelegationBelowMinimum,
  ErrValidatorOwnerExists,
  ErrValidatorPubKeyExists,
  ErrValidatorPubKeyTypeNotSupported,
} from "./errors.js";
import {
  createValidatorEvent,
  delegateEvent,
  editValidatorEvent,
  redelegateEvent,
  unbondEvent,
} from "./events.js";
import type { StakingParams, StakingValidator } from "./hooks.js";
import { stakingParamsError } from "./params.js";
import {
  beginRedelegation,
  cancelUnbonding,
  delegate,
  saveValidator,
  sharesFromTokens,
  undelegate,
  type StakingCore,
} from "./keeper.js";
import {
  checkDescription,
  DO_NOT_MODIFY,
  isEmptyDescription,
  parseAccountAddress,
  parseBondCoin,
  parseCommission,
  parseDecField,
  parseValoper,
  strictDecode,
} from "./msg-validate.js";
import { readDelegation, readParams, readValidator, readValidatorByCons, writeParams } from "./records.js";

export const STAKING_TYPE_URLS = {
  createValidator: "/cosmos.staking.v1beta1.MsgCreateValidator",
  editValidator: "/cosmos.staking.v1beta1.MsgEditValidator",
  delegate: "/cosmos.staking.v1beta1.MsgDelegate",
  undelegate: "/cosmos.staking.v1beta1.MsgUndelegate",
  beginRedelegate: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
  updateParams: "/cosmos.staking.v1beta1.MsgUpdateParams",
  cancelUnbondingDelegation: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
} as const;

const ED25519_PUBKEY_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";
const DAY_NANOS = 24n * 3600n * 1_000_000_000n;

const S = { 1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2 } as const;
const decodeCreate = (v: Uint8Array) =>
  strictDecode(v, S, "MsgCreateValidator", (b) => MsgCreateValidator.decode(b));
const decodeEdit = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2, 3: 2, 4: 2 }, "MsgEditValidator", (b) => MsgEditValidator.decode(b));
const decodeDelegate = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2, 3: 2 }, "MsgDelegate", (b) => MsgDelegate.decode(b));
const decodeUndelegate = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2, 3: 2 }, "MsgUndelegate", (b) => MsgUndelegate.decode(b));
const decodeRedelegate = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2, 3: 2, 4: 2 }, "MsgBeginRedelegate", (b) => MsgBeginRedelegate.decode(b));

const decodeCancel = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2, 3: 2, 4: 0 }, "MsgCancelUnbondingDelegation", (b) =>
    MsgCancelUnbondingDelegation.decode(b),
  );
const decodeUpdateParams = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2 }, "MsgUpdateParams", (b) => MsgUpdateParams.decode(b));

const coinText = (c: { denom: string; amount: bigint }) => `${c.amount}${c.denom}`;
const timestamp = (nanos: bigint) => ({
  seconds: nanos / 1_000_000_000n,
  nanos: Number(nanos % 1_000_000_000n),
});
const aminoDescription = (d: Description) => ({
  moniker: d.moniker,
  identity: d.identity,
  website: d.website,
  security_contact: d.securityContact,
  details: d.details,
});
const response = (typeUrl: string, value: Uint8Array) => ({
  response: { typeUrl: `${typeUrl}Response`, value },
});

function ed25519Key(msg: MsgCreateValidator): Uint8Array {
  if (!msg.pubkey) throw new ChainError(ErrEmptyValidatorPubKey, "pubkey is required");
  if (msg.pubkey.typeUrl !== ED25519_PUBKEY_TYPE_URL) {
    throw new ChainError(
      ErrValidatorPubKeyTypeNotSupported,
      `got: ${msg.pubkey.typeUrl}, expected: [ed25519]`,
    );
  }
  let key: Uint8Array;
  try {
    key = Ed25519PubKey.decode(msg.pubkey.value).key;
  } catch (err) {
    throw new ChainError(ErrInvalidRequest, "pubkey is not an ed25519 PubKey", err);
  }
  if (key.length !== 32)
    throw new ChainError(ErrInvalidRequest, `ed25519 pubkey must be 32 bytes, got ${key.length}`);
  return key;
}

function validateCreate(msg: MsgCreateValidator): void {
  const val = parseValoper(msg.validatorAddress, "validator_address");
  if (msg.delegatorAddress !== "") {
    const del = parseAccountAddress(msg.delegatorAddress, "delegator_address");
    if (Buffer.compare(del, val) !== 0)
      throw new ChainError(ErrInvalidAddress, "delegator_address is not the validator's account");
  }
  ed25519Key(msg);
  const value = parseBondCoin(msg.value, "delegation");
  if (isEmptyDescription(msg.description)) throw new ChainError(ErrInvalidRequest, "empty description");
  checkDescription(msg.description);
  parseCommission(msg.commission);
  if (!/^[0-9]{1,78}$/.test(msg.minSelfDelegation) || BigInt(msg.minSelfDelegation) === 0n) {
    throw new ChainError(ErrInvalidRequest, "minimum self delegation must be a positive integer");
  }
  if (value.amount < BigInt(msg.minSelfDelegation)) throw new ChainError(ErrSelfDelegationBelowMinimum, "");
}

function requireBondDenom(ctx: Context, denom: string): void {
  const want = readParams(ctx).bondDenom;
  if (denom !== want)
    throw new ChainError(ErrInvalidRequest, `invalid coin denomination: got ${denom}, expected ${want}`);
}

/** Who the msg server needs: the token rules and the consensus view (a key CometBFT already runs is taken). */
export interface StakingMsgDeps {
  core: StakingCore;
  view: Pick<ValidatorsView, "get">;
}

function createValidator(deps: StakingMsgDeps): MsgDescriptor {
  return {
    typeUrl: STAKING_TYPE_URLS.createValidator,
    signers: (value) => [
      formatAccountAddress(parseValoper(decodeCreate(value).validatorAddress, "validator_address")),
    ],
    validateBasic: (value) => validateCreate(decodeCreate(value)),
    toAmino: (value) => {
      const msg = decodeCreate(value);
      requireCanonical("MsgCreateValidator", value, MsgCreateValidator.encode(msg).finish());
      return {
        type: "cosmos-sdk/MsgCreateValidator",
        value: {
          description: aminoDescription(msg.description),
          commission: {
            rate: decToJson(parseDecField(msg.commission.rate, "rate")),
            max_rate: decToJson(parseDecField(msg.commission.maxRate, "max_rate")),
            max_change_rate: decToJson(parseDecField(msg.commission.maxChangeRate, "max_change_rate")),
          },
          min_self_delegation: msg.minSelfDelegation,
          delegator_address: msg.delegatorAddress,
          validator_address: msg.validatorAddress,
          pubkey: {
            type: "tendermint/PubKeyEd25519",
            value: Buffer.from(ed25519Key(msg)).toString("base64"),
          },
          value: { denom: msg.value.denom, amount: msg.value.amount },
        },
      };
    },
    handler: (ctx, any) => {
      const msg = decodeCreate(any.value);
      validateCreate(msg);
      const val = parseValoper(msg.validatorAddress, "validator_address");
      const params = readParams(ctx);
      const commission = parseCommission(msg.commission);
      if (commission.rate < params.minCommissionRate) {
        throw new ChainError(
          ErrCommissionLTMinRate,
          `cannot set validator commission to less than minimum rate of ${decToJson(params.minCommissionRate)}`,
        );
      }
      if (readValidator(ctx, val)) throw new ChainError(ErrValidatorOwnerExists, msg.validatorAddress);
      const pubKey = ed25519Key(msg);
      const cons = consensusAddress(pubKey);
      if (readValidatorByCons(ctx, cons) || deps.view.get(ctx, cons))
        throw new ChainError(ErrValidatorPubKeyExists, "");
      const value = parseBondCoin(msg.value, "delegation");
      requireBondDenom(ctx, value.denom);
      const validator: StakingValidator = {
        operatorAddress: msg.validatorAddress,
        operatorAccount: formatAccountAddress(val),
        consensusPubKey: pubKey,
        consensusAddress: cons,
        jailed: false,
        status: "BOND_STATUS_UNBONDED",
        tokens: 0n,
        delegatorShares: 0n,
        description: { ...msg.description },
        unbondingHeight: 0n,
        unbondingTimeNanos: 0n,
        commission: { ...commission, updateTimeNanos: ctx.blockTimeNanos },
        minSelfDelegation: BigInt(msg.minSelfDelegation),
      };
      saveValidator(ctx, validator);
      deps.core.hooks.afterValidatorCreated(ctx, validator.operatorAddress);
      delegate(deps.core, ctx, validator.operatorAccount, value.amount, validator, "account");
      ctx.emitEvent(createValidatorEvent(validator.operatorAddress, coinText(value)));
      return response(STAKING_TYPE_URLS.createValidator, MsgCreateValidatorResponse.encode({}).finish());
    },
  };
}

function validateEdit(msg: MsgEditValidator): void {
  parseValoper(msg.validatorAddress, "validator_address");
  if (isEmptyDescription(msg.description)) throw new ChainError(ErrInvalidRequest, "empty description");
  checkDescription(msg.description);
  if (
    msg.minSelfDelegation !== "" &&
    (!/^[0-9]{1,78}$/.test(msg.minSelfDelegation) || BigInt(msg.minSelfDelegation) === 0n)
  ) {
    throw new ChainError(ErrInvalidRequest, "minimum self delegation must be a positive integer");
  }
  if (msg.commissionRate !== "") {
    const rate = parseDecField(msg.commissionRate, "commission_rate");
    if (rate < 0n || rate > 10n ** 18n)
      throw new ChainError(ErrInvalidRequest, "commission rate must be between 0 and 1 (inclusive)");
  }
}

function editValidator(): MsgDescriptor {
  return {
    typeUrl: STAKING_TYPE_URLS.editValidator,
    signers: (value) => [
      formatAccountAddress(parseValoper(decodeEdit(value).validatorAddress, "validator_address")),
    ],
    validateBasic: (value) => validateEdit(decodeEdit(value)),
    toAmino: (value) => {
      const msg = decodeEdit(value);
      requireCanonical("MsgEditValidator", value, MsgEditValidator.encode(msg).finish());
      return {
        type: "cosmos-sdk/MsgEditValidator",
        value: {
          description: aminoDescription(msg.description),
          commission_rate: msg.commissionRate
            ? decToJson(parseDecField(msg.commissionRate, "commission_rate"))
            : undefined,
          min_self_delegation: msg.minSelfDelegation ? msg.minSelfDelegation : undefined,
          validator_address: msg.validatorAddress,
        },
      };
    },
    handler: (ctx, any) => {
      const msg = decodeEdit(any.value);
      validateEdit(msg);
      const val = parseValoper(msg.validatorAddress, "validator_address");
      const v = readValidator(ctx, val);
      if (!v) throw new ChainError(ErrNoValidatorFound, msg.validatorAddress);
      const keep = (next: string, old: string) => (next === DO_NOT_MODIFY ? old : next);
      const description = {
        moniker: keep(msg.description.moniker, v.description.moniker),
        identity: keep(msg.description.identity, v.description.identity),
        website: keep(msg.description.website, v.description.website),
        securityContact: keep(msg.description.securityContact, v.description.securityContact),
        details: keep(msg.description.details, v.description.details),
      };
      checkDescription(description);
      let commission = v.commission;
      if (msg.commissionRate !== "") {
        const rate = parseDecField(msg.commissionRate, "commission_rate");
        const params = readParams(ctx);
        if (rate < params.minCommissionRate) throw new ChainError(ErrCommissionLTMinRate, "");
        if (ctx.blockTimeNanos - v.commission.updateTimeNanos < DAY_NANOS)
          throw new ChainError(ErrCommissionUpdateTime, "");
        if (rate < 0n) throw new ChainError(ErrCommissionNegative, "");
        if (rate > v.commission.maxRate) throw new ChainError(ErrCommissionGTMaxRate, "");
        const change = rate > v.commission.rate ? rate - v.commission.rate : v.commission.rate - rate;
        if (change > v.commission.maxChangeRate) throw new ChainError(ErrCommissionGTMaxChangeRate, "");
        commission = { ...v.commission, rate, updateTimeNanos: ctx.blockTimeNanos };
      }
      let minSelfDelegation = v.minSelfDelegation;
      if (msg.minSelfDelegation !== "") {
        const next = BigInt(msg.minSelfDelegation);
        if (next <= v.minSelfDelegation) throw new ChainError(ErrMinSelfDelegationDecreased, "");
        if (next > v.tokens) throw new ChainError(ErrSelfDelegationBelowMinimum, "");
        minSelfDelegation = next;
      }
      saveValidator(ctx, { ...v, description, commission, minSelfDelegation });
      ctx.emitEvent(editValidatorEvent(decToJson(commission.rate), minSelfDelegation.toString()));
      return response(STAKING_TYPE_URLS.editValidator, MsgEditValidatorResponse.encode({}).finish());
    },
  };
}

type Transfer = {
  delegatorAddress: string;
  validatorAddress: string;
  amount?: { denom: string; amount: string };
};

function validateTransfer(msg: Transfer, what: string): void {
  parseAccountAddress(msg.delegatorAddress, "delegator_address");
  parseValoper(msg.validatorAddress, "validator_address");
  parseBondCoin(msg.amount, what);
}

const transferAmino = (type: string, msg: Transfer) => ({
  type,
  value: {
    delegator_address: msg.delegatorAddress,
    validator_address: msg.validatorAddress,
    amount: { denom: msg.amount?.denom ?? "", amount: msg.amount?.amount ?? "" },
  },
});

/** Shares to take for `amount` tokens of a delegation (the SDK's `ValidateUnbondAmount`). */
function unbondShares(ctx: Context, delegator: string, valoper: string, amount: bigint): bigint {
  const v = readValidator(ctx, parseValoper(valoper, "validator_address"));
  if (!v) throw new ChainError(ErrNoValidatorFound, valoper);
  const d = readDelegation(
    ctx,
    parseAccountAddress(delegator, "delegator_address"),
    parseValoper(valoper, "validator_address"),
  );
  if (!d) throw new ChainError(ErrNoDelegation, `${delegator} has no delegation to ${valoper}`);
  const shares = sharesFromTokens(v, amount);
  if (shares > d.shares) throw new ChainError(ErrInvalidRequest, "invalid shares amount");
  return shares;
}

function delegateMsg(deps: StakingMsgDeps): MsgDescriptor {
  return {
    typeUrl: STAKING_TYPE_URLS.delegate,
    signers: (value) => [decodeDelegate(value).delegatorAddress],
    validateBasic: (value) => validateTransfer(decodeDelegate(value), "delegation"),
    toAmino: (value) => {
      const msg = decodeDelegate(value);
      requireCanonical("MsgDelegate", value, MsgDelegate.encode(msg).finish());
      return transferAmino("cosmos-sdk/MsgDelegate", msg);
    },
    handler: (ctx, any) => {
      const msg = decodeDelegate(any.value);
      validateTransfer(msg, "delegation");
      const v = readValidator(ctx, parseValoper(msg.validatorAddress, "validator_address"));
      if (!v) throw new ChainError(ErrNoValidatorFound, msg.validatorAddress);
      const coin = parseBondCoin(msg.amount, "delegation");
      requireBondDenom(ctx, coin.denom);
      const shares = delegate(deps.core, ctx, msg.delegatorAddress, coin.amount, v, "account");
      ctx.emitEvent(
        delegateEvent(msg.validatorAddress, msg.delegatorAddress, coinText(coin), decToJson(shares)),
      );
      return response(STAKING_TYPE_URLS.delegate, MsgDelegateResponse.encode({}).finish());
    },
  };
}

function undelegateMsg(deps: StakingMsgDeps): MsgDescriptor {
  return {
    typeUrl: STAKING_TYPE_URLS.undelegate,
    signers: (value) => [decodeUndelegate(value).delegatorAddress],
    validateBasic: (value) => validateTransfer(decodeUndelegate(value), "shares"),
    toAmino: (value) => {
      const msg = decodeUndelegate(value);
      requireCanonical("MsgUndelegate", value, MsgUndelegate.encode(msg).finish());
      return transferAmino("cosmos-sdk/MsgUndelegate", msg);
    },
    handler: (ctx, any) => {
      const msg = decodeUndelegate(any.value);
      validateTransfer(msg, "shares");
      const coin = parseBondCoin(msg.amount, "shares");
      const shares = unbondShares(ctx, msg.delegatorAddress, msg.validatorAddress, coin.amount);
      requireBondDenom(ctx, coin.denom);
      const r = undelegate(deps.core, ctx, msg.delegatorAddress, msg.validatorAddress, shares);
      const paid = { denom: coin.denom, amount: r.amount };
      ctx.emitEvent(
        unbondEvent(msg.validatorAddress, msg.delegatorAddress, coinText(paid), r.completionTimeNanos),
      );
      return response(
        STAKING_TYPE_URLS.undelegate,
        MsgUndelegateResponse.encode({
          completionTime: timestamp(r.completionTimeNanos),
          amount: { denom: coin.denom, amount: r.amount.toString() },
        }).finish(),
      );
    },
  };
}

function validateRedelegate(msg: MsgBeginRedelegate): void {
  parseAccountAddress(msg.delegatorAddress, "delegator_address");
  parseValoper(msg.validatorSrcAddress, "validator_src_address");
  parseValoper(msg.validatorDstAddress, "validator_dst_address");
  parseBondCoin(msg.amount, "shares");
}

function redelegateMsg(deps: StakingMsgDeps): MsgDescriptor {
  return {
    typeUrl: STAKING_TYPE_URLS.beginRedelegate,
    signers: (value) => [decodeRedelegate(value).delegatorAddress],
    validateBasic: (value) => validateRedelegate(decodeRedelegate(value)),
    toAmino: (value) => {
      const msg = decodeRedelegate(value);
      requireCanonical("MsgBeginRedelegate", value, MsgBeginRedelegate.encode(msg).finish());
      return {
        type: "cosmos-sdk/MsgBeginRedelegate",
        value: {
          delegator_address: msg.delegatorAddress,
          validator_src_address: msg.validatorSrcAddress,
          validator_dst_address: msg.validatorDstAddress,
          amount: { denom: msg.amount.denom, amount: msg.amount.amount },
        },
      };
    },
    handler: (ctx, any) => {
      const msg = decodeRedelegate(any.value);
      validateRedelegate(msg);
      const coin = parseBondCoin(msg.amount, "shares");
      const shares = unbondShares(ctx, msg.delegatorAddress, msg.validatorSrcAddress, coin.amount);
      requireBondDenom(ctx, coin.denom);
      const r = beginRedelegation(
        deps.core,
        ctx,
        msg.delegatorAddress,
        msg.validatorSrcAddress,
        msg.validatorDstAddress,
        shares,
      );
      const moved = { denom: coin.denom, amount: r.amount };
      ctx.emitEvent(
        redelegateEvent(
          msg.validatorSrcAddress,
          msg.validatorDstAddress,
          coinText(moved),
          r.completionTimeNanos,
        ),
      );
      return response(
        STAKING_TYPE_URLS.beginRedelegate,
        MsgBeginRedelegateResponse.encode({ completionTime: timestamp(r.completionTimeNanos) }).finish(),
      );
    },
  };
}

function validateCancel(msg: MsgCancelUnbondingDelegation): void {
  validateTransfer(msg, "amount");
  if (msg.creationHeight <= 0n) throw new ChainError(ErrInvalidRequest, "invalid height");
}

/**
 * `MsgCancelUnbondingDelegation` (SDK v0.50): `amount` of the unbonding entry made at `creation_height`
 * goes back into the delegation (refused for a jailed validator, an entry already paid out, or more
 * than its balance).
 */
function cancelUnbondingMsg(deps: StakingMsgDeps): MsgDescriptor {
  return {
    typeUrl: STAKING_TYPE_URLS.cancelUnbondingDelegation,
    signers: (value) => [decodeCancel(value).delegatorAddress],
    validateBasic: (value) => validateCancel(decodeCancel(value)),
    toAmino: (value) => {
      const msg = decodeCancel(value);
      requireCanonical(
        "MsgCancelUnbondingDelegation",
        value,
        MsgCancelUnbondingDelegation.encode(msg).finish(),
      );
      const t = transferAmino("cosmos-sdk/MsgCancelUnbondingDelegation", msg);
      return { type: t.type, value: { ...t.value, creation_height: msg.creationHeight.toString() } };
    },
    handler: (ctx, any) => {
      const msg = decodeCancel(any.value);
      validateCancel(msg);
      const coin = parseBondCoin(msg.amount, "amount");
      requireBondDenom(ctx, coin.denom);
      cancelUnbonding(
        deps.core,
        ctx,
        msg.delegatorAddress,
        msg.validatorAddress,
        coin.amount,
        msg.creationHeight,
      );
      ctx.emitEvent({
        type: "cancel_unbonding_delegation",
        attributes: [
          { key: "amount", value: coinText(coin), index: true },
          { key: "validator", value: msg.validatorAddress, index: true },
          { key: "delegator", value: msg.delegatorAddress, index: true },
          { key: "creation_height", value: msg.creationHeight.toString(), index: true },
        ],
      });
      return response(
        STAKING_TYPE_URLS.cancelUnbondingDelegation,
        MsgCancelUnbondingDelegationResponse.encode({}).finish(),
      );
    },
  };
}

/** The params of a MsgUpdateParams, checked as the SDK's `Params.Validate` (ErrInvalidRequest otherwise). */
function paramsOfUpdate(m: MsgUpdateParams): StakingParams {
  const p = m.params;
  if (!p) throw new ChainError(ErrInvalidRequest, "params are required");
  const seconds = p.unbondingTime?.seconds ?? 0n;
  const nanos = BigInt(p.unbondingTime?.nanos ?? 0);
  const minCommissionRate = decFromProto(p.minCommissionRate === "" ? "0" : p.minCommissionRate);
  if (minCommissionRate === undefined)
    throw new ChainError(
      ErrInvalidRequest,
      `min_commission_rate ${JSON.stringify(p.minCommissionRate)} is not a decimal`,
    );
  const params: StakingParams = {
    unbondingTimeNanos: seconds * 1_000_000_000n + nanos,
    maxValidators: p.maxValidators,
    maxEntries: p.maxEntries,
    historicalEntries: p.historicalEntries,
    bondDenom: p.bondDenom,
    minCommissionRate,
  };
  const problem =
    nanos < 0n || nanos >= 1_000_000_000n ? "unbonding_time nanos out of range" : stakingParamsError(params);
  if (problem) throw new ChainError(ErrInvalidRequest, problem);
  return params;
}

/**
 * `MsgUpdateParams` (the SDK's x/staking one): replaces every staking param; only the gov module
 * account may send it, so it runs as a passed proposal's message. Amino name
 * `cosmos-sdk/x/staking/MsgUpdateParams` (inside a MsgSubmitProposal an amino-only signer signs).
 */
function updateParamsMsg(): MsgDescriptor {
  return govParamsMsg({
    typeUrl: STAKING_TYPE_URLS.updateParams,
    decode: decodeUpdateParams,
    encode: (m) => MsgUpdateParams.encode(m).finish(),
    params: paramsOfUpdate,
    write: writeParams,
    toAmino: stakingUpdateParamsAmino,
    response: MsgUpdateParamsResponse.encode({}).finish(),
  });
}

/**
 * The staking message descriptors.
 *
 * @example
 * const msgs = createStakingMsgs({ core, view: validators.keeper });
 */
export function createStakingMsgs(deps: StakingMsgDeps): MsgDescriptor[] {
  return [
    createValidator(deps),
    editValidator(),
    delegateMsg(deps),
    undelegateMsg(deps),
    redelegateMsg(deps),
    updateParamsMsg(),
    cancelUnbondingMsg(deps),
  ];
}
