/**
 * Options every `poq` command understands, with the defaults of SPEC section 6, and how commands read
 * their numeric flags.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { CliError, EXIT } from "./exit-codes.js";

export interface GlobalOptions {
  home: string;
  node: string;
  rest: string;
  chainId: string;
  output: "text" | "json";
}

export const DEFAULT_HOME = join(homedir(), ".poq");
export const DEFAULT_NODE = "http://127.0.0.1:26657";
export const DEFAULT_REST = "http://127.0.0.1:1317";
export const DEFAULT_CHAIN_ID = "poq-devnet-1";

/** Reads the global options of the root command from any subcommand. */
export function globalOptions(cmd: Command): GlobalOptions {
  const opts = cmd.optsWithGlobals<Partial<GlobalOptions>>();
  const output = opts.output === "json" ? "json" : "text";
  return {
    home: opts.home ?? DEFAULT_HOME,
    node: opts.node ?? DEFAULT_NODE,
    rest: opts.rest ?? DEFAULT_REST,
    chainId: opts.chainId ?? DEFAULT_CHAIN_ID,
    output,
  };
}

/** A whole number flag, or a usage error naming the flag. */
export function intFlag(value: string, flag: string, min = 0, max = 65535): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`, EXIT.usage);
  return n;
}
