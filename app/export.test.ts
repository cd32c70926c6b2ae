/**
 * Whole-app export then import (issues 14 and 16, review L3): the validator's real app (SQLite, every
 * module, the PoQ proposal hooks) runs blocks that leave state in every module: delegations, an
 * unbonding (and a cancelled one), a redelegation, a withdraw address, a validator jailed and slashed
 * for downtime (signing infos, missed-block marks, slash events, a validator-set change), rewards and
 * commission accrued, a proposal in its voting period with deposits and votes and one in its deposit
 * period, PoQ requests finished and pruned and in flight. Its whole `app_state` at height H, written as
 * JSON, initialises a fresh app (InitChain at H + 1 with the export's validators): every store entry is
 * the same, so the app hash after InitChain is the one the chain committed at H. Then both apps take
 * the same blocks and keep the same app hash.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgDelegate,
  MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgSetWithdrawAddress } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgDeposit, MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import {
  createPoqBenchChain,
  POQ_BENCH_CHAIN_ID,
  registerNodeMsg,
  requestInferenceMsg,
} from "../test/poq-app-chain.js";
import { msgSendAny, testKey } from "../test/raw-signer.js";
import { blockRequest } from "../bench/bank-chain.js";
import { assembleApp, createChainModules, type ChainModules } from "../validator/assemble.js";
import { exportNodeGenesis } from "../network/export.js";
import type { PoqApp } from "./app.js";
import { createContext } from "./context.js";
import { exportAppState, genesisValidatorsOf, genesisValidatorUpdates } from "./export.js";
import { parseRfc3339 } from "./genesis-json.js";
import { rfc3339 } from "./modules/staking/events.js";
import { JAILED_FOREVER_NANOS } from "./modules/slashing/keeper.js";
import { moduleAddress } from "./modules/auth/address.js";
import { MsgSubmitResponse, PoqTypeUrl } from "./modules/poq/types/msgs.js";
import type { AnyMsg, Module } from "./types.js";

const requester = testKey("export-requester");
const delegator = testKey("export-delegator");
const withdrawTo = testKey("export-withdraw-to");
const operator0 = testKey("operator-0");
const nodeA = testKey("export-node-a");
const nodeB = testKey("export-node-b");

const modulesOf = (m: ChainModules): Module[] => [
  ...m.core.modules,
  m.distribution,
  m.poq,
  m.gov,
  m.consensus,
];

/** Every committed entry of an app, as hex pairs in key order. */
function entries(app: PoqApp): [string, string][] {
  return [...app.state.committedView().iterate(new Uint8Array(0))].map(([k, v]) => [
    Buffer.from(k).toString("hex"),
    Buffer.from(v).toString("hex"),
  ]);
}

/** Keys that differ between two entry lists, readable (for the assertion message). */
function differences(a: [string, string][], b: [string, string][]): string[] {
  const am = new Map(a);
  const bm = new Map(b);
  const out: string[] = [];
  for (const k of new Set([...am.keys(), ...bm.keys()]))
    if (am.get(k) !== bm.get(k)) {
      const text = Buffer.from(k, "hex")
        .toString("latin1")
        .replace(/[^\x20-\x7e]/g, ".");
      out.push(
        `${text} (${k}): ${am.get(k)?.slice(0, 80) ?? "absent"} vs ${bm.get(k)?.slice(0, 80) ?? "absent"}`,
      );
    }
  return out;
}

/** A CometBFT genesis.json as `poq init` writes one (the export keeps its consensus params). */
const COMET_GENESIS = {
  genesis_time: "2024-01-01T00:00:00Z",
  chain_id: POQ_BENCH_CHAIN_ID,
  initial_height: "1",
  consensus_params: {
    block: { max_bytes: "1000000", max_gas: "-1" },
    evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
    validator: { pub_key_types: ["ed25519"] },
    version: { app: "0" },
    abci: { vote_extensions_enable_height: "1" },
  },
  validators: [],
  app_hash: "",
  app_state: {},
};

const any = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl, value });

describe("RFC 3339 times in genesis JSON", () => {
  it("parse back to the nanoseconds they print, and malformed ones are refused", () => {
    for (const n of [
      0n,
      1n,
      1_500_000_000n,
      1_700_000_000_123_456_789n,
      951_782_400n * 10n ** 9n,
      JAILED_FOREVER_NANOS,
    ])
      assert.equal(parseRfc3339(rfc3339(n)), n, rfc3339(n));
    assert.equal(rfc3339(JAILED_FOREVER_NANOS), "9999-12-31T23:59:59Z");
    assert.equal(parseRfc3339("2000-02-29T00:00:00Z"), 951_782_400n * 10n ** 9n);
    for (const bad of [
      "2024-13-01T00:00:00Z",
      "2024-01-01 00:00:00Z",
      "2024-01-01T00:00:00+01:00",
      "1969-12-31T23:59:59Z",
      "",
    ])
      assert.equal(parseRfc3339(bad), undefined, bad);
  });
});

describe("whole-app genesis export then import", () => {
  it("gives the same entries and app hash at InitChain, and the same app hashes after", () => {
    const chain = createPoqBenchChain({
      validators: 4,
      powers: [40n, 40n, 10n, 10n],
      accounts: [requester, delegator, operator0, nodeA, nodeB],
      params: { requestRetentionBlocks: "3" },
      modules: {
        slashing: {
          params: {
            signed_blocks_window: "10",
            min_signed_per_window: "0.500000000000000000",
            downtime_jail_duration: "600s",
            slash_fraction_double_sign: "0.050000000000000000",
            slash_fraction_downtime: "0.010000000000000000",
          },
        },
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "poq-export-"));
    let imported: PoqApp | undefined;
    try {
      const view = () => ({ store: chain.app.state.committedView() });
      const { staking } = chain.modules.core;
      const run = (txs: Uint8Array[] = [], omit: number[] = []) =>
        assert.deepEqual(chain.runBlock(txs, { omitFromLastCommit: omit }).failed, []);
      const [v0, v1, v2] = staking.keeper.allValidators(view()).map((v) => v.operatorAddress);
      assert.ok(v0 && v1 && v2);

      // PoQ: one request answered, scored, finalized and pruned; one still in flight.
      run([
        chain.signed(nodeA, [registerNodeMsg(nodeA.address, ["m"], 2_000_000n)]),
        chain.signed(nodeB, [registerNodeMsg(nodeB.address, ["m"], 2_000_000n)]),
      ]);
      run([chain.signed(requester, [requestInferenceMsg(requester.address, "m", "prompt 1", 1000n)])]);
      const request = (id: bigint) => chain.modules.poq.keeper.getRequest(view(), id)!;
      for (let i = 0; i < 5 && request(1n).status === "PENDING"; i++) run();
      const first = request(1n);
      const nodeKey = first.node === nodeA.address ? nodeA : nodeB;
      for (let v = 0; v < 4; v++)
        chain.scores[v]!.set(1n, { score: 7000, salt: new Uint8Array(32).fill(v + 1) });
      run([
        chain.signed(nodeKey, [
          any(
            PoqTypeUrl.SubmitResponse,
            MsgSubmitResponse.encode({ node: first.node, requestId: 1n, response: "answer" }).finish(),
          ),
        ]),
      ]);
      for (let i = 0; i < 10 && request(1n).status !== "FINALIZED"; i++) run();
      assert.equal(request(1n).status, "FINALIZED");
      run([chain.signed(requester, [requestInferenceMsg(requester.address, "m", "prompt 2", 1000n)])]);

      // Staking and distribution: delegations, unbondings (one cancelled), a redelegation, a withdraw address.
      const delegate = (val: string, amount: bigint) =>
        any(
          "/cosmos.staking.v1beta1.MsgDelegate",
          MsgDelegate.encode({
            delegatorAddress: delegator.address,
            validatorAddress: val,
            amount: { denom: "upoq", amount: amount.toString() },
          }).finish(),
        );
      const undelegate = (val: string, amount: bigint) =>
        any(
          "/cosmos.staking.v1beta1.MsgUndelegate",
          MsgUndelegate.encode({
            delegatorAddress: delegator.address,
            validatorAddress: val,
            amount: { denom: "upoq", amount: amount.toString() },
          }).finish(),
        );
      run([chain.signed(delegator, [delegate(v0, 5_000_000n), delegate(v1, 3_000_000n)])]);
      run([chain.signed(delegator, [undelegate(v0, 1_000_000n)])]);
      run([chain.signed(delegator, [undelegate(v0, 500_000n)])]);
      const cancelHeight = chain.height;
      run([
        chain.signed(delegator, [
          any(
            "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
            MsgCancelUnbondingDelegation.encode({
              delegatorAddress: delegator.address,
              validatorAddress: v0,
              amount: { denom: "upoq", amount: "500000" },
              creationHeight: cancelHeight,
            }).finish(),
          ),
          any(
            "/cosmos.staking.v1beta1.MsgBeginRedelegate",
            MsgBeginRedelegate.encode({
              delegatorAddress: delegator.address,
              validatorSrcAddress: v1,
              validatorDstAddress: v2,
              amount: { denom: "upoq", amount: "1000000" },
            }).finish(),
          ),
          any(
            "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
            MsgSetWithdrawAddress.encode({
              delegatorAddress: delegator.address,
              withdrawAddress: withdrawTo.address,
            }).finish(),
          ),
        ]),
      ]);

      // Gov: one proposal voting (two deposits, two votes), one still in its deposit period.
      const submit = (deposit: string) =>
        any(
          "/cosmos.gov.v1.MsgSubmitProposal",
          MsgSubmitProposal.encode(
            MsgSubmitProposal.fromPartial({
              messages: [msgSendAny(moduleAddress("gov"), requester.address, 1n)],
              initialDeposit: [{ denom: "upoq", amount: deposit }],
              proposer: requester.address,
              title: `export ${deposit}`,
              summary: "a proposal the export carries",
            }),
          ).finish(),
        );
      run([chain.signed(requester, [submit("10000000"), submit("1000")])]);
      const gov = chain.modules.gov.keeper;
      assert.equal(gov.getProposal(view(), 1n)?.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
      assert.equal(gov.getProposal(view(), 2n)?.status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
      run([
        chain.signed(delegator, [
          any(
            "/cosmos.gov.v1.MsgDeposit",
            MsgDeposit.encode({
              proposalId: 1n,
              depositor: delegator.address,
              amount: [{ denom: "upoq", amount: "100000" }],
            }).finish(),
          ),
          any(
            "/cosmos.gov.v1.MsgVote",
            MsgVote.encode({
              proposalId: 1n,
              voter: delegator.address,
              option: VoteOption.VOTE_OPTION_YES,
              metadata: "",
            }).finish(),
          ),
        ]),
        chain.signed(operator0, [
          any(
            "/cosmos.gov.v1.MsgVote",
            MsgVote.encode({
              proposalId: 1n,
              voter: operator0.address,
              option: VoteOption.VOTE_OPTION_NO,
              metadata: "m",
            }).finish(),
          ),
        ]),
      ]);

      // Slashing: validator 3 misses its votes until it is jailed (window 10, half must be signed);
      // validator 2 misses two. The export is taken at the jailing block, whose validator update
      // CometBFT has but the consensus view has not taken yet.
      const jailed = () => staking.keeper.allValidators(view()).find((v) => v.jailed);
      for (let i = 0; i < 20 && !jailed(); i++)
        run(
          [chain.signed(requester, [msgSendAny(requester.address, withdrawTo.address, 1n)])],
          i === 5 || i === 6 ? [2, 3] : [3],
        );
      assert.ok(jailed(), "validator 3 was jailed for downtime");

      // The state the export must carry.
      const ubd = staking.keeper.allValidators(view()).length;
      assert.equal(ubd, 4);
      assert.ok(request(1n).pruned_height !== undefined, "request 1 was pruned");
      assert.notEqual(request(2n).status, "FINALIZED", "request 2 is in flight");

      const H = chain.height;
      const ctx = createContext({
        store: chain.app.state.committedView(),
        chainId: POQ_BENCH_CHAIN_ID,
        blockHeight: H,
        blockTimeNanos: blockRequest(H, []).timeNanos,
      });
      const appState = JSON.parse(JSON.stringify(exportAppState(modulesOf(chain.modules), ctx))) as Record<
        string,
        Record<string, unknown[]>
      >;
      const st = appState["staking"]!;
      assert.equal(
        st["unbonding_delegations"]!.length,
        1,
        "one unbonding delegation (the cancelled entry is gone)",
      );
      assert.equal(st["redelegations"]!.length, 1);
      assert.equal(appState["slashing"]!["signing_infos"]!.length, 2);
      assert.equal(appState["slashing"]!["missed_blocks"]!.length, 1, "validator 2's two misses");
      assert.equal(st["pending_validator_updates"]!.length, 1, "validator 3 leaves the set at H + 2");
      assert.equal(appState["validators"]!["validators"]!.length, 4, "the view still has validator 3");
      assert.ok(
        appState["distribution"]!["validator_slash_events"]!.length >= 1,
        "the downtime slash is recorded",
      );
      assert.equal(appState["gov"]!["votes"]!.length, 2);
      assert.equal(appState["gov"]!["deposits"]!.length, 3);

      const validators = genesisValidatorsOf(appState);
      assert.equal(validators.length, 3, "the jailed validator is not in the new chain's set");
      const modules = createChainModules();
      imported = assembleApp({ home: dir, chainId: POQ_BENCH_CHAIN_ID, modules });
      const res = imported.initChain({
        timeNanos: blockRequest(H, []).timeNanos,
        chainId: POQ_BENCH_CHAIN_ID,
        consensusParams: { abci: { voteExtensionsEnableHeight: 1n } },
        validators: genesisValidatorUpdates(validators),
        appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
        initialHeight: H + 1n,
      });
      const before = entries(chain.app);
      assert.deepEqual(differences(before, entries(imported)), [], "every store entry is the same");
      assert.ok(before.length > 120, `${before.length} entries`);
      assert.equal(
        Buffer.from(res.appHash).toString("hex"),
        Buffer.from(chain.app.state.lastAppHash).toString("hex"),
      );

      // The same blocks on both apps give the same app hashes.
      for (let k = 1n; k <= 3n; k++) {
        const tx = chain.signed(requester, [msgSendAny(requester.address, delegator.address, k)]);
        const both: PoqApp[] = [chain.app, imported];
        const hashes: string[] = both.map((app) => {
          const r = app.finalizeBlock(blockRequest(H + k, [tx]));
          assert.deepEqual(
            r.txResults.map((t) => t.code),
            [0],
          );
          app.commit();
          return Buffer.from(r.appHash).toString("hex");
        });
        assert.equal(hashes[0], hashes[1], `block ${H + k}`);
      }
      assert.deepEqual(differences(entries(chain.app), entries(imported)), []);
    } finally {
      imported?.close();
      rmSync(dir, { recursive: true, force: true });
      chain.cleanup();
    }
  });
  it("poq export's genesis, read from the node's home, starts a chain with the same app hash; bad states get clear errors", () => {
    const chain = createPoqBenchChain({ validators: 2, accounts: [requester, delegator] });
    const dirs: string[] = [];
    const opened: PoqApp[] = [];
    try {
      const [v0] = chain.modules.core.staking.keeper.allValidators({
        store: chain.app.state.committedView(),
      });
      const msg = (
        typeUrl: string,
        m: { delegatorAddress: string; validatorAddress: string; amount: { denom: string; amount: string } },
      ) => any(typeUrl, (typeUrl.endsWith("MsgDelegate") ? MsgDelegate : MsgUndelegate).encode(m).finish());
      const amount = (n: string) => ({ denom: "upoq", amount: n });
      const run = (txs: Uint8Array[] = []) => assert.deepEqual(chain.runBlock(txs).failed, []);
      run([
        chain.signed(delegator, [
          msg("/cosmos.staking.v1beta1.MsgDelegate", {
            delegatorAddress: delegator.address,
            validatorAddress: v0!.operatorAddress,
            amount: amount("4000000"),
          }),
        ]),
      ]);
      run([
        chain.signed(delegator, [
          msg("/cosmos.staking.v1beta1.MsgUndelegate", {
            delegatorAddress: delegator.address,
            validatorAddress: v0!.operatorAddress,
            amount: amount("1000000"),
          }),
        ]),
      ]);
      run([
        chain.signed(requester, [
          any(
            "/cosmos.gov.v1.MsgSubmitProposal",
            MsgSubmitProposal.encode(
              MsgSubmitProposal.fromPartial({
                messages: [msgSendAny(moduleAddress("gov"), requester.address, 1n)],
                initialDeposit: [amount("10000000")],
                proposer: requester.address,
                title: "t",
                summary: "s",
              }),
            ).finish(),
          ),
        ]),
      ]);
      run();

      // A node home: CometBFT's genesis.json beside the app's database (which stays open and running).
      const home = dirname(dirname(chain.app.state.path));
      mkdirSync(join(home, "config"), { recursive: true });
      writeFileSync(join(home, "config", "genesis.json"), JSON.stringify(COMET_GENESIS));
      const { genesis, height } = exportNodeGenesis({ home, genesisTime: "2030-01-01T00:00:00Z" });
      assert.equal(height, chain.height);
      assert.equal(genesis.initial_height, String(chain.height + 1n));
      assert.equal(genesis.chain_id, POQ_BENCH_CHAIN_ID);
      assert.equal(genesis.genesis_time, "2030-01-01T00:00:00Z");
      assert.deepEqual(genesis.consensus_params.block, { max_bytes: "22020096", max_gas: "-1" });
      assert.deepEqual(
        genesis.validators.map((v) => v.power),
        ["13", "10"],
      );

      const start = (g: typeof genesis): { appHash: Uint8Array; app: PoqApp } => {
        const dir = mkdtempSync(join(tmpdir(), "poq-export-import-"));
        dirs.push(dir);
        const app = assembleApp({ home: dir, chainId: g.chain_id, modules: createChainModules() });
        opened.push(app);
        {
          const appHash = app.initChain({
            timeNanos: 0n,
            chainId: g.chain_id,
            consensusParams: {
              abci: {
                voteExtensionsEnableHeight: BigInt(g.consensus_params.abci.vote_extensions_enable_height),
              },
            },
            validators: g.validators.map((v) => ({
              pubKeyEd25519: Uint8Array.from(Buffer.from(v.pub_key.value, "base64")),
              power: BigInt(v.power),
            })),
            appStateBytes: new TextEncoder().encode(JSON.stringify(g.app_state)),
            initialHeight: BigInt(g.initial_height),
          }).appHash;
          return { appHash, app };
        }
      };
      // The vote-extension enable height stays (the new chain's first block has no last commit to
      // inject), so the new chain's genesis is the exported state entry for entry.
      assert.equal(genesis.consensus_params.abci.vote_extensions_enable_height, "1");
      const started = start(genesis);
      assert.deepEqual(differences(entries(chain.app), entries(started.app)), []);
      assert.equal(
        Buffer.from(started.appHash).toString("hex"),
        Buffer.from(chain.app.state.lastAppHash).toString("hex"),
      );

      // Each broken invariant is refused, naming what is wrong (review L3).
      type State = Record<string, Record<string, unknown>>;
      const broken = (change: (s: State, g: typeof genesis) => void, why: RegExp) => {
        const g = structuredClone(genesis);
        change(g.app_state as State, g);
        assert.throws(() => start(g), why);
      };
      const list = (s: State, module: string, field: string) =>
        s[module]![field] as Record<string, unknown>[];
      const fund = (s: State, address: string, extra: bigint) => {
        const bank = s["bank"]!;
        const entry = (
          bank["balances"] as { address: string; coins: { denom: string; amount: string }[] }[]
        ).find((b) => b.address === address)!;
        entry.coins[0]!.amount = (BigInt(entry.coins[0]!.amount) + extra).toString();
        const supply = (bank["supply"] as { denom: string; amount: string }[])[0]!;
        supply.amount = (BigInt(supply.amount) + extra).toString();
      };
      broken(
        (s) => fund(s, moduleAddress("bonded_tokens_pool"), 1n),
        /bonded_tokens_pool module account .* holds \d+upoq but the tokens of the BONDED validators/,
      );
      broken(
        (s) => fund(s, moduleAddress("not_bonded_tokens_pool"), 1n),
        /not_bonded_tokens_pool .* unbonding entries' balances/,
      );
      broken((s) => {
        const e = (
          list(s, "staking", "unbonding_delegations")[0]!["entries"] as Record<string, string>[]
        )[0]!;
        e["balance"] = (BigInt(e["initial_balance"]!) + 1n).toString();
      }, /unbonding_delegations\[0\]\.entries\[0\]\.balance.*more than its initial_balance/);
      broken((s) => {
        list(s, "staking", "validators")[0]!["delegator_shares"] = "1.000000000000000000";
      }, /validators\[0\]\.delegator_shares.*its delegations hold/);
      broken(
        (s) => fund(s, moduleAddress("distribution"), 1n),
        /distribution module account .* outstanding rewards and the community pool/,
      );
      broken(
        (s) => fund(s, moduleAddress("gov"), 1n),
        /gov module account .* holds \d+upoq but the deposits come to 10000000upoq/,
      );
      broken((s) => {
        (list(s, "gov", "deposits")[0]!["amount"] as { amount: string }[])[0]!.amount = "9999999";
      }, /proposals\[0\]\.total_deposit/);
      broken((_s, g) => {
        g.validators[0]!.power = "11";
      }, /CometBFT's genesis validators must be the bonded set/);
      broken((s) => {
        list(s, "staking", "last_validator_powers").pop();
      }, /is BONDED but not in last_validator_powers/);
    } finally {
      for (const a of opened) a.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      chain.cleanup();
    }
  });
});
