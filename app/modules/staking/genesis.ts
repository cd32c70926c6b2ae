/**
 * Genesis of the staking module.
 *
 * ```json
 * "staking": { "params": { "unbonding_time": "1814400s", "max_validators": 100, "bond_denom": "upoq" } }
 * ```
 *
 * The genesis validators are CometBFT's (InitChain) that the `validators` section gives an operator:
 * each becomes a BONDED validator whose operator self-delegates `power × 10^6` tokens, minted into
 * the bonded pool at InitChain (the supply grows by them), so that staking and CometBFT agree on
 * the set from block 1. Validators without an operator stay in CometBFT's set unmanaged.
 */
import { GenesisError } from "../../errors.js";
import type { Context, GenesisChainInfo } from "../../types.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { ValidatorsView } from "../validators/keeper.js";
import { DEC_SCALE, POWER_REDUCTION, type StakingParams, type StakingValidator } from "./hooks.js";
import type { StakingCore } from "./keeper.js";
import { BONDED_POOL, lastPowerKey, setDirtyKey, STAKING_MODULE, u64 } from "./keys.js";
import { parseStakingParamsJson } from "./params.js";
import {
  exportStakingGenesis,
  initExportedStaking,
  parseExportedStaking,
  STATE_FIELDS,
  type ExportedStaking,
} from "./export.js";
import { readValidator, valoperOf, writeDelegation, writeParams, writeValidator } from "./records.js";

const fail = (field: string, reason: string): never => {
  throw new GenesisError(STAKING_MODULE, field, reason);
};

/** Staking's parsed section: params, and for an export (`exported: true`) the whole state. */
export interface StakingGenesis {
  params: StakingParams;
  exported?: ExportedStaking;
}

/**
 * Validates and parses the `staking` section (absent means default params). A new chain's section
 * holds params only; an exported one (`exported: true`) the SDK's whole `GenesisState` (see
 * `./export.ts`).
 *
 * @example
 * parseStakingGenesis({ params: { unbonding_time: "60s" } });
 */
export function parseStakingGenesis(raw: unknown): StakingGenesis {
  if (raw === undefined) return { params: parseStakingParamsJson(undefined) };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail("", "must be an object");
  const o = raw as Record<string, unknown>;
  const params = parseStakingParamsJson(o.params);
  if (o.exported === true) return { params, exported: parseExportedStaking(o, params) };
  for (const k of Object.keys(o)) {
    if (k === "params" || k === "exported") continue;
    if (!STATE_FIELDS.includes(k)) fail(k, "unknown field");
    const v = o[k];
    if (v !== undefined && v !== null && v !== "0" && !(Array.isArray(v) && v.length === 0))
      fail(
        k,
        'a new chain starts without staking state: only an export ("exported": true) carries validators, delegations or entries',
      );
  }
  return { params };
}

/** Commission of the genesis validators (the SDK's gentx defaults). */
const GENESIS_COMMISSION = {
  rate: DEC_SCALE / 10n,
  maxRate: DEC_SCALE / 5n,
  maxChangeRate: DEC_SCALE / 100n,
};

/**
 * Writes params and bonds the genesis validators (see the file comment).
 *
 * @example
 * initStakingGenesis(core, bank, validators, ctx, appState.staking, chain);
 */
export function initStakingGenesis(
  core: StakingCore,
  bank: BankKeeper,
  view: ValidatorsView,
  ctx: Context,
  raw: unknown,
  chain: GenesisChainInfo,
): void {
  const { params, exported } = parseStakingGenesis(raw);
  if (exported) return initExportedStaking(bank, view, ctx, params, exported, chain);
  writeParams(ctx, params);
  let minted = 0n;
  for (const cv of view.list(ctx)) {
    if (cv.operator === "") continue;
    const val = parseAccountAddress(cv.operator);
    const valoper = valoperOf(val);
    if (readValidator(ctx, val)) fail("", `operator ${cv.operator} runs two genesis validators`);
    const tokens = cv.power * POWER_REDUCTION;
    const v: StakingValidator = {
      operatorAddress: valoper,
      operatorAccount: cv.operator,
      consensusPubKey: cv.pubKey,
      consensusAddress: cv.address,
      jailed: false,
      status: "BOND_STATUS_BONDED",
      tokens,
      delegatorShares: tokens * DEC_SCALE,
      description: { moniker: cv.moniker, identity: "", website: "", securityContact: "", details: "" },
      unbondingHeight: 0n,
      unbondingTimeNanos: 0n,
      commission: { ...GENESIS_COMMISSION, updateTimeNanos: ctx.blockTimeNanos },
      minSelfDelegation: 1n,
    };
    writeValidator(ctx, v);
    ctx.store.set(lastPowerKey(val), u64(cv.power));
    core.hooks.afterValidatorCreated(ctx, valoper);
    core.hooks.beforeDelegationCreated(ctx, cv.operator, valoper);
    writeDelegation(ctx, val, val, tokens * DEC_SCALE);
    core.hooks.afterDelegationModified(ctx, cv.operator, valoper);
    minted += tokens;
  }
  void chain;
  // Block 1's EndBlock checks the genesis set against max_validators (changes nothing when it fits).
  ctx.store.set(setDirtyKey(), Uint8Array.of(1));
  if (minted > 0n) {
    const denom = params.bondDenom;
    const pool = moduleAddress(BONDED_POOL);
    bank.setBalance(ctx, pool, { denom, amount: bank.getBalance(ctx, pool, denom).amount + minted });
    bank.setSupply(ctx, { denom, amount: bank.getSupply(ctx, denom).amount + minted });
  }
}

export { exportStakingGenesis };
