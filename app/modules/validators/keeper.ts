/**
 * The consensus validator set as the app knows it: each CometBFT validator's ed25519 key, its
 * address (first 20 bytes of sha256(pubkey)), its voting power, and the account that operates it
 * (where the PoQ module pays its rewards). Other modules get the read-only {@link ValidatorsView}.
 */
import { createHash } from "node:crypto";
import type { Context } from "../../types.js";
import { recordKey, recordsPrefix } from "./keys.js";

/** A consensus validator. */
export interface ConsensusValidator {
  /** First 20 bytes of sha256(pubKey), as CometBFT computes it. */
  address: Uint8Array;
  /** ed25519 public key, 32 bytes. */
  pubKey: Uint8Array;
  power: bigint;
  /** Bech32 account (`poq1...`) that operates the validator; empty when genesis named none. */
  operator: string;
  moniker: string;
}

/** The stored form: a JSON object with fixed key order, so its bytes are deterministic. */
interface ValidatorRecordJson {
  pub_key: string;
  power: string;
  operator: string;
  moniker: string;
}

type StoreContext = Pick<Context, "store">;

/** Read access for other modules (PoQ committees, vote-extension checks). */
export interface ValidatorsView {
  /** The validator with this consensus address, or undefined. */
  get(ctx: StoreContext, address: Uint8Array): ConsensusValidator | undefined;
  /** All validators with power > 0, ascending by address bytes. */
  list(ctx: StoreContext): ConsensusValidator[];
  /** Sum of the powers of all validators. */
  totalPower(ctx: StoreContext): bigint;
}

export interface ValidatorsKeeper extends ValidatorsView {
  /** Stores a validator; power 0 removes it, as a CometBFT validator update does. */
  set(ctx: StoreContext, v: ConsensusValidator): void;
}

/**
 * The consensus address of an ed25519 key: the first 20 bytes of its sha256.
 *
 * @example
 * consensusAddress(pubKey32); // Uint8Array(20)
 */
export function consensusAddress(pubKey: Uint8Array): Uint8Array {
  return Uint8Array.from(createHash("sha256").update(pubKey).digest().subarray(0, 20));
}

function encode(v: ConsensusValidator): Uint8Array {
  const json: ValidatorRecordJson = {
    pub_key: Buffer.from(v.pubKey).toString("base64"),
    power: v.power.toString(),
    operator: v.operator,
    moniker: v.moniker,
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

function decode(address: Uint8Array, bytes: Uint8Array): ConsensusValidator {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as ValidatorRecordJson;
  return {
    address: Uint8Array.from(address),
    pubKey: Uint8Array.from(Buffer.from(json.pub_key, "base64")),
    power: BigInt(json.power),
    operator: json.operator,
    moniker: json.moniker,
  };
}

/**
 * Creates the keeper of the validator set.
 *
 * @example
 * const validators = createValidatorsKeeper();
 * const total = validators.totalPower(ctx);
 */
export function createValidatorsKeeper(): ValidatorsKeeper {
  const prefixLength = recordsPrefix().length;
  const list = (ctx: StoreContext): ConsensusValidator[] =>
    [...ctx.store.iterate(recordsPrefix())].map(([k, v]) => decode(k.subarray(prefixLength), v));
  return {
    get(ctx, address) {
      const bytes = ctx.store.get(recordKey(address));
      return bytes ? decode(address, bytes) : undefined;
    },
    list,
    totalPower: (ctx) => list(ctx).reduce((sum, v) => sum + v.power, 0n),
    set(ctx, v) {
      if (v.power === 0n) ctx.store.delete(recordKey(v.address));
      else ctx.store.set(recordKey(v.address), encode(v));
    },
  };
}
