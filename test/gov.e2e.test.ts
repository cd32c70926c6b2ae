/**
 * Governance end to end on 4 real CometBFT validators: a `cosmos.gov.v1.MsgSubmitProposal` carrying
 * `poq.v1.MsgUpdateParams` (a new committee size and a new evaluator pin), sent with CosmJS's
 * `SigningStargateClient` as shipped (cosmjs-types messages); every validator's operator votes, three
 * with SIGN_MODE_DIRECT (`cosmos.gov.v1.MsgVote`) and one with an amino-only signer (legacy amino JSON,
 * `cosmos-sdk/MsgVote`); the change takes effect at the end of the voting period and shows in
 * `/poq/v1/params`, the REST gov routes answer in both versions, and the chain goes on. Then the CLI
 * submits a second proposal from a JSON file, deposits and votes on it and reads it back. Ports 27800-27899.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgVote as BetaMsgVote } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { moduleAddress } from "../app/modules/auth/address.js";
import { defaultGovGenesisJson } from "../app/modules/gov/genesis.js";
import { defaultGovParams } from "../app/modules/gov/params.js";
import { paramsFromJson } from "../app/modules/poq/keeper.js";
import { MSG_UPDATE_PARAMS_TYPE_URL, MsgUpdateParams } from "../app/modules/poq/types/params-msg.js";
import { defaultPoqGenesis } from "../network/app-genesis.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { startRestServer } from "../rest/server.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- gateway JSON read by path

const CHAIN_ID = "poq-gov-1";
const FEE: StdFee = { amount: [{ denom: "upoq", amount: "20000" }], gas: "800000" };
const NEW_PIN = "ab".repeat(32);
const POQ_BIN = join(process.cwd(), "bin", "poq");
const home = mkdtempSync(join(tmpdir(), "poq-gov-cli-"));

function poq(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [POQ_BIN, "--home", home, ...args],
      { timeout: 60_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("governance changes a poq parameter on a 4-validator network", { timeout: 180_000 }, () => {
  let net: LocalNetwork;
  let rest: Awaited<ReturnType<typeof startRestServer>>;
  let alice: DirectSecp256k1HdWallet;
  let aliceAddress: string;
  const get = async (path: string): Promise<Json> => {
    const res = await fetch(rest.url + path);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as Json;
  };

  before(async () => {
    alice = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
    aliceAddress = (await alice.getAccounts())[0]!.address;
    net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-gov-e2e-")),
      chainId: CHAIN_ID,
      validators: 4,
      basePort: 27800,
      timeoutCommit: "300ms",
      accounts: [{ address: aliceAddress, coins: [{ denom: "upoq", amount: "1000000000" }] }],
      modules: {
        poq: defaultPoqGenesis(),
        gov: defaultGovGenesisJson({
          ...defaultGovParams(),
          minDeposit: [{ denom: "upoq", amount: "5000000" }],
          votingPeriod: { seconds: 15n, nanos: 0 },
          expeditedVotingPeriod: { seconds: 5n, nanos: 0 },
        }),
      },
      appArgs: () => ["--no-evaluator"],
    });
    await net.waitForHeight(2);
    rest = await startRestServer({ rpcUrl: net.rpcUrl(0), listen: "127.0.0.1:27890", rateLimit: false });
  });

  after(async () => {
    await rest?.close();
    await net?.stop();
  });

  it("submits, everyone votes, and the params change at the end of voting", async () => {
    const before = (await get("/poq/v1/params")).params as Record<string, unknown>;
    assert.notEqual(before["committee_size"], 3);
    const params = { ...paramsFromJson(before), committeeSize: 3, evaluatorModelSha256: NEW_PIN };

    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), alice);
    const submit = await client.signAndBroadcast(
      aliceAddress,
      [
        {
          typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
          value: MsgSubmitProposal.fromPartial({
            messages: [
              {
                typeUrl: MSG_UPDATE_PARAMS_TYPE_URL,
                value: MsgUpdateParams.encode({ authority: moduleAddress("gov"), params }).finish(),
              },
            ],
            initialDeposit: [{ denom: "upoq", amount: "5000000" }],
            proposer: aliceAddress,
            title: "Smaller committees, new judge",
            summary: "committee_size 3 and a new evaluator pin",
          }),
        },
      ],
      FEE,
    );
    assert.equal(submit.code, 0, submit.rawLog);
    client.disconnect();

    const { proposals } = await get("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD");
    assert.equal(proposals.length, 1);
    const p = proposals[0];
    assert.equal(p.id, "1");
    assert.equal(p.messages[0]["@type"], MSG_UPDATE_PARAMS_TYPE_URL);
    assert.equal(p.messages[0].params.committee_size, 3);
    assert.deepEqual(p.total_deposit, [{ denom: "upoq", amount: "5000000" }]);
    const beta = (await get("/cosmos/gov/v1beta1/proposals/1")).proposal;
    assert.equal(beta.content.title, "Smaller committees, new judge");
    assert.equal(beta.status, "PROPOSAL_STATUS_VOTING_PERIOD");

    // Validators 0..2 vote with SIGN_MODE_DIRECT (v1 MsgVote), validator 3 with amino JSON (v1beta1).
    const votes = net.operators.map(async (op, i) => {
      if (i < 3) {
        const w = await DirectSecp256k1HdWallet.fromMnemonic(op.mnemonic, { prefix: "poq" });
        const c = await SigningStargateClient.connectWithSigner(net.rpcUrl(i), w);
        const r = await c.signAndBroadcast(
          op.address,
          [
            {
              typeUrl: "/cosmos.gov.v1.MsgVote",
              value: MsgVote.fromPartial({
                proposalId: 1n,
                voter: op.address,
                option: VoteOption.VOTE_OPTION_YES,
              }),
            },
          ],
          FEE,
        );
        c.disconnect();
        return r;
      }
      const w = await Secp256k1HdWallet.fromMnemonic(op.mnemonic, { prefix: "poq" });
      const c = await SigningStargateClient.connectWithSigner(net.rpcUrl(i), w);
      const r = await c.signAndBroadcast(
        op.address,
        [
          {
            typeUrl: "/cosmos.gov.v1beta1.MsgVote",
            value: BetaMsgVote.fromPartial({
              proposalId: 1n,
              voter: op.address,
              option: VoteOption.VOTE_OPTION_YES,
            }),
          },
        ],
        FEE,
      );
      c.disconnect();
      return r;
    });
    for (const r of await Promise.all(votes)) assert.equal(r.code, 0, r.rawLog);

    const bonded = (await get("/cosmos/staking/v1beta1/validators")).validators.reduce(
      (s: bigint, v: Json) => s + BigInt(v.tokens),
      0n,
    );
    const tally = (await get("/cosmos/gov/v1/proposals/1/tally")).tally;
    assert.equal(tally.yes_count, bonded.toString(), "all the bonded stake voted yes");
    assert.equal((await get("/cosmos/gov/v1beta1/proposals/1/tally")).tally.yes, bonded.toString());
    const amino = (await get(`/cosmos/gov/v1beta1/proposals/1/votes/${net.operators[3]!.address}`)).vote;
    assert.equal(amino.option, "VOTE_OPTION_YES");
    assert.equal(amino.options[0].weight, "1.000000000000000000");
    assert.equal(
      (await get("/poq/v1/params")).params.committee_size,
      before["committee_size"],
      "not before the end",
    );

    // The end of the voting period (block time), then the params have changed.
    const deadline = Date.now() + 60_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await get("/cosmos/gov/v1/proposals/1")).proposal.status;
      if (status !== "PROPOSAL_STATUS_VOTING_PERIOD") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const done = (await get("/cosmos/gov/v1/proposals/1")).proposal;
    assert.equal(done.status, "PROPOSAL_STATUS_PASSED", done.failed_reason);
    assert.equal(done.final_tally_result.yes_count, bonded.toString());
    const after = (await get("/poq/v1/params")).params;
    assert.equal(after.committee_size, 3);
    assert.equal(after.evaluator_model_sha256, NEW_PIN);
    assert.deepEqual(
      (await get(`/cosmos/bank/v1beta1/balances/${moduleAddress("gov")}`)).balances,
      [],
      "the deposit went back",
    );
    const height = await net.waitForHeight(0);
    await net.waitForHeight(height + 2n, 30_000);
    for (let i = 1; i < 4; i++) {
      const res = await fetch(`${net.rpcUrl(i)}/abci_query?path="/poq.v1.Query/Params"&data=0x7b7d`);
      const value = ((await res.json()) as Json).result.response.value as string;
      assert.equal(JSON.parse(Buffer.from(value, "base64").toString()).params.committee_size, 3, `node ${i}`);
    }
  });

  it("poq tx gov submit-proposal|deposit|vote and poq query gov proposals|proposal|tally", async () => {
    const rpc = ["--node", net.rpcUrl(0)];
    const kr = ["--keyring-backend", "test"];
    const op = net.operators[0]!;
    for (const [name, mnemonic] of [
      ["alice", alice.mnemonic],
      ["op0", op.mnemonic],
    ] as const) {
      const r = await poq(
        { POQ_MNEMONIC: mnemonic },
        "keys",
        "add",
        name,
        "--recover",
        "--keyring-backend",
        "test",
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const file = join(home, "proposal.json");
    writeFileSync(
      file,
      JSON.stringify({
        messages: [
          { "@type": MSG_UPDATE_PARAMS_TYPE_URL, params: { committee_size: 4 } },
          {
            "@type": "/cosmos.consensus.v1.MsgUpdateParams",
            block: { max_bytes: "4194304", max_gas: "90000000" },
            evidence: { max_age_num_blocks: "100000", max_age_duration: "172800s", max_bytes: "1048576" },
            validator: { pub_key_types: ["ed25519"] },
          },
        ],
        deposit: "1000000upoq",
        title: "Committees of four, a block gas limit",
        summary: "committee_size 4 (every other poq param as it is) and max_gas 90,000,000",
      }),
    );
    const submitted = await poq(
      {},
      ...rpc,
      "--output",
      "json",
      "tx",
      "gov",
      "submit-proposal",
      file,
      "--from",
      "alice",
      ...kr,
    );
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.equal(JSON.parse(submitted.stdout).proposal_id, "2");
    const deposited = await poq(
      {},
      ...rpc,
      "tx",
      "gov",
      "deposit",
      "2",
      "4000000upoq",
      "--from",
      "alice",
      ...kr,
    );
    assert.equal(deposited.code, 0, deposited.stderr);
    // The other validators vote yes with CosmJS meanwhile; at the end of voting CometBFT takes the new block params.
    const votes = net.operators.slice(1).map(async (op, i) => {
      const w = await DirectSecp256k1HdWallet.fromMnemonic(op.mnemonic, { prefix: "poq" });
      const c = await SigningStargateClient.connectWithSigner(net.rpcUrl(i + 1), w);
      const msg = MsgVote.fromPartial({
        proposalId: 2n,
        voter: op.address,
        option: VoteOption.VOTE_OPTION_YES,
      });
      const r = await c.signAndBroadcast(
        op.address,
        [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: msg }],
        FEE,
      );
      c.disconnect();
      return r;
    });
    const voted = await poq({}, ...rpc, "tx", "gov", "vote", "2", "yes", "--from", "op0", ...kr);
    for (const r of await Promise.all(votes)) assert.equal(r.code, 0, r.rawLog);
    assert.equal(voted.code, 0, voted.stderr);
    const bad = await poq({}, ...rpc, "tx", "gov", "vote", "2", "maybe", "--from", "op0", ...kr);
    assert.notEqual(bad.code, 0);

    const shown = JSON.parse(
      (await poq({}, ...rpc, "--output", "json", "query", "gov", "proposal", "2")).stdout,
    );
    assert.ok(
      ["PROPOSAL_STATUS_VOTING_PERIOD", "PROPOSAL_STATUS_PASSED"].includes(shown.proposal.status),
      shown.proposal.status,
    );
    assert.equal(shown.proposal.messages[0].params.committee_size, 4);
    assert.equal(shown.proposal.messages[0].params.evaluator_model_sha256, NEW_PIN, "the rest as on chain");
    const tally = JSON.parse(
      (await poq({}, ...rpc, "--output", "json", "query", "gov", "tally", "2")).stdout,
    ).tally;
    assert.notEqual(
      tally.yes_count,
      "0",
      JSON.stringify({ tally, voted: voted.stdout, shown: shown.proposal }),
    );
    assert.equal(tally.no_count, "0");
    const list = JSON.parse(
      (await poq({}, ...rpc, "--output", "json", "query", "gov", "proposals", "--status", "passed")).stdout,
    ).proposals;
    assert.deepEqual(
      list.map((p: Json) => p.id),
      ["1"],
    );

    const deadline = Date.now() + 60_000;
    let p2: Json = {};
    while (Date.now() < deadline) {
      p2 = (await get("/cosmos/gov/v1/proposals/2")).proposal;
      if (p2.status !== "PROPOSAL_STATUS_VOTING_PERIOD") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(p2.status, "PROPOSAL_STATUS_PASSED", p2.failed_reason);
    assert.equal((await get("/poq/v1/params")).params.committee_size, 4);
    const height = await net.waitForHeight(0);
    await net.waitForHeight(height + 2n, 30_000);
    for (let i = 0; i < 4; i++) {
      // CometBFT may not have stored the params of its very latest height yet: ask again then.
      let res: Json = {};
      for (let t = 0; t < 20 && !res.result; t++) {
        if (t > 0) await new Promise((r) => setTimeout(r, 300));
        res = (await (await fetch(`${net.rpcUrl(i)}/consensus_params`)).json()) as Json;
      }
      assert.ok(res.result, JSON.stringify(res));
      assert.equal(res.result.consensus_params.block.max_gas, "90000000", `node ${i}`);
      assert.equal(res.result.consensus_params.block.max_bytes, "4194304", `node ${i}`);
    }
  });
});
