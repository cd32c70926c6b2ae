/**
 * Moving coins out of the `poq` module account (escrowed fees and bonded node stakes): payouts,
 * refunds and slashes. Slashed stake goes to the wronged requester, so total supply is conserved.
 */
import type { Context } from "../../types.js";
import type { PoqDeps } from "./deps.js";
import { PoqEvent, poqEvent } from "./events.js";
import { POQ_MODULE } from "./keys.js";
import { slashAmount } from "./payout.js";
import { incDecimal } from "./state.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** Pays `amount` of the fee denom from the module account (nothing when zero). */
export function payFromEscrow(ctx: Ctx, deps: PoqDeps, to: string, denom: string, amount: bigint): void {
  if (amount > 0n) deps.bank.sendCoinsFromModuleToAccount(ctx, POQ_MODULE, to, [{ denom, amount }]);
}

/**
 * Slashes a node's stake by `fractionBp`, sending the slashed coins to `recipient` (the wronged
 * requester) so that supply is conserved. Returns the amount.
 */
export function slashNode(
  ctx: Ctx,
  deps: PoqDeps,
  operator: string,
  fractionBp: number,
  recipient: string,
  reason: string,
  requestId: string,
): bigint {
  const node = deps.keeper.getNode(ctx, operator);
  if (!node) return 0n;
  const amount = slashAmount(BigInt(node.stake.amount), fractionBp);
  if (amount === 0n) return 0n;
  payFromEscrow(ctx, deps, recipient, node.stake.denom, amount);
  deps.keeper.setNode(ctx, {
    ...node,
    stake: { denom: node.stake.denom, amount: (BigInt(node.stake.amount) - amount).toString() },
    slashed: incDecimal(node.slashed, amount),
    slashes: incDecimal(node.slashes),
  });
  ctx.emitEvent(
    poqEvent(PoqEvent.Slashed, {
      node: operator,
      amount: amount.toString(),
      reason,
      request_id: requestId,
      recipient,
    }),
  );
  return amount;
}
