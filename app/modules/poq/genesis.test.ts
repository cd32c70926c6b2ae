import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createContext } from "../../context.js";
import { LayeredStore } from "../../store/layered.js";
import { formatAccountAddress, moduleAddress } from "../auth/address.js";
import { createAccountKeeper } from "../auth/keeper.js";
import { createBankKeeper } from "../bank/keeper.js";
import { createValidatorsKeeper } from "../validators/keeper.js";
import { parsePoqGenesis } from "./genesis.js";
import { paramsToJson } from "./keeper.js";
import { createPoqModule } from "./module.js";
import { defaultPoqParams, validatePoqParams, type PoqParams } from "./params.js";

const operator = formatAccountAddress(new Uint8Array(20).fill(7));
const node = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  operator,
  models: ["llama"],
  stake: { denom: "upoq", amount: "1000000" },
  ...extra,
});
const params = (p: Partial<PoqParams>): PoqParams => ({ ...defaultPoqParams(), ...p });

describe("poq params validation gaps (review L3)", () => {
  it("the defaults pass", () => validatePoqParams(defaultPoqParams()));

  const cases: [string, Partial<PoqParams>, RegExp][] = [
    ["unbonding no longer than the slash exposure", { unbondingBlocks: 35n }, /unbondingBlocks.*= 35/],
    ["a committee of two", { committeeSize: 2, minReveals: 2 }, /committeeSize.*at least 3/],
    ["more reveals needed than seats", { committeeSize: 3, minReveals: 4 }, /minReveals/],
    ["a zero deadline quorum", { deadlineQuorumBp: 0 }, /deadlineQuorumBp.*positive/],
    ["an extension cap over 1 MiB", { maxVoteExtensionBytes: (1 << 20) + 1 }, /maxVoteExtensionBytes/],
  ];
  for (const [what, p, message] of cases) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => validatePoqParams(params(p)),
        (e: Error) => message.test(`${e.message} ${JSON.stringify(e)}`),
      );
    });
  }
});

describe("poq genesis node checks (review L3)", () => {
  const parse =
    (nodes: unknown[], extra: Record<string, unknown> = {}) =>
    () =>
      parsePoqGenesis({ params: paramsToJson(defaultPoqParams()), nodes, ...extra });

  it("accepts a plain node", () => {
    assert.equal(parsePoqGenesis({ nodes: [node()] }).nodes.length, 1);
  });
  const cases: [string, unknown[], RegExp][] = [
    ["an unknown field", [node({ stake_extra: 1 })], /unknown field\(s\) stake_extra/],
    ["duplicate models", [node({ models: ["a", "a"] })], /duplicate model id/],
    ["a model id with a space", [node({ models: ["a b"] })], /model id/],
    [
      "more models than allowed",
      [node({ models: Array.from({ length: 17 }, (_, i) => `m${i}`) })],
      /17 models/,
    ],
    [
      "a stake under min_node_stake",
      [node({ stake: { denom: "upoq", amount: "999999" } })],
      /below min_node_stake/,
    ],
    ["a long moniker", [node({ moniker: "x".repeat(65) })], /moniker/],
    ["max_in_flight over the limit", [node({ max_in_flight: 1025 })], /max_in_flight/],
  ];
  for (const [what, nodes, message] of cases) {
    it(`refuses ${what}`, () => assert.throws(parse(nodes), message));
  }
  it("refuses an unknown section field", () =>
    assert.throws(parse([], { requests: [] }), /unknown poq genesis field/));
});

describe("poq genesis module balance (review L3)", () => {
  function init(moduleBalance: bigint): void {
    const store = new LayeredStore({ get: () => undefined, page: () => [] });
    const accounts = createAccountKeeper({ moduleAccounts: { poq: [], poq_pool: [] } });
    const bank = createBankKeeper({ accounts });
    const poq = createPoqModule({ bank, validators: createValidatorsKeeper() });
    const ctx = createContext({ store, chainId: "t", blockHeight: 0n, blockTimeNanos: 0n });
    bank.setBalance(ctx, moduleAddress("poq"), { denom: "upoq", amount: moduleBalance });
    poq.initGenesis?.(
      ctx,
      { nodes: [node(), node({ operator: formatAccountAddress(new Uint8Array(20).fill(8)) })] },
      {
        chainId: "t",
        initialHeight: 1n,
        validators: [],
      },
    );
  }
  it("accepts a module account holding exactly the stakes", () => init(2_000_000n));
  it("refuses one holding less or more", () => {
    assert.throws(() => init(1_000_000n), /holds 1000000upoq, but the genesis nodes stake 2000000upoq/);
    assert.throws(() => init(3_000_000n), /holds 3000000upoq/);
  });
});
