/**
 * Genesis of the poq module: `{"params": {...}, "nodes": [...]}` in the stored JSON shapes
 * (params as in `/poq/v1/params`). Node stakes must be held by the `poq` module account in the bank
 * genesis. Export writes params, nodes and the trust records; in-flight requests are not exported
 * (a chain restarted from an export starts with no open requests).
 */
import { BaseError } from "../../errors.js";
import type { Context } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import type { PoqKeeper } from "./keeper.js";
import { paramsFromJson, paramsToJson } from "./keeper.js";
import { defaultPoqParams, validatePoqParams, type PoqParams } from "./params.js";
import { NodeStatus, type NodeRecord } from "./state.js";
import { checkModelId } from "./msg-codec.js";
import { ErrInvalidModels } from "./errors.js";

/** Thrown for a bad poq genesis section. */
export class PoqGenesisError extends BaseError {
  override name = "PoqGenesisError" as const;
}

export interface PoqGenesis {
  params: PoqParams;
  nodes: NodeRecord[];
}

/**
 * Parses and validates the poq section of `app_state` (undefined → defaults).
 *
 * @example
 * const g = parsePoqGenesis({ params: { committeeSize: 3 } });
 */
export function parsePoqGenesis(raw: unknown): PoqGenesis {
  if (raw === undefined || raw === null) return { params: defaultPoqParams(), nodes: [] };
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new PoqGenesisError("poq genesis must be an object");
  const o = raw as Record<string, unknown>;
  let params: PoqParams;
  try {
    params = paramsFromJson((o["params"] ?? {}) as Record<string, unknown>);
    validatePoqParams(params);
  } catch (cause) {
    throw new PoqGenesisError("invalid poq params", { details: (cause as Error).message, cause });
  }
  const unknown = Object.keys(o).filter((k) => k !== "params" && k !== "nodes");
  if (unknown.length > 0) throw new PoqGenesisError(`unknown poq genesis field(s): ${unknown.join(", ")}`);
  const nodes = (o["nodes"] ?? []) as NodeRecord[];
  if (!Array.isArray(nodes)) throw new PoqGenesisError("poq genesis nodes must be an array");
  const seen = new Set<string>();
  for (const n of nodes) {
    if (typeof n !== "object" || n === null || Array.isArray(n))
      throw new PoqGenesisError("a poq genesis node must be an object");
    try {
      parseAccountAddress(n.operator, "operator");
    } catch (cause) {
      throw new PoqGenesisError("invalid poq genesis node", { details: String(n.operator), cause });
    }
    if (seen.has(n.operator)) throw new PoqGenesisError(`duplicate genesis node ${n.operator}`);
    seen.add(n.operator);
    checkGenesisNode(n, params);
  }
  return { params, nodes };
}

/** The fields a genesis node may have: those of an exported node record. */
const NODE_FIELDS: ReadonlySet<string> = new Set([
  "operator",
  "moniker",
  "models",
  "stake",
  "status",
  "registered_height",
  "unbonding_height",
  "assigned",
  "served",
  "scored",
  "quality_sum",
  "earnings",
  "slashed",
  "slashes",
  "missed_deadlines",
  "min_fee",
  "max_in_flight",
  "in_flight",
  "jailed",
]);

/** The rules MsgRegisterNode applies, for a node that starts in genesis instead (review L3). */
function checkGenesisNode(n: NodeRecord, params: PoqParams): void {
  const fail = (why: string): never => {
    throw new PoqGenesisError(`genesis node ${n.operator}: ${why}`);
  };
  const extra = Object.keys(n).filter((k) => !NODE_FIELDS.has(k));
  if (extra.length > 0) fail(`unknown field(s) ${extra.join(", ")}`);
  if (n.stake?.denom !== params.denom || !/^[0-9]{1,78}$/.test(n.stake.amount ?? "")) {
    fail(`stake must be an amount of ${params.denom}`);
  }
  if (BigInt(n.stake.amount) < params.minNodeStake)
    fail(`stake ${n.stake.amount} is below min_node_stake ${params.minNodeStake}`);
  const minFee = (n as Partial<NodeRecord>).min_fee;
  if (minFee !== undefined && (minFee.denom !== params.denom || !/^[0-9]{1,78}$/.test(minFee.amount ?? ""))) {
    fail(`min_fee must be an amount of ${params.denom}`);
  }
  if (!Array.isArray(n.models) || n.models.length === 0) fail("no models");
  if (n.models.length > params.maxModelsPerNode)
    fail(`${n.models.length} models, at most ${params.maxModelsPerNode}`);
  for (const model of n.models) {
    if (typeof model !== "string") fail("model ids must be strings");
    try {
      checkModelId(model, params, ErrInvalidModels);
    } catch (cause) {
      fail((cause as Error).message);
    }
  }
  if (new Set(n.models).size !== n.models.length) fail("duplicate model id");
  const moniker = (n as Partial<NodeRecord>).moniker ?? "";
  if (typeof moniker !== "string" || Buffer.byteLength(moniker) > params.maxMonikerBytes) {
    fail(`moniker must be a string of at most ${params.maxMonikerBytes} bytes`);
  }
  const maxInFlight = (n as Partial<NodeRecord>).max_in_flight ?? 0;
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 0 || maxInFlight > params.maxInFlightLimit) {
    fail(`max_in_flight must be an integer in 0..${params.maxInFlightLimit}`);
  }
}

/**
 * The coins the `poq` module account must hold for a genesis: every node's stake (escrow of
 * in-flight requests would come on top; a genesis has none, see {@link exportPoqGenesis}).
 */
export function poqGenesisHoldings(g: PoqGenesis): bigint {
  return g.nodes.reduce((sum, n) => sum + BigInt(n.stake.amount), 0n);
}

/** Writes genesis state. */
export function initPoqGenesis(keeper: PoqKeeper, ctx: Pick<Context, "store">, g: PoqGenesis): void {
  keeper.setParams(ctx, g.params);
  for (const n of g.nodes) {
    const z = "0";
    keeper.setNode(ctx, {
      operator: n.operator,
      moniker: n.moniker ?? "",
      models: [...n.models],
      stake: { denom: n.stake.denom, amount: n.stake.amount },
      status: NodeStatus.Active,
      registered_height: z,
      unbonding_height: z,
      assigned: z,
      served: z,
      scored: z,
      quality_sum: z,
      earnings: z,
      slashed: z,
      slashes: z,
      missed_deadlines: z,
      min_fee: {
        denom: g.params.denom,
        amount: (BigInt(n.min_fee?.amount ?? "0") > g.params.minRequestFee
          ? BigInt(n.min_fee?.amount ?? "0")
          : g.params.minRequestFee
        ).toString(),
      },
      max_in_flight: n.max_in_flight ?? 0,
      in_flight: z,
      jailed: false,
    });
  }
}

/** Exports params and active nodes. */
export function exportPoqGenesis(keeper: PoqKeeper, ctx: Pick<Context, "store">): unknown {
  return {
    params: paramsToJson(keeper.getParams(ctx)),
    nodes: keeper.nodes(ctx).filter((n) => n.status === NodeStatus.Active),
  };
}
