/**
 * Prints a command's result: JSON with `--output json`, else the human text.
 */
import type { Command } from "commander";
import { globalOptions } from "./global-options.js";
import { withPoqCommand } from "./poq-command.js";

/** Serializes bigints as strings, as the Cosmos JSON conventions do. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Prints `value` as JSON or `text` for people, whose `poq ...` hints name the command that works here. */
export function printResult(cmd: Command, value: unknown, text: string): void {
  process.stdout.write((globalOptions(cmd).output === "json" ? toJson(value) : withPoqCommand(text)) + "\n");
}
