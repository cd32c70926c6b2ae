/**
 * Read-only staking view of the validator set, on the Cosmos SDK's staking query paths so that
 * CosmJS and the REST gateway can show it. Every validator is BONDED with tokens = power × 10^6
 * (the SDK's default power reduction); there is no delegation.
 */
import {
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { QueryHandler } from "../../types.js";
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import { BECH32_PREFIX } from "../auth/address.js";
import type { ConsensusValidator, ValidatorsView } from "./keeper.js";

const POWER_REDUCTION = 1_000_000n;
/** 18 decimal places, as the SDK's LegacyDec is encoded on the wire (an integer string). */
const DEC_SCALE = 10n ** 18n;

/** The operator address in `poqvaloper` form (the operator account's bytes, else the consensus address). */
export function validatorOperatorAddress(v: ConsensusValidator): string {
  const bytes = v.operator === "" ? v.address : bech32Decode(v.operator).data;
  return bech32Encode(BECH32_PREFIX.validator, bytes);
}

function toStaking(v: ConsensusValidator): Validator {
  const tokens = v.power * POWER_REDUCTION;
  return Validator.fromPartial({
    operatorAddress: validatorOperatorAddress(v),
    consensusPubkey: {
      typeUrl: "/cosmos.crypto.ed25519.PubKey",
      value: Ed25519PubKey.encode({ key: v.pubKey }).finish(),
    },
    jailed: false,
    status: BondStatus.BOND_STATUS_BONDED,
    tokens: tokens.toString(),
    delegatorShares: (tokens * DEC_SCALE).toString(),
    description: { moniker: v.moniker },
    minSelfDelegation: "1",
  });
}

/**
 * The staking query handlers over a validators view.
 *
 * @example
 * const queries = createStakingQueries(createValidatorsKeeper());
 */
export function createStakingQueries(view: ValidatorsView): Record<string, QueryHandler> {
  return {
    "/cosmos.staking.v1beta1.Query/Validators": (ctx, data) => {
      const req = QueryValidatorsRequest.decode(data);
      if (req.status !== "" && !(req.status in BondStatus)) {
        throw new ChainError(ErrInvalidRequest, `invalid validator status ${req.status}`);
      }
      // Every stored validator is bonded: any other status filter matches none.
      let list = req.status === "" || req.status === "BOND_STATUS_BONDED" ? view.list(ctx) : [];
      const total = BigInt(list.length);
      const offset = Number(req.pagination?.offset ?? 0n);
      const limit = Number(req.pagination?.limit || 100n);
      list = list.slice(offset, offset + limit);
      return QueryValidatorsResponse.encode({
        validators: list.map(toStaking),
        pagination: { nextKey: new Uint8Array(0), total: req.pagination?.countTotal ? total : 0n },
      }).finish();
    },
    "/cosmos.staking.v1beta1.Query/Validator": (ctx, data) => {
      const req = QueryValidatorRequest.decode(data);
      const found = view.list(ctx).find((v) => validatorOperatorAddress(v) === req.validatorAddr);
      if (!found) throw new ChainError(ErrNotFound, `validator ${req.validatorAddr} not found`);
      return QueryValidatorResponse.encode({ validator: toStaking(found) }).finish();
    },
  };
}
