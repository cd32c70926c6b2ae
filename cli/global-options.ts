/**
 * Options every `poq` command understands, with the defaults of SPEC section 6, and how commands read
 * their numeric flags.
 */
import { readFileSync } from "node:fs";
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

/**
 * The endpoints a devnet or testnet in `home` has: those of the running one (`endpoints.json`), else
 * node 0's RPC from `network.json`. So `--home <devnet>` finds its node even with moved ports.
 */
function homeEndpoints(home: string): { node?: string; rest?: string } {
  try {
    const ep = JSON.parse(readFileSync(join(home, "endpoints.json"), "utf8")) as {
      rpc?: string[];
      rest?: string;
    };
    if (ep.rpc?.[0]) return { node: ep.rpc[0], ...(ep.rest ? { rest: ep.rest } : {}) };
  } catch {
    // no devnet running there
  }
  try {
    const net = JSON.parse(readFileSync(join(home, "network.json"), "utf8")) as {
      nodes?: { rpcUrl?: string }[];
    };
    if (net.nodes?.[0]?.rpcUrl) return { node: net.nodes[0].rpcUrl };
  } catch {
    // not a devnet home
  }
  return {};
}

/** Reads the global options of the root command from any subcommand. */
export function globalOptions(cmd: Command): GlobalOptions {
  const opts = cmd.optsWithGlobals<Partial<GlobalOptions>>();
  const output = opts.output === "json" ? "json" : "text";
  const home = opts.home ?? DEFAULT_HOME;
  let root = cmd;
  while (root.parent) root = root.parent;
  // Given on the command line (or by the environment) beats what the home says; the default does not.
  const given = (flag: "node" | "rest"): string | undefined =>
    root.getOptionValueSource(flag) === "default" ? undefined : opts[flag];
  const node = given("node");
  const rest = given("rest");
  const found = node === undefined || rest === undefined ? homeEndpoints(home) : {};
  return {
    home,
    node: node ?? found.node ?? DEFAULT_NODE,
    rest: rest ?? found.rest ?? DEFAULT_REST,
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

/** A CometBFT (Go) duration such as `300ms`, `10s` or `1m30s`, or a usage error naming the flag. */
export function durationFlag(value: string, flag: string): string {
  if (!/^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/.test(value))
    throw new CliError(`${flag} must be a duration such as 300ms, 10s or 1m, got "${value}"`, EXIT.usage);
  return value;
}
