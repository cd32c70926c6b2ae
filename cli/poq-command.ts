/**
 * How a hint should spell the `poq` command: every "next: poq ..." line must work as printed, and
 * `poq` is on PATH only once the user puts bin/ there (or links or installs the package).
 */
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * "poq" when it is on PATH, else the absolute path of this checkout's bin/poq (quoted when it has
 * spaces): a hint is often run from another directory or terminal.
 *
 * @example
 * poqCommand(); // "/home/me/poq-chain/bin/poq" in a fresh clone, until bin/ is on PATH
 */
export function poqCommand(path = process.env.PATH ?? ""): string {
  for (const dir of path.split(delimiter)) if (dir && existsSync(join(dir, "poq"))) return "poq";
  const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "poq");
  return /\s/.test(bin) ? `'${bin}'` : bin;
}

/** `poq <subcommand>` where a message tells the user what to type (not the word poq in prose). */
const POQ_INVOCATION =
  /(^|[\s(`'":])poq (?=(?:--home|--node|--rest|-o|keys|tx|query|q|testnet|devnet|init|start|node|models|score|bench|rest)\b)/g;

/**
 * `text` with each `poq ...` command it suggests spelled as {@link poqCommand} says.
 *
 * @example
 * withPoqCommand("next: poq query request 7", "bin/poq"); // "next: bin/poq query request 7"
 */
export function withPoqCommand(text: string, poq = poqCommand()): string {
  return poq === "poq" ? text : text.replace(POQ_INVOCATION, (_m, before: string) => `${before}${poq} `);
}
