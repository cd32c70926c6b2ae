/**
 * Staking queries on the SDK's ABCI paths (`/cosmos.staking.v1beta1.Query/...`, protobuf in and
 * out), so that CosmJS's staking extension and the REST gateway read them as from an SDK node.
 * Pagination: offset and limit (default 100), `count_total`; keys are not used.
 */
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryParamsResponse,
  QueryPoolResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus, Validator, type UnbondingDelegation } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { QueryHandler } from "../../types.js";
import type { BankView } from "../bank/keeper.js";
import {
  formatAccountAddress as formatDelegator,
  moduleAddress,
  parseAccountAddress,
} from "../auth/address.js";
import type { StakingDelegation, StakingValidator, StakingView } from "./hooks.js";
import { tokensFromShares } from "./keeper.js";
import { BONDED_POOL, NOT_BONDED_POOL, unbondingKey, unbondingsOfPrefix } from "./keys.js";
import { parseValoper } from "./msg-validate.js";
import { decodeUnbondingEntries, readParams, valoperOf, type StoreContext } from "./records.js";

const STATUS: Record<StakingValidator["status"], BondStatus> = {
  BOND_STATUS_UNBONDED: BondStatus.BOND_STATUS_UNBONDED,
  BOND_STATUS_UNBONDING: BondStatus.BOND_STATUS_UNBONDING,
  BOND_STATUS_BONDED: BondStatus.BOND_STATUS_BONDED,
};

const timestamp = (nanos: bigint) => ({
  seconds: nanos / 1_000_000_000n,
  nanos: Number(nanos % 1_000_000_000n),
});

/** A validator in `cosmos.staking.v1beta1.Validator` form. */
export function validatorToProto(v: StakingValidator): Validator {
  return Validator.fromPartial({
    operatorAddress: v.operatorAddress,
    consensusPubkey: {
      typeUrl: "/cosmos.crypto.ed25519.PubKey",
      value: Ed25519PubKey.encode({ key: v.consensusPubKey }).finish(),
    },
    jailed: v.jailed,
    status: STATUS[v.status],
    tokens: v.tokens.toString(),
    delegatorShares: v.delegatorShares.toString(),
    description: { ...v.description },
    unbondingHeight: v.unbondingHeight,
    unbondingTime: timestamp(v.unbondingTimeNanos),
    commission: {
      commissionRates: {
        rate: v.commission.rate.toString(),
        maxRate: v.commission.maxRate.toString(),
        maxChangeRate: v.commission.maxChangeRate.toString(),
      },
      updateTime: timestamp(v.commission.updateTimeNanos),
    },
    minSelfDelegation: v.minSelfDelegation.toString(),
  });
}

function page<T>(
  list: readonly T[],
  req: PageRequest | undefined,
): { items: T[]; pagination: { nextKey: Uint8Array; total: bigint } } {
  const offset = Number(req?.offset ?? 0n);
  const limit = Number(req?.limit || 100n);
  const items = list.slice(offset, offset + limit);
  return {
    items,
    pagination: { nextKey: new Uint8Array(0), total: req?.countTotal ? BigInt(list.length) : 0n },
  };
}

const account = (address: string, field: string): Uint8Array => {
  try {
    return parseAccountAddress(address, field);
  } catch (err) {
    throw new ChainError(ErrInvalidRequest, (err as Error).message, err);
  }
};

/**
 * The staking query handlers.
 *
 * @example
 * const queries = createStakingQueries(keeper, bank);
 */
export function createStakingQueries(view: StakingView, bank: BankView): Record<string, QueryHandler> {
  const delegationResponse = (ctx: StoreContext, d: StakingDelegation) => {
    const v = view.validator(ctx, d.validatorAddress);
    return {
      delegation: {
        delegatorAddress: d.delegatorAddress,
        validatorAddress: d.validatorAddress,
        shares: d.shares.toString(),
      },
      balance: { denom: view.bondDenom(ctx), amount: (v ? tokensFromShares(v, d.shares) : 0n).toString() },
    };
  };
  const validatorOrThrow = (ctx: StoreContext, address: string) => {
    parseValoper(address, "validator_addr");
    const v = view.validator(ctx, address);
    if (!v) throw new ChainError(ErrNotFound, `validator ${address} not found`);
    return v;
  };
  const unbondingsOf = (ctx: StoreContext, del: Uint8Array): UnbondingDelegation[] => {
    const prefix = unbondingsOfPrefix(del);
    return [...ctx.store.iterate(prefix)].map(([k, raw]) => ({
      delegatorAddress: formatDelegator(del),
      validatorAddress: valoperOf(k.subarray(prefix.length)),
      entries: decodeUnbondingEntries(raw).map((e) => ({
        creationHeight: e.creationHeight,
        completionTime: timestamp(e.completionTimeNanos),
        initialBalance: e.initialBalance.toString(),
        balance: e.balance.toString(),
        unbondingId: 0n,
        unbondingOnHoldRefCount: 0n,
      })),
    }));
  };
  return {
    "/cosmos.staking.v1beta1.Query/Validators": (ctx, data) => {
      const req = QueryValidatorsRequest.decode(data);
      if (req.status !== "" && !(req.status in BondStatus)) {
        throw new ChainError(ErrInvalidRequest, `invalid validator status ${req.status}`);
      }
      const list = view
        .allValidators(ctx)
        .filter(
          (v) => req.status === "" || req.status === "BOND_STATUS_UNSPECIFIED" || v.status === req.status,
        );
      const { items, pagination } = page(list, req.pagination);
      return QueryValidatorsResponse.encode({ validators: items.map(validatorToProto), pagination }).finish();
    },
    "/cosmos.staking.v1beta1.Query/Validator": (ctx, data) => {
      const req = QueryValidatorRequest.decode(data);
      return QueryValidatorResponse.encode({
        validator: validatorToProto(validatorOrThrow(ctx, req.validatorAddr)),
      }).finish();
    },
    "/cosmos.staking.v1beta1.Query/ValidatorDelegations": (ctx, data) => {
      const req = QueryValidatorDelegationsRequest.decode(data);
      validatorOrThrow(ctx, req.validatorAddr);
      const { items, pagination } = page(view.validatorDelegations(ctx, req.validatorAddr), req.pagination);
      return QueryValidatorDelegationsResponse.encode({
        delegationResponses: items.map((d) => delegationResponse(ctx, d)),
        pagination,
      }).finish();
    },
    "/cosmos.staking.v1beta1.Query/Delegation": (ctx, data) => {
      const req = QueryDelegationRequest.decode(data);
      account(req.delegatorAddr, "delegator_addr");
      parseValoper(req.validatorAddr, "validator_addr");
      const d = view.delegation(ctx, req.delegatorAddr, req.validatorAddr);
      if (!d) {
        throw new ChainError(
          ErrNotFound,
          `delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
        );
      }
      return QueryDelegationResponse.encode({ delegationResponse: delegationResponse(ctx, d) }).finish();
    },
    "/cosmos.staking.v1beta1.Query/DelegatorDelegations": (ctx, data) => {
      const req = QueryDelegatorDelegationsRequest.decode(data);
      account(req.delegatorAddr, "delegator_addr");
      const { items, pagination } = page(view.delegationsOf(ctx, req.delegatorAddr), req.pagination);
      return QueryDelegatorDelegationsResponse.encode({
        delegationResponses: items.map((d) => delegationResponse(ctx, d)),
        pagination,
      }).finish();
    },
    "/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations": (ctx, data) => {
      const req = QueryDelegatorUnbondingDelegationsRequest.decode(data);
      const del = account(req.delegatorAddr, "delegator_addr");
      const { items, pagination } = page(unbondingsOf(ctx, del), req.pagination);
      return QueryDelegatorUnbondingDelegationsResponse.encode({
        unbondingResponses: items,
        pagination,
      }).finish();
    },
    "/cosmos.staking.v1beta1.Query/UnbondingDelegation": (ctx, data) => {
      const req = QueryUnbondingDelegationRequest.decode(data);
      const del = account(req.delegatorAddr, "delegator_addr");
      const val = parseValoper(req.validatorAddr, "validator_addr");
      const raw = ctx.store.get(unbondingKey(del, val));
      if (!raw) {
        throw new ChainError(
          ErrNotFound,
          `unbonding delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
        );
      }
      const found = unbondingsOf(ctx, del).find((u) => u.validatorAddress === req.validatorAddr);
      return QueryUnbondingDelegationResponse.encode({ unbond: found! }).finish();
    },
    "/cosmos.staking.v1beta1.Query/Pool": (ctx) => {
      const denom = readParams(ctx).bondDenom;
      return QueryPoolResponse.encode({
        pool: {
          notBondedTokens: bank.getBalance(ctx, moduleAddress(NOT_BONDED_POOL), denom).amount.toString(),
          bondedTokens: bank.getBalance(ctx, moduleAddress(BONDED_POOL), denom).amount.toString(),
        },
      }).finish();
    },
    "/cosmos.staking.v1beta1.Query/Params": (ctx) => {
      const p = readParams(ctx);
      return QueryParamsResponse.encode({
        params: {
          unbondingTime: {
            seconds: p.unbondingTimeNanos / 1_000_000_000n,
            nanos: Number(p.unbondingTimeNanos % 1_000_000_000n),
          },
          maxValidators: p.maxValidators,
          maxEntries: p.maxEntries,
          historicalEntries: p.historicalEntries,
          bondDenom: p.bondDenom,
          minCommissionRate: p.minCommissionRate.toString(),
        },
      }).finish();
    },
  };
}
