/**
 * Export then import gives the same poq state (issue 14, review L3): a real app runs requests into
 * every stage (waiting, assigned, replicated and assigned, answered and scoring, finalized, finalized
 * and pruned) with a node unbonding; its poq genesis export, written as JSON, initialises a fresh
 * module whose every `poq/` entry equals the chain's, and whose module account must hold exactly
 * the escrow and stakes the chain held.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPoqBenchChain, registerNodeMsg, requestInferenceMsg } from "../../../test/poq-app-chain.js";
import { testKey, type TestKey } from "../../../test/raw-signer.js";
import { createContext } from "../../context.js";
import { LayeredStore } from "../../store/layered.js";
import type { KVStore } from "../../types.js";
import { moduleAddress } from "../auth/address.js";
import { createAccountKeeper } from "../auth/keeper.js";
import { createBankKeeper } from "../bank/keeper.js";
import { createValidatorsKeeper } from "../validators/keeper.js";
import { owedByStore, parsePoqGenesis } from "./genesis.js";
import { createPoqModule } from "./module.js";
import type { RequestRecord } from "./state.js";
import { MsgSubmitResponse, MsgUnregisterNode, PoqTypeUrl } from "./types/msgs.js";

const requester = testKey("poq-export-requester");
const nodes = ["n1", "n2", "n3", "n4"].map((n) => testKey(`poq-export-${n}`)) as [
  TestKey,
  TestKey,
  TestKey,
  TestKey,
];
const [n1, n2, n3, n4] = nodes;
const STAKE = 2_000_000n;

/** Every `poq/` entry of a store, as hex pairs, ascending by key. */
function poqEntries(store: KVStore): [string, string][] {
  return [...store.iterate(new TextEncoder().encode("poq/"))].map(([k, v]) => [
    Buffer.from(k).toString("hex"),
    Buffer.from(v).toString("hex"),
  ]);
}

describe("poq genesis export then import", () => {
  it("gives the same state with requests in flight, escrow, pruned requests and an unbonding node", () => {
    const chain = createPoqBenchChain({
      validators: 4,
      accounts: [requester, ...nodes],
      params: { requestRetentionBlocks: "3" },
    });
    try {
      const view = () => ({ store: chain.app.state.committedView() });
      const get = (id: bigint): RequestRecord => chain.modules.poq.keeper.getRequest(view(), id)!;
      const run = (txs: Uint8Array[] = []) => assert.deepEqual(chain.runBlock(txs).failed, []);
      const keyOf = (address: string): TestKey => nodes.find((n) => n.address === address)!;
      const answer = (id: bigint) => {
        const r = get(id);
        run([
          chain.signed(keyOf(r.node), [
            {
              typeUrl: PoqTypeUrl.SubmitResponse,
              value: MsgSubmitResponse.encode({
                node: r.node,
                requestId: id,
                response: `answer ${id}`,
              }).finish(),
            },
          ]),
        ]);
      };
      const score = (id: bigint) => {
        for (let v = 0; v < 4; v++)
          chain.scores[v]!.set(id, { score: 7000, salt: new Uint8Array(32).fill(v + 1) });
      };

      run([
        chain.signed(n1, [registerNodeMsg(n1.address, ["m"], STAKE)]),
        chain.signed(n2, [registerNodeMsg(n2.address, ["m"], STAKE)]),
        chain.signed(n3, [registerNodeMsg(n3.address, ["q"], STAKE, { maxInFlight: 1 })]),
        chain.signed(n4, [registerNodeMsg(n4.address, ["z"], STAKE)]),
      ]);
      // Ids: 1 A, 2 B, 3 C, 4 D (single answers of "m"), 5 F (2 replicas), 6 and 7 of "q"; F's answers
      // take their ids when assigned (8, 9).
      run([
        chain.signed(requester, [
          ...["A", "B", "C", "D"].map((p) =>
            requestInferenceMsg(requester.address, "m", `prompt ${p}`, 1000n),
          ),
          requestInferenceMsg(requester.address, "m", "prompt F", 2000n, { replicas: 2 }),
          requestInferenceMsg(requester.address, "q", "prompt Q1", 1000n),
          requestInferenceMsg(requester.address, "q", "prompt Q2", 1000n),
        ]),
        chain.signed(n4, [
          {
            typeUrl: PoqTypeUrl.UnregisterNode,
            value: MsgUnregisterNode.encode({ operator: n4.address }).finish(),
          },
        ]),
      ]);
      for (let i = 0; i < 5 && get(1n).status === "PENDING"; i++) run();
      const [A, B, C, D, F, Q1, Q2] = [1n, 2n, 3n, 4n, 5n, 6n, 7n];
      score(A);
      answer(A);
      for (let i = 0; i < 10 && get(A).status !== "FINALIZED"; i++) run();
      assert.equal(get(A).status, "FINALIZED");
      score(B);
      answer(B);
      for (let i = 0; i < 10 && get(B).status !== "FINALIZED"; i++) run();
      answer(C); // nobody scores it: SCORING
      run();
      for (let i = 0; i < 5 && get(A).pruned_height === undefined; i++) run();

      assert.equal(get(A).pruned_height !== undefined, true, "A finished first and was pruned");
      assert.equal(get(B).status, "FINALIZED");
      assert.equal(get(B).pruned_height, undefined, "B finished within the retention window");
      assert.equal(get(C).status, "SCORING");
      assert.equal(get(D).status, "ASSIGNED");
      assert.equal(get(F).status, "ASSIGNED");
      assert.deepEqual(
        [get(Q1).status, get(Q2).status].sort(),
        ["ASSIGNED", "PENDING"],
        "the q node holds one, the other waits",
      );
      assert.equal(chain.modules.poq.keeper.getNode(view(), n4.address)?.status, "UNBONDING");

      const held = chain.balance(moduleAddress("poq"));
      const exported = JSON.parse(
        JSON.stringify(
          chain.modules.poq.exportGenesis!(
            createContext({
              store: chain.app.state.committedView(),
              chainId: "t",
              blockHeight: chain.height,
              blockTimeNanos: 0n,
            }),
          ),
        ),
      ) as Record<string, unknown>;
      const parsed = parsePoqGenesis(exported);
      // 4 stakes, and the fees of C, D, F, Q1, Q2 still in escrow.
      assert.equal(owedByStore(parsed.store!), 4n * STAKE + 1000n * 4n + 2000n);
      assert.equal(owedByStore(parsed.store!), held, "what the state owes is what the module account holds");

      const fresh = (balance: bigint) => {
        const store = new LayeredStore({ get: () => undefined, page: () => [] });
        const accounts = createAccountKeeper({ moduleAccounts: { poq: [], poq_pool: [] } });
        const bank = createBankKeeper({ accounts });
        const poq = createPoqModule({ bank, validators: createValidatorsKeeper() });
        const ctx = createContext({ store, chainId: "t", blockHeight: 0n, blockTimeNanos: 0n });
        bank.setBalance(ctx, moduleAddress("poq"), { denom: "upoq", amount: balance });
        poq.initGenesis?.(ctx, exported, { chainId: "t", initialHeight: chain.height + 1n, validators: [] });
        return store;
      };
      const imported = fresh(held);
      const before = poqEntries(chain.app.state.committedView());
      assert.ok(before.length > 100);
      assert.deepEqual(poqEntries(imported), before, "every poq entry is the same after the import");
      assert.throws(() => fresh(held - 1n), /exported state owes/);
      assert.throws(() => fresh(held + 1n), /exported state owes/);
    } finally {
      chain.cleanup();
    }
  });

  it("refuses a store with an unknown key tag, keys out of order, or nodes beside it", () => {
    const entry = (key: string) => ({ key, value: "" });
    assert.throws(() => parsePoqGenesis({ store: [entry("ff00")] }), /key tag 0xff/);
    assert.throws(
      () => parsePoqGenesis({ store: [entry("0000")] }),
      /key tag 0x00/,
      "params come from params",
    );
    assert.throws(() => parsePoqGenesis({ store: [entry("0902"), entry("0901")] }), /ascending/);
    assert.throws(() => parsePoqGenesis({ store: [{ key: "zz", value: "" }] }), /must be/);
    assert.throws(
      () => parsePoqGenesis({ store: [], nodes: [{ operator: "x" }] }),
      /nodes must be absent or empty/,
    );
  });
});
