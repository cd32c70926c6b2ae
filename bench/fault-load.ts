/**
 * Steady load for the fault and soak benches: bank sends and inference requests, each sender acting
 * as a real wallet does. A sender has one transaction in flight: it signs it, broadcasts it with
 * `broadcast_tx_sync` to a node (another one when that node does not answer), and waits for it in a
 * block (`/tx` on any node). `broadcast_tx_sync` code 0 only means "in that node's mempool": a node
 * killed before it gossips the tx loses it. So the sender resubmits the same bytes (same hash, same
 * sequence) when the tx is not in a block after `resubmitMs`, as a wallet does, until the run ends.
 *
 * Definitions reported by the benches:
 * - acknowledged: `broadcast_tx_sync` answered code 0 at least once;
 * - resubmitted: acknowledged, yet not in a block within `resubmitMs`, so sent again (the node that
 *   took it was killed or partitioned; informational, not a failure);
 * - lost: acknowledged and never in a block by the end of the drain, resubmissions included (must be 0).
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MsgRequestInferenceResponse, PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import { queryRequest } from "../inference/chain-query.js";
import { STANDIN_QA } from "../inference/standin/qa-data.js";
import { createPoqSigningClient } from "../client/signing-client.js";
import { cometRpc } from "../network/comet-process.js";

/** A deterministic PRNG (mulberry32), so that a seed picks the same fault schedule each run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadAccount {
  address: string;
  mnemonic: string;
}

export interface LoadOptions {
  chainId: string;
  /** Every node's RPC; broadcasts spread over them. */
  rpcUrls: string[];
  /** Sends bank transfers to `receiver`. */
  sender: LoadAccount;
  receiver: string;
  /** Sends inference requests (stand-in prompts) for `model`. */
  requester: LoadAccount;
  model: string;
  /** Pause between two transactions of one sender. Default 400 ms (sends), 3 s (requests). */
  sendEveryMs?: number;
  requestEveryMs?: number;
  /** Resubmit an acknowledged tx not in a block after this long. Default 12 s. */
  resubmitMs?: number;
  seed?: number;
}

export interface LoadFigures {
  sends: TxFigures;
  requests: TxFigures & {
    /** Requests in a block whose status became FINALIZED / another final status / is still open. */
    finalized: number;
    final_other: number;
    open: number;
  };
}

export interface TxFigures {
  acknowledged: number;
  committed: number;
  /** Committed with a non-zero DeliverTx code (still in a block: not lost), and the first such log. */
  committed_failed: number;
  first_failure?: string;
  resubmitted: number;
  lost: number;
  /** broadcast_tx_sync answers with a non-zero code (not acknowledged). */
  refused: number;
  first_refusal?: string;
}

export interface Load {
  /** Stops sending new txs, keeps resubmitting the last one of each sender for up to `drainMs`. */
  stop(drainMs?: number): Promise<LoadFigures>;
  /** Request ids in blocks so far. */
  readonly requestIds: bigint[];
  /** Committed txs so far (both senders). */
  readonly committed: number;
}

const newFigures = (): TxFigures => ({
  acknowledged: 0,
  committed: 0,
  committed_failed: 0,
  resubmitted: 0,
  lost: 0,
  refused: 0,
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

/** The block result of a tx from the first node that has it indexed, or undefined. */
async function findTx(
  rpcUrls: string[],
  hash: string,
): Promise<{ code: number; data: string | undefined; log: string } | undefined> {
  for (const url of rpcUrls) {
    try {
      const r = await cometRpc<{ tx_result: { code: number; data?: string; log?: string } }>(
        url,
        `/tx?hash=0x${hash}`,
        3000,
      );
      return { code: r.tx_result.code, data: r.tx_result.data, log: r.tx_result.log ?? "" };
    } catch {
      // not indexed there (or the node is down): ask the next one
    }
  }
  return undefined;
}

type Outcome = "committed" | "failed" | "lost" | "refused";

/** One wallet: signs with explicit sequences and resubmits as described above. */
async function runWallet(
  o: LoadOptions,
  client: SigningStargateClient,
  address: string,
  fig: TxFigures,
  msg: (n: number) => { typeUrl: string; value: unknown },
  everyMs: number,
  running: () => boolean,
  drainUntil: () => number,
  onCommitted: (data: string | undefined) => void,
  rand: () => number,
): Promise<void> {
  const account = await client.getAccount(address);
  if (!account) throw new Error(`no account ${address}`);
  let sequence = account.sequence;
  const resubmitMs = o.resubmitMs ?? 12_000;
  const fee = { amount: [{ denom: "upoq", amount: "6000" }], gas: "240000" };
  for (let n = 0; running(); n++) {
    const signed = await client.sign(address, [msg(n)], fee, "", {
      accountNumber: account.accountNumber,
      sequence,
      chainId: o.chainId,
    });
    const bytes = TxRaw.encode(signed).finish();
    const hash = hex(createHash("sha256").update(bytes).digest());
    const outcome = await deliver(o, bytes, hash, fig, resubmitMs, running, drainUntil, onCommitted, rand);
    if (outcome === "committed" || outcome === "failed") sequence++;
    if (outcome === "lost") return;
    if (outcome === "refused") {
      // The chain's sequence is the truth after a refusal (e.g. a duplicate the node had in its cache).
      sequence = (await client.getAccount(address).catch(() => null))?.sequence ?? sequence;
    }
    await sleep(everyMs);
  }
}

/** Broadcasts until acknowledged, then waits for a block, resubmitting; see the module comment. */
async function deliver(
  o: LoadOptions,
  bytes: Uint8Array,
  hash: string,
  fig: TxFigures,
  resubmitMs: number,
  running: () => boolean,
  drainUntil: () => number,
  onCommitted: (data: string | undefined) => void,
  rand: () => number,
): Promise<Outcome> {
  const txHex = Buffer.from(bytes).toString("hex");
  let acked = false;
  let resubmitted = false;
  for (;;) {
    // Broadcast to nodes in a random order until one answers.
    const start = Math.floor(rand() * o.rpcUrls.length);
    for (let k = 0; k < o.rpcUrls.length; k++) {
      const url = o.rpcUrls[(start + k) % o.rpcUrls.length]!;
      const r = await cometRpc<{ code: number; log: string }>(
        url,
        `/broadcast_tx_sync?tx=0x${txHex}`,
        5000,
      ).catch(() => undefined);
      if (r === undefined) continue;
      if (r.code === 0) {
        if (!acked) fig.acknowledged++;
        acked = true;
      } else if (!acked && !/already exists in cache/i.test(r.log)) {
        // Refused before any acknowledgement: not a promise, so not a loss; unless it is already in a block.
        const found = await findTx(o.rpcUrls, hash);
        if (found === undefined) {
          fig.refused++;
          fig.first_refusal ??= `code ${r.code}: ${r.log}`;
          return "refused";
        }
      }
      break;
    }
    const deadline = Date.now() + resubmitMs;
    while (Date.now() < deadline) {
      const found = await findTx(o.rpcUrls, hash);
      if (found !== undefined) {
        if (acked) {
          fig.committed++;
          if (found.code !== 0) {
            fig.committed_failed++;
            fig.first_failure ??= `code ${found.code}: ${found.log}`;
          }
          if (resubmitted) fig.resubmitted++;
        }
        if (found.code === 0) onCommitted(found.data);
        return found.code === 0 ? "committed" : "failed";
      }
      if (!running() && Date.now() > drainUntil()) {
        if (acked) fig.lost++;
        return "lost";
      }
      await sleep(300);
    }
    if (acked) resubmitted = true;
  }
}

/**
 * Starts the two wallets (sends and inference requests) and returns a handle to stop them.
 *
 * @example
 * const load = await startLoad({ chainId, rpcUrls, sender, receiver, requester, model });
 * // ... faults ...
 * const figures = await load.stop(60_000);
 */
export async function startLoad(o: LoadOptions): Promise<Load> {
  const rand = seeded(o.seed ?? 1);
  let running = true;
  let drainUntil = Number.POSITIVE_INFINITY;
  const sends = newFigures();
  const reqs = newFigures();
  const requestIds: bigint[] = [];
  let committed = 0;
  const clientOf = async (a: LoadAccount): Promise<SigningStargateClient> =>
    createPoqSigningClient(
      o.rpcUrls[0]!,
      await DirectSecp256k1HdWallet.fromMnemonic(a.mnemonic, { prefix: "poq" }),
    );
  const [sendClient, reqClient] = await Promise.all([clientOf(o.sender), clientOf(o.requester)]);
  const sendAddr = o.sender.address;
  const reqAddr = o.requester.address;
  const wallets = [
    runWallet(
      o,
      sendClient,
      sendAddr,
      sends,
      () => ({
        typeUrl: "/cosmos.bank.v1beta1.MsgSend",
        value: { fromAddress: sendAddr, toAddress: o.receiver, amount: [{ denom: "upoq", amount: "7" }] },
      }),
      o.sendEveryMs ?? 400,
      () => running,
      () => drainUntil,
      () => committed++,
      rand,
    ),
    runWallet(
      o,
      reqClient,
      reqAddr,
      reqs,
      (n) => ({
        typeUrl: PoqTypeUrl.RequestInference,
        value: {
          requester: reqAddr,
          model: o.model,
          // Bundled questions, so the stand-in answers well and no node is jailed for a poor answer.
          prompt: STANDIN_QA[n % STANDIN_QA.length]!.prompt,
          maxTokens: 256,
          fee: { denom: "upoq", amount: "10000" },
          minQuality: 0,
        },
      }),
      o.requestEveryMs ?? 3000,
      () => running,
      () => drainUntil,
      (data) => {
        committed++;
        const id = requestIdOf(data);
        if (id !== undefined) requestIds.push(id);
      },
      rand,
    ),
  ];
  return {
    requestIds,
    get committed() {
      return committed;
    },
    async stop(drainMs = 60_000) {
      drainUntil = Date.now() + drainMs;
      running = false;
      await Promise.all(wallets);
      sendClient.disconnect();
      reqClient.disconnect();
      const status = await requestStatuses(o.rpcUrls, requestIds);
      return { sends, requests: { ...reqs, ...status } };
    },
  };
}

/** The request id in a MsgRequestInference tx's result data. */
function requestIdOf(data: string | undefined): bigint | undefined {
  if (!data) return undefined;
  const any = TxMsgData.decode(Buffer.from(data, "base64")).msgResponses[0];
  return any ? MsgRequestInferenceResponse.decode(any.value).requestId : undefined;
}

/** Counts the requests' statuses, as read from the first node that answers. */
export async function requestStatuses(
  rpcUrls: string[],
  ids: readonly bigint[],
): Promise<{ finalized: number; final_other: number; open: number }> {
  const out = { finalized: 0, final_other: 0, open: 0 };
  for (const id of ids) {
    let status = "";
    for (const url of rpcUrls) {
      const r = await queryRequest(url, id).catch(() => undefined);
      if (r) {
        status = r.status;
        break;
      }
    }
    if (status === "FINALIZED") out.finalized++;
    else if (status === "EXPIRED" || status === "UNSCORED") out.final_other++;
    else out.open++;
  }
  return out;
}
