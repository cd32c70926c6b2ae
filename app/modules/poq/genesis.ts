/**
 * Genesis of the poq module, in one of two forms:
 *
 * - a new chain: `{"params": {...}, "nodes": [...]}` in the stored JSON shapes (params as in
 *   `/poq/v1/params`); the `poq` module account must hold exactly the node stakes;
 * - an export (`exportPoqGenesis`): `{"params": {...}, "store": [{"key", "value"}, ...]}`, every
 *   entry of the module's state but the params (key: hex after `poq/`, value: base64), ascending by
 *   key: requests in flight and finished, their escrow, commitments and reveals, deadlines, nodes
 *   and their indexes, trust, the beacon, the unbonding and pruning queues. Importing writes them
 *   as they were, so the module's state (and its part of the app hash) is the same; heights in it
 *   are absolute, so the new chain starts at `initial_height` = the exported height + 1 (as the
 *   SDK's exports do). The `poq` module account must hold exactly what that state owes: every node
 *   record's stake plus the escrow of every open request ({@link owedByStore}).
 */
import { BaseError } from "../../errors.js";
import type { Context } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import type { PoqKeeper } from "./keeper.js";
import { paramsFromJson, paramsToJson } from "./keeper.js";
import { defaultPoqParams, validatePoqParams, type PoqParams } from "./params.js";
import { decodeRequestRecord } from "./kept-record.js";
import { NodeStatus, fromBytes, isFinalStatus, type NodeRecord, type RequestRecord } from "./state.js";
import { KeyTag, keyOf } from "./keys.js";
import { checkModelId } from "./msg-codec.js";
import { ErrInvalidModels } from "./errors.js";

/** Thrown for a bad poq genesis section. */
export class PoqGenesisError extends BaseError {
  override name = "PoqGenesisError" as const;
}

export interface PoqGenesis {
  params: PoqParams;
  nodes: NodeRecord[];
  /** An exported state: every entry but the params (key after `poq/`, value), ascending by key. */
  store?: { key: Uint8Array; value: Uint8Array }[];
}

/** The key tags an exported store may hold: every one the module writes but the params. */
const STORE_TAGS: ReadonlySet<number> = new Set(
  Object.values(KeyTag).filter((t) => t !== KeyTag.Params && t !== KeyTag.RetiredBlockSeed),
);

function parseStore(raw: unknown): { key: Uint8Array; value: Uint8Array }[] {
  if (!Array.isArray(raw)) throw new PoqGenesisError("poq genesis store must be an array");
  let previous: Uint8Array | undefined;
  return raw.map((e: unknown, i) => {
    const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
    const keyHex = o["key"];
    const value64 = o["value"];
    if (
      typeof keyHex !== "string" ||
      !/^([0-9a-f]{2})+$/.test(keyHex) ||
      typeof value64 !== "string" ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(value64) ||
      Object.keys(o).length !== 2
    )
      throw new PoqGenesisError(`poq genesis store entry ${i} must be {"key": hex, "value": base64}`);
    const key = Uint8Array.from(Buffer.from(keyHex, "hex"));
    if (!STORE_TAGS.has(key[0]!))
      throw new PoqGenesisError(
        `poq genesis store entry ${i}: key tag 0x${keyHex.slice(0, 2)} is none the module writes`,
      );
    if (previous && Buffer.compare(previous, key) >= 0)
      throw new PoqGenesisError(`poq genesis store entry ${i}: keys must be ascending and distinct`);
    previous = key;
    return { key, value: Uint8Array.from(Buffer.from(value64, "base64")) };
  });
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
  const unknown = Object.keys(o).filter((k) => k !== "params" && k !== "nodes" && k !== "store");
  if (unknown.length > 0) throw new PoqGenesisError(`unknown poq genesis field(s): ${unknown.join(", ")}`);
  if (o["store"] !== undefined) {
    // An export carries its nodes (with their indexes) in the store.
    if (o["nodes"] !== undefined && (!Array.isArray(o["nodes"]) || o["nodes"].length > 0))
      throw new PoqGenesisError(
        "a poq genesis with a store holds its nodes there: nodes must be absent or empty",
      );
    return { params, nodes: [], store: parseStore(o["store"]) };
  }
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
  if (g.store) return owedByStore(g.store);
  return g.nodes.reduce((sum, n) => sum + BigInt(n.stake.amount), 0n);
}

/**
 * What the `poq` module account owes for an exported state: the stake of every node record (ACTIVE
 * or UNBONDING: an UNBONDED record is deleted when its stake returns), plus for every open request
 * its fee less the shares of its answers already closed (each closed answer was paid or refunded
 * from its share; the remainder of a replicated fee is refunded when the request settles).
 */
export function owedByStore(store: readonly { key: Uint8Array; value: Uint8Array }[]): bigint {
  const records = new Map<string, RequestRecord>();
  let owed = 0n;
  for (const { key, value } of store) {
    if (key[0] === KeyTag.Node) owed += BigInt(fromBytes<NodeRecord>(value).stake.amount);
    if (key[0] === KeyTag.Request) {
      const r = decodeRequestRecord(value);
      records.set(r.id, r);
    }
  }
  for (const r of records.values()) {
    if (r.parent !== "0" || isFinalStatus(r.status)) continue;
    owed += BigInt(r.fee.amount);
    if (r.replicas < 2) continue;
    for (const id of r.response_ids) {
      const a = records.get(id);
      if (a && isFinalStatus(a.status)) owed -= BigInt(a.fee.amount);
    }
  }
  return owed;
}

/** Writes genesis state. */
export function initPoqGenesis(keeper: PoqKeeper, ctx: Pick<Context, "store">, g: PoqGenesis): void {
  keeper.setParams(ctx, g.params);
  for (const { key, value } of g.store ?? []) ctx.store.set(keyOf(key[0]!, key.subarray(1)), value);
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

/** Exports the params and every other entry of the module's state (see the file comment). */
export function exportPoqGenesis(keeper: PoqKeeper, ctx: Pick<Context, "store">): unknown {
  const prefix = keyOf(KeyTag.Params).subarray(0, -1); // `poq/`
  const store: { key: string; value: string }[] = [];
  for (const [k, v] of ctx.store.iterate(prefix)) {
    if (k[prefix.length] === KeyTag.Params) continue;
    store.push({
      key: Buffer.from(k.subarray(prefix.length)).toString("hex"),
      value: Buffer.from(v).toString("base64"),
    });
  }
  return { params: paramsToJson(keeper.getParams(ctx)), store };
}
