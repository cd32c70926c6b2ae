/**
 * Gov rules against the validator's real app (SQLite, every module): tally rules, the deposit
 * period, proposals that change poq params, and a failing message that rolls the proposal back.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nacl from "tweetnacl";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import {
  MsgDeposit,
  MsgSubmitProposal,
  MsgVote,
  MsgVoteWeighted,
  MsgSubmitProposalResponse,
} from "cosmjs-types/cosmos/gov/v1/tx";
import * as q from "cosmjs-types/cosmos/gov/v1/query";
import { MsgUpdateParams as ConsensusMsgUpdateParams } from "cosmjs-types/cosmos/consensus/v1/tx";
import { MsgUpdateParams as StakingMsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgUpdateParams as SlashingMsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { readSlashingParams } from "../slashing/keeper.js";
import { readBlockLimits } from "../../baseapp/chain-meta.js";
import type { PoqApp } from "../../app.js";
import { createContext } from "../../context.js";
import { ChainError } from "../../errors.js";
import type { Context } from "../../types.js";
import { bech32Encode } from "../auth/bech32.js";
import { moduleAddress } from "../auth/address.js";
import { buildAppState } from "../../../network/app-genesis.js";
import { assembleApp, createChainModules, type ChainModules } from "../../../validator/assemble.js";
import { defaultPoqParams, type PoqParams } from "../poq/params.js";
import {
  MsgUpdateParams as PoqMsgUpdateParams,
  MSG_UPDATE_PARAMS_TYPE_URL,
} from "../poq/types/params-msg.js";
import { DEC_ONE, parseDec } from "./dec.js";
import { defaultGovGenesisJson } from "./genesis.js";
import { defaultGovParams, govParamsToJson, type GovParams } from "./params.js";
import type { GovStakeView } from "./stake.js";
import { tally } from "./tally.js";

const CHAIN = "poq-gov-test-1";
const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;
const addr = (n: number): string => bech32Encode("poq", new Uint8Array(20).fill(n));
const valoper = (n: number): string => bech32Encode("poqvaloper", new Uint8Array(20).fill(n));
const GOV = moduleAddress("gov");

describe("tally (SDK rules)", () => {
  const params = defaultGovParams();
  // Validators A (100 tokens) and B (100 tokens); D delegates 40 of A's, E 30 of B's.
  const stake: GovStakeView = {
    bondedValidators: () => [
      { operator: valoper(1), tokens: 100n, delegatorShares: 100n * DEC_ONE },
      { operator: valoper(2), tokens: 100n, delegatorShares: 100n * DEC_ONE },
    ],
    delegationsOf: (_ctx, d) =>
      ({
        [addr(1)]: [{ validator: valoper(1), shares: 60n * DEC_ONE }],
        [addr(2)]: [{ validator: valoper(2), shares: 70n * DEC_ONE }],
        [addr(4)]: [{ validator: valoper(1), shares: 40n * DEC_ONE }],
        [addr(5)]: [{ validator: valoper(2), shares: 30n * DEC_ONE }],
      })[d] ?? [],
    totalBonded: () => 200n,
  };
  const ctx = { store: undefined as never };
  const v = (voter: string, option: VoteOption) => ({ voter, options: [{ option, weight: DEC_ONE }] });

  it("a validator's vote carries its delegators' stake unless they vote themselves", () => {
    const r = tally(
      ctx,
      stake,
      params,
      [v(addr(1), VoteOption.VOTE_OPTION_YES), v(addr(4), VoteOption.VOTE_OPTION_NO)],
      false,
    );
    // A's own 60 + nothing of D's 40 (D voted No): yes 100-40 = 60, no 40.
    assert.equal(r.sums.yes, 60n * DEC_ONE);
    assert.equal(r.sums.no, 40n * DEC_ONE);
    assert.equal(r.passes, true); // 100 of 200 voted (quorum 33.4%), yes 60% > 50%
  });

  it("misses quorum below 33.4% of bonded stake", () => {
    const r = tally(ctx, stake, params, [v(addr(5), VoteOption.VOTE_OPTION_YES)], false);
    assert.equal(r.sums.yes, 30n * DEC_ONE);
    assert.equal(r.passes, false);
    assert.equal(r.reason, "quorum not reached");
    assert.equal(r.burnDeposits, false); // burn_vote_quorum is false by default
  });

  it("a veto above 33.4% fails the proposal and burns deposits", () => {
    const r = tally(
      ctx,
      stake,
      params,
      [v(addr(1), VoteOption.VOTE_OPTION_YES), v(addr(2), VoteOption.VOTE_OPTION_NO_WITH_VETO)],
      false,
    );
    assert.equal(r.passes, false);
    assert.equal(r.reason, "vetoed");
    assert.equal(r.burnDeposits, true);
  });

  it("needs more than the threshold of non-abstaining votes; an even split fails", () => {
    const r = tally(
      ctx,
      stake,
      params,
      [v(addr(1), VoteOption.VOTE_OPTION_YES), v(addr(2), VoteOption.VOTE_OPTION_NO)],
      false,
    );
    assert.equal(r.passes, false);
    assert.equal(r.reason, "threshold not reached");
    const abstain = tally(
      ctx,
      stake,
      params,
      [v(addr(1), VoteOption.VOTE_OPTION_YES), v(addr(2), VoteOption.VOTE_OPTION_ABSTAIN)],
      false,
    );
    assert.equal(abstain.passes, true, "abstain counts for quorum, not for the threshold");
    const expedited = tally(
      ctx,
      stake,
      params,
      [
        v(addr(1), VoteOption.VOTE_OPTION_YES),
        v(addr(5), VoteOption.VOTE_OPTION_NO),
        v(addr(2), VoteOption.VOTE_OPTION_YES),
      ],
      true,
    );
    // yes 170, no 30: 85% > 66.7%
    assert.equal(expedited.passes, true);
    const all = tally(ctx, stake, params, [v(addr(1), VoteOption.VOTE_OPTION_ABSTAIN)], false);
    assert.equal(all.reason, "every vote abstains");
  });

  it("splits weighted votes by weight", () => {
    const half = DEC_ONE / 2n;
    const r = tally(
      ctx,
      stake,
      params,
      [
        {
          voter: addr(1),
          options: [
            { option: VoteOption.VOTE_OPTION_YES, weight: half },
            { option: VoteOption.VOTE_OPTION_NO, weight: half },
          ],
        },
      ],
      false,
    );
    assert.equal(r.sums.yes, 50n * DEC_ONE);
    assert.equal(r.sums.no, 50n * DEC_ONE);
  });
});

describe("gov in the app", () => {
  let dir: string;
  let app: PoqApp;
  let modules: ChainModules;
  let now = T0;
  let height = 1n;
  const keys = [1, 2, 3, 4].map((i) => nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(i)));
  // Validator i is operated by addr(i + 1); powers 10, 20, 30, 40 (total 100).
  const operators = [1, 2, 3, 4].map(addr);
  const ALICE = addr(9);
  const govParams: GovParams = {
    ...defaultGovParams(),
    votingPeriod: { seconds: 10n, nanos: 0 },
    maxDepositPeriod: { seconds: 10n, nanos: 0 },
    expeditedVotingPeriod: { seconds: 5n, nanos: 0 },
    minDeposit: [{ denom: "upoq", amount: "1000" }],
    expeditedMinDeposit: [{ denom: "upoq", amount: "5000" }],
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "poq-gov-"));
    modules = createChainModules();
    app = assembleApp({ home: dir, chainId: CHAIN, modules });
    const appState = buildAppState({
      accounts: [...operators, ALICE].map((a) => ({
        address: a,
        coins: [{ denom: "upoq", amount: "1000000" }],
      })),
      operators: keys.map((k, i) => ({
        pubKey: Buffer.from(k.publicKey).toString("base64"),
        operator: operators[i]!,
        moniker: `v${i}`,
      })),
      modules: { gov: defaultGovGenesisJson(govParams) },
    });
    app.initChain({
      timeNanos: T0,
      chainId: CHAIN,
      consensusParams: { abci: { voteExtensionsEnableHeight: 0n } },
      validators: keys.map((k, i) => ({ pubKeyEd25519: k.publicKey, power: BigInt(10 * (i + 1)) })),
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
      initialHeight: 1n,
    });
  });
  after(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (): Context =>
    createContext({
      store: app.state.deliver,
      chainId: CHAIN,
      blockHeight: height,
      blockTimeNanos: now,
      metered: false,
    });
  const run = (typeUrl: string, value: Uint8Array) => {
    const route = app.router.msg(typeUrl)!;
    route.descriptor.validateBasic(value);
    return route.descriptor.handler(ctx(), { typeUrl, value });
  };
  /** Moves block time on and runs gov's EndBlock. */
  const endBlockAt = (t: bigint) => {
    now = t;
    height += 1n;
    modules.gov.endBlock!(ctx(), { height, timeNanos: now, proposerAddress: new Uint8Array(20) });
  };
  const balance = (a: string) => modules.core.bank.keeper.getBalance(ctx(), a, "upoq").amount;
  const poqUpdate = (p: Partial<PoqParams>, authority = GOV) => ({
    typeUrl: MSG_UPDATE_PARAMS_TYPE_URL,
    value: PoqMsgUpdateParams.encode({
      authority,
      params: { ...modules.poq.keeper.getParams(ctx()), ...p },
    }).finish(),
  });
  const submit = (
    messages: { typeUrl: string; value: Uint8Array }[],
    deposit: string,
    extra: { expedited?: boolean } = {},
  ) => {
    const r = run(
      "/cosmos.gov.v1.MsgSubmitProposal",
      MsgSubmitProposal.encode(
        MsgSubmitProposal.fromPartial({
          messages,
          initialDeposit: deposit === "0" ? [] : [{ denom: "upoq", amount: deposit }],
          proposer: ALICE,
          title: "t",
          summary: "s",
          expedited: extra.expedited ?? false,
        }),
      ).finish(),
    );
    return MsgSubmitProposalResponse.decode(r.response.value).proposalId;
  };
  const vote = (voter: string, proposalId: bigint, option: VoteOption) =>
    run(
      "/cosmos.gov.v1.MsgVote",
      MsgVote.encode(MsgVote.fromPartial({ proposalId, voter, option })).finish(),
    );
  const proposal = (id: bigint) => modules.gov.keeper.getProposal(ctx(), id);
  const throwsCode = (fn: () => unknown, codespace: string, code: number) =>
    assert.throws(
      fn,
      (e: unknown) => e instanceof ChainError && e.codespace === codespace && e.code === code,
    );

  it("writes the genesis params", () => {
    assert.deepEqual(govParamsToJson(modules.gov.keeper.getParams(ctx())), govParamsToJson(govParams));
  });

  it("a proposal changes a poq param when the stake votes yes; deposits come back", () => {
    const before = balance(ALICE);
    const id = submit([poqUpdate({ committeeSize: 3, evaluatorModelSha256: "ab".repeat(32) })], "1000");
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(balance(ALICE), before - 1000n);
    assert.equal(balance(GOV), 1000n);
    vote(operators[3]!, id, VoteOption.VOTE_OPTION_YES); // 40
    vote(operators[2]!, id, VoteOption.VOTE_OPTION_YES); // 30
    vote(operators[0]!, id, VoteOption.VOTE_OPTION_NO); // 10
    // The live tally answers while voting.
    const live = q.QueryTallyResultResponse.decode(
      app.router.query("/cosmos.gov.v1.Query/TallyResult")!(
        ctx(),
        q.QueryTallyResultRequest.encode({ proposalId: id }).finish(),
      ),
    );
    assert.equal(live.tally?.yesCount, "70000000");
    endBlockAt(now + 5n * SEC);
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "not before the end");
    assert.equal(modules.poq.keeper.getParams(ctx()).committeeSize, defaultPoqParams().committeeSize);
    endBlockAt(now + 5n * SEC);
    const p = proposal(id)!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(p.finalTallyResult?.yesCount, "70000000");
    assert.equal(p.finalTallyResult?.noCount, "10000000");
    assert.equal(modules.poq.keeper.getParams(ctx()).committeeSize, 3);
    assert.equal(modules.poq.keeper.getParams(ctx()).evaluatorModelSha256, "ab".repeat(32));
    assert.equal(balance(ALICE), before, "deposit refunded");
    assert.equal(balance(GOV), 0n);
    assert.equal(modules.gov.keeper.votes(ctx(), id).length, 0, "votes are spent by the tally");
  });

  it("a proposal whose second message fails is FAILED and its first message is rolled back", () => {
    const id = submit([poqUpdate({ committeeSize: 7 }), poqUpdate({ denom: "uother" })], "1000");
    vote(operators[3]!, id, VoteOption.VOTE_OPTION_YES);
    vote(operators[2]!, id, VoteOption.VOTE_OPTION_YES);
    endBlockAt(now + 11n * SEC);
    const p = proposal(id)!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_FAILED);
    assert.match(p.failedReason, /message 1 .*denom cannot change/);
    assert.equal(modules.poq.keeper.getParams(ctx()).committeeSize, 3, "the first message is rolled back");
  });

  it("quorum missed: REJECTED, deposit refunded; veto: deposit burned", () => {
    const before = balance(ALICE);
    const id = submit([poqUpdate({ committeeSize: 4 })], "1000");
    vote(operators[0]!, id, VoteOption.VOTE_OPTION_YES); // 10 of 100 < 33.4
    endBlockAt(now + 11n * SEC);
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(balance(ALICE), before);
    const supply = modules.core.bank.keeper.getSupply(ctx(), "upoq").amount;
    const vetoed = submit([poqUpdate({ committeeSize: 4 })], "1000");
    vote(operators[3]!, vetoed, VoteOption.VOTE_OPTION_NO_WITH_VETO); // 40 of 70 > 33.4%
    vote(operators[2]!, vetoed, VoteOption.VOTE_OPTION_YES);
    endBlockAt(now + 11n * SEC);
    assert.equal(proposal(vetoed)?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(balance(ALICE), before - 1000n, "the vetoed deposit is not refunded");
    assert.equal(modules.core.bank.keeper.getSupply(ctx(), "upoq").amount, supply - 1000n, "it is burned");
    assert.equal(modules.poq.keeper.getParams(ctx()).committeeSize, 3);
  });

  it("the deposit period: a second deposit opens voting; an unfunded proposal is dropped and refunded at expiry", () => {
    const before = balance(ALICE);
    const id = submit([poqUpdate({ committeeSize: 4 })], "400");
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    // Below min_deposit_ratio (1% of 1000 = 10): refused.
    throwsCode(
      () =>
        run(
          "/cosmos.gov.v1.MsgDeposit",
          MsgDeposit.encode({
            proposalId: id,
            depositor: ALICE,
            amount: [{ denom: "upoq", amount: "5" }],
          }).finish(),
        ),
      "gov",
      16,
    );
    throwsCode(() => vote(operators[3]!, id, VoteOption.VOTE_OPTION_YES), "gov", 3);
    run(
      "/cosmos.gov.v1.MsgDeposit",
      MsgDeposit.encode({
        proposalId: id,
        depositor: operators[0]!,
        amount: [{ denom: "upoq", amount: "600" }],
      }).finish(),
    );
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.deepEqual(proposal(id)?.totalDeposit, [{ denom: "upoq", amount: "1000" }]);

    const dropped = submit([poqUpdate({ committeeSize: 4 })], "300");
    endBlockAt(now + 11n * SEC);
    assert.equal(proposal(dropped), undefined, "deleted at the end of its deposit period");
    assert.equal(modules.gov.keeper.deposits(ctx(), dropped).length, 0);
    // Alice got the 300 back; her 400 on `id` came back too when `id` was rejected (no votes).
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(balance(ALICE), before);
  });

  it("refuses messages gov cannot run: another signer, an unknown type, a bad param", () => {
    throwsCode(() => submit([poqUpdate({ committeeSize: 4 }, ALICE)], "1000"), "gov", 13);
    throwsCode(() => submit([{ typeUrl: "/poq.v1.MsgNothing", value: new Uint8Array() }], "1000"), "gov", 10);
    throwsCode(() => submit([poqUpdate({ quorumBp: 20000 })], "1000"), "gov", 12);
    throwsCode(() => submit([], "1000"), "gov", 11);
    // The poq handler itself refuses any authority but gov's.
    throwsCode(
      () => run(MSG_UPDATE_PARAMS_TYPE_URL, poqUpdate({ committeeSize: 4 }, ALICE).value),
      "gov",
      13,
    );
  });

  it("weighted votes must sum to one; an expedited proposal that fails its threshold gets the regular period", () => {
    const id = submit([poqUpdate({ committeeSize: 4 })], "5000", { expedited: true });
    const weighted = (options: { option: VoteOption; weight: string }[]) =>
      run(
        "/cosmos.gov.v1.MsgVoteWeighted",
        MsgVoteWeighted.encode(
          MsgVoteWeighted.fromPartial({ proposalId: id, voter: operators[3]!, options }),
        ).finish(),
      );
    throwsCode(
      () =>
        weighted([
          { option: VoteOption.VOTE_OPTION_YES, weight: "0.5" },
          { option: VoteOption.VOTE_OPTION_NO, weight: "0.4" },
        ]),
      "gov",
      7,
    );
    weighted([
      { option: VoteOption.VOTE_OPTION_YES, weight: "0.6" },
      { option: VoteOption.VOTE_OPTION_NO, weight: "0.4" },
    ]);
    assert.equal(
      modules.gov.keeper.getVote(ctx(), id, operators[3]!)?.options[0]?.weight,
      "0.600000000000000000",
    );
    endBlockAt(now + 6n * SEC); // expedited period (5 s) over: 60% < 66.7%
    const p = proposal(id)!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(p.expedited, false);
    vote(operators[2]!, id, VoteOption.VOTE_OPTION_YES); // now 24+30 yes of 70: 77% > 50%
    endBlockAt(now + 5n * SEC);
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(modules.poq.keeper.getParams(ctx()).committeeSize, 4);
    assert.equal(parseDec("0.6"), (DEC_ONE * 6n) / 10n);
  });

  it("a proposal changes the consensus params: the app's block limits follow and CometBFT gets the update", () => {
    const update = (abciHeight?: bigint) => ({
      typeUrl: "/cosmos.consensus.v1.MsgUpdateParams",
      value: ConsensusMsgUpdateParams.encode(
        ConsensusMsgUpdateParams.fromPartial({
          authority: GOV,
          block: { maxBytes: 2_000_000n, maxGas: 50_000_000n },
          evidence: {
            maxAgeNumBlocks: 100_000n,
            maxAgeDuration: { seconds: 172_800n, nanos: 0 },
            maxBytes: 1_048_576n,
          },
          validator: { pubKeyTypes: ["ed25519"] },
          ...(abciHeight !== undefined ? { abci: { voteExtensionsEnableHeight: abciHeight } } : {}),
        }),
      ).finish(),
    });
    throwsCode(() => submit([{ ...update(), value: update().value.slice(0, 10) }], "1000"), "gov", 12);
    const refused = submit([update(7n)], "1000");
    const id = submit([update()], "1000");
    for (const p of [refused, id]) {
      vote(operators[3]!, p, VoteOption.VOTE_OPTION_YES);
      vote(operators[2]!, p, VoteOption.VOTE_OPTION_YES);
    }
    now += 11n * SEC;
    height += 1n;
    const block = { height, timeNanos: now, proposerAddress: new Uint8Array(20) };
    const c = ctx();
    modules.gov.endBlock!(c, block);
    const result = modules.consensus.endBlock!(c, block);
    assert.equal(proposal(refused)?.status, ProposalStatus.PROPOSAL_STATUS_FAILED);
    assert.match(proposal(refused)!.failedReason, /vote_extensions_enable_height cannot change/);
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.ok(result);
    assert.deepEqual(result.consensusParamUpdates?.block, { maxBytes: 2_000_000n, maxGas: 50_000_000n });
    assert.deepEqual(readBlockLimits(app.state.deliver), { maxBytes: 2_000_000n, maxGas: 50_000_000n });
    assert.equal(modules.consensus.endBlock!(ctx(), block), undefined, "sent once");
  });

  it("a proposal changes the staking params (x/staking MsgUpdateParams, authority gov)", () => {
    const update = (p: { maxValidators?: number; minCommissionRate?: string }, authority = GOV) => ({
      typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams",
      value: StakingMsgUpdateParams.encode(
        StakingMsgUpdateParams.fromPartial({
          authority,
          params: {
            unbondingTime: { seconds: 600n, nanos: 0 },
            maxValidators: p.maxValidators ?? 50,
            maxEntries: 7,
            historicalEntries: 10_000,
            bondDenom: "upoq",
            minCommissionRate: p.minCommissionRate ?? "50000000000000000",
          },
        }),
      ).finish(),
    });
    throwsCode(() => submit([update({}, ALICE)], "1000"), "gov", 13);
    throwsCode(() => submit([update({ maxValidators: 0 })], "1000"), "gov", 12);
    throwsCode(() => submit([update({ minCommissionRate: "2000000000000000000" })], "1000"), "gov", 12);
    // The staking handler itself refuses any authority but gov's.
    throwsCode(() => run("/cosmos.staking.v1beta1.MsgUpdateParams", update({}, ALICE).value), "gov", 13);
    const id = submit([update({})], "1000");
    vote(operators[3]!, id, VoteOption.VOTE_OPTION_YES);
    vote(operators[2]!, id, VoteOption.VOTE_OPTION_YES);
    now += 11n * SEC;
    height += 1n;
    modules.gov.endBlock!(ctx(), { height, timeNanos: now, proposerAddress: new Uint8Array(20) });
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    const params = modules.core.staking.keeper.params(ctx());
    assert.equal(params.unbondingTimeNanos, 600n * SEC);
    assert.equal(params.maxValidators, 50);
    assert.equal(params.minCommissionRate, 5n * 10n ** 16n);
  });

  it("a proposal changes the slashing params (x/slashing MsgUpdateParams, authority gov)", () => {
    const text = (t: string) => new TextEncoder().encode(t);
    const update = (minSigned: string, authority = GOV) => ({
      typeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParams",
      value: SlashingMsgUpdateParams.encode(
        SlashingMsgUpdateParams.fromPartial({
          authority,
          params: {
            signedBlocksWindow: 2000n,
            minSignedPerWindow: text(minSigned),
            downtimeJailDuration: { seconds: 120n, nanos: 0 },
            slashFractionDoubleSign: text("50000000000000000"),
            slashFractionDowntime: text("1000000000000000"),
          },
        }),
      ).finish(),
    });
    throwsCode(() => submit([update("600000000000000000", ALICE)], "1000"), "gov", 13);
    throwsCode(() => submit([update("1100000000000000000")], "1000"), "gov", 12);
    throwsCode(() => submit([update("0.6")], "1000"), "gov", 12);
    throwsCode(
      () => run("/cosmos.slashing.v1beta1.MsgUpdateParams", update("600000000000000000", ALICE).value),
      "gov",
      13,
    );
    const id = submit([update("600000000000000000")], "1000");
    vote(operators[3]!, id, VoteOption.VOTE_OPTION_YES);
    vote(operators[2]!, id, VoteOption.VOTE_OPTION_YES);
    now += 11n * SEC;
    height += 1n;
    modules.gov.endBlock!(ctx(), { height, timeNanos: now, proposerAddress: new Uint8Array(20) });
    assert.equal(proposal(id)?.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.deepEqual(readSlashingParams(ctx()), {
      signedBlocksWindow: 2000n,
      minSignedPerWindow: 6n * 10n ** 17n,
      downtimeJailDurationNanos: 120n * SEC,
      slashFractionDoubleSign: 5n * 10n ** 16n,
      slashFractionDowntime: 10n ** 15n,
    });
  });

  it("answers the v1 queries", () => {
    const res = q.QueryProposalsResponse.decode(
      app.router.query("/cosmos.gov.v1.Query/Proposals")!(
        ctx(),
        q.QueryProposalsRequest.encode({
          proposalStatus: ProposalStatus.PROPOSAL_STATUS_PASSED,
          voter: "",
          depositor: "",
        }).finish(),
      ),
    );
    assert.ok(res.proposals.length >= 2);
    assert.ok(res.proposals.every((p) => p.status === ProposalStatus.PROPOSAL_STATUS_PASSED));
    assert.throws(() =>
      app.router.query("/cosmos.gov.v1.Query/Proposal")!(
        ctx(),
        q.QueryProposalRequest.encode({ proposalId: 999n }).finish(),
      ),
    );
  });
});
