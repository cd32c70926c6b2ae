/**
 * Distribution queries on the SDK's gRPC paths (`/cosmos.distribution.v1beta1.Query/...`), protobuf
 * in and out, as CosmJS's distribution extension and the REST gateway call them. Pending rewards are
 * computed on a read of the committed state: the current period's rewards are folded in without
 * being written (the SDK runs the same steps on a throw-away cache).
 */
import {
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { Context, QueryHandler } from "../../types.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import type { StakingView } from "../staking/hooks.js";
import { formatValoperAddress, parseValoperAddress } from "./address.js";
import { type DecCoin, decCoins } from "./dec.js";
import type { DistributionKeeper } from "./keeper.js";
import { paramsToProto } from "./params.js";

const Q = "/cosmos.distribution.v1beta1.Query/";

function decode<T>(codec: { decode(data: Uint8Array): T }, data: Uint8Array, name: string): T {
  try {
    return codec.decode(data);
  } catch (err) {
    throw new ChainError(ErrInvalidRequest, `malformed ${name}`, err);
  }
}

/** Queries run with the block height of the last commit; pending rewards need it (accrual start). */
type QueryCtx = Parameters<QueryHandler>[0];
const asCtx = (ctx: QueryCtx): Context => ctx;

/**
 * The query handlers, keyed by path.
 *
 * @example
 * const queries = createDistributionQueries(keeper, staking);
 */
export function createDistributionQueries(
  keeper: DistributionKeeper,
  staking: StakingView,
): Record<string, QueryHandler> {
  const S = keeper.store;
  const valoperOf = (address: string): string => {
    if (address === "") throw new ChainError(ErrInvalidRequest, "empty validator address");
    return formatValoperAddress(parseValoperAddress(address));
  };
  const delegatorOf = (address: string): string => {
    if (address === "") throw new ChainError(ErrInvalidRequest, "empty delegator address");
    return formatAccountAddress(parseAccountAddress(address, "delegator_address"));
  };
  const pending = (ctx: QueryCtx, delegator: string, valoper: string): DecCoin[] => {
    const validator = staking.validator(ctx, valoper);
    if (!validator) throw new ChainError(ErrNotFound, `validator ${valoper} not found`);
    const del = staking.delegation(ctx, delegator, valoper);
    if (!del)
      throw new ChainError(
        ErrNotFound,
        `delegation with delegator ${delegator} not found for validator ${valoper}`,
      );
    return keeper.pendingDelegationRewards(asCtx(ctx), validator, delegator, del.shares);
  };

  return {
    [`${Q}Params`]: (ctx) => QueryParamsResponse.encode({ params: paramsToProto(S.getParams(ctx)) }).finish(),

    [`${Q}ValidatorOutstandingRewards`](ctx, data) {
      const req = decode(
        QueryValidatorOutstandingRewardsRequest,
        data,
        "QueryValidatorOutstandingRewardsRequest",
      );
      const valoper = valoperOf(req.validatorAddress);
      if (!staking.validator(ctx, valoper))
        throw new ChainError(ErrNotFound, `validator ${valoper} not found`);
      const rewards = S.getOutstanding(ctx, parseValoperAddress(valoper)) ?? [];
      return QueryValidatorOutstandingRewardsResponse.encode({
        rewards: { rewards: decCoins.toProto(rewards) },
      }).finish();
    },

    [`${Q}ValidatorCommission`](ctx, data) {
      const req = decode(QueryValidatorCommissionRequest, data, "QueryValidatorCommissionRequest");
      const valoper = valoperOf(req.validatorAddress);
      if (!staking.validator(ctx, valoper))
        throw new ChainError(ErrNotFound, `validator ${valoper} not found`);
      return QueryValidatorCommissionResponse.encode({
        commission: { commission: decCoins.toProto(S.getCommission(ctx, parseValoperAddress(valoper))) },
      }).finish();
    },

    [`${Q}ValidatorDistributionInfo`](ctx, data) {
      const req = decode(
        QueryValidatorDistributionInfoRequest,
        data,
        "QueryValidatorDistributionInfoRequest",
      );
      const valoper = valoperOf(req.validatorAddress);
      const validator = staking.validator(ctx, valoper);
      if (!validator) throw new ChainError(ErrNotFound, `validator ${valoper} not found`);
      const operator = formatAccountAddress(parseValoperAddress(valoper));
      const self = staking.delegation(ctx, operator, valoper);
      const selfBond = self
        ? keeper.pendingDelegationRewards(asCtx(ctx), validator, operator, self.shares)
        : [];
      return QueryValidatorDistributionInfoResponse.encode({
        operatorAddress: operator,
        selfBondRewards: decCoins.toProto(selfBond),
        commission: decCoins.toProto(S.getCommission(ctx, parseValoperAddress(valoper))),
      }).finish();
    },

    [`${Q}DelegationRewards`](ctx, data) {
      const req = decode(QueryDelegationRewardsRequest, data, "QueryDelegationRewardsRequest");
      const rewards = pending(ctx, delegatorOf(req.delegatorAddress), valoperOf(req.validatorAddress));
      return QueryDelegationRewardsResponse.encode({ rewards: decCoins.toProto(rewards) }).finish();
    },

    [`${Q}DelegationTotalRewards`](ctx, data) {
      const req = decode(QueryDelegationTotalRewardsRequest, data, "QueryDelegationTotalRewardsRequest");
      const delegator = delegatorOf(req.delegatorAddress);
      let total: DecCoin[] = [];
      const rewards = staking.delegationsOf(ctx, delegator).map((d) => {
        const reward = pending(ctx, delegator, d.validatorAddress);
        total = decCoins.add(total, reward);
        return { validatorAddress: d.validatorAddress, reward: decCoins.toProto(reward) };
      });
      return QueryDelegationTotalRewardsResponse.encode({ rewards, total: decCoins.toProto(total) }).finish();
    },

    [`${Q}DelegatorValidators`](ctx, data) {
      const req = decode(QueryDelegatorValidatorsRequest, data, "QueryDelegatorValidatorsRequest");
      const delegator = delegatorOf(req.delegatorAddress);
      return QueryDelegatorValidatorsResponse.encode({
        validators: staking.delegationsOf(ctx, delegator).map((d) => d.validatorAddress),
      }).finish();
    },

    [`${Q}DelegatorWithdrawAddress`](ctx, data) {
      const req = decode(QueryDelegatorWithdrawAddressRequest, data, "QueryDelegatorWithdrawAddressRequest");
      const delegator = delegatorOf(req.delegatorAddress);
      return QueryDelegatorWithdrawAddressResponse.encode({
        withdrawAddress: keeper.withdrawAddressOf(asCtx(ctx), delegator),
      }).finish();
    },

    [`${Q}CommunityPool`]: (ctx) =>
      QueryCommunityPoolResponse.encode({ pool: decCoins.toProto(S.getCommunityPool(ctx)) }).finish(),
  };
}
