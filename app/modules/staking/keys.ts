/**
 * Every key the staking module writes, in one place; the byte layout is documented in README.md
 * (State). All keys start with `staking/`; integers are 8-byte big-endian so that iteration order
 * is numeric order; addresses are their 20 raw bytes.
 */
export const STAKING_MODULE = "staking";
/** Module account holding the tokens of BONDED validators (the SDK's name). */
export const BONDED_POOL = "bonded_tokens_pool";
/** Module account holding the tokens of UNBONDING/UNBONDED validators and of unbonding entries. */
export const NOT_BONDED_POOL = "not_bonded_tokens_pool";

const PREFIX = new TextEncoder().encode("staking/");

export const KeyTag = {
  Params: 0x00,
  /** Set when tokens, status or jailing of a validator changed in this block: EndBlock recomputes the set. */
  SetDirty: 0x01,
  Validator: 0x21,
  ValidatorByConsAddr: 0x22,
  /** The power last sent to CometBFT per bonded validator (the SDK's LastValidatorPower). */
  LastPower: 0x23,
  /** UNBONDING validators by the time their unbonding completes. */
  ValidatorQueue: 0x24,
  Delegation: 0x31,
  DelegationByValidator: 0x32,
  Unbonding: 0x41,
  UnbondingQueue: 0x42,
  /** Unbonding delegations by (validator, delegator): slashing finds a validator's entries. */
  UnbondingByValidator: 0x43,
  Redelegation: 0x51,
  RedelegationQueue: 0x52,
  /** Redelegations by (delegator, dst, src): the transitive-redelegation check. */
  RedelegationByDst: 0x53,
  /** Redelegations by (src, delegator, dst): a slash of src finds the redelegations it reaches. */
  RedelegationBySrc: 0x54,
  /** Validator updates returned at a height, written into the consensus view two blocks later. */
  PendingConsensusUpdates: 0x61,
} as const;

const key = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(PREFIX.length + 1 + parts.reduce((n, p) => n + p.length, 0));
  out.set(PREFIX, 0);
  out[PREFIX.length] = tag;
  let at = PREFIX.length + 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** 8-byte big-endian encoding of a non-negative integer below 2^64. */
export function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

/** Reads back {@link u64}. */
export function readU64(bytes: Uint8Array, at = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at);
}

export const prefixOf = (tag: number): Uint8Array => key(tag);
export const paramsKey = (): Uint8Array => key(KeyTag.Params);
export const setDirtyKey = (): Uint8Array => key(KeyTag.SetDirty);
export const validatorKey = (val: Uint8Array): Uint8Array => key(KeyTag.Validator, val);
export const validatorByConsKey = (cons: Uint8Array): Uint8Array => key(KeyTag.ValidatorByConsAddr, cons);
export const lastPowerKey = (val: Uint8Array): Uint8Array => key(KeyTag.LastPower, val);
export const validatorQueueKey = (timeNanos: bigint, val: Uint8Array): Uint8Array =>
  key(KeyTag.ValidatorQueue, u64(timeNanos), val);
export const delegationKey = (del: Uint8Array, val: Uint8Array): Uint8Array =>
  key(KeyTag.Delegation, del, val);
export const delegationsOfPrefix = (del: Uint8Array): Uint8Array => key(KeyTag.Delegation, del);
export const delegationByValidatorKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  key(KeyTag.DelegationByValidator, val, del);
export const delegationsByValidatorPrefix = (val: Uint8Array): Uint8Array =>
  key(KeyTag.DelegationByValidator, val);
export const unbondingKey = (del: Uint8Array, val: Uint8Array): Uint8Array => key(KeyTag.Unbonding, del, val);
export const unbondingsOfPrefix = (del: Uint8Array): Uint8Array => key(KeyTag.Unbonding, del);
export const unbondingByValidatorKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  key(KeyTag.UnbondingByValidator, val, del);
export const unbondingsByValidatorPrefix = (val: Uint8Array): Uint8Array =>
  key(KeyTag.UnbondingByValidator, val);
export const unbondingQueueKey = (timeNanos: bigint, del: Uint8Array, val: Uint8Array): Uint8Array =>
  key(KeyTag.UnbondingQueue, u64(timeNanos), del, val);
export const redelegationKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array =>
  key(KeyTag.Redelegation, del, src, dst);
export const redelegationsOfPrefix = (del: Uint8Array): Uint8Array => key(KeyTag.Redelegation, del);
export const redelegationQueueKey = (
  timeNanos: bigint,
  del: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): Uint8Array => key(KeyTag.RedelegationQueue, u64(timeNanos), del, src, dst);
export const redelegationByDstKey = (del: Uint8Array, dst: Uint8Array, src: Uint8Array): Uint8Array =>
  key(KeyTag.RedelegationByDst, del, dst, src);
export const redelegationsToPrefix = (del: Uint8Array, dst: Uint8Array): Uint8Array =>
  key(KeyTag.RedelegationByDst, del, dst);
export const redelegationBySrcKey = (src: Uint8Array, del: Uint8Array, dst: Uint8Array): Uint8Array =>
  key(KeyTag.RedelegationBySrc, src, del, dst);
export const redelegationsFromPrefix = (src: Uint8Array): Uint8Array => key(KeyTag.RedelegationBySrc, src);
export const pendingUpdatesKey = (height: bigint): Uint8Array =>
  key(KeyTag.PendingConsensusUpdates, u64(height));
