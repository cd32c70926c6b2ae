/**
 * What the poq module needs from other modules: the narrowest interfaces, so that it cannot do more.
 */
import type { BankKeeper } from "../bank/keeper.js";
import type { ValidatorsView } from "../validators/keeper.js";
import type { PoqKeeper } from "./keeper.js";

/**
 * Moves fees into escrow, pays out of the `poq` module account and sends penalties to the pool;
 * reads the module account's balance to check a genesis against its node stakes.
 */
export type PoqBank = Pick<
  BankKeeper,
  | "sendCoinsFromAccountToModule"
  | "sendCoinsFromModuleToAccount"
  | "sendCoinsFromModuleToModule"
  | "getBalance"
>;

export interface PoqDeps {
  keeper: PoqKeeper;
  bank: PoqBank;
  validators: Pick<ValidatorsView, "get" | "list">;
}
