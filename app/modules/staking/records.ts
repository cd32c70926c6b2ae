/**
 * Stored forms of staking records: JSON objects with a fixed key order (so their bytes are
 * deterministic), amounts and decs as integer strings. Read/write helpers over the keys in keys.ts.
 */
import type { Context } from "../../types.js";
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import { BECH32_PREFIX, formatAccountAddress } from "../auth/address.js";
import { consensusAddress } from "../validators/keeper.js";
import type { BondStatusName, StakingDelegation, StakingParams, StakingValidator } from "./hooks.js";
import {
  delegationByValidatorKey,
  delegationKey,
  paramsKey,
  prefixOf,
  KeyTag,
  validatorByConsKey,
  validatorKey,
} from "./keys.js";
import { defaultStakingParams } from "./params.js";

export type StoreContext = Pick<Context, "store">;

const enc = new TextEncoder();
const dec = new TextDecoder();

const STATUS_CODE: Record<BondStatusName, number> = {
  BOND_STATUS_UNBONDED: 1,
  BOND_STATUS_UNBONDING: 2,
  BOND_STATUS_BONDED: 3,
};
const STATUS_NAME: Record<number, BondStatusName> = {
  1: "BOND_STATUS_UNBONDED",
  2: "BOND_STATUS_UNBONDING",
  3: "BOND_STATUS_BONDED",
};

/** `poqvaloper1...` of 20 address bytes. */
export const valoperOf = (bytes: Uint8Array): string => bech32Encode(BECH32_PREFIX.validator, bytes);

/** The 20 bytes of a `poqvaloper1...` address, or undefined when it is not one. */
export function valoperBytes(address: string): Uint8Array | undefined {
  try {
    const d = bech32Decode(address);
    return d.prefix === BECH32_PREFIX.validator && d.data.length === 20 ? d.data : undefined;
  } catch {
    return undefined;
  }
}

/** The 20 bytes of a `poq1...` account address, or undefined when it is not one. */
export function accountBytes(address: string): Uint8Array | undefined {
  try {
    const d = bech32Decode(address);
    return d.prefix === BECH32_PREFIX.account && d.data.length === 20 ? d.data : undefined;
  } catch {
    return undefined;
  }
}

export function readParams(ctx: StoreContext): StakingParams {
  const raw = ctx.store.get(paramsKey());
  if (!raw) return defaultStakingParams();
  const j = JSON.parse(dec.decode(raw)) as Record<string, string | number>;
  return {
    unbondingTimeNanos: BigInt(j.unbonding_time_nanos ?? 0),
    maxValidators: Number(j.max_validators),
    maxEntries: Number(j.max_entries),
    historicalEntries: Number(j.historical_entries),
    bondDenom: String(j.bond_denom),
    minCommissionRate: BigInt(j.min_commission_rate ?? 0),
  };
}

export function writeParams(ctx: StoreContext, p: StakingParams): void {
  const json = {
    unbonding_time_nanos: p.unbondingTimeNanos.toString(),
    max_validators: p.maxValidators,
    max_entries: p.maxEntries,
    historical_entries: p.historicalEntries,
    bond_denom: p.bondDenom,
    min_commission_rate: p.minCommissionRate.toString(),
  };
  ctx.store.set(paramsKey(), enc.encode(JSON.stringify(json)));
}

interface ValidatorJson {
  pub_key: string;
  jailed: boolean;
  status: number;
  tokens: string;
  shares: string;
  description: [string, string, string, string, string];
  unbonding_height: string;
  unbonding_time: string;
  commission: [string, string, string, string];
  min_self_delegation: string;
}

function encodeValidator(v: StakingValidator): Uint8Array {
  const d = v.description;
  const c = v.commission;
  const json: ValidatorJson = {
    pub_key: Buffer.from(v.consensusPubKey).toString("base64"),
    jailed: v.jailed,
    status: STATUS_CODE[v.status],
    tokens: v.tokens.toString(),
    shares: v.delegatorShares.toString(),
    description: [d.moniker, d.identity, d.website, d.securityContact, d.details],
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: v.unbondingTimeNanos.toString(),
    commission: [
      c.rate.toString(),
      c.maxRate.toString(),
      c.maxChangeRate.toString(),
      c.updateTimeNanos.toString(),
    ],
    min_self_delegation: v.minSelfDelegation.toString(),
  };
  return enc.encode(JSON.stringify(json));
}

function decodeValidator(val: Uint8Array, raw: Uint8Array): StakingValidator {
  const j = JSON.parse(dec.decode(raw)) as ValidatorJson;
  const pubKey = Uint8Array.from(Buffer.from(j.pub_key, "base64"));
  const [moniker, identity, website, securityContact, details] = j.description;
  const [rate, maxRate, maxChangeRate, updateTime] = j.commission;
  return {
    operatorAddress: valoperOf(val),
    operatorAccount: formatAccountAddress(val),
    consensusPubKey: pubKey,
    consensusAddress: consensusAddress(pubKey),
    jailed: j.jailed,
    status: STATUS_NAME[j.status] ?? "BOND_STATUS_UNBONDED",
    tokens: BigInt(j.tokens),
    delegatorShares: BigInt(j.shares),
    description: { moniker, identity, website, securityContact, details },
    unbondingHeight: BigInt(j.unbonding_height),
    unbondingTimeNanos: BigInt(j.unbonding_time),
    commission: {
      rate: BigInt(rate),
      maxRate: BigInt(maxRate),
      maxChangeRate: BigInt(maxChangeRate),
      updateTimeNanos: BigInt(updateTime),
    },
    minSelfDelegation: BigInt(j.min_self_delegation),
  };
}

export function readValidator(ctx: StoreContext, val: Uint8Array): StakingValidator | undefined {
  const raw = ctx.store.get(validatorKey(val));
  return raw ? decodeValidator(val, raw) : undefined;
}

export function readValidatorByCons(ctx: StoreContext, cons: Uint8Array): StakingValidator | undefined {
  const val = ctx.store.get(validatorByConsKey(cons));
  return val ? readValidator(ctx, val) : undefined;
}

/** Stores a validator and its consensus-address index. */
export function writeValidator(ctx: StoreContext, v: StakingValidator): void {
  const val = valoperBytes(v.operatorAddress);
  if (!val) throw new Error(`not a validator address: ${v.operatorAddress}`);
  ctx.store.set(validatorKey(val), encodeValidator(v));
  ctx.store.set(validatorByConsKey(v.consensusAddress), val);
}

export function deleteValidator(ctx: StoreContext, v: StakingValidator): void {
  const val = valoperBytes(v.operatorAddress);
  if (!val) return;
  ctx.store.delete(validatorKey(val));
  ctx.store.delete(validatorByConsKey(v.consensusAddress));
}

/** Every validator, ascending by operator address bytes. */
export function readAllValidators(ctx: StoreContext): StakingValidator[] {
  const prefix = prefixOf(KeyTag.Validator);
  return [...ctx.store.iterate(prefix)].map(([k, v]) => decodeValidator(k.subarray(prefix.length), v));
}

export function readDelegation(
  ctx: StoreContext,
  del: Uint8Array,
  val: Uint8Array,
): StakingDelegation | undefined {
  const raw = ctx.store.get(delegationKey(del, val));
  return raw
    ? {
        delegatorAddress: formatAccountAddress(del),
        validatorAddress: valoperOf(val),
        shares: BigInt(dec.decode(raw)),
      }
    : undefined;
}

export function writeDelegation(ctx: StoreContext, del: Uint8Array, val: Uint8Array, shares: bigint): void {
  ctx.store.set(delegationKey(del, val), enc.encode(shares.toString()));
  ctx.store.set(delegationByValidatorKey(val, del), new Uint8Array(0));
}

export function deleteDelegation(ctx: StoreContext, del: Uint8Array, val: Uint8Array): void {
  ctx.store.delete(delegationKey(del, val));
  ctx.store.delete(delegationByValidatorKey(val, del));
}

/** An unbonding delegation's entries (the SDK's `UnbondingDelegationEntry`). */
export interface UnbondingEntry {
  creationHeight: bigint;
  completionTimeNanos: bigint;
  initialBalance: bigint;
  balance: bigint;
}

/** A redelegation's entries (the SDK's `RedelegationEntry`). */
export interface RedelegationEntry {
  creationHeight: bigint;
  completionTimeNanos: bigint;
  initialBalance: bigint;
  sharesDst: bigint;
}

type EntryJson = [string, string, string, string];

export function encodeUnbondingEntries(entries: readonly UnbondingEntry[]): Uint8Array {
  const json: EntryJson[] = entries.map((e) => [
    e.creationHeight.toString(),
    e.completionTimeNanos.toString(),
    e.initialBalance.toString(),
    e.balance.toString(),
  ]);
  return enc.encode(JSON.stringify(json));
}

export function decodeUnbondingEntries(raw: Uint8Array | undefined): UnbondingEntry[] {
  if (!raw) return [];
  return (JSON.parse(dec.decode(raw)) as EntryJson[]).map(([h, t, i, b]) => ({
    creationHeight: BigInt(h),
    completionTimeNanos: BigInt(t),
    initialBalance: BigInt(i),
    balance: BigInt(b),
  }));
}

export function encodeRedelegationEntries(entries: readonly RedelegationEntry[]): Uint8Array {
  const json: EntryJson[] = entries.map((e) => [
    e.creationHeight.toString(),
    e.completionTimeNanos.toString(),
    e.initialBalance.toString(),
    e.sharesDst.toString(),
  ]);
  return enc.encode(JSON.stringify(json));
}

export function decodeRedelegationEntries(raw: Uint8Array | undefined): RedelegationEntry[] {
  if (!raw) return [];
  return (JSON.parse(dec.decode(raw)) as EntryJson[]).map(([h, t, i, s]) => ({
    creationHeight: BigInt(h),
    completionTimeNanos: BigInt(t),
    initialBalance: BigInt(i),
    sharesDst: BigInt(s),
  }));
}
