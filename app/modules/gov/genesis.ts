/**
 * Gov genesis, the SDK v0.50 `GenesisState` JSON: `starting_proposal_id`, `params`, `constitution`,
 * and `proposals`/`deposits`/`votes`, which must be empty (a chain starts with no proposals).
 */
import { GenesisError } from "../../errors.js";
import type { Context } from "../../types.js";
import type { GovKeeper } from "./keeper.js";
import { GOV_MODULE } from "./keys.js";
import { defaultGovParams, govParamsFromJson, govParamsToJson, type GovParams } from "./params.js";

export interface GovGenesis {
  startingProposalId: bigint;
  params: GovParams;
  constitution: string;
}

const FIELDS = ["starting_proposal_id", "deposits", "votes", "proposals", "params", "constitution"];

/** The default section, as `network/` writes it into genesis files. */
export function defaultGovGenesisJson(params: GovParams = defaultGovParams()): Record<string, unknown> {
  return {
    starting_proposal_id: "1",
    deposits: [],
    votes: [],
    proposals: [],
    params: govParamsToJson(params),
    constitution: "",
  };
}

/**
 * Parses and validates `app_state.gov` (undefined: defaults).
 *
 * @example
 * parseGovGenesis({ params: { voting_period: "60s" } });
 */
export function parseGovGenesis(raw: unknown): GovGenesis {
  if (raw === undefined || raw === null)
    return { startingProposalId: 1n, params: defaultGovParams(), constitution: "" };
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new GenesisError(GOV_MODULE, "", "must be an object");
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o).sort()) {
    if (!FIELDS.includes(k)) throw new GenesisError(GOV_MODULE, k, "unknown field");
  }
  // The SDK's deprecated v1beta1-era sections may appear as null.
  for (const k of ["deposits", "votes", "proposals"]) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw new GenesisError(GOV_MODULE, k, "must be an array");
    if (v.length > 0)
      throw new GenesisError(GOV_MODULE, k, "a chain starts with no proposals, deposits or votes");
  }
  const idText = o["starting_proposal_id"] ?? "1";
  if (typeof idText !== "string" || !/^[1-9][0-9]{0,19}$/.test(idText))
    throw new GenesisError(GOV_MODULE, "starting_proposal_id", "must be a positive integer string");
  const constitution = o["constitution"] ?? "";
  if (typeof constitution !== "string")
    throw new GenesisError(GOV_MODULE, "constitution", "must be a string");
  let params: GovParams;
  try {
    const p = o["params"] ?? {};
    if (typeof p !== "object" || p === null || Array.isArray(p)) throw new Error("must be an object");
    params = govParamsFromJson(p as Record<string, unknown>);
  } catch (err) {
    throw new GenesisError(GOV_MODULE, "params", (err as Error).message, err);
  }
  return { startingProposalId: BigInt(idText), params, constitution };
}

export function initGovGenesis(ctx: Pick<Context, "store">, keeper: GovKeeper, g: GovGenesis): void {
  keeper.setParams(ctx, g.params);
  keeper.setNextProposalId(ctx, g.startingProposalId);
  if (g.constitution !== "") keeper.setConstitution(ctx, g.constitution);
}

/** Params, next id and constitution (open proposals are not exported). */
export function exportGovGenesis(ctx: Pick<Context, "store">, keeper: GovKeeper): Record<string, unknown> {
  return {
    ...defaultGovGenesisJson(keeper.getParams(ctx)),
    starting_proposal_id: keeper.nextProposalId(ctx).toString(),
    constitution: keeper.getConstitution(ctx),
  };
}
