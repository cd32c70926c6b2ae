/**
 * CosmJS against a real single-validator network: `@cosmjs/stargate` as it is, with its default
 * registry, talks to CometBFT v0.38 and our app exactly as to any Cosmos chain.
 * Ports 26100-26199.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient, calculateFee } from "@cosmjs/stargate";
import { Comet38Client, connectComet } from "@cosmjs/tendermint-rpc";
import { toBech32 } from "@cosmjs/encoding";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import {
  createPoqQueryClient,
  waitForAssignment,
  createPoqSigningClient,
  registerNode,
  requestInference,
} from "../client/index.js";

const CHAIN_ID = "poq-cosmjs-1";
const ALICE =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const BOB = "enlist hip relief stomach skate base shallow young switch frequent cry park";
const gasPrice = GasPrice.fromString("0.025upoq");
/** A valid address that no genesis account or transaction has touched. */
const NOBODY = toBech32("poq", new Uint8Array(20).fill(7));

describe("CosmJS with a real CometBFT v0.38 node", { timeout: 180_000 }, () => {
  let net: LocalNetwork;
  let alice: DirectSecp256k1HdWallet;
  let aliceAddress: string;
  let bobAmino: Secp256k1HdWallet;
  let bobAddress: string;

  before(async () => {
    alice = await DirectSecp256k1HdWallet.fromMnemonic(ALICE, { prefix: "poq" });
    bobAmino = await Secp256k1HdWallet.fromMnemonic(BOB, { prefix: "poq" });
    aliceAddress = (await alice.getAccounts())[0]!.address;
    bobAddress = (await bobAmino.getAccounts())[0]!.address;
    net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-cosmjs-")),
      chainId: CHAIN_ID,
      validators: 1,
      basePort: 26100,
      accounts: [
        { address: aliceAddress, coins: [{ denom: "upoq", amount: "1000000000" }] },
        { address: bobAddress, coins: [{ denom: "upoq", amount: "500000000" }] },
      ],
    });
    await net.waitForHeight(2);
  });

  after(async () => {
    await net?.stop();
  });

  it("auto-detects the Comet 0.38 client and reads the chain id", async () => {
    const comet = await connectComet(net.rpcUrl(0));
    assert.ok(comet instanceof Comet38Client, "connectComet should pick the Comet 0.38 client");
    comet.disconnect();
    const client = await StargateClient.connect(net.rpcUrl(0));
    assert.equal(await client.getChainId(), CHAIN_ID);
    assert.ok((await client.getHeight()) >= 2);
    client.disconnect();
  });

  it("reads accounts and balances, and null for an unknown account", async () => {
    const client = await StargateClient.connect(net.rpcUrl(0));
    const account = await client.getAccount(aliceAddress);
    assert.ok(account);
    assert.equal(account.address, aliceAddress);
    assert.equal(await client.getAccount(NOBODY), null);
    assert.deepEqual(await client.getBalance(aliceAddress, "upoq"), { denom: "upoq", amount: "1000000000" });
    assert.deepEqual(await client.getBalance(aliceAddress, "uother"), { denom: "uother", amount: "0" });
    assert.deepEqual(await client.getAllBalances(bobAddress), [{ denom: "upoq", amount: "500000000" }]);
    client.disconnect();
  });

  it("sends tokens signed DIRECT, finds the tx with getTx and searchTx", async () => {
    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), alice, { gasPrice });
    const recipient = toBech32("poq", new Uint8Array(20).fill(9));
    const result = await client.sendTokens(
      aliceAddress,
      recipient,
      [{ denom: "upoq", amount: "12345" }],
      "auto",
    );
    assert.equal(result.code, 0, result.rawLog);
    assert.deepEqual(await client.getBalance(recipient, "upoq"), { denom: "upoq", amount: "12345" });

    const tx = await client.getTx(result.transactionHash);
    assert.ok(tx);
    assert.equal(tx.height, result.height);
    assert.equal(tx.code, 0);
    const transfer = tx.events.find((e) => e.type === "transfer");
    assert.ok(transfer, "a transfer event as the bank module of the Cosmos SDK emits");
    assert.deepEqual(
      transfer.attributes.map((a) => a.key),
      ["recipient", "sender", "amount"],
    );

    const found = await client.searchTx(`message.sender='${aliceAddress}'`);
    assert.ok(found.some((t) => t.hash === result.transactionHash));
    client.disconnect();
  });

  it("sends tokens with an amino-only signer (SIGN_MODE_LEGACY_AMINO_JSON)", async () => {
    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), bobAmino, { gasPrice });
    const before = await client.getBalance(aliceAddress, "upoq");
    const fee = calculateFee(120_000, gasPrice);
    const result = await client.sendTokens(
      bobAddress,
      aliceAddress,
      [{ denom: "upoq", amount: "777" }],
      fee,
      "amino & <memo>",
    );
    assert.equal(result.code, 0, result.rawLog);
    const afterBalance = await client.getBalance(aliceAddress, "upoq");
    assert.equal(BigInt(afterBalance.amount) - BigInt(before.amount), 777n);
    client.disconnect();
  });

  it("simulates gas for a send", async () => {
    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), alice, { gasPrice });
    const gas = await client.simulate(
      aliceAddress,
      [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: {
            fromAddress: aliceAddress,
            toAddress: bobAddress,
            amount: [{ denom: "upoq", amount: "1" }],
          },
        },
      ],
      "",
    );
    assert.ok(gas > 10_000 && gas < 1_000_000, `simulated gas ${gas}`);
    client.disconnect();
  });

  it("accepts PoQ messages signed SIGN_MODE_LEGACY_AMINO_JSON (what a Ledger through Keplr signs)", async () => {
    // bobAmino can only sign amino JSON, so CosmJS signs with the SPEC's amino names (poq/MsgRegisterNode ...).
    const client = await createPoqSigningClient(net.rpcUrl(0), bobAmino);
    const registered = await registerNode(client, bobAddress, {
      models: ["llama-3-8b-instruct"],
      stake: "2000000upoq",
      moniker: "amino & <node>",
    });
    assert.ok(registered.height > 0);
    const asked = await requestInference(client, bobAddress, {
      model: "llama-3-8b-instruct",
      prompt: "Why is the sky blue?",
      fee: "5000upoq",
      minQuality: 5000,
    });
    const query = await createPoqQueryClient(net.rpcUrl(0));
    // Drawn from the beacon of a later block, never in the request's own transaction.
    const assigned = await waitForAssignment(query, asked.requestId, { timeoutMs: 30_000, pollMs: 200 });
    assert.deepEqual(assigned.assigned_nodes, [bobAddress], "the only registered node is assigned");
    assert.ok(Number(assigned.assigned_height) > asked.height);
    const node = await query.getNode(bobAddress);
    assert.equal(node?.moniker, "amino & <node>");
    query.disconnect();
    client.disconnect();
  });
});
