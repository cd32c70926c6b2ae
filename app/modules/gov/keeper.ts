/**
 * The gov keeper: params, proposals, the deposit-period and voting-period queues (ordered by end
 * time), deposits and votes, all under `gov/` (keys.ts). Values are the SDK's protobuf messages.
 */
import { Deposit, Params, Proposal, ProposalStatus, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { Context } from "../../types.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import {
  activeQueueKey,
  activeQueuePrefix,
  constitutionKey,
  depositKey,
  depositsPrefix,
  inactiveQueueKey,
  inactiveQueuePrefix,
  nextProposalIdKey,
  paramsKey,
  proposalKey,
  proposalsPrefix,
  readU64be,
  u64be,
  voteKey,
  votesPrefix,
} from "./keys.js";
import { defaultGovParams, type GovParams } from "./params.js";

type StoreContext = Pick<Context, "store">;

const NANOS = 1_000_000_000n;
export const timestampToNanos = (t: Timestamp | undefined): bigint =>
  t ? t.seconds * NANOS + BigInt(t.nanos) : 0n;
export const nanosToTimestamp = (n: bigint): Timestamp => ({ seconds: n / NANOS, nanos: Number(n % NANOS) });

export interface GovKeeper {
  getParams(ctx: StoreContext): GovParams;
  setParams(ctx: StoreContext, p: GovParams): void;
  /** The id the next proposal gets (starts at 1). */
  nextProposalId(ctx: StoreContext): bigint;
  setNextProposalId(ctx: StoreContext, id: bigint): void;
  getProposal(ctx: StoreContext, id: bigint): Proposal | undefined;
  setProposal(ctx: StoreContext, p: Proposal): void;
  deleteProposal(ctx: StoreContext, id: bigint): void;
  /** Proposals ascending by id. */
  proposals(ctx: StoreContext): Iterable<Proposal>;
  /** Queue entries whose end time is <= `nowNanos`, earliest first. */
  dueInactive(ctx: StoreContext, nowNanos: bigint): { id: bigint; end: bigint }[];
  dueActive(ctx: StoreContext, nowNanos: bigint): { id: bigint; end: bigint }[];
  setInactive(ctx: StoreContext, end: bigint, id: bigint, on: boolean): void;
  setActive(ctx: StoreContext, end: bigint, id: bigint, on: boolean): void;
  getDeposit(ctx: StoreContext, id: bigint, depositor: string): Deposit | undefined;
  setDeposit(ctx: StoreContext, d: Deposit): void;
  /** A proposal's deposits ascending by depositor bytes. */
  deposits(ctx: StoreContext, id: bigint): Deposit[];
  deleteDeposits(ctx: StoreContext, id: bigint): void;
  getVote(ctx: StoreContext, id: bigint, voter: string): Vote | undefined;
  setVote(ctx: StoreContext, v: Vote): void;
  /** A proposal's votes ascending by voter bytes. */
  votes(ctx: StoreContext, id: bigint): Vote[];
  deleteVotes(ctx: StoreContext, id: bigint): void;
  getConstitution(ctx: StoreContext): string;
  setConstitution(ctx: StoreContext, text: string): void;
}

function due(ctx: StoreContext, prefix: Uint8Array, now: bigint): { id: bigint; end: bigint }[] {
  const out: { id: bigint; end: bigint }[] = [];
  for (const [k] of ctx.store.iterate(prefix)) {
    const end = readU64be(k, prefix.length);
    if (end > now) break;
    out.push({ end, id: readU64be(k, prefix.length + 8) });
  }
  return out;
}

const EMPTY = new Uint8Array(0);

/**
 * Creates the gov keeper.
 *
 * @example
 * const keeper = createGovKeeper();
 * keeper.getProposal(ctx, 1n);
 */
export function createGovKeeper(): GovKeeper {
  const all = (ctx: StoreContext, prefix: Uint8Array) => [...ctx.store.iterate(prefix)];
  return {
    getParams(ctx) {
      const raw = ctx.store.get(paramsKey());
      return raw ? Params.decode(raw) : defaultGovParams();
    },
    setParams: (ctx, p) => ctx.store.set(paramsKey(), Params.encode(p).finish()),
    nextProposalId(ctx) {
      const raw = ctx.store.get(nextProposalIdKey());
      return raw ? readU64be(raw) : 1n;
    },
    setNextProposalId: (ctx, id) => ctx.store.set(nextProposalIdKey(), u64be(id)),
    getProposal(ctx, id) {
      const raw = ctx.store.get(proposalKey(id));
      return raw ? Proposal.decode(raw) : undefined;
    },
    setProposal: (ctx, p) => ctx.store.set(proposalKey(p.id), Proposal.encode(p).finish()),
    deleteProposal: (ctx, id) => ctx.store.delete(proposalKey(id)),
    *proposals(ctx) {
      for (const [, v] of ctx.store.iterate(proposalsPrefix())) yield Proposal.decode(v);
    },
    dueInactive: (ctx, now) => due(ctx, inactiveQueuePrefix(), now),
    dueActive: (ctx, now) => due(ctx, activeQueuePrefix(), now),
    setInactive(ctx, end, id, on) {
      if (on) ctx.store.set(inactiveQueueKey(end, id), EMPTY);
      else ctx.store.delete(inactiveQueueKey(end, id));
    },
    setActive(ctx, end, id, on) {
      if (on) ctx.store.set(activeQueueKey(end, id), EMPTY);
      else ctx.store.delete(activeQueueKey(end, id));
    },
    getDeposit(ctx, id, depositor) {
      const raw = ctx.store.get(depositKey(id, parseAccountAddress(depositor)));
      return raw ? Deposit.decode(raw) : undefined;
    },
    setDeposit(ctx, d) {
      const bytes = parseAccountAddress(d.depositor);
      const canonical = { ...d, depositor: formatAccountAddress(bytes) };
      ctx.store.set(depositKey(d.proposalId, bytes), Deposit.encode(canonical).finish());
    },
    deposits: (ctx, id) => all(ctx, depositsPrefix(id)).map(([, v]) => Deposit.decode(v)),
    deleteDeposits(ctx, id) {
      for (const [k] of all(ctx, depositsPrefix(id))) ctx.store.delete(k);
    },
    getVote(ctx, id, voter) {
      const raw = ctx.store.get(voteKey(id, parseAccountAddress(voter)));
      return raw ? Vote.decode(raw) : undefined;
    },
    setVote(ctx, v) {
      const bytes = parseAccountAddress(v.voter);
      const canonical = { ...v, voter: formatAccountAddress(bytes) };
      ctx.store.set(voteKey(v.proposalId, bytes), Vote.encode(canonical).finish());
    },
    votes: (ctx, id) => all(ctx, votesPrefix(id)).map(([, v]) => Vote.decode(v)),
    deleteVotes(ctx, id) {
      for (const [k] of all(ctx, votesPrefix(id))) ctx.store.delete(k);
    },
    getConstitution(ctx) {
      const raw = ctx.store.get(constitutionKey());
      return raw ? new TextDecoder().decode(raw) : "";
    },
    setConstitution: (ctx, text) => ctx.store.set(constitutionKey(), new TextEncoder().encode(text)),
  };
}

export { ProposalStatus };
