/**
 * Bank parameters, as the SDK's: a default for whether coins may be sent, and per-denom overrides.
 */

export interface SendEnabled {
  denom: string;
  enabled: boolean;
}

export interface BankParams {
  /** Per-denom overrides, sorted by denom. */
  sendEnabled: SendEnabled[];
  defaultSendEnabled: boolean;
}

/** JSON form (genesis, store, REST). */
export interface BankParamsJson {
  send_enabled: SendEnabled[];
  default_send_enabled: boolean;
}

/**
 * Defaults: every denom can be sent.
 *
 * @example
 * defaultBankParams().defaultSendEnabled; // true
 */
export function defaultBankParams(): BankParams {
  return { sendEnabled: [], defaultSendEnabled: true };
}

/** Params → JSON with one fixed key order, so the stored bytes are canonical. */
export function bankParamsToJson(p: BankParams): BankParamsJson {
  return {
    send_enabled: p.sendEnabled.map((s) => ({ denom: s.denom, enabled: s.enabled })),
    default_send_enabled: p.defaultSendEnabled,
  };
}

/**
 * Parses and validates the JSON form; throws a RangeError naming the bad field.
 *
 * @example
 * bankParamsFromJson({ send_enabled: [], default_send_enabled: true });
 */
export function bankParamsFromJson(raw: unknown): BankParams {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new RangeError("bank params must be an object");
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (k !== "send_enabled" && k !== "default_send_enabled") {
      throw new RangeError(`bank params: unknown field ${JSON.stringify(k)}`);
    }
  }
  const def = obj["default_send_enabled"] ?? true;
  if (typeof def !== "boolean") throw new RangeError("bank params: default_send_enabled must be a boolean");
  const list = obj["send_enabled"] ?? [];
  if (!Array.isArray(list)) throw new RangeError("bank params: send_enabled must be a list");
  const sendEnabled: SendEnabled[] = list.map((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    if (typeof e?.["denom"] !== "string" || typeof e["enabled"] !== "boolean") {
      throw new RangeError(`bank params: send_enabled[${i}] must be {denom: string, enabled: boolean}`);
    }
    return { denom: e["denom"], enabled: e["enabled"] };
  });
  sendEnabled.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  for (let i = 1; i < sendEnabled.length; i++) {
    if (sendEnabled[i]?.denom === sendEnabled[i - 1]?.denom) {
      throw new RangeError(`bank params: send_enabled lists ${sendEnabled[i]?.denom} twice`);
    }
  }
  return { sendEnabled, defaultSendEnabled: def };
}
