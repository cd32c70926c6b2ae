/**
 * Penalties for nodes, sized to the fault (review C1, H5): a missed deadline or a score under the
 * floor costs the node a part of the request's fee (its share of it), never a share of its whole
 * stake; the coins go to the `poq_pool` module account (a community pool), never to the requester,
 * so nobody profits from making a node fail; and the node is jailed (no new assignments, its other
 * requests handed on) until it sends MsgUnjailNode. An honest node that is down for a while thus
 * loses one fee-sized penalty per outage, however many requests it held.
 */
import type { Context } from "../../types.js";
import { moduleAddress } from "../auth/address.js";
import type { PoqDeps } from "./deps.js";
import { reassignInFlight } from "./eligibility.js";
import { PoqEvent, poqEvent } from "./events.js";
import { POQ_MODULE, POQ_POOL_MODULE } from "./keys.js";
import { BP, type PoqParams } from "./params.js";
import { incDecimal } from "./state.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/**
 * The penalty for one failed request: `fractionBp` of the fee (the node's share of it), at most
 * the node's stake.
 *
 * @example
 * penaltyAmount(5000n, 10000, 1_000_000n); // 5000n
 */
export function penaltyAmount(fee: bigint, fractionBp: number, stake: bigint): bigint {
  if (fee <= 0n || stake <= 0n) return 0n;
  const amount = (fee * BigInt(fractionBp)) / BigInt(BP);
  return amount > stake ? stake : amount;
}

export interface PenalizeNodeParams {
  operator: string;
  /** The fee (share) the node was to be paid for the failed request. */
  fee: bigint;
  fractionBp: number;
  reason: "missed_deadline" | "low_quality";
  requestId: bigint;
}

/**
 * Slashes a node for one failed request into the pool, jails it and hands its other in-flight
 * requests on. Returns the amount slashed.
 *
 * @example
 * penalizeNode(ctx, deps, params, { operator, fee: 5000n, fractionBp: 10000, reason: "missed_deadline", requestId: 7n });
 */
export function penalizeNode(ctx: Ctx, deps: PoqDeps, params: PoqParams, p: PenalizeNodeParams): bigint {
  const node = deps.keeper.getNode(ctx, p.operator);
  if (!node) return 0n;
  const amount = penaltyAmount(p.fee, p.fractionBp, BigInt(node.stake.amount));
  if (amount > 0n) {
    deps.bank.sendCoinsFromModuleToModule(ctx, POQ_MODULE, POQ_POOL_MODULE, [
      { denom: node.stake.denom, amount },
    ]);
    ctx.emitEvent(
      poqEvent(PoqEvent.Slashed, {
        node: p.operator,
        amount: amount.toString(),
        reason: p.reason,
        request_id: p.requestId.toString(),
        recipient: moduleAddress(POQ_POOL_MODULE),
      }),
    );
  }
  const wasJailed = node.jailed;
  deps.keeper.setNode(ctx, {
    ...node,
    stake: { denom: node.stake.denom, amount: (BigInt(node.stake.amount) - amount).toString() },
    slashed: incDecimal(node.slashed, amount),
    slashes: incDecimal(node.slashes),
    jailed: true,
  });
  if (!wasJailed) {
    ctx.emitEvent(
      poqEvent(PoqEvent.NodeJailed, {
        operator: p.operator,
        reason: p.reason,
        request_id: p.requestId.toString(),
      }),
    );
  }
  reassignInFlight(ctx, deps, params, p.operator, p.requestId);
  return amount;
}
