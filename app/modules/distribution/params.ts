/**
 * Distribution params (`cosmos.distribution.v1beta1.Params`) and the block reward (ours, outside the
 * SDK's Params so that the SDK's protobuf and REST shapes stay exact).
 */
import { GenesisError } from "../../errors.js";
import { DEC_ONE, formatDec, parseDec } from "./dec.js";

export interface DistributionParams {
  /** Share of every allocation that goes to the community pool, LegacyDec × 10^18 (default 0.02). */
  communityTax: bigint;
  /** Deprecated in the SDK v0.50 and unused (always allocated as 0); kept for the shapes. */
  baseProposerReward: bigint;
  bonusProposerReward: bigint;
  /** Whether MsgSetWithdrawAddress is allowed. */
  withdrawAddrEnabled: boolean;
}

/** The SDK's defaults: 2% community tax, no proposer reward, withdraw addresses allowed. */
export const defaultDistributionParams = (): DistributionParams => ({
  communityTax: 2n * 10n ** 16n,
  baseProposerReward: 0n,
  bonusProposerReward: 0n,
  withdrawAddrEnabled: true,
});

/**
 * The SDK's `Params.ValidateBasic`: community tax in [0, 1], proposer rewards non-negative.
 * Returns the reason, or undefined.
 *
 * @example
 * paramsProblem(defaultDistributionParams()); // undefined
 */
export function paramsProblem(p: DistributionParams): string | undefined {
  if (p.communityTax < 0n || p.communityTax > DEC_ONE)
    return `community_tax must be between 0 and 1, got ${formatDec(p.communityTax)}`;
  if (p.baseProposerReward < 0n) return "base_proposer_reward must be non-negative";
  if (p.bonusProposerReward < 0n) return "bonus_proposer_reward must be non-negative";
  return undefined;
}

/** Protobuf field values (gogoproto writes a LegacyDec as its × 10^18 integer). */
export const paramsToProto = (p: DistributionParams) => ({
  communityTax: p.communityTax.toString(),
  baseProposerReward: p.baseProposerReward.toString(),
  bonusProposerReward: p.bonusProposerReward.toString(),
  withdrawAddrEnabled: p.withdrawAddrEnabled,
});

const protoDec = (s: string): bigint => (s === "" ? 0n : BigInt(s));
export const paramsFromProto = (p: {
  communityTax: string;
  baseProposerReward: string;
  bonusProposerReward: string;
  withdrawAddrEnabled: boolean;
}): DistributionParams => ({
  communityTax: protoDec(p.communityTax),
  baseProposerReward: protoDec(p.baseProposerReward),
  bonusProposerReward: protoDec(p.bonusProposerReward),
  withdrawAddrEnabled: p.withdrawAddrEnabled,
});

/** REST / genesis JSON (18-decimal strings), in the SDK's key order. */
export const paramsToJson = (p: DistributionParams) => ({
  community_tax: formatDec(p.communityTax),
  base_proposer_reward: formatDec(p.baseProposerReward),
  bonus_proposer_reward: formatDec(p.bonusProposerReward),
  withdraw_addr_enabled: p.withdrawAddrEnabled,
});

/**
 * Parses genesis `params` JSON; absent fields take the defaults; errors name the field.
 *
 * @example
 * paramsFromJson({ community_tax: "0.05" });
 */
export function paramsFromJson(raw: unknown): DistributionParams {
  const fail = (field: string, reason: string): never => {
    throw new GenesisError("distribution", field === "" ? "params" : `params.${field}`, reason);
  };
  if (raw === undefined) return defaultDistributionParams();
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("", "must be an object");
  const obj = raw as Record<string, unknown>;
  const known = ["community_tax", "base_proposer_reward", "bonus_proposer_reward", "withdraw_addr_enabled"];
  for (const k of Object.keys(obj)) if (!known.includes(k)) fail(k, "unknown field");
  const d = defaultDistributionParams();
  const dec = (name: string, fallback: bigint): bigint => {
    const v = obj[name];
    if (v === undefined) return fallback;
    if (typeof v !== "string") return fail(name, "must be a decimal string");
    try {
      return parseDec(v, name);
    } catch {
      return fail(name, `must be a non-negative decimal with at most 18 places, got ${JSON.stringify(v)}`);
    }
  };
  const enabled = obj.withdraw_addr_enabled;
  if (enabled !== undefined && typeof enabled !== "boolean")
    fail("withdraw_addr_enabled", "must be true or false");
  const p: DistributionParams = {
    communityTax: dec("community_tax", d.communityTax),
    baseProposerReward: dec("base_proposer_reward", d.baseProposerReward),
    bonusProposerReward: dec("bonus_proposer_reward", d.bonusProposerReward),
    withdrawAddrEnabled: typeof enabled === "boolean" ? enabled : d.withdrawAddrEnabled,
  };
  const problem = paramsProblem(p);
  if (problem) fail("", problem);
  return p;
}
