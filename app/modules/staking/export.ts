/**
 * Staking's exported genesis (`exported: true`): the SDK v0.50 `GenesisState` JSON (`params`,
 * `last_total_power`, `last_validator_powers`, `validators`, `delegations`, `unbonding_delegations`,
 * `redelegations`, `exported`) plus `pending_validator_updates`, the power changes already sent to
 * CometBFT that the consensus view has not taken yet (README, "Validator set timing"). Importing writes
 * every record back as it was, with the indexes and queues rebuilt from the records (each is a function
 * of them), so staking's part of the app hash is the same; no hook runs (distribution imports its own
 * records). Checked on import (review L3): the pools hold exactly what the state owes (bonded pool =
 * tokens of BONDED validators; not-bonded pool = tokens of the others plus every unbonding entry's
 * balance), shares add up per validator, `last_validator_powers` are exactly the BONDED validators with
 * their powers, and CometBFT's genesis validators are that set.
 */
import type { Context, GenesisChainInfo } from "../../types.js";
import { GenesisReader, hexOf, type JsonObject } from "../../genesis-json.js";
import { BECH32_PREFIX, formatAccountAddress, moduleAddress } from "../auth/address.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { ValidatorsView } from "../validators/keeper.js";
import { consensusAddress } from "../validators/keeper.js";
import { decToJson } from "./dec.js";
import { rfc3339 } from "./events.js";
import {
  DEC_SCALE,
  POWER_REDUCTION,
  type BondStatusName,
  type StakingParams,
  type StakingValidator,
} from "./hooks.js";
import {
  BONDED_POOL,
  KeyTag,
  lastPowerKey,
  NOT_BONDED_POOL,
  pendingUpdatesKey,
  prefixOf,
  readU64,
  redelegationByDstKey,
  redelegationBySrcKey,
  redelegationKey,
  redelegationQueueKey,
  STAKING_MODULE,
  u64,
  unbondingByValidatorKey,
  unbondingKey,
  unbondingQueueKey,
  validatorQueueKey,
} from "./keys.js";
import { stakingParamsToJson } from "./params.js";
import {
  decodeRedelegationEntries,
  decodeUnbondingEntries,
  encodeRedelegationEntries,
  encodeUnbondingEntries,
  readAllValidators,
  readParams,
  valoperBytes,
  valoperOf,
  writeDelegation,
  writeParams,
  writeValidator,
  type RedelegationEntry,
  type UnbondingEntry,
} from "./records.js";

const r = new GenesisReader(STAKING_MODULE);
const ED25519_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";
const STATUSES: readonly BondStatusName[] = [
  "BOND_STATUS_UNBONDED",
  "BOND_STATUS_UNBONDING",
  "BOND_STATUS_BONDED",
];

/** The state fields of the SDK's staking `GenesisState` (and ours), besides `params` and `exported`. */
export const STATE_FIELDS: readonly string[] = [
  "last_total_power",
  "last_validator_powers",
  "validators",
  "delegations",
  "unbonding_delegations",
  "redelegations",
  "pending_validator_updates",
];

/** One change of the consensus view sent to CometBFT at `height` (applied to the view at `height + 2`). */
export interface PendingUpdate {
  pubKey: string;
  power: string;
  operator: string;
  moniker: string;
}

/** The parsed state of an exported section. */
export interface ExportedStaking {
  validators: StakingValidator[];
  lastPowers: { val: Uint8Array; power: bigint }[];
  delegations: { del: Uint8Array; val: Uint8Array; shares: bigint }[];
  unbondings: { del: Uint8Array; val: Uint8Array; entries: UnbondingEntry[] }[];
  redelegations: { del: Uint8Array; src: Uint8Array; dst: Uint8Array; entries: RedelegationEntry[] }[];
  pending: { height: bigint; updates: PendingUpdate[] }[];
}

const dec = new TextDecoder();
const enc = new TextEncoder();

function validatorToJson(v: StakingValidator) {
  const d = v.description;
  const c = v.commission;
  return {
    operator_address: v.operatorAddress,
    consensus_pubkey: { "@type": ED25519_TYPE_URL, key: Buffer.from(v.consensusPubKey).toString("base64") },
    jailed: v.jailed,
    status: v.status,
    tokens: v.tokens.toString(),
    delegator_shares: decToJson(v.delegatorShares),
    description: {
      moniker: d.moniker,
      identity: d.identity,
      website: d.website,
      security_contact: d.securityContact,
      details: d.details,
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: rfc3339(v.unbondingTimeNanos),
    commission: {
      commission_rates: {
        rate: decToJson(c.rate),
        max_rate: decToJson(c.maxRate),
        max_change_rate: decToJson(c.maxChangeRate),
      },
      update_time: rfc3339(c.updateTimeNanos),
    },
    min_self_delegation: v.minSelfDelegation.toString(),
    unbonding_on_hold_ref_count: "0",
    unbonding_ids: [] as string[],
  };
}

const VALIDATOR_FIELDS = Object.keys(validatorToJson(placeholderValidator()));

function placeholderValidator(): StakingValidator {
  const zero = new Uint8Array(20);
  return {
    operatorAddress: valoperOf(zero),
    operatorAccount: formatAccountAddress(zero),
    consensusPubKey: new Uint8Array(32),
    consensusAddress: zero,
    jailed: false,
    status: "BOND_STATUS_UNBONDED",
    tokens: 0n,
    delegatorShares: 0n,
    description: { moniker: "", identity: "", website: "", securityContact: "", details: "" },
    unbondingHeight: 0n,
    unbondingTimeNanos: 0n,
    commission: { rate: 0n, maxRate: 0n, maxChangeRate: 0n, updateTimeNanos: 0n },
    minSelfDelegation: 0n,
  };
}

function parseValidator(raw: unknown, at: string): StakingValidator {
  const o = r.obj(raw, at, VALIDATOR_FIELDS);
  const val = r.address(o.operator_address, `${at}.operator_address`, BECH32_PREFIX.validator);
  const pk = r.obj(o.consensus_pubkey, `${at}.consensus_pubkey`, ["@type", "key"]);
  if (pk["@type"] !== ED25519_TYPE_URL)
    r.fail(`${at}.consensus_pubkey.@type`, `must be ${ED25519_TYPE_URL} (validators sign with ed25519)`);
  const keyText = r.str(pk.key, `${at}.consensus_pubkey.key`);
  const pubKey = Uint8Array.from(Buffer.from(keyText, "base64"));
  if (pubKey.length !== 32 || Buffer.from(pubKey).toString("base64") !== keyText)
    r.fail(`${at}.consensus_pubkey.key`, "must be a base64 ed25519 public key of 32 bytes");
  const status = r.str(o.status, `${at}.status`) as BondStatusName;
  if (!STATUSES.includes(status)) r.fail(`${at}.status`, `must be one of ${STATUSES.join(", ")}`);
  const d = r.obj(o.description, `${at}.description`, [
    "moniker",
    "identity",
    "website",
    "security_contact",
    "details",
  ]);
  const c = r.obj(o.commission, `${at}.commission`, ["commission_rates", "update_time"]);
  const rates = r.obj(c.commission_rates, `${at}.commission.commission_rates`, [
    "rate",
    "max_rate",
    "max_change_rate",
  ]);
  const ratesAt = `${at}.commission.commission_rates`;
  const rate = r.dec(rates.rate, `${ratesAt}.rate`);
  const maxRate = r.dec(rates.max_rate, `${ratesAt}.max_rate`);
  const maxChangeRate = r.dec(rates.max_change_rate, `${ratesAt}.max_change_rate`);
  if (maxRate > DEC_SCALE) r.fail(`${ratesAt}.max_rate`, "must be at most 1");
  if (rate > maxRate) r.fail(`${ratesAt}.rate`, "must be at most max_rate");
  if (maxChangeRate > maxRate) r.fail(`${ratesAt}.max_change_rate`, "must be at most max_rate");
  if ((o.unbonding_on_hold_ref_count ?? "0") !== "0")
    r.fail(`${at}.unbonding_on_hold_ref_count`, "must be 0 (no module holds unbondings here)");
  if (r.list(o.unbonding_ids, `${at}.unbonding_ids`).length > 0)
    r.fail(`${at}.unbonding_ids`, "must be empty (no module holds unbondings here)");
  const str = (k: string) => r.str(d[k] ?? "", `${at}.description.${k}`);
  return {
    operatorAddress: valoperOf(val),
    operatorAccount: formatAccountAddress(val),
    consensusPubKey: pubKey,
    consensusAddress: consensusAddress(pubKey),
    jailed: r.bool(o.jailed, `${at}.jailed`),
    status,
    tokens: r.uint(o.tokens, `${at}.tokens`),
    delegatorShares: r.dec(o.delegator_shares, `${at}.delegator_shares`),
    description: {
      moniker: str("moniker"),
      identity: str("identity"),
      website: str("website"),
      securityContact: str("security_contact"),
      details: str("details"),
    },
    unbondingHeight: r.uint(o.unbonding_height, `${at}.unbonding_height`, 64),
    unbondingTimeNanos: r.time(o.unbonding_time, `${at}.unbonding_time`),
    commission: {
      rate,
      maxRate,
      maxChangeRate,
      updateTimeNanos: r.time(c.update_time, `${at}.commission.update_time`),
    },
    minSelfDelegation: r.uint(o.min_self_delegation, `${at}.min_self_delegation`),
  };
}

const entryJson = (e: { creationHeight: bigint; completionTimeNanos: bigint; initialBalance: bigint }) => ({
  creation_height: e.creationHeight.toString(),
  completion_time: rfc3339(e.completionTimeNanos),
  initial_balance: e.initialBalance.toString(),
});

function parseEntryBase(o: JsonObject, at: string) {
  if ((o.unbonding_id ?? "0") !== "0" || (o.unbonding_on_hold_ref_count ?? "0") !== "0")
    r.fail(at, "unbonding_id and unbonding_on_hold_ref_count must be 0");
  return {
    creationHeight: r.uint(o.creation_height, `${at}.creation_height`, 64),
    completionTimeNanos: r.time(o.completion_time, `${at}.completion_time`),
    initialBalance: r.uint(o.initial_balance, `${at}.initial_balance`),
  };
}

const ENTRY_FIELDS = [
  "creation_height",
  "completion_time",
  "initial_balance",
  "unbonding_id",
  "unbonding_on_hold_ref_count",
];

/**
 * Parses an exported section (`exported: true`): every record, with the checks that need no other
 * module (the pools and CometBFT's set are checked when it is written, {@link initExportedStaking}).
 */
export function parseExportedStaking(o: JsonObject, params: StakingParams): ExportedStaking {
  r.obj(o, "", ["params", "exported", ...STATE_FIELDS]);
  const validators = r.list(o.validators, "validators").map((v, i) => parseValidator(v, `validators[${i}]`));
  const byVal = new Map<string, StakingValidator>();
  const keys = new Set<string>();
  validators.forEach((v, i) => {
    const val = hexOf(operatorBytes(v));
    if (byVal.has(val)) r.fail(`validators[${i}].operator_address`, `${v.operatorAddress} listed twice`);
    const key = hexOf(v.consensusPubKey);
    if (keys.has(key)) r.fail(`validators[${i}].consensus_pubkey`, "consensus key used by two validators");
    byVal.set(val, v);
    keys.add(key);
  });

  const shares = new Map<string, bigint>();
  const seenDelegations = new Set<string>();
  const delegations = r.list(o.delegations, "delegations").map((d, i) => {
    const at = `delegations[${i}]`;
    const x = r.obj(d, at, ["delegator_address", "validator_address", "shares"]);
    const del = r.address(x.delegator_address, `${at}.delegator_address`);
    const val = r.address(x.validator_address, `${at}.validator_address`, BECH32_PREFIX.validator);
    const s = r.dec(x.shares, `${at}.shares`);
    if (s === 0n) r.fail(`${at}.shares`, "must be positive");
    if (!byVal.has(hexOf(val))) r.fail(`${at}.validator_address`, "no such validator in validators");
    const id = hexOf(del) + hexOf(val);
    if (seenDelegations.has(id)) r.fail(at, "the same delegation is listed twice");
    seenDelegations.add(id);
    shares.set(hexOf(val), (shares.get(hexOf(val)) ?? 0n) + s);
    return { del, val, shares: s };
  });
  validators.forEach((v, i) => {
    const sum = shares.get(hexOf(operatorBytes(v))) ?? 0n;
    if (sum !== v.delegatorShares)
      r.fail(
        `validators[${i}].delegator_shares`,
        `${decToJson(v.delegatorShares)} but its delegations hold ${decToJson(sum)} shares`,
      );
  });

  const seenUnbondings = new Set<string>();
  const unbondings = r.list(o.unbonding_delegations, "unbonding_delegations").map((u, i) => {
    const at = `unbonding_delegations[${i}]`;
    const x = r.obj(u, at, ["delegator_address", "validator_address", "entries"]);
    const del = r.address(x.delegator_address, `${at}.delegator_address`);
    const val = r.address(x.validator_address, `${at}.validator_address`, BECH32_PREFIX.validator);
    const id = hexOf(del) + hexOf(val);
    if (seenUnbondings.has(id)) r.fail(at, "the same unbonding delegation is listed twice");
    seenUnbondings.add(id);
    const entries = r.list(x.entries, `${at}.entries`).map((e, j): UnbondingEntry => {
      const eat = `${at}.entries[${j}]`;
      const eo = r.obj(e, eat, [...ENTRY_FIELDS, "balance"]);
      const entry = { ...parseEntryBase(eo, eat), balance: r.uint(eo.balance, `${eat}.balance`) };
      // The unbonding invariant (review L3): a slash only lowers the balance.
      if (entry.balance > entry.initialBalance)
        r.fail(`${eat}.balance`, `${entry.balance} is more than its initial_balance ${entry.initialBalance}`);
      return entry;
    });
    if (entries.length === 0) r.fail(`${at}.entries`, "must not be empty");
    return { del, val, entries };
  });

  const seenRedelegations = new Set<string>();
  const redelegations = r.list(o.redelegations, "redelegations").map((d, i) => {
    const at = `redelegations[${i}]`;
    const x = r.obj(d, at, [
      "delegator_address",
      "validator_src_address",
      "validator_dst_address",
      "entries",
    ]);
    const del = r.address(x.delegator_address, `${at}.delegator_address`);
    const src = r.address(x.validator_src_address, `${at}.validator_src_address`, BECH32_PREFIX.validator);
    const dst = r.address(x.validator_dst_address, `${at}.validator_dst_address`, BECH32_PREFIX.validator);
    if (hexOf(src) === hexOf(dst)) r.fail(at, "source and destination are the same validator");
    const id = hexOf(del) + hexOf(src) + hexOf(dst);
    if (seenRedelegations.has(id)) r.fail(at, "the same redelegation is listed twice");
    seenRedelegations.add(id);
    const entries = r.list(x.entries, `${at}.entries`).map((e, j): RedelegationEntry => {
      const eat = `${at}.entries[${j}]`;
      const eo = r.obj(e, eat, [...ENTRY_FIELDS, "shares_dst"]);
      return { ...parseEntryBase(eo, eat), sharesDst: r.dec(eo.shares_dst, `${eat}.shares_dst`) };
    });
    if (entries.length === 0) r.fail(`${at}.entries`, "must not be empty");
    return { del, src, dst, entries };
  });

  // The bonded set CometBFT was last sent: exactly the BONDED validators, each with its power.
  const lastPowers = r.list(o.last_validator_powers, "last_validator_powers").map((l, i) => {
    const at = `last_validator_powers[${i}]`;
    const x = r.obj(l, at, ["address", "power"]);
    const val = r.address(x.address, `${at}.address`, BECH32_PREFIX.validator);
    const power = r.uint(x.power, `${at}.power`, 63, true);
    const v = byVal.get(hexOf(val));
    if (!v) return r.fail(`${at}.address`, "no such validator in validators");
    if (v.status !== "BOND_STATUS_BONDED" || v.jailed)
      r.fail(
        `${at}.address`,
        `${v.operatorAddress} is ${v.status}${v.jailed ? " and jailed" : ""}, not in the bonded set`,
      );
    if (power !== v.tokens / POWER_REDUCTION || power === 0n)
      r.fail(
        `${at}.power`,
        `${power}, but ${v.operatorAddress}'s tokens ${v.tokens} give power ${v.tokens / POWER_REDUCTION}`,
      );
    return { val, power };
  });
  const inSet = new Set(lastPowers.map((l) => hexOf(l.val)));
  if (inSet.size !== lastPowers.length) r.fail("last_validator_powers", "a validator is listed twice");
  validators.forEach((v, i) => {
    if (v.status === "BOND_STATUS_BONDED" && !inSet.has(hexOf(operatorBytes(v))))
      r.fail(`validators[${i}].status`, `${v.operatorAddress} is BONDED but not in last_validator_powers`);
  });
  if (lastPowers.length > params.maxValidators)
    r.fail(
      "last_validator_powers",
      `${lastPowers.length} validators, more than max_validators ${params.maxValidators}`,
    );
  const total = lastPowers.reduce((s, l) => s + l.power, 0n);
  if (o.last_total_power !== undefined && r.uint(o.last_total_power, "last_total_power") !== total)
    r.fail("last_total_power", `must be the sum of last_validator_powers, ${total}`);

  let previousHeight = -1n;
  const pending = r.list(o.pending_validator_updates, "pending_validator_updates").map((p, i) => {
    const at = `pending_validator_updates[${i}]`;
    const x = r.obj(p, at, ["height", "updates"]);
    const height = r.uint(x.height, `${at}.height`, 64);
    if (height <= previousHeight) r.fail(`${at}.height`, "heights must be ascending and distinct");
    previousHeight = height;
    const updates = r.list(x.updates, `${at}.updates`).map((u, j): PendingUpdate => {
      const uat = `${at}.updates[${j}]`;
      const y = r.obj(u, uat, ["pub_key", "power", "operator", "moniker"]);
      const pub = r.str(y.pub_key, `${uat}.pub_key`);
      if (Buffer.from(pub, "base64").length !== 32 || Buffer.from(pub, "base64").toString("base64") !== pub)
        r.fail(`${uat}.pub_key`, "must be a base64 ed25519 public key of 32 bytes");
      const operator = r.str(y.operator, `${uat}.operator`);
      if (operator !== "") r.address(operator, `${uat}.operator`);
      return {
        pubKey: pub,
        power: r.uint(y.power, `${uat}.power`, 63).toString(),
        operator,
        moniker: r.str(y.moniker, `${uat}.moniker`),
      };
    });
    if (updates.length === 0) r.fail(`${at}.updates`, "must not be empty");
    return { height, updates };
  });
  return { validators, lastPowers, delegations, unbondings, redelegations, pending };
}

const operatorBytes = (v: StakingValidator): Uint8Array => valoperBytes(v.operatorAddress)!;

/**
 * Writes an exported section (after bank's and the validators module's genesis): checks the pools and
 * CometBFT's genesis set against the state, then writes every record and rebuilds the indexes and
 * queues. No hooks: distribution's exported section carries its records.
 */
export function initExportedStaking(
  bank: BankKeeper,
  view: ValidatorsView,
  ctx: Context,
  params: StakingParams,
  g: ExportedStaking,
  chain: GenesisChainInfo,
): void {
  const denom = params.bondDenom;
  const bonded = g.validators
    .filter((v) => v.status === "BOND_STATUS_BONDED")
    .reduce((s, v) => s + v.tokens, 0n);
  const notBondedTokens = g.validators
    .filter((v) => v.status !== "BOND_STATUS_BONDED")
    .reduce((s, v) => s + v.tokens, 0n);
  const entries = g.unbondings.reduce((s, u) => s + u.entries.reduce((t, e) => t + e.balance, 0n), 0n);
  const pools: [string, bigint, string][] = [
    [BONDED_POOL, bonded, "the tokens of the BONDED validators"],
    [
      NOT_BONDED_POOL,
      notBondedTokens + entries,
      `the tokens of the other validators (${notBondedTokens}) plus the unbonding entries' balances (${entries})`,
    ],
  ];
  for (const [pool, owed, what] of pools) {
    const held = bank.getBalance(ctx, moduleAddress(pool), denom).amount;
    if (held !== owed)
      r.fail(
        "validators",
        `the ${pool} module account ${moduleAddress(pool)} holds ${held}${denom} but ${what} come to ${owed}${denom} (fix app_state.bank.balances or the staking state)`,
      );
  }

  // CometBFT's genesis validators: the bonded set, plus the consensus view's validators no operator runs.
  const expected = new Map<string, bigint>();
  const byVal = new Map(g.validators.map((v) => [hexOf(operatorBytes(v)), v]));
  for (const l of g.lastPowers) expected.set(hexOf(byVal.get(hexOf(l.val))!.consensusPubKey), l.power);
  for (const v of view.list(ctx)) if (v.operator === "") expected.set(hexOf(v.pubKey), v.power);
  const given = new Map(chain.validators.map((v) => [hexOf(v.pubKeyEd25519), v.power]));
  for (const [key, power] of [...expected, ...given]) {
    if (expected.get(key) !== given.get(key))
      r.fail(
        "last_validator_powers",
        `CometBFT's genesis validators must be the bonded set (and the validators section's entries without an operator): ` +
          `key ${Buffer.from(key, "hex").toString("base64")} has power ${given.get(key) ?? "none"} in genesis.validators ` +
          `but ${expected.get(key) ?? "none"} here (a genesis made by \`poq export\` lists them)`,
      );
    void power;
  }
  for (const p of g.pending)
    if (p.height + 2n < chain.initialHeight || p.height >= chain.initialHeight)
      r.fail(
        "pending_validator_updates",
        `height ${p.height} cannot be pending at initial_height ${chain.initialHeight} (updates of height h reach the view at h + 2)`,
      );

  writeParams(ctx, params);
  for (const v of g.validators) {
    writeValidator(ctx, v);
    if (v.status === "BOND_STATUS_UNBONDING")
      ctx.store.set(validatorQueueKey(v.unbondingTimeNanos, operatorBytes(v)), new Uint8Array(0));
  }
  for (const l of g.lastPowers) ctx.store.set(lastPowerKey(l.val), u64(l.power));
  for (const d of g.delegations) writeDelegation(ctx, d.del, d.val, d.shares);
  for (const u of g.unbondings) {
    ctx.store.set(unbondingKey(u.del, u.val), encodeUnbondingEntries(u.entries));
    ctx.store.set(unbondingByValidatorKey(u.val, u.del), new Uint8Array(0));
    for (const e of u.entries)
      ctx.store.set(unbondingQueueKey(e.completionTimeNanos, u.del, u.val), new Uint8Array(0));
  }
  for (const d of g.redelegations) {
    ctx.store.set(redelegationKey(d.del, d.src, d.dst), encodeRedelegationEntries(d.entries));
    ctx.store.set(redelegationByDstKey(d.del, d.dst, d.src), new Uint8Array(0));
    ctx.store.set(redelegationBySrcKey(d.src, d.del, d.dst), new Uint8Array(0));
    for (const e of d.entries)
      ctx.store.set(redelegationQueueKey(e.completionTimeNanos, d.del, d.src, d.dst), new Uint8Array(0));
  }
  for (const p of g.pending)
    ctx.store.set(
      pendingUpdatesKey(p.height),
      enc.encode(JSON.stringify(p.updates.map((u) => [u.pubKey, u.power, u.operator, u.moniker]))),
    );
}

/**
 * The section as an export writes it (see the file comment); records in store order.
 *
 * @example
 * const staking = exportStakingGenesis({ store });
 */
export function exportStakingGenesis(ctx: Pick<Context, "store">) {
  const lastPowers = [...ctx.store.iterate(prefixOf(KeyTag.LastPower))].map(([k, v]) => ({
    address: valoperOf(k.subarray(prefixOf(KeyTag.LastPower).length)),
    power: readU64(v).toString(),
  }));
  const delegationPrefix = prefixOf(KeyTag.Delegation);
  const delegations = [...ctx.store.iterate(delegationPrefix)].map(([k, v]) => ({
    delegator_address: formatAccountAddress(
      k.subarray(delegationPrefix.length, delegationPrefix.length + 20),
    ),
    validator_address: valoperOf(k.subarray(delegationPrefix.length + 20)),
    shares: decToJson(BigInt(dec.decode(v))),
  }));
  const ubdPrefix = prefixOf(KeyTag.Unbonding);
  const unbondings = [...ctx.store.iterate(ubdPrefix)].map(([k, v]) => ({
    delegator_address: formatAccountAddress(k.subarray(ubdPrefix.length, ubdPrefix.length + 20)),
    validator_address: valoperOf(k.subarray(ubdPrefix.length + 20)),
    entries: decodeUnbondingEntries(v).map((e) => ({
      ...entryJson(e),
      balance: e.balance.toString(),
      unbonding_id: "0",
      unbonding_on_hold_ref_count: "0",
    })),
  }));
  const redPrefix = prefixOf(KeyTag.Redelegation);
  const redelegations = [...ctx.store.iterate(redPrefix)].map(([k, v]) => ({
    delegator_address: formatAccountAddress(k.subarray(redPrefix.length, redPrefix.length + 20)),
    validator_src_address: valoperOf(k.subarray(redPrefix.length + 20, redPrefix.length + 40)),
    validator_dst_address: valoperOf(k.subarray(redPrefix.length + 40)),
    entries: decodeRedelegationEntries(v).map((e) => ({
      ...entryJson(e),
      shares_dst: decToJson(e.sharesDst),
      unbonding_id: "0",
      unbonding_on_hold_ref_count: "0",
    })),
  }));
  const pendingPrefix = prefixOf(KeyTag.PendingConsensusUpdates);
  const pending = [...ctx.store.iterate(pendingPrefix)].map(([k, v]) => ({
    height: readU64(k, pendingPrefix.length).toString(),
    updates: (JSON.parse(dec.decode(v)) as [string, string, string, string][]).map(
      ([pub_key, power, operator, moniker]) => ({ pub_key, power, operator, moniker }),
    ),
  }));
  return {
    params: stakingParamsToJson(readParams(ctx)),
    last_total_power: lastPowers.reduce((s, l) => s + BigInt(l.power), 0n).toString(),
    last_validator_powers: lastPowers,
    validators: readAllValidators(ctx).map(validatorToJson),
    delegations,
    unbonding_delegations: unbondings,
    redelegations,
    exported: true,
    pending_validator_updates: pending,
  };
}
