/**
 * What the poq module needs from other modules: the narrowest interfaces, so that it cannot do more.
 */
import type { BankKeeper } from "../bank/keeper.js";
import type { ValidatorsView } from "../validators/keeper.js";
import type { PoqKeeper } from "./keeper.js";

/** Moves fees into escrow and pays out of the `poq` module account. */
export type PoqBank = Pick<BankKeeper, "sendCoinsFromAccountToModule" | "sendCoinsFromModuleToAccount">;

export interface PoqDeps {
  keeper: PoqKeeper;
  bank: PoqBank;
  validators: Pick<ValidatorsView, "get" | "list">;
}
