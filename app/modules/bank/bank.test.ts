import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
  QueryParamsResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { createTxFixture } from "../../../test/tx-fixture.js";
import { ChainError, GenesisError } from "../../errors.js";
import { moduleAddress } from "../auth/address.js";
import { bech32Encode } from "../auth/bech32.js";
import { parseBankGenesis } from "./genesis.js";
import { MSG_SEND_TYPE_URL } from "./msg-server.js";

const addr = (n: number) => bech32Encode("poq", new Uint8Array(20).fill(n));
const upoq = (amount: bigint) => [{ denom: "upoq", amount }];
const isChainError =
  (code: number, re: RegExp, codespace = "sdk") =>
  (e: unknown) =>
    e instanceof ChainError && e.code === code && e.codespace === codespace && re.test(e.message);

describe("bank keeper", () => {
  it("sends coins, creates the recipient account and emits the SDK's events", () => {
    const chain = createTxFixture({ balances: { [addr(1)]: 100n } });
    const ctx = chain.ctx();
    assert.equal(chain.auth.keeper.hasAccount(ctx, addr(2)), false);
    chain.bank.keeper.sendCoins(ctx, addr(1), addr(2), upoq(40n));
    assert.equal(chain.bank.keeper.getBalance(ctx, addr(1), "upoq").amount, 60n);
    assert.equal(chain.bank.keeper.getBalance(ctx, addr(2), "upoq").amount, 40n);
    assert.equal(chain.auth.keeper.hasAccount(ctx, addr(2)), true);
    assert.deepEqual(
      ctx.events.map((e) => [e.type, Object.fromEntries(e.attributes.map((a) => [a.key, a.value]))]),
      [
        ["coin_spent", { spender: addr(1), amount: "40upoq" }],
        ["coin_received", { receiver: addr(2), amount: "40upoq" }],
        ["transfer", { recipient: addr(2), sender: addr(1), amount: "40upoq" }],
        ["message", { sender: addr(1) }],
      ],
    );
  });

  it("refuses overdrafts, zero and unsorted coins without touching balances", () => {
    const chain = createTxFixture({ balances: { [addr(1)]: 100n } });
    const ctx = chain.ctx();
    const before = chain.snapshot();
    assert.throws(
      () => chain.bank.keeper.sendCoins(ctx, addr(1), addr(2), upoq(101n)),
      isChainError(5, /spendable balance 100upoq is smaller than 101upoq/),
    );
    assert.throws(
      () => chain.bank.keeper.sendCoins(ctx, addr(1), addr(2), upoq(0n)),
      isChainError(10, /must be positive/),
    );
    assert.throws(
      () =>
        chain.bank.keeper.sendCoins(ctx, addr(1), addr(2), [
          { denom: "upoq", amount: 1n },
          { denom: "uabc", amount: 1n },
        ]),
      isChainError(10, /not sorted/),
    );
    assert.throws(
      () => chain.bank.keeper.sendCoins(ctx, addr(1), "poq1nope", upoq(1n)),
      isChainError(7, /to_address/),
    );
    assert.equal(chain.snapshot(), before);
  });

  it("escrows into and pays out of a module account (the PoQ module's pattern)", () => {
    const chain = createTxFixture({ balances: { [addr(1)]: 100n } });
    const ctx = chain.ctx();
    chain.bank.keeper.sendCoinsFromAccountToModule(ctx, addr(1), "poq", upoq(30n));
    assert.equal(chain.bank.keeper.getBalance(ctx, moduleAddress("poq"), "upoq").amount, 30n);
    assert.equal(chain.auth.keeper.getAccount(ctx, moduleAddress("poq"))?.module?.name, "poq");
    chain.bank.keeper.sendCoinsFromModuleToAccount(ctx, "poq", addr(3), upoq(10n));
    assert.equal(chain.bank.keeper.getBalance(ctx, addr(3), "upoq").amount, 10n);
    assert.throws(
      () => chain.bank.keeper.sendCoinsFromModuleToAccount(ctx, "poq", addr(3), upoq(21n)),
      isChainError(5, /20upoq is smaller than 21upoq/),
    );
    assert.throws(
      () => chain.bank.keeper.sendCoinsFromAccountToModule(ctx, addr(1), "nosuchmodule", upoq(1n)),
      isChainError(9, /not registered/),
    );
    const before = chain.snapshot();
    assert.throws(
      () => chain.bank.keeper.sendCoinsFromAccountToModule(ctx, addr(4), "burnpool", upoq(1n)),
      isChainError(9, /not registered/),
    );
    assert.throws(
      () => chain.bank.keeper.sendCoinsFromModuleToModule(ctx, "faucet", "poq", upoq(1n)),
      isChainError(5, /0upoq is smaller than 1upoq/),
    );
    assert.equal(chain.snapshot(), before, "a failed escrow writes nothing");
  });

  it("mints and burns only with the permission, keeping supply in step", () => {
    const chain = createTxFixture({ balances: { [addr(1)]: 100n } });
    const ctx = chain.ctx();
    assert.equal(chain.bank.keeper.getSupply(ctx, "upoq").amount, 100n);
    chain.bank.keeper.mintCoins(ctx, "faucet", upoq(50n));
    assert.equal(chain.bank.keeper.getSupply(ctx, "upoq").amount, 150n);
    assert.throws(
      () => chain.bank.keeper.mintCoins(ctx, "poq", upoq(1n)),
      isChainError(4, /does not have permissions to mint/),
    );
    chain.bank.keeper.sendCoinsFromModuleToModule(ctx, "faucet", "poq", upoq(20n));
    chain.bank.keeper.burnCoins(ctx, "poq", upoq(20n));
    assert.equal(chain.bank.keeper.getSupply(ctx, "upoq").amount, 130n);
    assert.throws(() => chain.bank.keeper.burnCoins(ctx, "faucet", upoq(1n)), isChainError(4, /to burn/));
  });
});

describe("MsgSend", () => {
  it("is refused when sending the denom is disabled (bank 5)", () => {
    const chain = createTxFixture({ balances: { [addr(1)]: 100n } });
    const ctx = chain.ctx();
    chain.bank.keeper.setParams(ctx, {
      sendEnabled: [{ denom: "upoq", enabled: false }],
      defaultSendEnabled: true,
    });
    const send = chain.router.msg(MSG_SEND_TYPE_URL)!.descriptor;
    const value = MsgSend.encode({
      fromAddress: addr(1),
      toAddress: addr(2),
      amount: [{ denom: "upoq", amount: "1" }],
    }).finish();
    assert.throws(
      () => send.handler(ctx, { typeUrl: MSG_SEND_TYPE_URL, value }),
      isChainError(5, /upoq transfers are currently disabled/, "bank"),
    );
    assert.deepEqual(send.signers(value), [addr(1)]);
    assert.deepEqual(send.toAmino?.(value), {
      type: "cosmos-sdk/MsgSend",
      value: { from_address: addr(1), to_address: addr(2), amount: [{ denom: "upoq", amount: "1" }] },
    });
    assert.throws(() => send.validateBasic(Uint8Array.of(0x0a, 0x05)), isChainError(2, /MsgSend/));
  });
});

describe("bank queries", () => {
  const metadata = (base: string) => ({
    description: "",
    denom_units: [{ denom: base, exponent: 0 }],
    base,
    display: base,
    name: base,
    symbol: base,
  });

  function chainWithDenoms() {
    const chain = createTxFixture();
    const ctx = chain.ctx();
    const genesis = {
      balances: [
        {
          address: addr(1),
          coins: ["uaaa", "ubbb", "uccc", "upoq"].map((denom, i) => ({ denom, amount: String(i + 1) })),
        },
        { address: addr(2), coins: [{ denom: "upoq", amount: "100" }] },
      ],
      denom_metadata: ["uaaa", "ubbb", "uccc"].map(metadata),
    };
    chain.bank.initGenesis?.(ctx, genesis, { chainId: "x", initialHeight: 1n, validators: [] });
    return { chain, ctx };
  }

  it("Balance always returns a coin, 0 included; bad input is sdk 7 / 10", () => {
    const { chain, ctx } = chainWithDenoms();
    const q = chain.bank.queries["/cosmos.bank.v1beta1.Query/Balance"]!;
    const ask = (address: string, denom: string) =>
      QueryBalanceResponse.decode(q(ctx, QueryBalanceRequest.encode({ address, denom }).finish())).balance;
    assert.deepEqual(ask(addr(1), "upoq"), { denom: "upoq", amount: "4" });
    assert.deepEqual(ask(addr(9), "upoq"), { denom: "upoq", amount: "0" });
    assert.throws(() => ask("cosmos1xyz", "upoq"), isChainError(7, /invalid/));
    assert.throws(() => ask(addr(1), "1bad"), isChainError(10, /invalid denom/));
  });

  it("AllBalances pages with next_key and offset", () => {
    const { chain, ctx } = chainWithDenoms();
    const q = chain.bank.queries["/cosmos.bank.v1beta1.Query/AllBalances"]!;
    const page = (pagination: Partial<QueryAllBalancesRequest["pagination"]> & object) =>
      QueryAllBalancesResponse.decode(
        q(
          ctx,
          QueryAllBalancesRequest.encode(
            QueryAllBalancesRequest.fromPartial({ address: addr(1), pagination }),
          ).finish(),
        ),
      );
    const first = page({ limit: 2n, countTotal: true });
    assert.deepEqual(
      first.balances.map((c) => c.denom),
      ["uaaa", "ubbb"],
    );
    assert.equal(first.pagination?.total, 4n);
    const second = page({ key: first.pagination!.nextKey, limit: 2n });
    assert.deepEqual(
      second.balances.map((c) => c.denom),
      ["uccc", "upoq"],
    );
    assert.equal(second.pagination?.nextKey.length, 0);
    assert.deepEqual(
      page({ offset: 3n }).balances.map((c) => `${c.amount}${c.denom}`),
      ["4upoq"],
    );
    assert.throws(
      () => page({ key: first.pagination!.nextKey, offset: 1n }),
      isChainError(18, /either offset or key/),
    );
  });

  it("TotalSupply, SupplyOf, Params and DenomMetadata", () => {
    const { chain, ctx } = chainWithDenoms();
    const qs = chain.bank.queries;
    const total = QueryTotalSupplyResponse.decode(
      qs["/cosmos.bank.v1beta1.Query/TotalSupply"]!(ctx, QueryTotalSupplyRequest.encode({}).finish()),
    );
    assert.deepEqual(
      total.supply.map((c) => `${c.amount}${c.denom}`),
      ["1uaaa", "2ubbb", "3uccc", "104upoq"],
    );
    const of = QuerySupplyOfResponse.decode(
      qs["/cosmos.bank.v1beta1.Query/SupplyOf"]!(
        ctx,
        QuerySupplyOfRequest.encode({ denom: "upoq" }).finish(),
      ),
    );
    assert.equal(of.amount?.amount, "104");
    const params = QueryParamsResponse.decode(
      qs["/cosmos.bank.v1beta1.Query/Params"]!(ctx, new Uint8Array()),
    );
    assert.equal(params.params?.defaultSendEnabled, true);
    const md = QueryDenomMetadataResponse.decode(
      qs["/cosmos.bank.v1beta1.Query/DenomMetadata"]!(
        ctx,
        QueryDenomMetadataRequest.encode({ denom: "ubbb" }).finish(),
      ),
    );
    assert.equal(md.metadata?.base, "ubbb");
    assert.throws(
      () =>
        qs["/cosmos.bank.v1beta1.Query/DenomMetadata"]!(
          ctx,
          QueryDenomMetadataRequest.encode({ denom: "uzzz" }).finish(),
        ),
      isChainError(38, /client metadata for denom uzzz/),
    );
  });
});

describe("bank genesis", () => {
  const rejects = (raw: unknown, re: RegExp) =>
    assert.throws(
      () => parseBankGenesis(raw),
      (e: unknown) => e instanceof GenesisError && re.test(e.message),
    );
  const bal = (address: string, coins: { denom: string; amount: unknown }[]) => ({ address, coins });

  it("explains what is wrong", () => {
    rejects(
      { balances: [bal("poq1bad", [{ denom: "upoq", amount: "1" }])] },
      /balances\[0\]\.address: .*invalid bech32/,
    );
    rejects(
      {
        balances: [
          bal(addr(1), [{ denom: "upoq", amount: "1" }]),
          bal(addr(1), [{ denom: "upoq", amount: "2" }]),
        ],
      },
      /balances\[1\]\.address: duplicate balance/,
    );
    rejects(
      { balances: [bal(addr(1), [{ denom: "upoq", amount: "-1" }])] },
      /coins\[0\]\.amount: must be a non-negative integer string, got "-1"/,
    );
    rejects(
      { balances: [bal(addr(1), [{ denom: "upoq", amount: "1.5" }])] },
      /amount: must be a non-negative integer/,
    );
    rejects(
      { balances: [bal(addr(1), [{ denom: "upoq", amount: 5 }])] },
      /amount: must be a non-negative integer string, got 5/,
    );
    rejects({ balances: [bal(addr(1), [{ denom: "upoq", amount: "0" }])] }, /must be positive/);
    rejects({ balances: [bal(addr(1), [{ denom: "upoqq", amount: "1" }])] }, /unknown denom upoqq/);
    rejects(
      {
        balances: [bal(addr(1), [{ denom: "upoq", amount: "1" }])],
        supply: [{ denom: "upoq", amount: "2" }],
      },
      /supply: does not match the sum of balances: given 2upoq, balances sum to 1upoq/,
    );
    rejects({ params: { default_send_enabled: "yes" } }, /params: .*default_send_enabled must be a boolean/);
    rejects({ balance: [] }, /balance: unknown field/);
  });

  it("round-trips: export of an initialised chain parses and re-exports identically", () => {
    const chain = createTxFixture({ balances: { [addr(1)]: 7n, [addr(2)]: 9n } });
    const ctx = chain.ctx();
    chain.bank.keeper.sendCoins(ctx, addr(1), addr(3), upoq(7n));
    const exported = chain.bank.exportGenesis?.(ctx) as ReturnType<
      typeof import("./genesis.js").exportBankGenesis
    >;
    assert.deepEqual(exported.supply, [{ denom: "upoq", amount: "16" }]);
    assert.deepEqual(
      exported.balances.map((b) => b.address),
      [addr(2), addr(3)],
      "zero balances are not exported",
    );
    const parsed = parseBankGenesis(exported);
    const again = createTxFixture();
    const ctx2 = again.ctx();
    again.bank.initGenesis?.(ctx2, exported, { chainId: "x", initialHeight: 1n, validators: [] });
    assert.deepEqual(again.bank.exportGenesis?.(ctx2), exported);
    assert.equal(parsed.balances.length, 2);
  });
});
