/**
 * Genesis of the validators module: maps CometBFT's genesis validators to operator accounts.
 *
 * ```json
 * "validators": { "validators": [{ "pub_key": "<base64 ed25519>", "operator": "poq1...", "moniker": "validator0" }] }
 * ```
 *
 * The keys and powers themselves come from InitChain (CometBFT's genesis `validators`); every
 * entry here must name one of those keys, at most once.
 *
 * An export (`poq export`) writes the consensus view as it is, every entry with its `power` (and an
 * empty `operator` for a validator no account runs): the view of the exported height, which may lag
 * CometBFT's set by the updates staking still holds (`pending_validator_updates`). Such a section is
 * written back as it is; staking's exported section checks CometBFT's genesis set.
 */
import { GenesisError } from "../../errors.js";
import type { Context, GenesisChainInfo } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import { consensusAddress, type ValidatorsKeeper } from "./keeper.js";
import { VALIDATORS_MODULE } from "./keys.js";

/** One operator entry of the genesis section. */
export interface ValidatorOperatorGenesis {
  pubKey: Uint8Array;
  operator: string;
  moniker: string;
  /** The view's power (an exported section: every entry has one). */
  power?: bigint;
}

const fail = (field: string, reason: string): never => {
  throw new GenesisError(VALIDATORS_MODULE, field, reason);
};

/**
 * Validates and parses the `validators` section (absent means no operators).
 *
 * @example
 * parseValidatorsGenesis({ validators: [{ pub_key: "...", operator: "poq1...", moniker: "v0" }] });
 */
export function parseValidatorsGenesis(raw: unknown): ValidatorOperatorGenesis[] {
  if (raw === undefined) return [];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail("", "must be an object");
  for (const k of Object.keys(raw)) if (k !== "validators") fail(k, "unknown field");
  const list = (raw as { validators?: unknown }).validators ?? [];
  if (!Array.isArray(list)) return fail("validators", "must be an array");
  const seen = new Set<string>();
  const exported = list.some((e) => typeof e === "object" && e !== null && "power" in e);
  return list.map((entry: unknown, i): ValidatorOperatorGenesis => {
    const at = `validators[${i}]`;
    if (entry === null || typeof entry !== "object") return fail(at, "must be an object");
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!["pub_key", "operator", "moniker", "power"].includes(k)) fail(`${at}.${k}`, "unknown field");
    }
    if (typeof e.pub_key !== "string") return fail(`${at}.pub_key`, "must be a base64 string");
    const pubKey = Uint8Array.from(Buffer.from(e.pub_key, "base64"));
    if (pubKey.length !== 32 || Buffer.from(pubKey).toString("base64") !== e.pub_key) {
      fail(`${at}.pub_key`, "must be a base64 ed25519 public key of 32 bytes");
    }
    if (seen.has(e.pub_key)) fail(`${at}.pub_key`, "listed twice");
    seen.add(e.pub_key);
    let power: bigint | undefined;
    if (exported) {
      if (typeof e.power !== "string" || !/^[1-9][0-9]{0,18}$/.test(e.power) || BigInt(e.power) >= 2n ** 63n)
        fail(
          `${at}.power`,
          "must be a positive integer string (an exported section gives every entry its power)",
        );
      power = BigInt(e.power as string);
    }
    if (typeof e.operator !== "string") return fail(`${at}.operator`, "must be a bech32 account address");
    // An exported view keeps the validators no account operates, with an empty operator.
    if (!(exported && e.operator === "")) {
      try {
        parseAccountAddress(e.operator, `${at}.operator`);
      } catch (err) {
        fail(`${at}.operator`, (err as Error).message);
      }
    }
    const moniker = e.moniker ?? "";
    if (typeof moniker !== "string" || moniker.length > 70)
      fail(`${at}.moniker`, "must be a string of at most 70 characters");
    return {
      pubKey,
      operator: e.operator,
      moniker: moniker as string,
      ...(power !== undefined ? { power } : {}),
    };
  });
}

/**
 * Records InitChain's validators with their operators from the genesis section.
 *
 * @example
 * initValidatorsGenesis(keeper, ctx, appState.validators, { chainId, initialHeight: 1n, validators });
 */
export function initValidatorsGenesis(
  keeper: ValidatorsKeeper,
  ctx: Pick<Context, "store">,
  raw: unknown,
  chain: GenesisChainInfo,
): void {
  const operators = parseValidatorsGenesis(raw);
  if (operators.some((o) => o.power !== undefined)) {
    for (const o of operators)
      keeper.set(ctx, {
        address: consensusAddress(o.pubKey),
        pubKey: o.pubKey,
        power: o.power!,
        operator: o.operator,
        moniker: o.moniker,
      });
    return;
  }
  const byKey = new Map(operators.map((o) => [Buffer.from(o.pubKey).toString("base64"), o]));
  for (const v of chain.validators) {
    const key = Buffer.from(v.pubKeyEd25519).toString("base64");
    const op = byKey.get(key);
    byKey.delete(key);
    keeper.set(ctx, {
      address: consensusAddress(v.pubKeyEd25519),
      pubKey: v.pubKeyEd25519,
      power: v.power,
      operator: op?.operator ?? "",
      moniker: op?.moniker ?? "",
    });
  }
  for (const key of byKey.keys()) {
    fail("validators", `pub_key ${key} is not a validator in CometBFT's genesis validators`);
  }
}
