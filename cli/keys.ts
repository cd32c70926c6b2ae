/**
 * `poq keys add|list|show|delete`: BIP39 keys (coin type 118) in an encrypted keyring file or the
 * plain-text test backend.
 */
import { Command, Option } from "commander";
import { createKeyring, type Keyring, type KeyringBackend } from "../client/keyring.js";
import { globalOptions } from "./global-options.js";
import { promptSecret } from "./prompt.js";
import { printResult } from "./output.js";

/** `--keyring-backend`, default from POQ_KEYRING_BACKEND, else `file`. */
export function keyringBackendOption(
  description = "where keys are kept: file (encrypted) or test (plain text)",
  fallback = process.env.POQ_KEYRING_BACKEND ?? "file",
): Option {
  return new Option("--keyring-backend <backend>", description).choices(["file", "test"]).default(fallback);
}

/** Opens the keyring named by the command's flags, asking for a password when the file backend needs one. */
export async function openKeyring(cmd: Command, needSecret: boolean): Promise<Keyring> {
  const g = globalOptions(cmd);
  const backend = cmd.optsWithGlobals<{ keyringBackend: KeyringBackend }>().keyringBackend ?? "file";
  let password = process.env.POQ_KEYRING_PASSWORD;
  if (backend === "file" && needSecret && password === undefined) {
    password = await promptSecret("keyring password: ");
  }
  return createKeyring({ home: g.home, backend, ...(password !== undefined ? { password } : {}) });
}

export function keysCommand(): Command {
  const keys = new Command("keys").description("manage local keys (BIP39 mnemonics, coin type 118)");

  keys
    .command("add <name>")
    .description("create a key with a new 24-word mnemonic, or recover one with --recover")
    .addOption(keyringBackendOption())
    .option("--recover", "read an existing mnemonic from standard input (or POQ_MNEMONIC)")
    .action(async (name: string, opts: { recover?: boolean }, cmd: Command) => {
      const kr = await openKeyring(cmd, true);
      if (opts.recover) {
        const mnemonic = process.env.POQ_MNEMONIC ?? (await readStdin());
        const info = await kr.recover(name, mnemonic);
        printResult(cmd, info, `recovered key "${info.name}": ${info.address}`);
        return;
      }
      const { info, mnemonic } = await kr.add(name);
      printResult(
        cmd,
        { ...info, mnemonic },
        `created key "${info.name}": ${info.address}\n\n` +
          `Write this mnemonic down and keep it safe; it is the only way to recover the key:\n\n${mnemonic}\n`,
      );
    });

  keys
    .command("list")
    .description("list keys")
    .addOption(keyringBackendOption())
    .action(async (_opts: unknown, cmd: Command) => {
      const list = (await openKeyring(cmd, false)).list();
      const backend = cmd.optsWithGlobals<{ keyringBackend?: KeyringBackend }>().keyringBackend ?? "file";
      // The devnet's keys are in the test backend: an empty file keyring beside them is a wrong flag.
      const other: KeyringBackend = backend === "file" ? "test" : "file";
      const elsewhere =
        list.length === 0 ? createKeyring({ home: globalOptions(cmd).home, backend: other }).list() : [];
      printResult(
        cmd,
        list,
        list.length > 0
          ? list.map((k) => `${k.name}\t${k.address}`).join("\n")
          : elsewhere.length > 0
            ? `no keys in the ${backend} keyring, but ${elsewhere.length} in the ${other} one ` +
              `(${elsewhere
                .map((k) => k.name)
                .slice(0, 5)
                .join(", ")}): add --keyring-backend ${other}`
            : "no keys (create one with: poq keys add NAME)",
      );
    });

  keys
    .command("show <name>")
    .description("show a key's address and public key")
    .addOption(keyringBackendOption())
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const info = (await openKeyring(cmd, false)).show(name);
      printResult(cmd, info, `${info.name}\n  address: ${info.address}\n  pubkey:  ${info.pubkey}`);
    });

  keys
    .command("delete <name>")
    .description("delete a key (its funds stay on chain; keep the mnemonic to recover it)")
    .addOption(keyringBackendOption())
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      (await openKeyring(cmd, false)).delete(name);
      printResult(cmd, { deleted: name }, `deleted key "${name}"`);
    });

  return keys;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return promptSecret("mnemonic: ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
