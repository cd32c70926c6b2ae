/**
 * Conversions between protobufjs's wire shapes (Long, Timestamp, nullable fields) and the plain types of
 * `abci/application.ts` (bigint, nanoseconds, always-present arrays and bytes).
 *
 * protobufjs decodes 64-bit integers to `Long`-shaped objects `{ low, high, unsigned }` (or to numbers
 * when no Long library is loaded), and its writer accepts any object of that shape, so no Long library is
 * needed here: bigint <-> two 32-bit halves is exact for the whole 64-bit range.
 */
import type { Long } from "protobufjs";
import type { ConsensusParams } from "./application.js";
import { google, tendermint } from "../proto/gen/tendermint.js";

/** What protobufjs hands out or accepts for an (u)int64 field. */
export type WireInt64 = number | Long | null | undefined;

const NANOS_PER_SECOND = 1_000_000_000n;
const EMPTY = new Uint8Array(0);

/**
 * Reads a decoded 64-bit field as bigint (0n when absent).
 *
 * @example
 * toBigInt({ low: -1, high: -1, unsigned: false }); // -1n
 */
export function toBigInt(value: WireInt64): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "number") return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? bits : BigInt.asIntN(64, bits);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * A bigint as the `{ low, high, unsigned }` shape the protobufjs writer encodes. Values outside 64 bits
 * saturate at the nearest bound instead of throwing: this runs while a response is encoded, and a throw
 * there becomes an ABCI exception, which CometBFT treats as fatal (one crafted tx would stop the node).
 * Input that can carry such values is rejected at decode; this is the last line of defence.
 *
 * @example
 * fromBigInt(5n); // { low: 5, high: 0, unsigned: false }
 * fromBigInt(2n ** 64n); // int64 max: { low: -1, high: 2147483647, unsigned: false }
 */
export function fromBigInt(value: bigint, unsigned = false): Long {
  const v = saturate(value, unsigned ? 0n : INT64_MIN, unsigned ? UINT64_MAX : INT64_MAX);
  return {
    low: Number(BigInt.asIntN(32, v)),
    high: Number(BigInt.asIntN(32, v >> 32n)),
    unsigned,
  };
}

/**
 * `value` limited to [min, max].
 *
 * @example
 * saturate(7n, 0n, 5n); // 5n
 */
export function saturate(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value;
}

/**
 * Bytes of a decoded field, empty when absent. protobufjs hands out Node `Buffer`s; the app gets a plain
 * `Uint8Array` view of the same memory (no copy), so equality checks and `instanceof` behave the same
 * everywhere.
 */
export function toBytes(value: Uint8Array | null | undefined): Uint8Array {
  if (!value || value.length === 0) return EMPTY;
  return Object.getPrototypeOf(value) === Uint8Array.prototype
    ? value
    : new Uint8Array(value.buffer, value.byteOffset, value.length);
}

/**
 * A Timestamp (or Duration) as nanoseconds since the epoch; 0n when absent.
 *
 * @example
 * toNanos({ seconds: 1, nanos: 5 }); // 1000000005n
 */
export function toNanos(value: { seconds?: WireInt64; nanos?: number | null } | null | undefined): bigint {
  if (!value) return 0n;
  return toBigInt(value.seconds) * NANOS_PER_SECOND + BigInt(value.nanos ?? 0);
}

/**
 * Nanoseconds as Timestamp/Duration fields; nanos stay in [0, 1e9) as protobuf requires.
 *
 * @example
 * fromNanos(-1n); // { seconds: { low: -1, high: -1, unsigned: false }, nanos: 999999999 }
 */
export function fromNanos(nanos: bigint): google.protobuf.ITimestamp {
  let seconds = nanos / NANOS_PER_SECOND;
  let rest = nanos % NANOS_PER_SECOND;
  if (rest < 0n) {
    rest += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  return { seconds: fromBigInt(seconds), nanos: Number(rest) };
}

/** Consensus params from the wire; sub-messages that are absent stay absent (an update leaves them as they are). */
export function toConsensusParams(
  value: tendermint.types.IConsensusParams | null | undefined,
): ConsensusParams | undefined {
  if (!value) return undefined;
  const out: ConsensusParams = {};
  if (value.block)
    out.block = { maxBytes: toBigInt(value.block.maxBytes), maxGas: toBigInt(value.block.maxGas) };
  if (value.evidence) {
    out.evidence = {
      maxAgeNumBlocks: toBigInt(value.evidence.maxAgeNumBlocks),
      maxAgeDurationNanos: toNanos(value.evidence.maxAgeDuration),
      maxBytes: toBigInt(value.evidence.maxBytes),
    };
  }
  if (value.validator) out.validator = { pubKeyTypes: [...(value.validator.pubKeyTypes ?? [])] };
  if (value.version) out.version = { app: toBigInt(value.version.app) };
  if (value.abci) out.abci = { voteExtensionsEnableHeight: toBigInt(value.abci.voteExtensionsEnableHeight) };
  return out;
}

/** Consensus params for the wire. */
export function fromConsensusParams(value: ConsensusParams): tendermint.types.IConsensusParams {
  const out: tendermint.types.IConsensusParams = {};
  if (value.block) {
    out.block = { maxBytes: fromBigInt(value.block.maxBytes), maxGas: fromBigInt(value.block.maxGas) };
  }
  if (value.evidence) {
    out.evidence = {
      maxAgeNumBlocks: fromBigInt(value.evidence.maxAgeNumBlocks),
      maxAgeDuration: fromNanos(value.evidence.maxAgeDurationNanos),
      maxBytes: fromBigInt(value.evidence.maxBytes),
    };
  }
  if (value.validator) out.validator = { pubKeyTypes: [...value.validator.pubKeyTypes] };
  if (value.version) out.version = { app: fromBigInt(value.version.app, true) };
  if (value.abci)
    out.abci = { voteExtensionsEnableHeight: fromBigInt(value.abci.voteExtensionsEnableHeight) };
  return out;
}
