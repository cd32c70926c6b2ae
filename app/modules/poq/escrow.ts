/**
 * Moving coins out of the `poq` module account (escrowed fees and bonded node stakes): payouts,
 * refunds and stake returns. Penalties are in penalties.ts (they go to the pool, never a requester).
 */
import type { Context } from "../../types.js";
import type { PoqDeps } from "./deps.js";
import { POQ_MODULE } from "./keys.js";

type Ctx = Pick<Context, "store" | "emitEvent" | "blockHeight">;

/** Pays `amount` of the fee denom from the module account (nothing when zero). */
export function payFromEscrow(ctx: Ctx, deps: PoqDeps, to: string, denom: string, amount: bigint): void {
  if (amount > 0n) deps.bank.sendCoinsFromModuleToAccount(ctx, POQ_MODULE, to, [{ denom, amount }]);
}
