import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { accountFromAny } from "@cosmjs/stargate";
import {
  QueryAccountRequest,
  QueryAccountResponse,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import { ChainError, GenesisError } from "../../errors.js";
import { createTxFixture, testWallets, type TestWallets } from "../../../test/tx-fixture.js";
import { accountAddressFromPubKey, moduleAddress, parseAccountAddress } from "./address.js";
import { bech32Decode, bech32Encode, Bech32Error } from "./bech32.js";
import { parseAuthGenesis } from "./genesis.js";
import { formatGasPrice, parseGasPrice, requiredFee } from "./params.js";

describe("bech32 and addresses", () => {
  it("encodes and decodes like CosmJS", () => {
    for (const len of [0, 1, 20, 32, 50]) {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
      const ours = bech32Encode("poq", data);
      assert.equal(ours, toBech32("poq", data, 1023));
      assert.deepEqual(bech32Decode(ours).data, data);
      assert.deepEqual(fromBech32(ours, 1023).data, data);
    }
  });

  it("rejects bad checksums, mixed case and bad characters", () => {
    const good = bech32Encode("poq", new Uint8Array(20).fill(9));
    const flipped = good.slice(0, -1) + (good.endsWith("q") ? "p" : "q");
    assert.throws(() => bech32Decode(flipped), Bech32Error);
    assert.throws(() => bech32Decode(good.slice(0, 6).toUpperCase() + good.slice(6)), /mixed-case/);
    assert.throws(() => bech32Decode(`${good.slice(0, -2)}b1`), Bech32Error);
    assert.deepEqual(bech32Decode(good.toUpperCase()).data, new Uint8Array(20).fill(9));
  });

  it("derives the same address as a CosmJS wallet from its public key", async () => {
    const w = await testWallets(4);
    assert.equal(accountAddressFromPubKey(w.pubKey), w.address);
  });

  it("derives module addresses as the SDK does (fee_collector is cosmos17xpfvak... on the Hub)", () => {
    const bytes = bech32Decode(moduleAddress("fee_collector")).data;
    assert.equal(bech32Encode("cosmos", bytes), "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta");
  });

  it("parseAccountAddress: sdk 7 for empty, wrong prefix, bad checksum, wrong length", () => {
    const check = (addr: string, re: RegExp) =>
      assert.throws(
        () => parseAccountAddress(addr, "to_address"),
        (e: unknown) =>
          e instanceof ChainError && e.code === 7 && e.codespace === "sdk" && re.test(e.message),
      );
    check("", /empty address/);
    check(bech32Encode("cosmos", new Uint8Array(20)), /expected poq, got cosmos/);
    check("poq1qqqqqqqq", /invalid bech32/);
    check(bech32Encode("poq", new Uint8Array(19)), /20 or 32 bytes/);
  });
});

describe("auth params", () => {
  it("keeps the gas price as an exact ratio", () => {
    assert.deepEqual(parseGasPrice("0.025"), { numerator: 1n, denominator: 40n });
    assert.equal(formatGasPrice(parseGasPrice("0.025")), "0.025");
    assert.equal(formatGasPrice(parseGasPrice("2")), "2");
    assert.equal(formatGasPrice(parseGasPrice("0")), "0");
    assert.equal(requiredFee(200_000n, parseGasPrice("0.025")), 5000n);
    assert.equal(requiredFee(1n, parseGasPrice("0.025")), 1n, "rounds up");
    assert.throws(() => parseGasPrice("-1"), RangeError);
    assert.throws(() => parseGasPrice("1e-3"), RangeError);
  });
});

describe("auth queries", () => {
  let alice: TestWallets;
  before(async () => {
    alice = await testWallets(1);
  });

  it("Query/Account returns an Any CosmJS decodes; missing accounts are NotFound", () => {
    const chain = createTxFixture({ balances: { [alice.address]: 5n } });
    const query = chain.auth.queries["/cosmos.auth.v1beta1.Query/Account"]!;
    const res = QueryAccountResponse.decode(
      query(chain.ctx(), QueryAccountRequest.encode({ address: alice.address }).finish()),
    );
    const account = accountFromAny(res.account!);
    assert.equal(account.address, alice.address);
    assert.equal(account.sequence, 0);
    assert.equal(account.pubkey, null);

    const fee = QueryAccountResponse.decode(
      query(chain.ctx(), QueryAccountRequest.encode({ address: moduleAddress("fee_collector") }).finish()),
    );
    assert.equal(fee.account?.typeUrl, "/cosmos.auth.v1beta1.ModuleAccount");
    assert.equal(accountFromAny(fee.account!).address, moduleAddress("fee_collector"));

    const nobody = bech32Encode("poq", new Uint8Array(20).fill(1));
    assert.throws(
      () => query(chain.ctx(), QueryAccountRequest.encode({ address: nobody }).finish()),
      (e: unknown) => e instanceof ChainError && e.code === 38 && e.details === `account ${nobody} not found`,
    );
    assert.throws(
      () => query(chain.ctx(), QueryAccountRequest.encode({ address: "poq1bad" }).finish()),
      (e: unknown) => e instanceof ChainError && e.code === 7,
    );
  });

  it("Query/Params returns the SDK's five parameters", () => {
    const chain = createTxFixture();
    const res = QueryParamsResponse.decode(
      chain.auth.queries["/cosmos.auth.v1beta1.Query/Params"]!(chain.ctx(), new Uint8Array()),
    );
    assert.equal(res.params?.maxMemoCharacters, 256n);
    assert.equal(res.params?.txSigLimit, 7n);
    assert.equal(res.params?.txSizeCostPerByte, 10n);
    assert.equal(res.params?.sigVerifyCostSecp256k1, 1000n);
  });
});

describe("auth genesis", () => {
  const addr = (n: number) => bech32Encode("poq", new Uint8Array(20).fill(n));
  const base = (address: string, number: string) => ({
    "@type": "/cosmos.auth.v1beta1.BaseAccount",
    address,
    pub_key: null,
    account_number: number,
    sequence: "0",
  });
  const rejects = (raw: unknown, re: RegExp) =>
    assert.throws(
      () => parseAuthGenesis(raw),
      (e: unknown) => e instanceof GenesisError && re.test(e.message),
    );

  it("explains what is wrong", () => {
    rejects({ accounts: [base("poq1xyz", "0")] }, /accounts\[0\]\.address: .*invalid bech32/);
    rejects(
      { accounts: [base(addr(1), "0"), base(addr(1), "1")] },
      /accounts\[1\]\.address: duplicate account/,
    );
    rejects(
      { accounts: [base(addr(1), "0"), base(addr(2), "0")] },
      /accounts\[1\]\.account_number: duplicate account number 0/,
    );
    rejects({ accounts: [base(addr(1), "-1")] }, /account_number: must be an unsigned 64-bit integer string/);
    rejects({ accounts: [base(addr(1), "1.5")] }, /account_number/);
    rejects({ accounts: [{ ...base(addr(1), "0"), "@type": "/foo.Account" }] }, /unknown account type/);
    rejects({ params: { max_memo_characters: "x" } }, /params: .*max_memo_characters/);
    rejects({ acounts: [] }, /acounts: unknown field/);
    rejects(
      {
        accounts: [
          {
            ...base(addr(1), "0"),
            pub_key: {
              "@type": "/cosmos.crypto.secp256k1.PubKey",
              key: Buffer.alloc(33, 2).toString("base64"),
            },
          },
        ],
      },
      /pub_key: does not belong to/,
    );
  });

  it("round-trips through init and export, keeping account numbers", () => {
    const chain = createTxFixture();
    const ctx = chain.ctx();
    chain.auth.initGenesis?.(
      ctx,
      { accounts: [base(addr(1), "10"), base(addr(2), "11")] },
      { chainId: "x", initialHeight: 1n, validators: [] },
    );
    const exported = chain.auth.exportGenesis?.(ctx) as {
      accounts: { address?: string; account_number?: string }[];
    };
    const numbers = Object.fromEntries(
      exported.accounts.filter((a) => a.address).map((a) => [a.address, a.account_number]),
    );
    assert.equal(numbers[addr(1)], "10");
    assert.equal(numbers[addr(2)], "11");
    assert.equal(chain.auth.keeper.peekAccountNumber(ctx), 12n);
    assert.doesNotThrow(() => parseAuthGenesis(exported));
  });
});
