/**
 * Every key the gov module writes (documented in README.md, State). All start with `gov/`, a prefix
 * no other module uses.
 */
import { prefixedKey } from "../../store/key-codec.js";

export const GOV_MODULE = "gov";

export const GOV_STORE_PREFIX = new TextEncoder().encode("gov/");

const PARAMS = 0x00;
const NEXT_ID = 0x01;
const PROPOSAL = 0x02;
const INACTIVE = 0x03;
const ACTIVE = 0x04;
const DEPOSIT = 0x05;
const VOTE = 0x06;
const CONSTITUTION = 0x07;

const key = (...parts: (number | Uint8Array)[]): Uint8Array => prefixedKey(GOV_STORE_PREFIX, parts);

/** Big-endian u64, so that keys sort as the numbers do. */
export function u64be(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function readU64be(b: Uint8Array, offset = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset);
}

/** `gov/ 0x00` → `cosmos.gov.v1.Params` protobuf. */
export const paramsKey = (): Uint8Array => key(PARAMS);
/** `gov/ 0x01` → next proposal id, u64 big-endian. */
export const nextProposalIdKey = (): Uint8Array => key(NEXT_ID);
/** `gov/ 0x02 | id` → `cosmos.gov.v1.Proposal` protobuf. */
export const proposalKey = (id: bigint): Uint8Array => key(PROPOSAL, u64be(id));
export const proposalsPrefix = (): Uint8Array => key(PROPOSAL);
/** `gov/ 0x03 | deposit_end_time (u64be ns) | id` → empty: proposals in their deposit period. */
export const inactiveQueueKey = (endNanos: bigint, id: bigint): Uint8Array =>
  key(INACTIVE, u64be(endNanos), u64be(id));
export const inactiveQueuePrefix = (): Uint8Array => key(INACTIVE);
/** `gov/ 0x04 | voting_end_time (u64be ns) | id` → empty: proposals in their voting period. */
export const activeQueueKey = (endNanos: bigint, id: bigint): Uint8Array =>
  key(ACTIVE, u64be(endNanos), u64be(id));
export const activeQueuePrefix = (): Uint8Array => key(ACTIVE);
/** `gov/ 0x05 | id | depositor (20 bytes)` → `cosmos.gov.v1.Deposit` protobuf. */
export const depositKey = (id: bigint, depositor: Uint8Array): Uint8Array =>
  key(DEPOSIT, u64be(id), depositor);
export const depositsPrefix = (id: bigint): Uint8Array => key(DEPOSIT, u64be(id));
/** `gov/ 0x06 | id | voter (20 bytes)` → `cosmos.gov.v1.Vote` protobuf. */
export const voteKey = (id: bigint, voter: Uint8Array): Uint8Array => key(VOTE, u64be(id), voter);
export const votesPrefix = (id: bigint): Uint8Array => key(VOTE, u64be(id));
/** `gov/ 0x07` → the constitution, UTF-8. */
export const constitutionKey = (): Uint8Array => key(CONSTITUTION);
