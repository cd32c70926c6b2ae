/**
 * Edits CometBFT's `config.toml` in place, key by key, keeping its comments and layout.
 *
 * The file CometBFT writes is flat: top-level keys, then `[section]` tables whose keys are all
 * `key = value` on one line. That is the only shape handled here; a key that is not in the file is an
 * error (a typo must not silently configure nothing).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BaseError } from "../app/errors.js";

export type TomlValue = string | number | boolean | string[];

/** A key that the config file does not have. */
export class CometConfigError extends BaseError {
  override name = "CometConfigError" as const;
}

function formatValue(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
  // A JSON string of printable text is a valid TOML basic string.
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Splits `section.key` (or a bare top-level `key`) at its last dot. */
function splitKey(path: string): { section: string; key: string } {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? { section: "", key: path } : { section: path.slice(0, dot), key: path.slice(dot + 1) };
}

function lineMatcher(key: string): RegExp {
  return new RegExp(`^(\\s*${key.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\s*=\\s*)(.*)$`);
}

/** Calls `visit` for each `key = value` line with its section; `visit` may return a replacement line. */
function mapKeyLines(text: string, visit: (section: string, line: string) => string | undefined): string {
  let section = "";
  return text
    .split("\n")
    .map((line) => {
      const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
      if (header) {
        section = (header[1] as string).trim();
        return line;
      }
      return visit(section, line) ?? line;
    })
    .join("\n");
}

/**
 * Sets values in config.toml text. Keys are `section.key`, or `key` for top-level settings.
 *
 * @example
 * setTomlValues(text, { proxy_app: "tcp://127.0.0.1:27002", "consensus.timeout_commit": "200ms" });
 */
export function setTomlValues(text: string, values: Record<string, TomlValue>): string {
  const wanted = new Map(Object.entries(values).map(([path, value]) => [path, { ...splitKey(path), value }]));
  const done = new Set<string>();
  const out = mapKeyLines(text, (section, line) => {
    for (const [path, w] of wanted) {
      if (w.section !== section) continue;
      const m = lineMatcher(w.key).exec(line);
      if (!m) continue;
      done.add(path);
      return `${m[1]}${formatValue(w.value)}`;
    }
    return undefined;
  });
  const missing = [...wanted.keys()].filter((k) => !done.has(k));
  if (missing.length > 0)
    throw new CometConfigError("config.toml has no such keys", { details: missing.join(", ") });
  return out;
}

/**
 * Reads one string value (`section.key`) from config.toml text; `undefined` when absent.
 *
 * @example
 * getTomlString(text, "rpc.laddr"); // "tcp://127.0.0.1:26657"
 */
export function getTomlString(text: string, path: string): string | undefined {
  const { section, key } = splitKey(path);
  let found: string | undefined;
  mapKeyLines(text, (s, line) => {
    const m = s === section ? lineMatcher(key).exec(line) : null;
    if (m && found === undefined) found = JSON.parse((m[2] as string).trim()) as string;
    return undefined;
  });
  return found;
}

/** The path of a home's config.toml. */
export function cometConfigPath(home: string): string {
  return join(home, "config", "config.toml");
}

/**
 * Applies {@link setTomlValues} to `<home>/config/config.toml`.
 *
 * @example
 * updateCometConfig("/tmp/node0", { "p2p.allow_duplicate_ip": true });
 */
export function updateCometConfig(home: string, values: Record<string, TomlValue>): void {
  const file = cometConfigPath(home);
  writeFileSync(file, setTomlValues(readFileSync(file, "utf8"), values));
}
