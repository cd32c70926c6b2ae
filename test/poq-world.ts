/**
 * Shared pieces of the PoQ end-to-end tests (`test/poq*.e2e.test.ts`): a 4-validator network with a
 * test behaviour per app process, CosmJS accounts playing requesters and inference nodes, JSON
 * queries of the poq module over RPC, and the supply bookkeeping that every scenario checks.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { calculateFee, GasPrice, QueryClient, setupBankExtension, type StdFee } from "@cosmjs/stargate";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { createPoqSigningClient } from "../client/index.js";
import { moduleAddress } from "../app/modules/auth/address.js";
import { MsgRequestInferenceResponse, PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import { consAddress, type RequestRecord } from "../app/modules/poq/state.js";
import { cometRpc } from "../network/comet-process.js";
import { defaultPoqGenesis } from "../network/app-genesis.js";
import { startLocalNetwork, type LocalNetwork } from "../network/local-network.js";

export const GAS_PRICE = GasPrice.fromString("0.025upoq");
/** A fixed fee, so that every balance change is known exactly. */
export const TX_FEE: StdFee = calculateFee(1_500_000, GAS_PRICE);
export const TX_FEE_AMOUNT = BigInt(TX_FEE.amount[0]!.amount);
export const FINAL = new Set(["FINALIZED", "EXPIRED", "UNSCORED"]);

/** A funded test account with a signing client on node 0. */
export interface Actor {
  address: string;
  client: SigningStargateClient;
  /** The actor's key (an inference node run by a test signs with it). */
  wallet: DirectSecp256k1HdWallet;
}

export interface PoqWorld {
  net: LocalNetwork;
  /** `poqvalcons` address of node i's validator. */
  cons: string[];
  /** Uppercase hex consensus address of node i (as in block headers). */
  hex: string[];
  actors: Record<string, Actor>;
  /** The named actor (throws for a name not given at start). */
  actor(name: string): Actor;
  /** Every account that can hold coins in these tests (operators, actors, module accounts). */
  allAddresses: string[];
  stop(): Promise<void>;
}

/** What the query helpers need of a world: its network (staking.e2e runs one without startPoqWorld). */
export type WorldNet = Pick<PoqWorld, "net">;

export interface StartPoqWorldOptions {
  chainId: string;
  basePort: number;
  /** `--behaviour` of node i's app process. */
  behaviours: string[];
  /** poq params overriding the defaults (the evaluator pin is always set from the bundled model). */
  params?: Record<string, unknown>;
  /** Names of the test accounts to create and fund (1e12 upoq each). */
  actors: string[];
  timeoutCommit?: string;
}

/**
 * Starts the network and connects the actors.
 *
 * @example
 * const world = await startPoqWorld({ chainId: "poq-e2e-1", basePort: 26400,
 *   behaviours: ["honest", "honest", "never-reveal", "boost"], actors: ["alice", "node"] });
 */
export async function startPoqWorld(opts: StartPoqWorldOptions): Promise<PoqWorld> {
  const wallets = await Promise.all(
    opts.actors.map(async (name) => {
      const wallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "poq" });
      return { name, wallet, address: (await wallet.getAccounts())[0]!.address };
    }),
  );
  const net = await startLocalNetwork({
    dir: mkdtempSync(join(tmpdir(), `${opts.chainId}-`)),
    chainId: opts.chainId,
    validators: opts.behaviours.length,
    basePort: opts.basePort,
    timeoutCommit: opts.timeoutCommit ?? "400ms",
    accounts: wallets.map((w) => ({
      address: w.address,
      coins: [{ denom: "upoq", amount: "1000000000000" }],
    })),
    modules: { poq: defaultPoqGenesis(opts.params ?? {}) },
    appArgs: (i) => ["--behaviour", opts.behaviours[i] ?? "honest"],
  });
  try {
    // A query at height 0 answers without a height, which CosmJS refuses ("No query height returned").
    await net.waitForHeight(2);
    const hex = net.nodes.map((n) => {
      const key = JSON.parse(readFileSync(join(n.home, "config", "priv_validator_key.json"), "utf8")) as {
        address: string;
      };
      return key.address.toUpperCase();
    });
    const actors: Record<string, Actor> = {};
    for (const w of wallets) {
      actors[w.name] = {
        address: w.address,
        client: await createPoqSigningClient(net.rpcUrl(0), w.wallet),
        wallet: w.wallet,
      };
    }
    return {
      net,
      hex,
      cons: hex.map((h) => consAddress(new Uint8Array(Buffer.from(h, "hex")))),
      actors,
      actor(name) {
        const a = actors[name];
        if (!a) throw new Error(`no actor ${name}`);
        return a;
      },
      allAddresses: [
        ...net.operators.map((o) => o.address),
        ...wallets.map((w) => w.address),
        moduleAddress("poq"),
        moduleAddress("poq_pool"),
        moduleAddress("fee_collector"),
        moduleAddress("distribution"),
        moduleAddress("block_rewards"),
        moduleAddress("bonded_tokens_pool"),
        moduleAddress("not_bonded_tokens_pool"),
      ],
      async stop() {
        for (const a of Object.values(actors)) a.client.disconnect();
        await net.stop();
      },
    };
  } catch (err) {
    await net.stop();
    throw err;
  }
}

/**
 * A JSON query of the poq module (`/poq.v1.Query/...`) over node `i`'s RPC.
 *
 * @example
 * const { request } = await poqQuery(world, "/poq.v1.Query/Request", { id: "1" });
 */
export async function poqQuery<T = Record<string, unknown>>(
  world: WorldNet,
  path: string,
  body: object = {},
  node = 0,
): Promise<T> {
  const data = Buffer.from(JSON.stringify(body)).toString("hex");
  const res = await cometRpc<{ response: { code?: number; log?: string; value?: string } }>(
    world.net.rpcUrl(node),
    `/abci_query?path="${path}"&data=0x${data}`,
  );
  assert.equal(res.response.code ?? 0, 0, `${path}: ${res.response.log ?? ""}`);
  return JSON.parse(Buffer.from(res.response.value ?? "", "base64").toString("utf8")) as T;
}

export async function getRequest(world: WorldNet, id: bigint, node = 0): Promise<RequestRecord> {
  return (
    await poqQuery<{ request: RequestRecord }>(world, "/poq.v1.Query/Request", { id: String(id) }, node)
  ).request;
}

/** One row of `/poq.v1.Query/Validators`. */
export interface ValidatorView {
  validator: string;
  operator: string;
  power: string;
  trust_bp: number;
  committees: string;
  revealed: string;
  missed: string;
  deviated: string;
  excluded_until: string;
}

export async function validatorsByCons(world: WorldNet): Promise<Map<string, ValidatorView>> {
  const { validators } = await poqQuery<{ validators: ValidatorView[] }>(world, "/poq.v1.Query/Validators");
  return new Map(validators.map((v) => [v.validator, v]));
}

/** Signs and broadcasts messages with the fixed fee; asserts success. */
export async function send(actor: Actor, msgs: EncodeObject[]): Promise<{ height: number; ids: bigint[] }> {
  const res = await actor.client.signAndBroadcast(actor.address, msgs, TX_FEE);
  assert.equal(res.code, 0, res.rawLog);
  const ids = res.msgResponses
    .filter((r) => r.typeUrl === PoqTypeUrl.RequestInferenceResponse)
    .map((r) => MsgRequestInferenceResponse.decode(r.value).requestId);
  return { height: res.height, ids };
}

export const registerNodeMsg = (operator: string, model: string, stake: bigint): EncodeObject => ({
  typeUrl: PoqTypeUrl.RegisterNode,
  value: { operator, models: [model], stake: { denom: "upoq", amount: stake.toString() }, moniker: model },
});

export const requestMsg = (
  requester: string,
  model: string,
  prompt: string,
  fee: bigint,
  minQuality: number,
): EncodeObject => ({
  typeUrl: PoqTypeUrl.RequestInference,
  value: {
    requester,
    model,
    prompt,
    maxTokens: 256,
    fee: { denom: "upoq", amount: fee.toString() },
    minQuality,
  },
});

export const responseMsg = (node: string, requestId: bigint, response: string): EncodeObject => ({
  typeUrl: PoqTypeUrl.SubmitResponse,
  value: { node, requestId, response },
});

/**
 * Polls until at least `count` of the requests (default all) have left PENDING: their nodes are
 * drawn in EndBlock of a later block than theirs, from the beacon mixed there, so a node can answer
 * only after that. Returns them in the order of `ids`.
 */
export async function waitAssigned(
  world: WorldNet,
  ids: readonly bigint[],
  count = ids.length,
  timeoutMs = 30_000,
): Promise<RequestRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(ids.map((id) => getRequest(world, id)));
    if (all.filter((r) => r.status !== "PENDING").length >= count) return all;
    if (Date.now() > deadline) {
      throw new Error(`requests still PENDING: ${all.map((r) => `${r.id}:${r.status}`).join(", ")}`);
    }
    await sleep(200);
  }
}

/** Polls until every request is in a final status; returns them by id. */
export async function waitFinal(
  world: WorldNet,
  ids: readonly bigint[],
  timeoutMs = 90_000,
): Promise<Map<bigint, RequestRecord>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(ids.map((id) => getRequest(world, id)));
    if (all.every((r) => FINAL.has(r.status))) return new Map(all.map((r) => [BigInt(r.id), r]));
    if (Date.now() > deadline) {
      throw new Error(`requests not final: ${all.map((r) => `${r.id}:${r.status}`).join(", ")}`);
    }
    await sleep(300);
  }
}

/** Balances in upoq of the given addresses, and the bank's total supply, read at one height. */
export async function readBank(
  world: WorldNet,
  addresses: readonly string[],
): Promise<{ supply: bigint; balances: Map<string, bigint> }> {
  const comet = await connectComet(world.net.rpcUrl(0));
  try {
    const q = QueryClient.withExtensions(comet, setupBankExtension);
    for (let attempt = 0; ; attempt++) {
      const before = (await comet.status()).syncInfo.latestBlockHeight;
      const supply = BigInt((await q.bank.supplyOf("upoq")).amount);
      const balances = new Map<string, bigint>();
      for (const a of addresses) balances.set(a, BigInt((await q.bank.balance(a, "upoq")).amount));
      const after = (await comet.status()).syncInfo.latestBlockHeight;
      if (before === after || attempt === 5) return { supply, balances };
    }
  } finally {
    comet.disconnect();
  }
}

/**
 * Total supply is what genesis minted (the accounts' balances and the validators' self-bonds), and it is exactly the sum of every account's balance
 * (the escrow and the fee collector included): no scenario creates or destroys coins.
 */
export async function assertSupplyConserved(world: PoqWorld, genesisSupply: bigint): Promise<void> {
  const { supply, balances } = await readBank(world, world.allAddresses);
  assert.equal(supply, genesisSupply + genesisSelfBonds(world), "total supply changed");
  const sum = [...balances.values()].reduce((s, b) => s + b, 0n);
  assert.equal(sum, supply, "balances do not add up to the supply");
}

/**
 * What staking mints at InitChain besides the accounts' balances: each genesis validator's self-bond,
 * its CometBFT power × 10^6 upoq (app/modules/staking/README.md).
 */
function genesisSelfBonds(world: PoqWorld): bigint {
  const genesis = JSON.parse(
    readFileSync(join(world.net.nodes[0]!.home, "config", "genesis.json"), "utf8"),
  ) as {
    validators: { power: string }[];
  };
  return genesis.validators.reduce((sum, v) => sum + BigInt(v.power) * 1_000_000n, 0n);
}

/** Lines of node i's app log with this message. */
export function appLogLines(world: PoqWorld, i: number, msg: string): Record<string, unknown>[] {
  const text = readFileSync(join(world.net.nodes[i]!.home, "app.log"), "utf8");
  return text
    .split("\n")
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
