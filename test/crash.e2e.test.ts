/**
 * Crash safety with real CometBFT: four validators while transactions flow; application processes
 * are SIGKILLed at random moments and once exactly between FinalizeBlock and Commit. After every
 * restart the node rejoins; at the end every node's app hash agrees with node 0 (which never crashed)
 * and the total supply is what genesis minted. Ports 26200-26239.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient, calculateFee } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { moduleAddress } from "../app/modules/auth/address.js";
import { cometRpc } from "../network/comet-process.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";

const CHAIN_ID = "poq-crash-1";
const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const fee = calculateFee(100_000, GasPrice.fromString("0.025upoq"));
const RECIPIENTS = [1, 2, 3].map((n) => toBech32("poq", new Uint8Array(20).fill(n)));

interface AbciInfo {
  response: { last_block_height: string; last_block_app_hash: string };
}
interface BlockResult {
  block: { header: { app_hash: string } };
}

/** The app hash node i reports, checked against block h+1's header on node 0 (which never crashed). */
async function assertAppHashAgrees(net: LocalNetwork, i: number): Promise<bigint> {
  const info = await cometRpc<AbciInfo>(net.rpcUrl(i), "/abci_info");
  const h = BigInt(info.response.last_block_height);
  await net.waitForHeight(h + 1n, 30_000, 0);
  const block = await cometRpc<BlockResult>(net.rpcUrl(0), `/block?height=${h + 1n}`);
  const reported = Buffer.from(info.response.last_block_app_hash, "base64").toString("hex").toUpperCase();
  assert.equal(reported, block.block.header.app_hash, `node ${i} app hash at height ${h}`);
  return h;
}

describe("crash safety", { timeout: 300_000 }, () => {
  let net: LocalNetwork;
  let address: string;

  before(async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "poq" });
    address = (await wallet.getAccounts())[0]!.address;
    net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-crash-")),
      chainId: CHAIN_ID,
      validators: 4,
      basePort: 26200,
      timeoutCommit: "200ms",
      accounts: [{ address, coins: [{ denom: "upoq", amount: "1000000000000" }] }],
      // Node 3 kills itself once between FinalizeBlock and Commit of height 6.
      appArgs: (i) => (i === 3 ? ["--crash-before-commit-at", "6"] : []),
    });
  });

  after(async () => {
    await net?.stop();
  });

  it("rejoins after SIGKILLs while transactions flow, with the same app hash and supply", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "poq" });
    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), wallet);
    const query = await StargateClient.connect(net.rpcUrl(0));
    const supplyBefore = (await query.getBalance(address, "upoq")).amount;
    const account = await query.getAccount(address);
    assert.ok(account);

    // A sender that keeps transactions flowing through node 0 until told to stop.
    let sending = true;
    let sequence = account.sequence;
    let sent = 0;
    const sender = (async () => {
      while (sending) {
        const to = RECIPIENTS[sent % RECIPIENTS.length]!;
        const tx = await client.sign(
          address,
          [
            {
              typeUrl: "/cosmos.bank.v1beta1.MsgSend",
              value: { fromAddress: address, toAddress: to, amount: [{ denom: "upoq", amount: "10" }] },
            },
          ],
          fee,
          "",
          { accountNumber: account.accountNumber, sequence, chainId: CHAIN_ID },
        );
        const hash = await client.broadcastTxSync(TxRaw.encode(tx).finish()).catch(() => undefined);
        if (hash !== undefined) {
          sequence++;
          sent++;
        }
        await sleep(150);
      }
    })();

    // Node 3's own fault fires at height 6: it must come back by replaying that block.
    await net.waitForHeight(8, 60_000);
    assert.equal(await net.nodes[3]!.app!.exited, "SIGKILL");
    assert.ok(existsSync(join(net.nodes[3]!.home, "crashed-before-commit-6")), "the fault fired at height 6");
    await net.startNode(3);

    for (const [round, victim] of [1, 2, 1, 3].entries()) {
      await sleep(300 + ((round * 457) % 900));
      await net.killApp(victim);
      await sleep(500);
      await net.startNode(victim);
      const target = (await query.getHeight()) + 2;
      await net.waitForHeight(target, 60_000, victim);
    }

    sending = false;
    await sender;
    assert.ok(sent >= 10, `only ${sent} transactions were sent`);
    // The last sends may still sit in the mempool: the sums below are read one query at a time, so
    // a send included between two of them would count its fee and amount twice (CI once read
    // 3 fees and 2 amounts over the supply). Wait until the chain has every accepted send (or has
    // stopped taking them), then two more blocks for the last fees to reach distribution.
    const began = Date.now();
    while ((await query.getSequence(address)).sequence !== sequence && Date.now() - began < 30_000) {
      await sleep(300);
    }
    await net.waitForHeight((await query.getHeight()) + 2, 30_000, 0);

    for (const i of [1, 2, 3]) await assertAppHashAgrees(net, i);

    // Supply: genesis minted the operators' coins plus ours; nothing was created or lost.
    const supply = await cometRpc<{ response: { value?: string; code?: number } }>(
      net.rpcUrl(2),
      `/abci_query?path=%22/cosmos.bank.v1beta1.Query/SupplyOf%22&data=0x${Buffer.from(
        // QuerySupplyOfRequest{denom: "upoq"}
        Uint8Array.of(0x0a, 4, ...Buffer.from("upoq")),
      ).toString("hex")}`,
    );
    assert.equal(supply.response.code ?? 0, 0);
    // The genesis validators' self-bonds, minted into the bonded pool at InitChain, are supply too.
    const bonded = BigInt((await query.getBalance(moduleAddress("bonded_tokens_pool"), "upoq")).amount);
    const notBonded = BigInt(
      (await query.getBalance(moduleAddress("not_bonded_tokens_pool"), "upoq")).amount,
    );
    const expected = BigInt(supplyBefore) + 4n * 1_000_000_000n + bonded + notBonded;
    const value = Buffer.from(supply.response.value ?? "", "base64");
    assert.ok(value.toString("latin1").includes(expected.toString()), `supply should be ${expected}`);

    // Balances of everyone who holds coins add up to the supply.
    let total = 0n;
    for (const a of [address, ...RECIPIENTS, ...net.operators.map((o) => o.address)]) {
      total += BigInt((await query.getBalance(a, "upoq")).amount);
    }
    total += BigInt((await query.getBalance(moduleAddress("fee_collector"), "upoq")).amount);
    // Fees move on to the distribution module in the next block's BeginBlock.
    total += BigInt((await query.getBalance(moduleAddress("distribution"), "upoq")).amount);
    total += bonded + notBonded;
    assert.equal(total, expected);
    query.disconnect();
    client.disconnect();
  });
});
