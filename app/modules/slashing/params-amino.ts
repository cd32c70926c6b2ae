/**
 * The amino JSON of x/slashing's MsgUpdateParams (a small file of its own: the client imports it to
 * sign what the app checks).
 */
import type { MsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest } from "../../sdk-errors.js";
import { decFromProto, decToJson } from "../staking/dec.js";

/** The amino name the SDK registers for x/slashing's MsgUpdateParams. */
export const SLASHING_UPDATE_PARAMS_AMINO_TYPE = "cosmos-sdk/x/slashing/MsgUpdateParams";

/**
 * The amino JSON of a slashing MsgUpdateParams as the SDK's amino JSON encoder writes it (x/tx
 * aminojson, SDK v0.50): `params` not wrapped; `signed_blocks_window` (int64) as a string, left out
 * when 0; `downtime_jail_duration` (never omitted) as its nanoseconds in a string; the three
 * fractions (bytes holding a LegacyDec's atomics, `cosmos_dec_bytes`) as decimals with 18 places,
 * "0" when empty.
 */
export function slashingUpdateParamsAmino(m: MsgUpdateParams): { type: string; value: unknown } {
  const p = m.params;
  if (!p) throw new ChainError(ErrInvalidRequest, "params are required");
  const dec = (b: Uint8Array, name: string): string => {
    if (b.length === 0) return "0";
    const d = decFromProto(new TextDecoder().decode(b));
    if (d === undefined) throw new ChainError(ErrInvalidRequest, `${name} is not a decimal`);
    return decToJson(d);
  };
  const jail = p.downtimeJailDuration;
  return {
    type: SLASHING_UPDATE_PARAMS_AMINO_TYPE,
    value: {
      authority: m.authority,
      params: {
        ...(p.signedBlocksWindow !== 0n ? { signed_blocks_window: p.signedBlocksWindow.toString() } : {}),
        min_signed_per_window: dec(p.minSignedPerWindow, "min_signed_per_window"),
        downtime_jail_duration: (
          (jail?.seconds ?? 0n) * 1_000_000_000n +
          BigInt(jail?.nanos ?? 0)
        ).toString(),
        slash_fraction_double_sign: dec(p.slashFractionDoubleSign, "slash_fraction_double_sign"),
        slash_fraction_downtime: dec(p.slashFractionDowntime, "slash_fraction_downtime"),
      },
    },
  };
}
