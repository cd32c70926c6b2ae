/**
 * Issue 16, staking on real CometBFT: on a running 4-validator network a fifth validator is
 * initialised with `poq init`, funded, started with `poq start` against the network's genesis, and
 * joins by a `MsgCreateValidator` that CosmJS encodes and signs (cosmjs-types' message through
 * `SigningStargateClient`); CometBFT's `/validators` then lists it and it signs blocks. Delegation
 * and undelegation go through CosmJS's `delegateTokens`/`undelegateTokens` as shipped, one of them
 * signed as amino JSON. The new validator then unbonds all its stake, leaves the set, and gets its
 * tokens back after `unbonding_time`; the chain never stops. Every validator runs the evaluator and
 * `committee_size` is 5: once joined, the newcomer sits on the committee of a request (answered by a
 * CosmJS-played inference node), its revealed score is counted and it is paid its validator share (all
 * read from chain state); after it leaves, the four others still finalize requests. Ports 27400-27449.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { QueryClient, setupStakingExtension, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { findProjectRoot } from "../network/comet-binary.js";
import { updateCometConfig } from "../network/comet-config.js";
import { showNodeId } from "../network/comet-home.js";
import { waitForHeight } from "../network/comet-process.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { bech32Decode, bech32Encode } from "../app/modules/auth/bech32.js";
import { consAddress as poqConsAddress } from "../app/modules/poq/state.js";
import { defaultPoqGenesis } from "../network/app-genesis.js";
import { createPoqSigningClient } from "../client/index.js";
import {
  registerNodeMsg,
  requestMsg,
  responseMsg,
  send,
  validatorsByCons,
  waitAssigned,
  waitFinal,
  type Actor,
} from "./poq-world.js";
import { waitFor } from "./wait-for.js";

const CHAIN_ID = "poq-stake-1";
const BASE = 27400;
const NEW_PORT = 27440;
const FEE = { amount: [{ denom: "upoq", amount: "20000" }], gas: "600000" };
const poq = join(findProjectRoot(), "bin", "poq");

const MODEL = "llama-3-8b-instruct";
const REQUEST_FEE = 1_000_000n;
const NODE_STAKE = 10_000_000n;
/** Two questions with good answers: one scored with the newcomer on the committee, one after it left. */
const QA = [
  {
    prompt: "How does photosynthesis work in plants?",
    answer:
      "Plants capture sunlight with chlorophyll in their chloroplasts and use that energy to turn carbon dioxide and water into glucose. Oxygen is released as a by-product. The light reactions make ATP and NADPH, and the Calvin cycle uses them to fix carbon into sugar.",
  },
  {
    prompt: "Why is the sky blue?",
    answer:
      "Sunlight contains all visible colours, and when it passes through the atmosphere the short blue wavelengths are scattered by gas molecules much more strongly than red ones. This Rayleigh scattering sends blue light toward our eyes from every direction of the sky.",
  },
] as const;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- RPC JSON

async function rpc(url: string, path: string): Promise<Json> {
  const res = await fetch(`${url}${path}`);
  return ((await res.json()) as { result: Json }).result;
}

/** The `poqvalcons` address of a home's validator key (as poq's committees name it). */
function poqConsOf(home: string): string {
  const key = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as Json;
  return poqConsAddress(new Uint8Array(Buffer.from(key.address as string, "hex")));
}

/** Hex consensus addresses of CometBFT's current validator set. */
async function cometValidators(url: string): Promise<string[]> {
  const r = await rpc(url, "/validators?per_page=100");
  return (r.validators as { address: string }[]).map((v) => v.address);
}

describe("staking on a live network (issue 16)", { timeout: 180_000 }, () => {
  let net: LocalNetwork;
  let alice: DirectSecp256k1HdWallet;
  let aliceAddress: string;
  /** A requester and an inference node, played with CosmJS. */
  let asker: Actor;
  let answerer: Actor;
  let home: string;
  let node: ChildProcess | undefined;
  let nodeLog = "";

  before(async () => {
    alice = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
    aliceAddress = (await alice.getAccounts())[0]!.address;
    const [askerWallet, answererWallet] = await Promise.all([
      DirectSecp256k1HdWallet.generate(12, { prefix: "poq" }),
      DirectSecp256k1HdWallet.generate(12, { prefix: "poq" }),
    ]);
    const [askerAddress, answererAddress] = await Promise.all(
      [askerWallet, answererWallet].map(async (w) => (await w.getAccounts())[0]!.address),
    );
    net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-staking-e2e-")),
      chainId: CHAIN_ID,
      validators: 4,
      basePort: BASE,
      timeoutCommit: "300ms",
      accounts: [aliceAddress, askerAddress!, answererAddress!].map((address) => ({
        address,
        coins: [{ denom: "upoq", amount: "1000000000" }],
      })),
      modules: {
        staking: { params: { unbonding_time: "6s" } },
        // Five seats: with the newcomer bonded, every validator sits on every committee. A score
        // needs every seat's reveal (quorum 100%, also at the deadline), so the commit window waits
        // for a slow seat (up to max_commit_extension blocks) instead of closing on four: the
        // newcomer, one gossip hop behind node 0 on a loaded machine, is often the last to commit.
        // 20 blocks of extension (6 s here) at most; the params require unbonding_blocks (50) to
        // exceed response_timeout + commit_window + extension + reveal_window.
        poq: defaultPoqGenesis({
          committeeSize: 5,
          quorumBp: 10_000,
          deadlineQuorumBp: 10_000,
          maxCommitExtension: 20n,
        }),
      },
    });
    await net.waitForHeight(2);
    asker = {
      address: askerAddress!,
      wallet: askerWallet,
      client: await createPoqSigningClient(net.rpcUrl(0), askerWallet),
    };
    answerer = {
      address: answererAddress!,
      wallet: answererWallet,
      client: await createPoqSigningClient(net.rpcUrl(0), answererWallet),
    };
    home = mkdtempSync(join(tmpdir(), "poq-staking-new-"));
  });

  after(async () => {
    asker?.client.disconnect();
    answerer?.client.disconnect();
    if (node && node.exitCode === null) {
      node.kill("SIGINT");
      await new Promise((resolve) => node!.once("exit", resolve));
    }
    await net?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  /** A request for MODEL answered by the CosmJS-played node; returns it once final. */
  const askAndAnswer = async (qa: (typeof QA)[number]) => {
    const { ids } = await send(asker, [requestMsg(asker.address, MODEL, qa.prompt, REQUEST_FEE, 5000)]);
    const id = ids[0]!;
    await waitAssigned({ net }, [id]);
    await send(answerer, [responseMsg(answerer.address, id, qa.answer)]);
    return (await waitFinal({ net }, [id], 60_000)).get(id)!;
  };

  it("a fifth validator joins by a CosmJS MsgCreateValidator, signs, scores on committees, is delegated to, unbonds and leaves", async () => {
    // 1. `poq init`, then the network's genesis and a peer instead of its own chain.
    rmSync(home, { recursive: true, force: true });
    const init = spawnSync(
      process.execPath,
      [
        poq,
        "--home",
        home,
        "--chain-id",
        CHAIN_ID,
        "--output",
        "json",
        "init",
        "--moniker",
        "newcomer",
        "--base-port",
        String(NEW_PORT),
      ],
      { encoding: "utf8" },
    );
    assert.equal(init.status, 0, init.stderr);
    const created = JSON.parse(init.stdout) as { operator: string; rpc: string; mnemonic: string };
    const node0 = net.nodes[0]!;
    copyFileSync(join(node0.home, "config", "genesis.json"), join(home, "config", "genesis.json"));
    updateCometConfig(home, { "p2p.persistent_peers": `${showNodeId(node0.home)}@127.0.0.1:${BASE}` });
    const consKey = (
      JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as Json
    ).pub_key.value as string;
    const consAddress = (
      JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as Json
    ).address as string;

    // 2. Funded by alice, started with `poq start`; it catches up as a full node.
    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), alice);
    const fund = await client.sendTokens(
      aliceAddress,
      created.operator,
      [{ denom: "upoq", amount: "100000000" }],
      FEE,
    );
    assert.equal(fund.code, 0, fund.rawLog);
    node = spawn(process.execPath, [poq, "--home", home, "start"], { stdio: ["ignore", "pipe", "pipe"] });
    node.stderr!.on("data", (d: Buffer) => (nodeLog = (nodeLog + d.toString()).slice(-4000)));
    const tip = await net.waitForHeight(1);
    await waitForHeight(created.rpc, tip, 60_000).catch((err: unknown) => {
      throw new Error(`the new node did not catch up: ${String(err)}\n${nodeLog}`);
    });

    // 3. MsgCreateValidator, encoded and signed by CosmJS (DIRECT).
    const operatorWallet = await DirectSecp256k1HdWallet.fromMnemonic(created.mnemonic, { prefix: "poq" });
    const operator = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), operatorWallet);
    const valoper = bech32Encode("poqvaloper", bech32Decode(created.operator).data);
    const createTx = await operator.signAndBroadcast(
      created.operator,
      [
        {
          typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
          value: MsgCreateValidator.fromPartial({
            description: { moniker: "newcomer" },
            commission: {
              rate: "100000000000000000",
              maxRate: "200000000000000000",
              maxChangeRate: "10000000000000000",
            },
            minSelfDelegation: "1000000",
            delegatorAddress: "",
            validatorAddress: valoper,
            pubkey: {
              typeUrl: "/cosmos.crypto.ed25519.PubKey",
              value: Ed25519PubKey.encode({ key: Buffer.from(consKey, "base64") }).finish(),
            },
            value: { denom: "upoq", amount: "1000000" },
          }),
        },
      ],
      FEE,
    );
    assert.equal(createTx.code, 0, createTx.rawLog);

    // 4. CometBFT runs it two blocks later, and it signs blocks. Power 1, as each genesis validator:
    // with 30 it alone would hold 2/3 and commit blocks before the others' votes (and their poq
    // commitments, carried in vote extensions) arrive.
    await waitFor(
      "the new validator in /validators",
      async () => ((await cometValidators(net.rpcUrl(0))).includes(consAddress) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const joinedAt = await net.waitForHeight(1);
    const signedBy = async (h: bigint) =>
      (
        (await rpc(net.rpcUrl(0), `/block?height=${h}`)).block.last_commit.signatures as {
          validator_address: string;
        }[]
      ).some((s) => s.validator_address === consAddress);
    await waitFor(
      "a block signed by the new validator",
      async () => ((await signedBy(await net.waitForHeight(joinedAt + 2n))) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    // `poq query staking validators` shows it bonded.
    const listed = spawnSync(
      process.execPath,
      [
        poq,
        "--node",
        net.rpcUrl(0),
        "--output",
        "json",
        "query",
        "staking",
        "validators",
        "--status",
        "bonded",
      ],
      { encoding: "utf8" },
    );
    assert.equal(listed.status, 0, listed.stderr);
    const bonded = (
      JSON.parse(listed.stdout) as { validators: { operator_address: string; moniker: string }[] }
    ).validators;
    assert.equal(bonded.length, 5);
    assert.ok(bonded.some((v) => v.operator_address === valoper && v.moniker === "newcomer"));
    // The poq module draws committees from this set: it lists the newcomer with its power.
    const poqValidators = () => {
      const out = spawnSync(
        process.execPath,
        [poq, "--node", net.rpcUrl(0), "--output", "json", "query", "validators"],
        { encoding: "utf8" },
      );
      assert.equal(out.status, 0, out.stderr);
      return (JSON.parse(out.stdout) as { validators: { operator: string; power: string }[] }).validators;
    };
    assert.ok(poqValidators().some((v) => v.operator === created.operator && v.power === "1"));
    const query = await StargateClient.connect(net.rpcUrl(0));
    const viaCosmJs = await query.getAllBalances(created.operator);
    assert.ok(
      BigInt(viaCosmJs.find((c) => c.denom === "upoq")?.amount ?? "0") < 99_000_000n,
      "the self-bond left the balance",
    );

    // 4b. It sits on a committee and scores: a request answered by the CosmJS-played node is
    // FINALIZED with all five validators seated, the newcomer's revealed score among the counted ones,
    // and its validator share paid to its operator account (nothing else moves that balance meanwhile).
    const newCons = poqConsOf(home);
    const genesisCons = net.nodes.map((n) => poqConsOf(n.home));
    await send(answerer, [registerNodeMsg(answerer.address, MODEL, NODE_STAKE)]);
    const operatorBalance = async () => BigInt((await query.getBalance(created.operator, "upoq")).amount);
    const beforeScoring = await operatorBalance();
    const scored = await askAndAnswer(QA[0]);
    assert.equal(scored.status, "FINALIZED", JSON.stringify(scored));
    assert.deepEqual(
      scored.committee.map((c) => c.validator).sort(),
      [...genesisCons, newCons].sort(),
      "the newcomer holds one of the five seats",
    );
    const scores = scored.quality!.scores;
    const newScore = scores.find((s) => s.validator === newCons)?.score;
    assert.ok(newScore !== undefined, `the newcomer revealed no score: ${JSON.stringify(scores)}`);
    // Every validator runs the same judge on the same answer: the newcomer agrees with the consensus.
    assert.equal(newScore, scored.quality!.score, "the newcomer's score is the consensus score");
    const newPaid = BigInt(scored.payout!.validators.find((p) => p.validator === newCons)?.amount ?? "0");
    assert.ok(newPaid > 0n, `the newcomer was paid no validator share: ${JSON.stringify(scored.payout)}`);
    assert.equal((await operatorBalance()) - beforeScoring, newPaid, "the share reached its operator");
    const trust = (await validatorsByCons({ net })).get(newCons);
    assert.equal(trust?.revealed, "1", "its reveal counted in poq's validator record");
    assert.equal(trust?.missed, "0");

    // 5. Delegate with CosmJS as shipped (DIRECT), then undelegate part signed as amino JSON.
    const delegated = await client.delegateTokens(
      aliceAddress,
      valoper,
      { denom: "upoq", amount: "5000000" },
      FEE,
    );
    assert.equal(delegated.code, 0, delegated.rawLog);
    const aminoAlice = await Secp256k1HdWallet.fromMnemonic(alice.mnemonic, { prefix: "poq" });
    const aminoClient = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), aminoAlice);
    const undelegated = await aminoClient.undelegateTokens(
      aliceAddress,
      valoper,
      { denom: "upoq", amount: "2000000" },
      FEE,
    );
    assert.equal(undelegated.code, 0, undelegated.rawLog);
    const comet = await connectComet(net.rpcUrl(0));
    const staking = QueryClient.withExtensions(comet, setupStakingExtension);
    const del = await staking.staking.delegation(aliceAddress, valoper);
    assert.equal(del.delegationResponse?.balance?.amount, "3000000");
    const ubd = await staking.staking.delegatorUnbondingDelegations(aliceAddress);
    assert.equal(ubd.unbondingResponses[0]?.entries[0]?.balance, "2000000");

    // 6. The operator unbonds all its self-bond with `poq tx staking unbond` (its key from `poq init`):
    // jailed below its minimum, it leaves CometBFT's set.
    const leave = spawnSync(
      process.execPath,
      [
        poq,
        "--home",
        home,
        "--node",
        net.rpcUrl(0),
        "--chain-id",
        CHAIN_ID,
        "--output",
        "json",
        "tx",
        "staking",
        "unbond",
        valoper,
        "1000000upoq",
        "--from",
        "validator",
        "--keyring-backend",
        "test",
      ],
      { encoding: "utf8" },
    );
    assert.equal(leave.status, 0, leave.stderr);
    const balanceBefore = BigInt((await query.getBalance(created.operator, "upoq")).amount);
    await waitFor(
      "the validator gone from /validators",
      async () => ((await cometValidators(net.rpcUrl(0))).includes(consAddress) ? undefined : true),
      { timeoutMs: 30_000 },
    );
    assert.equal((await cometValidators(net.rpcUrl(0))).length, 4);
    await waitFor(
      "the newcomer gone from poq's validators",
      async () => (poqValidators().some((v) => v.operator === created.operator) ? undefined : true),
      { timeoutMs: 10_000 },
    );
    // The four others still finalize requests, without the newcomer on the committee.
    const afterLeave = await askAndAnswer(QA[1]);
    assert.equal(afterLeave.status, "FINALIZED", JSON.stringify(afterLeave));
    assert.deepEqual(afterLeave.committee.map((c) => c.validator).sort(), [...genesisCons].sort());
    // After unbonding_time (6 s) the tokens come back; the chain went on all along.
    await waitFor(
      "the unbonded tokens paid back",
      async () =>
        // At least its 1 POQ: distribution may pay the removed validator's commission in the same block.
        BigInt((await query.getBalance(created.operator, "upoq")).amount) >= balanceBefore + 1_000_000n
          ? true
          : undefined,
      { timeoutMs: 30_000 },
    ).catch(async (err: unknown) => {
      const entries = (
        await staking.staking.delegatorUnbondingDelegations(created.operator)
      ).unbondingResponses
        .flatMap((u) => u.entries)
        .map((e) => `${e.balance} at ${e.completionTime.seconds}s (height ${e.creationHeight})`);
      const now = await query.getBalance(created.operator, "upoq");
      throw new Error(
        `${String(err)}: balance ${now.amount}, ${balanceBefore} after the unbond tx; its unbonding entries: ${entries.join("; ")}; height ${await query.getHeight()}`,
      );
    });
    const h = await net.waitForHeight(1);
    await net.waitForHeight(h + 3n, 10_000);
    query.disconnect();
    client.disconnect();
    operator.disconnect();
    aminoClient.disconnect();
    comet.disconnect();
  });
});
