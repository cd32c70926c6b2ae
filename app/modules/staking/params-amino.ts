/**
 * The amino JSON of x/staking's MsgUpdateParams (a small file of its own: the client imports it to
 * sign what the app checks).
 */
import type { MsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest } from "../../sdk-errors.js";
import { decFromProto, decToJson } from "./dec.js";

/** The amino name the SDK registers for x/staking's MsgUpdateParams. */
export const STAKING_UPDATE_PARAMS_AMINO_TYPE = "cosmos-sdk/x/staking/MsgUpdateParams";

/**
 * The amino JSON of a staking MsgUpdateParams as the SDK's amino JSON encoder writes it (x/tx
 * aminojson, SDK v0.50): `params` not wrapped; `unbonding_time` (a Duration, never omitted) as its
 * nanoseconds in a string; the uint32 counts as numbers and `bond_denom`, left out when zero or
 * empty; `min_commission_rate` (never omitted) as a decimal with 18 places ("0" when empty).
 */
export function stakingUpdateParamsAmino(m: MsgUpdateParams): { type: string; value: unknown } {
  const p = m.params;
  if (!p) throw new ChainError(ErrInvalidRequest, "params are required");
  const rate = p.minCommissionRate === "" ? undefined : decFromProto(p.minCommissionRate);
  if (p.minCommissionRate !== "" && rate === undefined)
    throw new ChainError(ErrInvalidRequest, "min_commission_rate is not a decimal");
  const nanos = (p.unbondingTime?.seconds ?? 0n) * 1_000_000_000n + BigInt(p.unbondingTime?.nanos ?? 0);
  return {
    type: STAKING_UPDATE_PARAMS_AMINO_TYPE,
    value: {
      authority: m.authority,
      params: {
        unbonding_time: nanos.toString(),
        ...(p.maxValidators !== 0 ? { max_validators: p.maxValidators } : {}),
        ...(p.maxEntries !== 0 ? { max_entries: p.maxEntries } : {}),
        ...(p.historicalEntries !== 0 ? { historical_entries: p.historicalEntries } : {}),
        ...(p.bondDenom !== "" ? { bond_denom: p.bondDenom } : {}),
        min_commission_rate: rate === undefined ? "0" : decToJson(rate),
      },
    },
  };
}
