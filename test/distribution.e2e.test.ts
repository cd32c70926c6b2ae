/**
 * Distribution on a real single-validator network with a small block reward from the genesis-funded
 * pool: CosmJS `SigningStargateClient` as shipped delegates and withdraws rewards (direct and
 * amino-only signers), the balance grows by the rewards queried just before (within the blocks between
 * the query and the withdrawal), the REST gateway answers in the SDK's shape, and the supply stays put.
 * Ports 29100-29199.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet, type OfflineSigner } from "@cosmjs/proto-signing";
import {
  GasPrice,
  QueryClient,
  SigningStargateClient,
  StargateClient,
  setupDistributionExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { moduleAddress } from "../app/modules/auth/address.js";
import { createKeyring } from "../client/keyring.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { startRestServer } from "../rest/server.js";

const CHAIN_ID = "poq-dist-1";
const ALICE =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const BOB = "enlist hip relief stomach skate base shallow young switch frequent cry park";
const BLOCK_REWARD = 100_000n;
const POOL = 1_000_000_000n;
const FEE = { amount: [{ denom: "upoq", amount: "10000" }], gas: "400000" };
const DEC = 10n ** 18n;

/** The integer part of a LegacyDec as protobuf carries it (× 10^18). */
const whole = (coins: readonly { denom: string; amount: string }[]) =>
  BigInt(coins.find((c) => c.denom === "upoq")?.amount ?? "0") / DEC;

describe("distribution with CosmJS on a real CometBFT node", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "poq-dist-"));
  let net: LocalNetwork;
  let rest: { url: string; close(): Promise<void> };
  let alice: string;
  let bob: string;
  let aliceWallet: DirectSecp256k1HdWallet;
  let bobWallet: Secp256k1HdWallet;
  let valoper: string;
  const connect = (signer: OfflineSigner) =>
    SigningStargateClient.connectWithSigner(net.rpcUrl(0), signer, {
      gasPrice: GasPrice.fromString("0.025upoq"),
    });
  const query = async () => {
    const comet = await connectComet(net.rpcUrl(0));
    return { q: QueryClient.withExtensions(comet, setupDistributionExtension).distribution, comet };
  };

  before(async () => {
    aliceWallet = await DirectSecp256k1HdWallet.fromMnemonic(ALICE, { prefix: "poq" });
    bobWallet = await Secp256k1HdWallet.fromMnemonic(BOB, { prefix: "poq" });
    alice = (await aliceWallet.getAccounts())[0]!.address;
    bob = (await bobWallet.getAccounts())[0]!.address;
    net = await startLocalNetwork({
      dir,
      chainId: CHAIN_ID,
      validators: 1,
      basePort: 29100,
      accounts: [
        { address: alice, coins: [{ denom: "upoq", amount: "1000000000" }] },
        { address: bob, coins: [{ denom: "upoq", amount: "500000000" }] },
        { address: moduleAddress("block_rewards"), coins: [{ denom: "upoq", amount: POOL.toString() }] },
      ],
      modules: { distribution: { block_reward: { denom: "upoq", amount: BLOCK_REWARD.toString() } } },
    });
    await net.waitForHeight(2);
    rest = await startRestServer({ rpcUrl: net.rpcUrl(0), listen: "127.0.0.1:29190", rateLimit: false });
    const validators = (await (await fetch(`${rest.url}/cosmos/staking/v1beta1/validators`)).json()) as {
      validators: { operator_address: string }[];
    };
    valoper = validators.validators[0]!.operator_address;
  });

  after(async () => {
    await rest?.close();
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("withdrawRewards pays what was queried just before, within the blocks in between", async (t) => {
    const client = await connect(aliceWallet);
    const delegated = await client.delegateTokens(alice, valoper, { denom: "upoq", amount: "50000000" }, FEE);
    assert.equal(delegated.code, 0, delegated.rawLog);
    await net.waitForHeight(delegated.height + 3);

    const { q, comet } = await query();
    // The height is read before the query: the query answers from a state at least that new, so the
    // blocks counted below are never fewer than the blocks whose income the withdrawal can add.
    const queriedAt = (await comet.status()).syncInfo.latestBlockHeight;
    const before = await q.delegationRewards(alice, valoper);
    const queried = whole(before.rewards);
    assert.ok(queried > 0n, "three blocks of block reward accrued to the delegation");
    const balance0 = BigInt((await client.getBalance(alice, "upoq")).amount);

    const res = await client.withdrawRewards(alice, valoper, FEE);
    assert.equal(res.code, 0, res.rawLog);
    const paid = BigInt((await client.getBalance(alice, "upoq")).amount) - balance0 + 10_000n;
    const event = res.events.find((e) => e.type === "withdraw_rewards");
    assert.equal(event?.attributes.find((a) => a.key === "amount")?.value, `${paid}upoq`);
    assert.ok(paid >= queried, `paid ${paid} < queried ${queried}`);
    // At most the whole block income (reward + this tx's fee) per block between query and withdrawal.
    const blocks = BigInt(res.height - queriedAt);
    t.diagnostic(`queried ${queried}upoq at height ${queriedAt}, paid ${paid}upoq at height ${res.height}`);
    assert.ok(
      paid - queried <= blocks * (BLOCK_REWARD + 10_000n),
      `paid ${paid}, queried ${queried}, ${blocks} blocks`,
    );

    comet.disconnect();
    client.disconnect();
  });

  it("an amino-only signer delegates and withdraws (SIGN_MODE_LEGACY_AMINO_JSON)", async () => {
    const client = await connect(bobWallet);
    const delegated = await client.delegateTokens(bob, valoper, { denom: "upoq", amount: "20000000" }, FEE);
    assert.equal(delegated.code, 0, delegated.rawLog);
    await net.waitForHeight(delegated.height + 2);
    const balance0 = BigInt((await client.getBalance(bob, "upoq")).amount);
    const res = await client.withdrawRewards(bob, valoper, FEE);
    assert.equal(res.code, 0, res.rawLog);
    assert.ok(
      BigInt((await client.getBalance(bob, "upoq")).amount) > balance0 - 10_000n,
      "rewards were paid",
    );
    client.disconnect();
  });

  it("the operator withdraws rewards and commission with poq tx distribution withdraw-rewards --commission", async () => {
    const home = mkdtempSync(join(tmpdir(), "poq-dist-cli-"));
    await createKeyring({ home, backend: "test" }).recover("op", net.operators[0]!.mnemonic);
    // Asynchronous, not spawnSync: a blocked event loop keeps CosmJS's idle keep-alive socket past
    // CometBFT's 10 s idle timeout, and the next call then fails on the closed socket ("fetch failed").
    const poq = (...args: string[]) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const argv = [
          join("bin", "poq"),
          "--home",
          home,
          "--node",
          net.rpcUrl(0),
          "--output",
          "json",
          ...args,
        ];
        execFile(process.execPath, argv, { encoding: "utf8" }, (err, stdout, stderr) => {
          if (err) reject(new Error(`poq ${args.join(" ")}: ${stderr}`, { cause: err }));
          else resolve(JSON.parse(stdout) as Record<string, unknown>);
        });
      });
    const operator = net.operators[0]!.address;
    const commission = (await poq("query", "distribution", "commission", valoper)) as {
      commission: { commission: { amount: string }[] };
    };
    assert.ok(
      Number(commission.commission.commission[0]?.amount ?? "0") >= 1,
      "the validator earned commission",
    );
    const rewards = (await poq("query", "distribution", "rewards", operator)) as {
      total: { amount: string }[];
    };
    assert.ok(Number(rewards.total[0]?.amount ?? "0") >= 1, "the self-delegation earned rewards");
    const stargate = await StargateClient.connect(net.rpcUrl(0));
    const before = BigInt((await stargate.getBalance(operator, "upoq")).amount);
    const sent = await poq(
      "tx",
      "distribution",
      "withdraw-rewards",
      valoper,
      "--commission",
      "--from",
      "op",
      "--keyring-backend",
      "test",
    );
    assert.match(String(sent.txHash), /^[0-9A-F]{64}$/);
    const after = BigInt((await stargate.getBalance(operator, "upoq")).amount);
    // Commission and self-delegation rewards were at least a few upoq each; the fee is far less than the reward.
    assert.ok(after > before, `operator balance ${before} -> ${after}`);
    const left = (await poq("query", "distribution", "commission", valoper)) as {
      commission: { commission: { amount: string }[] };
    };
    assert.ok(
      Number(left.commission.commission[0]?.amount ?? "0") <
        Number(commission.commission.commission[0]!.amount),
      "the commission was paid out (what is left accrued since)",
    );
    stargate.disconnect();
    rmSync(home, { recursive: true, force: true });
  });

  it("REST answers in the SDK's shapes; the community pool grows; the supply never changes", async () => {
    const get = async (path: string) => {
      const r = await fetch(rest.url + path);
      assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
      return (await r.json()) as Record<string, unknown>;
    };
    const rewards = (await get(`/cosmos/distribution/v1beta1/delegators/${alice}/rewards`)) as {
      rewards: { validator_address: string; reward: { denom: string; amount: string }[] }[];
      total: { denom: string; amount: string }[];
    };
    assert.equal(rewards.rewards[0]?.validator_address, valoper);
    assert.match(rewards.total[0]?.amount ?? "", /^[0-9]+\.[0-9]{18}$/);
    const pool = (await get("/cosmos/distribution/v1beta1/community_pool")) as { pool: { amount: string }[] };
    assert.ok(Number(pool.pool[0]?.amount ?? "0") > 0, "2% of every block went to the pool");
    const params = (await get("/cosmos/distribution/v1beta1/params")) as {
      params: { community_tax: string };
    };
    assert.equal(params.params.community_tax, "0.020000000000000000");
    await get(`/cosmos/distribution/v1beta1/validators/${valoper}/outstanding_rewards`);
    await get(`/cosmos/distribution/v1beta1/validators/${valoper}/commission`);

    const stargate = await StargateClient.connect(net.rpcUrl(0));
    const supply0 = await supplyOf(net.rpcUrl(0));
    const h = await stargate.getHeight();
    await net.waitForHeight(h + 3);
    assert.equal(await supplyOf(net.rpcUrl(0)), supply0, "block rewards come from the pool, never minted");
    const poolLeft = BigInt((await stargate.getBalance(moduleAddress("block_rewards"), "upoq")).amount);
    assert.ok(poolLeft < POOL && poolLeft > POOL - 1000n * BLOCK_REWARD, `pool ${poolLeft}`);
    stargate.disconnect();
  });
});

async function supplyOf(rpc: string): Promise<string> {
  const { setupBankExtension } = await import("@cosmjs/stargate");
  const comet = await connectComet(rpc);
  const bank = QueryClient.withExtensions(comet, setupBankExtension).bank;
  const coin = await bank.supplyOf("upoq");
  comet.disconnect();
  return coin.amount;
}
