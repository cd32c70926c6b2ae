/**
 * Exit codes of `poq`, so that scripts can tell "you typed it wrong" from "the node is down" from
 * "the chain said no":
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | a failure while working (anything not below) |
 * | 2 | bad usage or input: unknown flag or key, malformed amount or address, port in use |
 * | 3 | the node (or REST server, or backend) could not be reached |
 * | 4 | the chain rejected the transaction (its code and log are printed) |
 * | 5 | timed out waiting (for a block, a request's quality) |
 */
import { BaseError } from "../app/errors.js";

export const EXIT = { ok: 0, failure: 1, usage: 2, unreachable: 3, rejected: 4, timeout: 5 } as const;

/** An error raised by a command, with the exit code it should end with. */
export class CliError extends BaseError {
  override name = "CliError" as const;
  readonly exitCode: number;

  constructor(message: string, exitCode: number, opts: { details?: string; cause?: unknown } = {}) {
    super(message, opts);
    this.exitCode = exitCode;
  }
}

/**
 * The exit code for an error that ended a command.
 *
 * @example
 * exitCodeFor(new CliError("not an amount: 1.5poq", EXIT.usage)); // 2
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  // By class name, not instanceof: importing each class here would load CosmJS, the keyring and the
  // devnet into every call of the CLI (start-up cost), for errors most calls never raise.
  const name = err instanceof Error ? err.name : "";
  if (USAGE_ERRORS.has(name) || err instanceof RangeError) return EXIT.usage;
  if (name === "NodeUnreachableError") return EXIT.unreachable;
  if (name === "PoqTxError") return EXIT.rejected;
  if (name === "BackendError" && (err as Error).message.startsWith("--backend")) return EXIT.usage;
  // CosmJS: a failed simulation (the chain would reject the tx) or a CheckTx rejection.
  if (err instanceof Error && /^Query failed with \(\d+\)|^Broadcasting transaction failed/.test(err.message))
    return EXIT.rejected;
  return EXIT.failure;
}

/** Errors that mean "you asked for something wrong" (client/keyring, network/ports, devnet, testnet). */
const USAGE_ERRORS = new Set(["KeyringError", "PortInUseError", "DevnetError", "TestnetStateError"]);
