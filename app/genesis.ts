/**
 * The genesis `app_state`: one section per module, keyed by module name.
 *
 * ```json
 * { "auth": {...}, "bank": {...}, "validators": {...}, "poq": {...} }
 * ```
 *
 * Each module validates its own section (`Module.validateGenesis`); this file checks the outer
 * shape: a JSON object, and no section for a module the app does not have (a typo there would
 * otherwise silently drop a whole section).
 */
import { GenesisError } from "./errors.js";
import type { Module } from "./types.js";

/** The parsed `app_state`: module name to its raw JSON section. */
export type AppState = Record<string, unknown>;

/**
 * Parses `app_state` bytes from InitChain. Empty bytes mean `{}`.
 *
 * @example
 * parseAppState(new TextEncoder().encode('{"bank": {"balances": []}}')); // { bank: { balances: [] } }
 */
export function parseAppState(bytes: Uint8Array): AppState {
  const text = new TextDecoder().decode(bytes).trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new GenesisError("", "", `app_state is not valid JSON (${(err as Error).message})`, err);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new GenesisError("", "", "app_state must be a JSON object with one section per module");
  }
  return parsed as AppState;
}

/**
 * Checks that every section belongs to a module and lets each module validate its section
 * (modules see `undefined` for an absent section). Throws the first {@link GenesisError}.
 *
 * @example
 * validateAppState([bankModule], { bank: { balances: [] } });
 */
export function validateAppState(modules: readonly Module[], appState: AppState): void {
  const names = new Set(modules.map((m) => m.name));
  for (const section of Object.keys(appState).sort()) {
    if (!names.has(section)) {
      throw new GenesisError(
        section,
        "",
        `no module named "${section}" (modules: ${[...names].sort().join(", ")})`,
      );
    }
  }
  for (const m of modules) {
    try {
      m.validateGenesis?.(appState[m.name]);
    } catch (err) {
      if (err instanceof GenesisError) throw err;
      throw new GenesisError(m.name, "", (err as Error).message ?? String(err), err);
    }
  }
}
