/**
 * A keyring for the CLI: named BIP39 mnemonics (coin type 118, path m/44'/118'/0'/0/0) stored in
 * the home directory.
 *
 * Two backends, as in the Cosmos SDK:
 * - `file`: each key encrypted with a password (scrypt key derivation, AES-256-GCM), in
 *   `HOME/keyring-file/NAME.json`. The password comes from `POQ_KEYRING_PASSWORD` or a prompt.
 * - `test`: the mnemonic in plain text in `HOME/keyring-test/NAME.json`, for devnets and tests only.
 */
import type { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { toBase64, fromBase64 } from "@cosmjs/encoding";
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ADDRESS_PREFIX = "poq";
export type KeyringBackend = "file" | "test";

/** A key as listed: its name, address and the backend it lives in. */
export interface KeyInfo {
  name: string;
  address: string;
  /** Compressed secp256k1 public key, base64. */
  pubkey: string;
  backend: KeyringBackend;
}

export class KeyringError extends Error {
  override name = "KeyringError" as const;
}

interface StoredKey {
  name: string;
  address: string;
  pubkey: string;
  /** test backend: the mnemonic itself. */
  mnemonic?: string;
  /** file backend: the encrypted mnemonic. */
  crypto?: {
    kdf: "scrypt";
    salt: string;
    n: number;
    r: number;
    p: number;
    iv: string;
    tag: string;
    ciphertext: string;
  };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// scrypt cost: ~100 ms on a laptop core, so a stolen file is slow to brute-force.
const SCRYPT = { n: 1 << 15, r: 8, p: 1 } as const;

export interface KeyringOptions {
  home: string;
  backend: KeyringBackend;
  /** Required by the `file` backend for add, import and export of secrets. */
  password?: string;
}

/**
 * Opens the keyring in `home` for the given backend.
 *
 * @example
 * const kr = createKeyring({ home: "/tmp/poq", backend: "test" });
 * const { info, mnemonic } = await kr.add("alice");
 */
/**
 * CosmJS's wallet class, loaded when a key is made or used: listing or showing keys, and every call
 * that only reads the chain, never pays for it (it is a large part of a CLI call's start-up).
 */
const wallets = async (): Promise<typeof DirectSecp256k1HdWallet> =>
  (await import("@cosmjs/proto-signing")).DirectSecp256k1HdWallet;

export function createKeyring(opts: KeyringOptions) {
  const dir = join(opts.home, `keyring-${opts.backend}`);

  function pathOf(name: string): string {
    if (!NAME_RE.test(name)) {
      throw new KeyringError(`invalid key name "${name}": use letters, digits, '.', '_' or '-' (at most 64)`);
    }
    return join(dir, `${name}.json`);
  }

  function read(name: string): StoredKey {
    const p = pathOf(name);
    if (!existsSync(p)) {
      throw new KeyringError(
        `key "${name}" not found in the ${opts.backend} keyring at ${dir} (see: poq keys list)`,
      );
    }
    return JSON.parse(readFileSync(p, "utf8")) as StoredKey;
  }

  function toInfo(k: StoredKey): KeyInfo {
    return { name: k.name, address: k.address, pubkey: k.pubkey, backend: opts.backend };
  }

  function needPassword(): string {
    if (opts.password === undefined || opts.password.length < 8) {
      throw new KeyringError(
        "the file keyring needs a password of at least 8 characters (POQ_KEYRING_PASSWORD)",
      );
    }
    return opts.password;
  }

  async function store(name: string, mnemonic: string, overwrite: boolean): Promise<KeyInfo> {
    const p = pathOf(name);
    if (existsSync(p) && !overwrite) throw new KeyringError(`key "${name}" already exists`);
    const wallet = await (await wallets()).fromMnemonic(mnemonic, { prefix: ADDRESS_PREFIX });
    const [account] = await wallet.getAccounts();
    if (!account) throw new KeyringError("could not derive an account from the mnemonic");
    const stored: StoredKey = { name, address: account.address, pubkey: toBase64(account.pubkey) };
    if (opts.backend === "test") {
      stored.mnemonic = mnemonic;
    } else {
      const password = needPassword();
      const salt = randomBytes(16);
      const iv = randomBytes(12);
      const key = scryptSync(password, salt, 32, { N: SCRYPT.n, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 << 20 });
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(mnemonic, "utf8"), cipher.final()]);
      stored.crypto = {
        kdf: "scrypt",
        ...SCRYPT,
        salt: toBase64(salt),
        iv: toBase64(iv),
        tag: toBase64(cipher.getAuthTag()),
        ciphertext: toBase64(ciphertext),
      };
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(p, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
    return toInfo(stored);
  }

  return {
    backend: opts.backend,
    dir,

    /** Creates a key with a fresh 24-word mnemonic; returns the mnemonic once, for the user to write down. */
    async add(name: string): Promise<{ info: KeyInfo; mnemonic: string }> {
      const { Bip39, Random } = await import("@cosmjs/crypto");
      const mnemonic = Bip39.encode(Random.getBytes(32)).toString();
      const info = await store(name, mnemonic, false);
      return { info, mnemonic };
    },

    /** Stores a key from an existing mnemonic (`poq keys add --recover`). */
    async recover(name: string, mnemonic: string, overwrite = false): Promise<KeyInfo> {
      const normalized = mnemonic.trim().split(/\s+/).join(" ");
      const { EnglishMnemonic } = await import("@cosmjs/crypto");
      try {
        new EnglishMnemonic(normalized);
      } catch (err) {
        throw new KeyringError(`invalid mnemonic: ${err instanceof Error ? err.message : String(err)}`);
      }
      return store(name, normalized, overwrite);
    },

    list(): KeyInfo[] {
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => toInfo(JSON.parse(readFileSync(join(dir, f), "utf8")) as StoredKey));
    },

    show(name: string): KeyInfo {
      return toInfo(read(name));
    },

    delete(name: string): void {
      read(name);
      rmSync(pathOf(name));
    },

    /** The mnemonic of a key (decrypted for the file backend). */
    mnemonic(name: string): string {
      const k = read(name);
      if (k.mnemonic !== undefined) return k.mnemonic;
      if (!k.crypto) throw new KeyringError(`key "${name}" has no secret stored`);
      const c = k.crypto;
      const key = scryptSync(needPassword(), fromBase64(c.salt), 32, {
        N: c.n,
        r: c.r,
        p: c.p,
        maxmem: 64 << 20,
      });
      const decipher = createDecipheriv("aes-256-gcm", key, fromBase64(c.iv));
      decipher.setAuthTag(fromBase64(c.tag));
      try {
        return Buffer.concat([decipher.update(fromBase64(c.ciphertext)), decipher.final()]).toString("utf8");
      } catch {
        throw new KeyringError(`wrong password for key "${name}"`);
      }
    },

    /** A CosmJS signer for the key, for SigningStargateClient. */
    async signer(name: string): Promise<DirectSecp256k1HdWallet> {
      return (await wallets()).fromMnemonic(this.mnemonic(name), { prefix: ADDRESS_PREFIX });
    },
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
