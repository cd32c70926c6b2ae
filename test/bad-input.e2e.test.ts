/**
 * Bad input through a real CometBFT node: every rejected transaction gets a non-zero code, a
 * codespace and a clear log, changes no state, and the chain keeps producing blocks.
 * Ports 26250-26269.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, makeAuthInfoBytes, makeSignDoc, encodePubkey } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { StargateClient } from "@cosmjs/stargate";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { cometRpc } from "../network/comet-process.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { msgSendAny, signDirect, testKey } from "./raw-signer.js";
import { waitFor } from "./wait-for.js";
import { mutateBytes, mutateStructure, prng } from "./wire-mutator.js";

const CHAIN_ID = "poq-badinput-1";
const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const OTHER = toBech32("poq", new Uint8Array(20).fill(5));

interface BroadcastResult {
  code: number;
  codespace: string;
  log: string;
  hash: string;
}

describe("bad input through a real node", { timeout: 180_000 }, () => {
  let net: LocalNetwork;
  let wallet: DirectSecp256k1HdWallet;
  let address: string;
  let pubkey: Uint8Array;
  let accountNumber: bigint;

  before(async () => {
    wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "poq" });
    const [account] = await wallet.getAccounts();
    address = account!.address;
    pubkey = account!.pubkey;
    net = await startLocalNetwork({
      dir: mkdtempSync(join(tmpdir(), "poq-badinput-")),
      chainId: CHAIN_ID,
      validators: 1,
      basePort: 26250,
      accounts: [{ address, coins: [{ denom: "upoq", amount: "1000000" }] }],
    });
    const client = await StargateClient.connect(net.rpcUrl(0));
    accountNumber = BigInt((await client.getAccount(address))!.accountNumber);
    client.disconnect();
  });

  after(async () => {
    await net?.stop();
  });

  const send = (to: string, amount: string): Any => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode({
      fromAddress: address,
      toAddress: to,
      amount: [{ denom: "upoq", amount }],
    }).finish(),
  });

  /** Signs (DIRECT) a transaction with every field under the test's control. */
  async function signed(o: {
    msgs: Any[];
    sequence: bigint;
    fee?: string;
    gas?: bigint;
    chainId?: string;
    accountNumber?: bigint;
  }): Promise<TxRaw> {
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: o.msgs, memo: "" })).finish();
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: o.sequence }],
      [{ denom: "upoq", amount: o.fee ?? "5000" }],
      Number(o.gas ?? 200_000n),
      undefined,
      undefined,
    );
    const doc = makeSignDoc(
      bodyBytes,
      authInfoBytes,
      o.chainId ?? CHAIN_ID,
      o.accountNumber ?? accountNumber,
    );
    const { signature } = await wallet.signDirect(address, doc);
    return TxRaw.fromPartial({
      bodyBytes,
      authInfoBytes,
      signatures: [Buffer.from(signature.signature, "base64")],
    });
  }

  async function broadcast(bytes: Uint8Array): Promise<BroadcastResult> {
    return cometRpc<BroadcastResult>(
      net.rpcUrl(0),
      `/broadcast_tx_sync?tx=0x${Buffer.from(bytes).toString("hex")}`,
    );
  }

  async function currentSequence(): Promise<bigint> {
    const client = await StargateClient.connect(net.rpcUrl(0));
    const seq = BigInt((await client.getAccount(address))!.sequence);
    client.disconnect();
    return seq;
  }

  async function balance(addr: string): Promise<string> {
    const client = await StargateClient.connect(net.rpcUrl(0));
    const b = (await client.getBalance(addr, "upoq")).amount;
    client.disconnect();
    return b;
  }

  it("rejects each kind of bad transaction with a code, a codespace and a log, and changes nothing", async () => {
    const before = await balance(address);
    await net.waitForHeight(1);
    const seq = await currentSequence();
    const enc = (tx: TxRaw) => TxRaw.encode(tx).finish();

    const cases: { name: string; bytes: Uint8Array; code: number; codespace: string; log: RegExp }[] = [
      {
        name: "malformed bytes",
        bytes: Uint8Array.of(0xff, 0x01, 0x02, 0x03),
        code: 2,
        codespace: "sdk",
        log: /.+/,
      },
      {
        name: "unknown type URL",
        bytes: enc(
          await signed({
            msgs: [{ typeUrl: "/poq.v1.MsgNoSuchThing", value: new Uint8Array() }],
            sequence: seq,
          }),
        ),
        code: 2,
        codespace: "sdk",
        log: /poq\.v1\.MsgNoSuchThing/,
      },
      {
        name: "bad signature",
        bytes: await (async () => {
          const tx = await signed({ msgs: [send(OTHER, "1")], sequence: seq });
          const sig = tx.signatures[0]!;
          sig[5] = sig[5]! ^ 0xff;
          return enc(tx);
        })(),
        code: 4,
        codespace: "sdk",
        log: /signature verification failed/,
      },
      {
        name: "wrong chain id",
        bytes: enc(await signed({ msgs: [send(OTHER, "1")], sequence: seq, chainId: "other-chain-1" })),
        code: 4,
        codespace: "sdk",
        log: /signature verification failed/,
      },
      {
        name: "wrong account number",
        bytes: enc(
          await signed({ msgs: [send(OTHER, "1")], sequence: seq, accountNumber: accountNumber + 7n }),
        ),
        code: 4,
        codespace: "sdk",
        log: /signature verification failed/,
      },
      {
        name: "too little fee",
        bytes: enc(await signed({ msgs: [send(OTHER, "1")], sequence: seq, fee: "1" })),
        code: 13,
        codespace: "sdk",
        log: /insufficient fee/,
      },
      {
        name: "too little gas",
        bytes: enc(await signed({ msgs: [send(OTHER, "1")], sequence: seq, gas: 1000n, fee: "5000" })),
        code: 11,
        codespace: "sdk",
        log: /out of gas/,
      },
      {
        name: "zero amount",
        bytes: enc(await signed({ msgs: [send(OTHER, "0")], sequence: seq })),
        code: 10,
        codespace: "sdk",
        log: /invalid coins/,
      },
      {
        name: "bad bech32",
        bytes: enc(await signed({ msgs: [send("poq1notanaddress", "1")], sequence: seq })),
        code: 7,
        codespace: "sdk",
        log: /invalid address/,
      },
    ];
    for (const c of cases) {
      const r = await broadcast(c.bytes);
      assert.equal(r.code, c.code, `${c.name}: code (log: ${r.log})`);
      assert.equal(r.codespace, c.codespace, `${c.name}: codespace`);
      assert.match(r.log, c.log, `${c.name}: log`);
    }
    assert.equal(await balance(address), before, "no rejected transaction moved coins");
    assert.equal(await currentSequence(), seq, "no rejected transaction used a sequence");

    // A good transaction goes through; replaying its sequence is refused.
    const good = enc(await signed({ msgs: [send(OTHER, "10")], sequence: seq }));
    const goodResult = await broadcast(good);
    assert.equal(goodResult.code, 0);
    const replay = await broadcast(enc(await signed({ msgs: [send(OTHER, "11")], sequence: seq })));
    assert.equal(replay.code, 32, replay.log);
    assert.match(replay.log, /account sequence mismatch, expected 1, got 0/);

    // Insufficient funds passes CheckTx (the fee is payable) and fails in the block: fee spent, no transfer.
    // Wait for the good tx itself (a slow block under load must not leave the next sequence stale).
    await waitFor(
      "the good tx in a block",
      () => cometRpc(net.rpcUrl(0), `/tx?hash=0x${goodResult.hash}`).catch(() => undefined),
      { timeoutMs: 30_000 },
    );
    const seq2 = await currentSequence();
    const tooMuch = enc(await signed({ msgs: [send(OTHER, "999999999")], sequence: seq2 }));
    const hash = (await broadcast(tooMuch)).hash;
    const result = await waitFor(
      "the insufficient-funds tx in a block",
      () =>
        cometRpc<{ tx_result: { code: number; codespace: string; log: string } }>(
          net.rpcUrl(0),
          `/tx?hash=0x${hash}`,
        ).catch(() => undefined), // not indexed yet
      { timeoutMs: 10_000 },
    );
    assert.ok(result, "the insufficient-funds tx was included");
    assert.equal(result.tx_result.code, 5);
    assert.equal(result.tx_result.codespace, "sdk");
    assert.match(result.tx_result.log, /insufficient funds/);
    assert.equal(await balance(OTHER), "10");

    // And the chain goes on.
    const h = await net.waitForHeight(1);
    await net.waitForHeight(h + 3n, 30_000);
  });

  it("survives a gas limit of 2^63 or more (int64 in the CheckTx reply) and keeps producing blocks", async () => {
    const stranger = testKey("gas-limit-2^63");
    for (const gasLimit of [2n ** 63n, 2n ** 64n - 1n]) {
      const tx = signDirect({
        key: stranger,
        chainId: CHAIN_ID,
        accountNumber: 0n,
        sequence: 0n,
        messages: [msgSendAny(stranger.address, OTHER, 1n)],
        fee: { amount: 1n, gasLimit },
      });
      const r = await broadcast(tx);
      assert.equal(r.code, 18, `gas ${gasLimit}: ${r.log}`);
      assert.equal(r.codespace, "sdk");
      assert.match(r.log, /invalid gas supplied/);
    }
    const h = await net.waitForHeight(1);
    await net.waitForHeight(h + 3n, 30_000);
    const status = await cometRpc<{ sync_info: { latest_block_height: string } }>(net.rpcUrl(0), "/status");
    assert.ok(BigInt(status.sync_info.latest_block_height) >= h + 3n);
  });

  it("commits a signed tx under one hash only: a re-encoded TxRaw is refused", async () => {
    const seq = await currentSequence();
    const tx = await signed({ msgs: [send(OTHER, "3")], sequence: seq });
    const canonical = TxRaw.encode(tx).finish();
    // The same fields, auth_info_bytes first: the DIRECT signature still verifies, the hash differs.
    const reordered = Uint8Array.from(
      Buffer.concat([
        TxRaw.encode(TxRaw.fromPartial({ authInfoBytes: tx.authInfoBytes })).finish(),
        TxRaw.encode(TxRaw.fromPartial({ bodyBytes: tx.bodyBytes, signatures: tx.signatures })).finish(),
      ]),
    );
    const refused = await broadcast(reordered);
    assert.equal(refused.code, 2, refused.log);
    assert.match(refused.log, /TxRaw is not canonically encoded/);
    const accepted = await broadcast(canonical);
    assert.equal(accepted.code, 0, accepted.log);
    await waitFor(
      "the canonical tx in a block",
      () => cometRpc(net.rpcUrl(0), `/tx?hash=0x${accepted.hash}`).catch(() => undefined),
      { timeoutMs: 10_000 },
    );
    const other = await cometRpc<unknown>(net.rpcUrl(0), `/tx?hash=0x${refused.hash}`).catch(() => "absent");
    assert.equal(other, "absent", "the re-encoded form was never committed");
  });

  it("answers 200 mutants of a signed tx over broadcast_tx_sync with rejection codes; nothing commits", async () => {
    const seq = await currentSequence();
    const before = await balance(address);
    const original = TxRaw.encode(
      await signed({ msgs: [send(OTHER, "7")], sequence: seq, gas: 2n ** 62n }),
    ).finish();
    const r = prng(17);
    const seen = new Set<string>([Buffer.from(original).toString("hex")]);
    const codes = new Map<number, number>();
    const h = await net.waitForHeight(1);
    for (let n = 0; seen.size <= 200 && n < 1000; n++) {
      const mutant = n % 2 ? mutateStructure(original, r) : mutateBytes(original, r);
      const hex = Buffer.from(mutant).toString("hex");
      if (mutant.length === 0 || seen.has(hex)) continue;
      seen.add(hex);
      const res = await broadcast(mutant);
      assert.equal(typeof res.code, "number");
      assert.notEqual(res.code, 0, `a mutant was accepted: ${hex}`);
      codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
    }
    console.log(
      `broadcast_tx_sync mutants by code: ${JSON.stringify([...codes].sort((a, b) => a[0] - b[0]))}`,
    );
    assert.ok(codes.size >= 3, "rejected for several reasons");
    await net.waitForHeight(h + 2n, 30_000);
    assert.equal(await balance(address), before, "no mutant moved coins");
    assert.equal(await currentSequence(), seq, "no mutant used the sequence");
  });
});
