/**
 * Every key the distribution module writes, in one place. The byte layout is documented in README.md
 * (State); change both together. Validator and delegator parts are the 20 (or 32) address bytes behind
 * a length byte, so one validator's records are one contiguous, unambiguous range.
 */
import { prefixedKey } from "../../store/key-codec.js";

export const DISTRIBUTION_MODULE = "distribution";
/** Module account that pays the optional fixed block reward (funded at genesis; never minted). */
export const BLOCK_REWARDS_MODULE = "block_rewards";

/** Every distribution key starts with this; no other module uses it. */
export const DISTRIBUTION_STORE_PREFIX = new TextEncoder().encode("distribution/");

const FEE_POOL = 0x00;
const OUTSTANDING = 0x02;
const WITHDRAW_ADDR = 0x03;
const STARTING_INFO = 0x04;
const HISTORICAL = 0x05;
const CURRENT = 0x06;
const COMMISSION = 0x07;
const SLASH_EVENT = 0x08;
const PARAMS = 0x09;
const BLOCK_REWARD = 0x0a;

/** The tags of the F1 records (export walks them). */
export const RecordTag = {
  Outstanding: OUTSTANDING,
  StartingInfo: STARTING_INFO,
  Historical: HISTORICAL,
  Current: CURRENT,
  Commission: COMMISSION,
  SlashEvent: SLASH_EVENT,
} as const;

const key = (...parts: (number | Uint8Array)[]): Uint8Array => prefixedKey(DISTRIBUTION_STORE_PREFIX, parts);
const addr = (a: Uint8Array): (number | Uint8Array)[] => [a.length, a];

const u64 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
};

/** `distribution/ 0x00` → `FeePool` protobuf (the community pool). */
export const feePoolKey = (): Uint8Array => key(FEE_POOL);
/** `distribution/ 0x02 | len | valoper` → `ValidatorOutstandingRewards`. */
export const outstandingKey = (val: Uint8Array): Uint8Array => key(OUTSTANDING, ...addr(val));
export const outstandingPrefix = (): Uint8Array => key(OUTSTANDING);
/** `distribution/ 0x03 | len | delegator` → withdraw address bytes. */
export const withdrawAddrKey = (del: Uint8Array): Uint8Array => key(WITHDRAW_ADDR, ...addr(del));
export const withdrawAddrPrefix = (): Uint8Array => key(WITHDRAW_ADDR);
/** `distribution/ 0x04 | len | valoper | len | delegator` → `DelegatorStartingInfo`. */
export const startingInfoKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  key(STARTING_INFO, ...addr(val), ...addr(del));
/** `distribution/ 0x05 | len | valoper | u64be period` → `ValidatorHistoricalRewards`. */
export const historicalKey = (val: Uint8Array, period: bigint): Uint8Array =>
  key(HISTORICAL, ...addr(val), u64(period));
export const historicalPrefix = (val: Uint8Array): Uint8Array => key(HISTORICAL, ...addr(val));
/** `distribution/ 0x06 | len | valoper` → `ValidatorCurrentRewards`. */
export const currentKey = (val: Uint8Array): Uint8Array => key(CURRENT, ...addr(val));
/** `distribution/ 0x07 | len | valoper` → `ValidatorAccumulatedCommission`. */
export const commissionKey = (val: Uint8Array): Uint8Array => key(COMMISSION, ...addr(val));
/** `distribution/ 0x08 | len | valoper | u64be height | u64be period` → `ValidatorSlashEvent`. */
export const slashEventKey = (val: Uint8Array, height: bigint, period: bigint): Uint8Array =>
  key(SLASH_EVENT, ...addr(val), u64(height), u64(period));
export const slashEventPrefix = (val: Uint8Array): Uint8Array => key(SLASH_EVENT, ...addr(val));
/** `distribution/ 0x09` → `Params` protobuf. */
export const paramsKey = (): Uint8Array => key(PARAMS);
/** `distribution/ 0x0a` → the block reward coin, JSON `{"denom","amount"}`. */
export const blockRewardKey = (): Uint8Array => key(BLOCK_REWARD);
