/**
 * Builds the application's genesis `app_state` for a local network: funded accounts, their balances
 * and the total supply, each validator's operator account, and gov's default params.
 */
import { defaultSlashingParams, slashingParamsToJson } from "../app/modules/slashing/params.js";
import { defaultStakingParams, stakingParamsToJson } from "../app/modules/staking/params.js";
import { defaultAuthGenesisJson } from "../app/modules/auth/genesis.js";
import { defaultBankGenesisJson } from "../app/modules/bank/genesis.js";
import { defaultDistributionGenesisJson } from "../app/modules/distribution/genesis.js";
import { defaultGovGenesisJson } from "../app/modules/gov/genesis.js";
import { paramJsonKey } from "../app/modules/poq/keeper.js";
import type { PoqParams } from "../app/modules/poq/params.js";
import { DEFAULT_MODEL_ID, loadManifest, resolveModelDir, roleFile } from "../models/index.js";

export interface GenesisCoin {
  denom: string;
  amount: string;
}

export interface GenesisAccount {
  address: string;
  coins: GenesisCoin[];
}

export interface GenesisOperator {
  /** Base64 ed25519 consensus key, as in CometBFT's genesis `validators[].pub_key.value`. */
  pubKey: string;
  operator: string;
  moniker: string;
}

export interface BuildAppStateOptions {
  accounts: GenesisAccount[];
  operators?: GenesisOperator[];
  /** Extra module sections (e.g. `poq`), merged as they are. */
  modules?: Record<string, unknown>;
}

/**
 * The `app_state` JSON: accounts numbered in the order given, balances with sorted denoms, and the
 * supply as their sum.
 *
 * @example
 * buildAppState({ accounts: [{ address: "poq1...", coins: [{ denom: "upoq", amount: "1000" }] }] });
 */
export function buildAppState(opts: BuildAppStateOptions): Record<string, unknown> {
  const auth = defaultAuthGenesisJson();
  const bank = defaultBankGenesisJson();
  const supply = new Map<string, bigint>();
  const seen = new Set<string>();
  opts.accounts.forEach((acc, i) => {
    if (seen.has(acc.address)) throw new Error(`genesis account ${acc.address} listed twice`);
    seen.add(acc.address);
    auth.accounts.push({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: acc.address,
      pub_key: null,
      account_number: String(i),
      sequence: "0",
    });
    const coins = [...acc.coins].sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
    bank.balances.push({ address: acc.address, coins });
    for (const c of coins) supply.set(c.denom, (supply.get(c.denom) ?? 0n) + BigInt(c.amount));
  });
  bank.supply = [...supply.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount: amount.toString() }));
  return {
    auth,
    bank,
    validators: {
      validators: (opts.operators ?? []).map((o) => ({
        pub_key: o.pubKey,
        operator: o.operator,
        moniker: o.moniker,
      })),
    },
    staking: { params: stakingParamsToJson(defaultStakingParams()) },
    // A 1,000-block window (SDK: 100): at a 300 ms block time a validator that restarts for
    // longer than 15 s would otherwise be jailed; 150 s of downtime is still caught.
    slashing: { params: { ...slashingParamsToJson(defaultSlashingParams()), signed_blocks_window: "1000" } },
    gov: defaultGovGenesisJson(),
    distribution: defaultDistributionGenesisJson(),
    ...opts.modules,
  };
}

/**
 * The `poq` genesis section with the default parameters and the evaluator pin taken from the
 * bundled default model's manifest, so that validators with other files do not score.
 *
 * @example
 * buildAppState({ accounts, modules: { poq: defaultPoqGenesis() } });
 */
export function defaultPoqGenesis(
  params: Partial<Record<keyof PoqParams, unknown>> = {},
): Record<string, unknown> {
  const manifest = loadManifest(resolveModelDir(DEFAULT_MODEL_ID));
  const merged: Record<string, unknown> = {
    evaluatorModelSha256: roleFile(manifest, "model").sha256,
    evaluatorTokenizerSha256: roleFile(manifest, "tokenizer").sha256,
    ...params,
  };
  // Overrides are given by field name; genesis JSON is snake_case with 64-bit values as strings.
  return {
    params: Object.fromEntries(
      Object.entries(merged).map(([k, v]) => [paramJsonKey(k), typeof v === "bigint" ? v.toString() : v]),
    ),
  };
}
