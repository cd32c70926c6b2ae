/**
 * Bank genesis: parameters, balances, supply and denom metadata, in the SDK's JSON layout.
 *
 * ```json
 * "bank": {
 *   "params": { "send_enabled": [], "default_send_enabled": true },
 *   "balances": [{ "address": "poq1...", "coins": [{ "denom": "upoq", "amount": "1000000" }] }],
 *   "supply": [],
 *   "denom_metadata": [{ "base": "upoq", "display": "poq", "denom_units": [...], ... }]
 * }
 * ```
 *
 * `supply` may be left empty (it is computed); when given it must equal the sum of balances.
 * Denoms must be `upoq` or have metadata, so a typo (`upoqq`) is caught rather than minted.
 */
import type { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { GenesisError } from "../../errors.js";
import type { Context } from "../../types.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import type { AccountKeeper } from "../auth/keeper.js";
import { BASE_DENOM, type Coin, coinsToProto, isValidDenom } from "./coins.js";
import type { BankKeeper } from "./keeper.js";
import { BANK_MODULE } from "./keys.js";
import { type BankParams, bankParamsFromJson, bankParamsToJson, defaultBankParams } from "./params.js";

export interface BankGenesis {
  params: BankParams;
  balances: { address: string; coins: Coin[] }[];
  supply: Coin[];
  denomMetadata: Metadata[];
}

const fail = (field: string, reason: string): never => {
  throw new GenesisError(BANK_MODULE, field, reason);
};

/**
 * Metadata of the base denom: 1 POQ = 10^6 upoq (SPEC section 2).
 *
 * @example
 * poqDenomMetadata().display; // "poq"
 */
export function poqDenomMetadata(): Metadata {
  return {
    description: "The native token of PoQ chain",
    denomUnits: [
      { denom: BASE_DENOM, exponent: 0, aliases: ["micropoq"] },
      { denom: "poq", exponent: 6, aliases: [] },
    ],
    base: BASE_DENOM,
    display: "poq",
    name: "PoQ",
    symbol: "POQ",
    uri: "",
    uriHash: "",
  };
}

/**
 * The default section: default params, no balances, the upoq metadata.
 *
 * @example
 * defaultBankGenesisJson().denom_metadata.length; // 1
 */
export function defaultBankGenesisJson() {
  return {
    params: bankParamsToJson(defaultBankParams()),
    balances: [] as { address: string; coins: { denom: string; amount: string }[] }[],
    supply: [] as { denom: string; amount: string }[],
    denom_metadata: [metadataToJson(poqDenomMetadata())],
  };
}

function metadataToJson(m: Metadata) {
  return {
    description: m.description,
    denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: u.aliases })),
    base: m.base,
    display: m.display,
    name: m.name,
    symbol: m.symbol,
    uri: m.uri,
    uri_hash: m.uriHash,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function parseCoins(raw: unknown, field: string, allowZero: boolean): Coin[] {
  if (!Array.isArray(raw)) return fail(field, "must be an array of {denom, amount}");
  const coins: Coin[] = raw.map((c: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(c)) return fail(f, "must be {denom, amount}");
    const { denom, amount } = c;
    if (typeof denom !== "string" || !isValidDenom(denom))
      return fail(`${f}.denom`, `invalid denom ${JSON.stringify(denom)}`);
    if (typeof amount !== "string" || !/^[0-9]+$/.test(amount)) {
      return fail(`${f}.amount`, `must be a non-negative integer string, got ${JSON.stringify(amount)}`);
    }
    const value = BigInt(amount);
    if (value === 0n && !allowZero) fail(`${f}.amount`, "must be positive");
    return { denom, amount: value };
  });
  for (let i = 1; i < coins.length; i++) {
    const prev = coins[i - 1]?.denom ?? "";
    const cur = coins[i]?.denom ?? "";
    if (cur === prev) fail(`${field}[${i}].denom`, `duplicate denom ${cur}`);
    if (cur < prev) fail(`${field}[${i}].denom`, `coins must be sorted by denom (${prev} before ${cur})`);
  }
  return coins;
}

function parseMetadata(raw: unknown, field: string): Metadata {
  if (!isObject(raw)) return fail(field, "must be an object");
  const str = (k: string): string => {
    const v = raw[k] ?? "";
    if (typeof v !== "string") return fail(`${field}.${k}`, "must be a string");
    return v;
  };
  const units = raw["denom_units"];
  if (!Array.isArray(units) || units.length === 0)
    return fail(`${field}.denom_units`, "must be a non-empty array");
  const denomUnits = units.map((u: unknown, i) => {
    if (
      !isObject(u) ||
      typeof u["denom"] !== "string" ||
      typeof u["exponent"] !== "number" ||
      !Number.isInteger(u["exponent"])
    ) {
      return fail(
        `${field}.denom_units[${i}]`,
        "must be {denom: string, exponent: integer, aliases?: string[]}",
      );
    }
    const aliases = u["aliases"] ?? [];
    if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === "string")) {
      return fail(`${field}.denom_units[${i}].aliases`, "must be an array of strings");
    }
    return { denom: u["denom"], exponent: u["exponent"], aliases: aliases as string[] };
  });
  const base = str("base");
  if (!isValidDenom(base)) fail(`${field}.base`, `invalid denom ${JSON.stringify(base)}`);
  if (denomUnits[0]?.denom !== base || denomUnits[0]?.exponent !== 0) {
    fail(`${field}.denom_units[0]`, "must be the base denom with exponent 0");
  }
  const display = str("display");
  if (!denomUnits.some((u) => u.denom === display))
    fail(`${field}.display`, `${display} is not one of the denom units`);
  return {
    description: str("description"),
    denomUnits,
    base,
    display,
    name: str("name"),
    symbol: str("symbol"),
    uri: str("uri"),
    uriHash: str("uri_hash"),
  };
}

/**
 * Parsed sections by the section object they came from. InitChain validates every section before
 * it writes any, so the bank section is parsed twice (`validateGenesis`, then `initGenesis`) from
 * the same object; with 100,000 balances each parse is seconds of work and tens of MB of short-lived
 * objects, most of the genesis process's garbage. A weak map: the entry goes with the section.
 */
const parsedSections = new WeakMap<object, BankGenesis>();

/**
 * Validates and parses the `bank` section (absent means the default). A section object already
 * parsed returns the same (read-only) result again: callers must not change it.
 *
 * @example
 * const genesis = parseBankGenesis({ balances: [{ address: "poq1...", coins: [{ denom: "upoq", amount: "5" }] }] });
 */
export function parseBankGenesis(raw: unknown): BankGenesis {
  const cached = typeof raw === "object" && raw !== null ? parsedSections.get(raw) : undefined;
  if (cached) return cached;
  const parsed = parseBankSection(raw);
  if (typeof raw === "object" && raw !== null) parsedSections.set(raw, parsed);
  return parsed;
}

function parseBankSection(raw: unknown): BankGenesis {
  const section = raw === undefined ? defaultBankGenesisJson() : raw;
  if (!isObject(section)) return fail("", "must be an object");
  const known = new Set(["params", "balances", "supply", "denom_metadata"]);
  for (const k of Object.keys(section)) if (!known.has(k)) fail(k, "unknown field");
  let params: BankParams;
  try {
    params = section["params"] === undefined ? defaultBankParams() : bankParamsFromJson(section["params"]);
  } catch (err) {
    return fail("params", (err as Error).message);
  }
  const metaRaw = section["denom_metadata"] ?? [];
  if (!Array.isArray(metaRaw)) return fail("denom_metadata", "must be an array");
  const denomMetadata = metaRaw.map((m: unknown, i) => parseMetadata(m, `denom_metadata[${i}]`));
  const bases = new Set<string>();
  denomMetadata.forEach((m, i) => {
    if (bases.has(m.base)) fail(`denom_metadata[${i}].base`, `${m.base} has metadata twice`);
    bases.add(m.base);
  });
  const knownDenoms = new Set([BASE_DENOM, ...bases]);

  const balRaw = section["balances"] ?? [];
  if (!Array.isArray(balRaw)) return fail("balances", "must be an array");
  const seen = new Set<string>();
  const totals = new Map<string, bigint>();
  const balances = balRaw.map((b: unknown, i) => {
    const f = `balances[${i}]`;
    if (!isObject(b)) return fail(f, "must be {address, coins}");
    let address: string;
    try {
      const given = String(b["address"] ?? "");
      const canonical = formatAccountAddress(parseAccountAddress(given, "address"));
      // The section's own string when it is already canonical (it nearly always is): one string
      // per account instead of two while a 100,000-account genesis is held in memory.
      address = canonical === given ? given : canonical;
    } catch (err) {
      return fail(`${f}.address`, (err as Error).message);
    }
    if (seen.has(address)) fail(`${f}.address`, `duplicate balance for ${address}`);
    seen.add(address);
    const coins = parseCoins(b["coins"], `${f}.coins`, false);
    for (const c of coins) {
      if (!knownDenoms.has(c.denom))
        fail(`${f}.coins`, `unknown denom ${c.denom} (no denom_metadata for it)`);
      totals.set(c.denom, (totals.get(c.denom) ?? 0n) + c.amount);
    }
    return { address, coins };
  });

  const computed = [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([denom, amount]) => ({ denom, amount }));
  const given = parseCoins(section["supply"] ?? [], "supply", false);
  if (given.length > 0) {
    const same =
      given.length === computed.length &&
      given.every((c, i) => c.denom === computed[i]?.denom && c.amount === computed[i]?.amount);
    if (!same) {
      const show = (cs: Coin[]) => cs.map((c) => `${c.amount}${c.denom}`).join(",");
      fail(
        "supply",
        `does not match the sum of balances: given ${show(given)}, balances sum to ${show(computed)}`,
      );
    }
  }
  return { params, balances, supply: computed, denomMetadata };
}

/**
 * Writes the parsed genesis: params, metadata, balances (creating accounts that auth's genesis
 * did not list, in genesis order) and supply.
 *
 * @example
 * initBankGenesis(ctx, keeper, accounts, parseBankGenesis(raw));
 */
export function initBankGenesis(
  ctx: Context,
  keeper: BankKeeper,
  accounts: AccountKeeper,
  genesis: BankGenesis,
): void {
  keeper.setParams(ctx, genesis.params);
  for (const m of genesis.denomMetadata) keeper.setDenomMetadata(ctx, m);
  for (const b of genesis.balances) {
    accounts.ensureAccount(ctx, b.address);
    for (const coin of b.coins) keeper.setBalance(ctx, b.address, coin);
  }
  for (const coin of genesis.supply) keeper.setSupply(ctx, coin);
}

/**
 * The section as it would be written to a genesis file: balances grouped by account in store order.
 *
 * @example
 * const json = exportBankGenesis(ctx, keeper);
 */
export function exportBankGenesis(ctx: Context, keeper: BankKeeper) {
  const balances: { address: string; coins: { denom: string; amount: string }[] }[] = [];
  for (const { address, coin } of keeper.allBalances(ctx)) {
    const last = balances[balances.length - 1];
    const entry = { denom: coin.denom, amount: coin.amount.toString() };
    if (last?.address === address) last.coins.push(entry);
    else balances.push({ address, coins: [entry] });
  }
  return {
    params: bankParamsToJson(keeper.getParams(ctx)),
    balances,
    supply: coinsToProto(keeper.getAllSupply(ctx)),
    denom_metadata: keeper.allDenomMetadata(ctx).map(metadataToJson),
  };
}
