import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBech32 } from "@cosmjs/encoding";
import {
  Bip39,
  EnglishMnemonic,
  Secp256k1,
  Slip10,
  Slip10Curve,
  ripemd160,
  sha256,
  stringToPath,
} from "@cosmjs/crypto";
import { createKeyring, KeyringError } from "./keyring.js";

const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";

/** The address by the book: BIP39 seed, SLIP-10 at m/44'/118'/0'/0/0, ripemd160(sha256(compressed pubkey)). */
async function addressByTheBook(mnemonic: string): Promise<string> {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic));
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath("m/44'/118'/0'/0/0"));
  const { pubkey } = await Secp256k1.makeKeypair(privkey);
  return toBech32("poq", ripemd160(sha256(Secp256k1.compressPubkey(pubkey))));
}

describe("keyring", () => {
  it("derives the coin-type-118 address with the poq prefix", async () => {
    const kr = createKeyring({ home: mkdtempSync(join(tmpdir(), "kr-")), backend: "test" });
    const info = await kr.recover("alice", MNEMONIC);
    assert.equal(info.address, await addressByTheBook(MNEMONIC));
    assert.deepEqual(
      kr.list().map((k) => k.name),
      ["alice"],
    );
  });

  it("creates a 24-word mnemonic that recovers to the same address", async () => {
    const home = mkdtempSync(join(tmpdir(), "kr-"));
    const kr = createKeyring({ home, backend: "test" });
    const { info, mnemonic } = await kr.add("bob");
    assert.equal(mnemonic.split(" ").length, 24);
    const again = await createKeyring({ home: mkdtempSync(join(tmpdir(), "kr-")), backend: "test" }).recover(
      "b",
      mnemonic,
    );
    assert.equal(again.address, info.address);
    await assert.rejects(kr.add("bob"), /already exists/);
  });

  it("encrypts the file backend and refuses a wrong password", async () => {
    const home = mkdtempSync(join(tmpdir(), "kr-"));
    const kr = createKeyring({ home, backend: "file", password: "correct horse" });
    await kr.recover("carol", MNEMONIC);
    const dir = join(home, "keyring-file");
    const raw = readFileSync(join(dir, readdirSync(dir)[0] ?? ""), "utf8");
    assert.ok(!raw.includes("surround"), "the mnemonic must not be stored in plain text");
    assert.equal(kr.mnemonic("carol"), MNEMONIC);
    const wrong = createKeyring({ home, backend: "file", password: "wrong password" });
    assert.throws(() => wrong.mnemonic("carol"), /wrong password/);
    assert.throws(() => createKeyring({ home, backend: "file" }).mnemonic("carol"), KeyringError);
  });

  it("rejects bad names, unknown keys and invalid mnemonics", async () => {
    const kr = createKeyring({ home: mkdtempSync(join(tmpdir(), "kr-")), backend: "test" });
    assert.throws(() => kr.show("../etc"), /invalid key name/);
    assert.throws(() => kr.show("nobody"), /not found/);
    await assert.rejects(kr.recover("x", "not a valid mnemonic at all"), /invalid mnemonic/);
    kr.list();
    assert.deepEqual(kr.list(), []);
  });
});
