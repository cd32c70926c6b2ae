/**
 * The REST gateway against a real single-validator network: every Cosmos gateway endpoint in the
 * shapes Keplr and CosmJS read, compared with CosmJS's own queries; the Keplr ChainInfo checked
 * with Keplr's validator package; bad input answered 4xx without changing state.
 * Ports 26300-26309 (CometBFT) and 26390 (REST).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { sha256 } from "@cosmjs/crypto";
import { fromBech32, toBase64, toBech32, toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  checkRestConnectivity,
  checkRPCConnectivity,
  validateBasicChainInfoType,
} from "@keplr-wallet/chain-validator";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";
import { startRestServer } from "../rest/server.js";
import { restFormats } from "../rest/schemas.js";
import { checkOpenApi, type OpenApiDoc, type OperationFixture, type Send } from "./openapi-check.js";

const CHAIN_ID = "poq-rest-1";
const ALICE =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const BOB = "enlist hip relief stomach skate base shallow young switch frequent cry park";
const NOBODY = toBech32("poq", new Uint8Array(20).fill(7));
const FEE = { amount: [{ denom: "upoq", amount: "5000" }], gas: "200000" };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- gateway JSON read by path in assertions

describe("REST gateway on a real network", { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "poq-rest-e2e-"));
  let net: LocalNetwork;
  let rest: Awaited<ReturnType<typeof startRestServer>>;
  let alice: string;
  let bob: string;
  let aliceWallet: DirectSecp256k1HdWallet;
  let bobWallet: Secp256k1HdWallet;

  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(rest.url + path);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const post = async (path: string, body: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(rest.url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const signSend = async (sequence: number, amount: string): Promise<Uint8Array> => {
    const client = await SigningStargateClient.offline(aliceWallet);
    const msg = {
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: { fromAddress: alice, toAddress: NOBODY, amount: [{ denom: "upoq", amount }] },
    };
    const accountNumber = BigInt(
      (await get(`/cosmos/auth/v1beta1/accounts/${alice}`)).body.account.account_number,
    );
    const raw = await client.sign(alice, [msg], FEE, "via rest", {
      accountNumber,
      sequence,
      chainId: CHAIN_ID,
    });
    return TxRaw.encode(raw).finish();
  };
  const waitForTx = async (hash: string): Promise<Json> => {
    for (let i = 0; i < 100; i++) {
      const r = await get(`/cosmos/tx/v1beta1/txs/${hash}`);
      if (r.status === 200) return r.body;
      assert.equal(r.status, 404, JSON.stringify(r.body));
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`tx ${hash} not committed`);
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
      basePort: 26300,
      accounts: [
        { address: alice, coins: [{ denom: "upoq", amount: "1000000000" }] },
        { address: bob, coins: [{ denom: "upoq", amount: "500000000" }] },
      ],
    });
    await net.waitForHeight(2);
    rest = await startRestServer({ rpcUrl: net.rpcUrl(0), listen: "127.0.0.1:26390", rateLimit: false });
  });

  after(async () => {
    await rest?.close();
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("node_info carries the chain id and CometBFT version", async () => {
    const { status, body } = await get("/cosmos/base/tendermint/v1beta1/node_info");
    assert.equal(status, 200);
    assert.equal(body.default_node_info.network, CHAIN_ID);
    assert.match(body.default_node_info.version, /^0\.38\./);
    assert.equal(body.application_version.name, "poq");
  });

  it("accounts: BaseAccount with @type and string numbers, as CosmJS sees it; 404 code 5 when missing", async () => {
    const { status, body } = await get(`/cosmos/auth/v1beta1/accounts/${alice}`);
    assert.equal(status, 200);
    const cosmjs = await StargateClient.connect(net.rpcUrl(0));
    const account = await cosmjs.getAccount(alice);
    cosmjs.disconnect();
    assert.ok(account);
    assert.deepEqual(Object.keys(body.account).sort(), [
      "@type",
      "account_number",
      "address",
      "pub_key",
      "sequence",
    ]);
    assert.equal(body.account["@type"], "/cosmos.auth.v1beta1.BaseAccount");
    assert.equal(body.account.address, alice);
    assert.equal(body.account.account_number, String(account.accountNumber));
    assert.equal(body.account.sequence, String(account.sequence));
    const missing = await get(`/cosmos/auth/v1beta1/accounts/${NOBODY}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 5);
  });

  it("balances, by_denom and supply match CosmJS's bank queries", async () => {
    const cosmjs = await StargateClient.connect(net.rpcUrl(0));
    const all = await get(`/cosmos/bank/v1beta1/balances/${bob}`);
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.balances, await cosmjs.getAllBalances(bob));
    assert.deepEqual(all.body.pagination, { next_key: null, total: "0" });
    // The genesis bank only knows upoq (denoms need metadata), so one page holds everything.
    const page = await get(
      `/cosmos/bank/v1beta1/balances/${bob}?pagination.limit=1&pagination.count_total=true`,
    );
    assert.deepEqual(page.body, { balances: all.body.balances, pagination: { next_key: null, total: "1" } });
    const one = await get(`/cosmos/bank/v1beta1/balances/${alice}/by_denom?denom=upoq`);
    assert.deepEqual(one.body, { balance: await cosmjs.getBalance(alice, "upoq") });
    const none = await get(`/cosmos/bank/v1beta1/balances/${alice}/by_denom?denom=uother`);
    assert.deepEqual(none.body, { balance: { denom: "uother", amount: "0" } });
    const supply = await get("/cosmos/bank/v1beta1/supply");
    assert.equal(supply.status, 200);
    const upoq = (supply.body.supply as { denom: string; amount: string }[]).find((c) => c.denom === "upoq");
    assert.ok(upoq && BigInt(upoq.amount) >= 1_500_000_000n);
    cosmjs.disconnect();
  });

  it("broadcasts (sync) a CosmJS-signed tx, finds it by hash, rejects a replay and garbage with ABCI codes", async () => {
    const account = (await get(`/cosmos/auth/v1beta1/accounts/${alice}`)).body.account;
    const txBytes = await signSend(Number(account.sequence), "1234");
    const res = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: toBase64(txBytes),
      mode: "BROADCAST_MODE_SYNC",
    });
    assert.equal(res.status, 200);
    const expectedHash = toHex(sha256(txBytes)).toUpperCase();
    assert.equal(res.body.tx_response.code, 0, res.body.tx_response.raw_log);
    assert.equal(res.body.tx_response.txhash, expectedHash);
    assert.equal(res.body.tx_response.height, "0");

    const found = await waitForTx(expectedHash);
    assert.equal(found.tx.body.messages[0]["@type"], "/cosmos.bank.v1beta1.MsgSend");
    assert.equal(found.tx.body.messages[0].from_address, alice);
    assert.deepEqual(found.tx.body.messages[0].amount, [{ denom: "upoq", amount: "1234" }]);
    assert.equal(found.tx.body.memo, "via rest");
    assert.equal(found.tx.auth_info.fee.gas_limit, "200000");
    assert.equal(found.tx.auth_info.signer_infos[0].public_key["@type"], "/cosmos.crypto.secp256k1.PubKey");
    const r = found.tx_response;
    assert.deepEqual(r.tx, { "@type": "/cosmos.tx.v1beta1.Tx", ...found.tx });
    assert.equal(r.txhash, expectedHash);
    assert.equal(r.code, 0);
    assert.match(r.height, /^[1-9][0-9]*$/);
    assert.match(r.gas_used, /^[1-9][0-9]*$/);
    assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT/);
    assert.equal(r.tx["@type"], "/cosmos.tx.v1beta1.Tx");
    assert.ok((r.events as { type: string }[]).some((e) => e.type === "transfer"));
    const cosmjs = await StargateClient.connect(net.rpcUrl(0));
    const viaCosmjs = await cosmjs.getTx(expectedHash);
    cosmjs.disconnect();
    assert.equal(String(viaCosmjs?.height), r.height);
    assert.equal(String(viaCosmjs?.gasUsed), r.gas_used);

    const replay = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: toBase64(txBytes),
      mode: "BROADCAST_MODE_SYNC",
    });
    assert.equal(replay.status, 200);
    assert.notEqual(replay.body.tx_response.code, 0);
    const garbage = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: toBase64(Uint8Array.of(1, 2, 3)),
      mode: "BROADCAST_MODE_ASYNC",
    });
    assert.equal(garbage.status, 200);
    const sync = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: toBase64(Uint8Array.of(9, 9, 9)),
      mode: "BROADCAST_MODE_SYNC",
    });
    assert.equal(sync.status, 200);
    assert.equal(sync.body.tx_response.code, 2);
    assert.equal(sync.body.tx_response.codespace, "sdk");
    const unknown = await get(`/cosmos/tx/v1beta1/txs/${"AB".repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 5);
  });

  it("simulates an unsigned tx (gas_info as strings) and answers 400 for one that cannot run", async () => {
    const account = (await get(`/cosmos/auth/v1beta1/accounts/${alice}`)).body.account;
    const raw = TxRaw.decode(await signSend(Number(account.sequence), "10"));
    const unsigned = TxRaw.encode({ ...raw, signatures: [new Uint8Array()] }).finish();
    const sim = await post("/cosmos/tx/v1beta1/simulate", { tx_bytes: toBase64(unsigned) });
    assert.equal(sim.status, 200, JSON.stringify(sim.body));
    assert.match(sim.body.gas_info.gas_used, /^[1-9][0-9]*$/);
    assert.ok(Array.isArray(sim.body.result.events));
    const tooMuch = TxRaw.decode(await signSend(Number(account.sequence), "999999999999"));
    const bad = await post("/cosmos/tx/v1beta1/simulate", {
      tx_bytes: toBase64(TxRaw.encode({ ...tooMuch, signatures: [new Uint8Array()] }).finish()),
    });
    assert.ok(bad.status >= 400 && bad.status < 500, `${bad.status} ${JSON.stringify(bad.body)}`);
  });

  it("an amino-signed tx from a wallet shows its pub_key on the account afterwards", async () => {
    const client = await SigningStargateClient.connectWithSigner(net.rpcUrl(0), bobWallet, {
      gasPrice: GasPrice.fromString("0.025upoq"),
    });
    const res = await client.sendTokens(bob, alice, [{ denom: "upoq", amount: "5" }], "auto");
    client.disconnect();
    assert.equal(res.code, 0);
    const { body } = await get(`/cosmos/auth/v1beta1/accounts/${bob}`);
    assert.equal(body.account.pub_key["@type"], "/cosmos.crypto.secp256k1.PubKey");
    assert.equal(body.account.sequence, "1");
  });

  it("blocks/latest and the staking view", async () => {
    const { status, body } = await get("/cosmos/base/tendermint/v1beta1/blocks/latest");
    assert.equal(status, 200);
    assert.equal(body.block.header.chain_id, CHAIN_ID);
    assert.match(body.block.header.height, /^[1-9][0-9]*$/);
    assert.equal(Buffer.from(body.block.header.app_hash, "base64").length, 32);
    assert.match(body.sdk_block.header.proposer_address, /^poqvalcons1/);
    assert.equal(Buffer.from(body.block_id.hash, "base64").length, 32);
    const byHeight = await get("/cosmos/base/tendermint/v1beta1/blocks/2");
    assert.equal(byHeight.body.block.header.height, "2");
    const vals = await get("/cosmos/staking/v1beta1/validators");
    assert.equal(vals.status, 200);
    assert.equal(vals.body.validators.length, 1);
    const v = vals.body.validators[0];
    assert.match(v.operator_address, /^poqvaloper1/);
    assert.equal(v.status, "BOND_STATUS_BONDED");
    assert.equal(v.consensus_pubkey["@type"], "/cosmos.crypto.ed25519.PubKey");
    assert.match(v.tokens, /^[1-9][0-9]*000000$/);
    const one = await get(`/cosmos/staking/v1beta1/validators/${v.operator_address}`);
    assert.equal(one.body.validator.operator_address, v.operator_address);
    assert.equal(one.body.validator.commission.commission_rates.rate, "0.100000000000000000");
    const pool = await get("/cosmos/staking/v1beta1/pool");
    assert.deepEqual(pool.body.pool, { not_bonded_tokens: "0", bonded_tokens: v.tokens });
    const params = await get("/cosmos/staking/v1beta1/params");
    assert.equal(params.body.params.bond_denom, "upoq");
    assert.equal(params.body.params.unbonding_time, "1814400s");
    const self = await get(`/cosmos/staking/v1beta1/validators/${v.operator_address}/delegations`);
    assert.equal(self.body.delegation_responses[0].balance.amount, v.tokens);
    assert.equal(self.body.delegation_responses[0].delegation.shares, `${v.tokens}.000000000000000000`);
  });

  it("the Keplr ChainInfo passes Keplr's own validator and connectivity checks", async () => {
    const { body } = await get("/chain-info/keplr");
    assert.equal(body.chainId, CHAIN_ID);
    assert.equal(body.rest, rest.url);
    await validateBasicChainInfoType(body as Parameters<typeof validateBasicChainInfoType>[0]);
    await checkRestConnectivity(body.chainId, body.rest);
    // Node 20 has no global WebSocket: hand Keplr's check the `ws` client CosmJS already depends on.
    const WebSocketClass = createRequire(import.meta.url)("ws") as new (url: string) => {
      readonly readyState: number;
      onerror: ((event: unknown) => void) | null;
      close(): void;
    };
    await checkRPCConnectivity(body.chainId, body.rpc, (url) => new WebSocketClass(url));
  });

  it("bad input gets 4xx JSON errors and changes nothing", async () => {
    const before = (await get(`/cosmos/bank/v1beta1/balances/${alice}`)).body;
    const cases: [string, Promise<{ status: number; body: Json }>][] = [
      ["bad address", get("/cosmos/bank/v1beta1/balances/poq1notvalid")],
      [
        "bad checksum",
        get(`/cosmos/auth/v1beta1/accounts/${alice.slice(0, -1)}${alice.endsWith("q") ? "p" : "q"}`),
      ],
      ["bad limit", get(`/cosmos/bank/v1beta1/balances/${alice}?pagination.limit=x`)],
      ["bad hash", get("/cosmos/tx/v1beta1/txs/12")],
      ["no body", post("/cosmos/tx/v1beta1/txs", {})],
      ["not base64", post("/cosmos/tx/v1beta1/txs", { tx_bytes: "***", mode: "BROADCAST_MODE_SYNC" })],
      ["block mode", post("/cosmos/tx/v1beta1/txs", { tx_bytes: "AAAA", mode: "BROADCAST_MODE_BLOCK" })],
      ["simulate garbage", post("/cosmos/tx/v1beta1/simulate", { tx_bytes: "AQID" })],
      ["future block", get("/cosmos/base/tendermint/v1beta1/blocks/99999999")],
    ];
    for (const [name, pending] of cases) {
      const { status, body } = await pending;
      assert.ok(status >= 400 && status < 500, `${name}: ${status} ${JSON.stringify(body)}`);
      assert.equal(typeof body.code, "number", name);
      assert.equal(typeof body.message, "string", name);
    }
    assert.deepEqual((await get(`/cosmos/bank/v1beta1/balances/${alice}`)).body, before);
  });

  it("every operation of /openapi.json does what the document says (test/openapi-check.ts)", async () => {
    const doc = (await get("/openapi.json")).body as OpenApiDoc;
    const account = (await get(`/cosmos/auth/v1beta1/accounts/${alice}`)).body.account;
    const sequence = Number(account.sequence);
    const stale = await signSend(sequence + 1000, "1"); // CheckTx refuses it: nothing is spent
    const unsigned = TxRaw.encode({
      ...TxRaw.decode(await signSend(sequence, "1")),
      signatures: [new Uint8Array()],
    });
    const search = (await (
      await fetch(`${net.rpcUrl(0)}/tx_search?query="tx.height>0"&per_page=100`)
    ).json()) as {
      result: { txs: { hash: string; tx: string }[] };
    };
    // A user's tx (a TxRaw starts with field 1, 0x0a), not a block's injected vote extensions (0x00...).
    const userTx = search.result.txs.find((t) => Buffer.from(t.tx, "base64")[0] === 0x0a)!;
    const injected = search.result.txs.find((t) => Buffer.from(t.tx, "base64")[0] === 0x00);
    assert.ok(userTx && injected, "the chain has a user tx and an injected commit to look up");
    assert.equal((await get(`/cosmos/tx/v1beta1/txs/${injected.hash}`)).status, 404);
    const valoper = (await get("/cosmos/staking/v1beta1/validators")).body.validators[0].operator_address;
    // The validator's operator account: it self-delegated at genesis, so it has rewards to show.
    const operator = toBech32("poq", fromBech32(valoper).data);
    const fixtures: Record<string, OperationFixture> = {
      "GET /cosmos/auth/v1beta1/accounts/{address}": { params: { address: alice } },
      "GET /cosmos/bank/v1beta1/balances/{address}": { params: { address: alice } },
      "GET /cosmos/bank/v1beta1/spendable_balances/{address}": { params: { address: alice } },
      "GET /cosmos/bank/v1beta1/balances/{address}/by_denom": { params: { address: alice, denom: "upoq" } },
      "GET /cosmos/bank/v1beta1/supply": {},
      "POST /cosmos/tx/v1beta1/txs": { body: { tx_bytes: toBase64(stale), mode: "BROADCAST_MODE_SYNC" } },
      "GET /cosmos/tx/v1beta1/txs/{hash}": { params: { hash: userTx.hash } },
      "POST /cosmos/tx/v1beta1/simulate": { body: { tx_bytes: toBase64(unsigned.finish()) } },
      "GET /cosmos/base/tendermint/v1beta1/node_info": {},
      "GET /cosmos/base/tendermint/v1beta1/syncing": {},
      "GET /cosmos/base/tendermint/v1beta1/blocks/latest": {},
      "GET /cosmos/base/tendermint/v1beta1/blocks/{height}": { params: { height: "1" } },
      "GET /cosmos/staking/v1beta1/validators": {},
      "GET /cosmos/staking/v1beta1/validators/{validator_addr}": { params: { validator_addr: valoper } },
      "GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations": {
        params: { validator_addr: valoper },
      },
      "GET /cosmos/staking/v1beta1/delegations/{delegator_addr}": { params: { delegator_addr: alice } },
      "GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/unbonding_delegations": {
        params: { delegator_addr: alice },
      },
      "GET /cosmos/staking/v1beta1/pool": {},
      "GET /cosmos/staking/v1beta1/params": {},
      "GET /cosmos/slashing/v1beta1/signing_infos": {},
      "GET /cosmos/distribution/v1beta1/params": {},
      "GET /cosmos/distribution/v1beta1/community_pool": {},
      "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards": {
        params: { delegator_address: operator },
      },
      "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards/{validator_address}": {
        params: { delegator_address: operator, validator_address: valoper },
      },
      "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/validators": {
        params: { delegator_address: operator },
      },
      "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/withdraw_address": {
        params: { delegator_address: alice },
      },
      "GET /cosmos/distribution/v1beta1/validators/{validator_address}": {
        params: { validator_address: valoper },
      },
      "GET /cosmos/distribution/v1beta1/validators/{validator_address}/commission": {
        params: { validator_address: valoper },
      },
      "GET /cosmos/distribution/v1beta1/validators/{validator_address}/outstanding_rewards": {
        params: { validator_address: valoper },
      },
      "GET /poq/v1/params": {},
      "GET /poq/v1/requests": {},
      "GET /poq/v1/requests/{id}": { params: { id: "1" }, status: 404 },
      "GET /poq/v1/nodes": {},
      "GET /poq/v1/nodes/{address}": { params: { address: alice }, status: 404 },
      "GET /poq/v1/validators": {},
      "GET /chain-info/keplr": {},
      "GET /cosmos/gov/v1/proposals": {},
      "GET /cosmos/gov/v1/proposals/{proposal_id}": { params: { proposal_id: "1" }, status: 404 },
      "GET /cosmos/gov/v1/proposals/{proposal_id}/votes": { params: { proposal_id: "1" } },
      "GET /cosmos/gov/v1/proposals/{proposal_id}/votes/{voter}": {
        params: { proposal_id: "1", voter: alice },
        status: 404,
      },
      "GET /cosmos/gov/v1/proposals/{proposal_id}/deposits": { params: { proposal_id: "1" } },
      "GET /cosmos/gov/v1/proposals/{proposal_id}/deposits/{depositor}": {
        params: { proposal_id: "1", depositor: alice },
        status: 404,
      },
      "GET /cosmos/gov/v1/proposals/{proposal_id}/tally": { params: { proposal_id: "1" }, status: 404 },
      "GET /cosmos/gov/v1/params/{params_type}": { params: { params_type: "tallying" } },
      "GET /cosmos/gov/v1beta1/proposals": {},
      "GET /cosmos/gov/v1beta1/proposals/{proposal_id}": { params: { proposal_id: "1" }, status: 404 },
      "GET /cosmos/gov/v1beta1/proposals/{proposal_id}/votes": { params: { proposal_id: "1" } },
      "GET /cosmos/gov/v1beta1/proposals/{proposal_id}/votes/{voter}": {
        params: { proposal_id: "1", voter: alice },
        status: 404,
      },
      "GET /cosmos/gov/v1beta1/proposals/{proposal_id}/deposits": { params: { proposal_id: "1" } },
      "GET /cosmos/gov/v1beta1/proposals/{proposal_id}/deposits/{depositor}": {
        params: { proposal_id: "1", depositor: alice },
        status: 404,
      },
      "GET /cosmos/gov/v1beta1/proposals/{proposal_id}/tally": { params: { proposal_id: "1" }, status: 404 },
      "GET /cosmos/gov/v1beta1/params/{params_type}": { params: { params_type: "tallying" } },
      "GET /cosmos/gov/v1/constitution": {},
    };
    const send: Send = async (method, path, body, contentType = "application/json") => {
      const res = await fetch(rest.url + path, {
        method,
        ...(body === undefined
          ? {}
          : {
              headers: { "content-type": contentType },
              body: typeof body === "string" ? body : JSON.stringify(body),
            }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const problems = await checkOpenApi(doc, send, fixtures, { formats: restFormats });
    assert.deepEqual(problems, [], problems.join("\n"));
    assert.equal(
      (await get(`/cosmos/auth/v1beta1/accounts/${alice}`)).body.account.sequence,
      account.sequence,
    );
  });
});
