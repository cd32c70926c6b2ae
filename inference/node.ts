/**
 * The inference node: follows new blocks, finds the requests assigned to its operator, asks an
 * OpenAI-compatible backend for the answer, trims it to the request's limits and submits it in a
 * `MsgSubmitResponse` signed by the operator key (an answer of a replicated request: committed with
 * `MsgCommitResponse` first, revealed once the reveal phase opens; README).
 *
 * Once per request: each step is written to the submission ledger before the next one is taken, and a
 * restarted node re-broadcasts the transaction it already signed (same bytes, so the chain can include
 * it at most once) instead of asking the backend again or signing anew. A request is only answered
 * while the chain shows it ASSIGNED to this node, unanswered, and before its response deadline.
 */
import { randomBytes } from "node:crypto";
import { sha256 } from "@cosmjs/crypto";
import { fromBase64, toBase64, toHex } from "@cosmjs/encoding";
import type { OfflineSigner } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, type SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createPoqSigningClient, DEFAULT_GAS_PRICE } from "../client/signing-client.js";
import type { RequestRecord } from "../app/modules/poq/state.js";
import type { ChatBackend } from "./backend.js";
import { followBlocks, type BlockFollower } from "./block-follower.js";
import { commitKey, entryMessage, revealEntry } from "./answer-messages.js";
import { assignedToNode, queryPoqParams, queryRequest, queryRequests, reachNode } from "./chain-query.js";
import {
  openSubmissionLedger,
  SETTLED_STATES,
  type SubmissionEntry,
  type SubmissionLedger,
} from "./ledger.js";
import { trimResponse } from "./trim.js";
import { createAutoUnjail } from "./auto-unjail.js";

export interface InferenceNodeOptions {
  /** CometBFT RPC of a node of the chain. */
  rpcUrl: string;
  backend: ChatBackend;
  /** The operator key (the registered node's account). */
  signer: OfflineSigner;
  /** The ledger file (e.g. `HOME/inference/<address>/submissions.json`). */
  ledgerFile: string;
  /** Default 0.025upoq. */
  gasPrice?: string;
  /** First retry delay after a backend or broadcast failure; doubles up to `maxRetryMs`. Default 500 ms. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Poll interval when the websocket is unavailable. Default 500 ms. */
  pollMs?: number;
  /** One line per step; default: nothing. */
  log?: (line: string) => void;
  /** Called once a signed transaction is on disk and before it is broadcast (crash tests hook in here). */
  onSigned?: (entry: SubmissionEntry) => void;
  /** Unjail the node when it is jailed and its backend works (auto-unjail.ts). Default false. */
  autoUnjail?: boolean;
}

export interface InferenceNodeStats {
  /** Backend calls made (successful or not). */
  backendCalls: number;
  backendFailures: number;
  /** Transactions signed and broadcast for the first time (a re-broadcast of the same bytes is not counted). */
  signed: number;
  confirmed: number;
}

export interface InferenceNode {
  readonly address: string;
  readonly stats: InferenceNodeStats;
  readonly ledger: SubmissionLedger;
  /** Looks for work now (also called on every new block). */
  poke(): void;
  stop(): Promise<void>;
}

interface Retry {
  attempts: number;
  notBefore: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Blocks past a request's deadline after which a broadcast transaction that no node has indexed is
 * given up: past the deadline the chain refuses the response, and a few blocks cover indexing lag.
 */
const GIVE_UP_BLOCKS = 3n;

/**
 * Starts an inference node.
 *
 * @example
 * const node = await startInferenceNode({
 *   rpcUrl: "http://127.0.0.1:26657",
 *   backend: createChatBackend({ url: "http://127.0.0.1:8000" }),
 *   signer: await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "poq" }),
 *   ledgerFile: "/tmp/node/submissions.json",
 *   log: console.log,
 * });
 * await node.stop();
 */
export async function startInferenceNode(opts: InferenceNodeOptions): Promise<InferenceNode> {
  const log = opts.log ?? (() => undefined);
  const [account] = await opts.signer.getAccounts();
  if (!account) throw new Error("the signer has no account");
  const address = account.address;
  const client: SigningStargateClient = await reachNode(opts.rpcUrl, () =>
    createPoqSigningClient(opts.rpcUrl, opts.signer),
  );
  const gasPrice = GasPrice.fromString(opts.gasPrice ?? DEFAULT_GAS_PRICE);
  const ledger = openSubmissionLedger(opts.ledgerFile);
  const stats: InferenceNodeStats = { backendCalls: 0, backendFailures: 0, signed: 0, confirmed: 0 };
  const retries = new Map<string, Retry>();
  const missed = new Map<string, bigint>();
  let maxResponseBytes = Number((await queryPoqParams(opts.rpcUrl)).maxResponseBytes ?? 32768);
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let height = 0n;

  const backoff = (id: string, why: string): void => {
    const r = retries.get(id) ?? { attempts: 0, notBefore: 0 };
    r.attempts++;
    const delay = Math.min((opts.retryMs ?? 500) * 2 ** (r.attempts - 1), opts.maxRetryMs ?? 15_000);
    r.notBefore = Date.now() + delay;
    retries.set(id, r);
    log(`request ${id}: ${why}; retry ${r.attempts} in ${delay} ms`);
  };

  /** Waits for the transaction to be in a block; returns its result code, or undefined when not seen. */
  const awaitInclusion = async (hash: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !stopped) {
      const tx = await client.getTx(hash).catch(() => null);
      if (tx) return tx;
      await sleep(200);
    }
    return undefined;
  };

  const broadcast = async (entry: SubmissionEntry): Promise<void> => {
    const id = entry.requestId;
    const bytes = fromBase64(entry.txBytes ?? "");
    const hash = entry.txHash ?? toHex(sha256(bytes)).toUpperCase();
    let usedSequence = false;
    try {
      await client.broadcastTxSync(bytes);
      log(`request ${id}: broadcast tx ${hash}`);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      usedSequence = /sequence mismatch|account sequence/i.test(msg);
      // The same bytes already in the mempool, or already in a block (then CheckTx sees a used sequence).
      if (!usedSequence && !/already exists in cache/i.test(msg)) {
        backoff(id, `broadcast failed: ${msg}`);
        return;
      }
    }
    const tx = await awaitInclusion(hash, usedSequence ? 3000 : 15_000);
    if (!tx) {
      if (usedSequence) {
        // Not in a block, and its sequence is taken: these bytes can never be included, and the
        // request still waits for us (serve checked), so signing anew cannot answer twice.
        ledger.put({
          requestId: id,
          state: "answered",
          response: entry.response,
          ...(entry.deadline !== undefined ? { deadline: entry.deadline } : {}),
        });
        backoff(id, `tx ${hash} can no longer be included; signing again`);
      } else backoff(id, `tx ${hash} not in a block yet`);
      return;
    }
    settle(entry, tx);
  };

  /** Records a transaction found in a block: confirmed (code 0) or rejected with the chain's log. */
  const settle = (entry: SubmissionEntry, tx: { height: number; code: number; rawLog?: string }): void => {
    const id = entry.requestId;
    if (tx.code === 0) {
      ledger.put({ ...entry, state: "confirmed", height: tx.height });
      stats.confirmed++;
      retries.delete(id);
      log(`request ${id}: response in block ${tx.height} (tx ${entry.txHash})`);
    } else {
      ledger.put({ ...entry, state: "rejected", height: tx.height, error: tx.rawLog ?? `code ${tx.code}` });
      log(`request ${id}: the chain rejected the response (code ${tx.code}): ${tx.rawLog ?? ""}`);
    }
  };

  const sign = async (entry: SubmissionEntry): Promise<SubmissionEntry> => {
    const msgs = [entryMessage(entry, address)];
    const gas = await client.simulate(address, msgs, "");
    const raw = await client.sign(address, msgs, calculateFee(Math.ceil(gas * 1.5), gasPrice), "");
    const bytes = TxRaw.encode(raw).finish();
    const signed: SubmissionEntry = {
      ...entry,
      state: "broadcast",
      txBytes: toBase64(bytes),
      txHash: toHex(sha256(bytes)).toUpperCase(),
    };
    // Written before the broadcast: a crash after it re-broadcasts these bytes, never new ones.
    ledger.put(signed);
    stats.signed++;
    opts.onSigned?.(signed);
    return signed;
  };

  /**
   * Asks the backend once and records the answer under `key`. An answer of a replicated request gets
   * a fresh salt here, on disk with the answer before its commitment is signed.
   */
  const answer = async (req: RequestRecord, key = req.id): Promise<SubmissionEntry | undefined> => {
    log(`request ${req.id}: asking ${opts.backend.url} (model ${req.model}, max_tokens ${req.max_tokens})`);
    stats.backendCalls++;
    try {
      const text = await opts.backend.complete({
        model: req.model,
        prompt: req.prompt,
        maxTokens: req.max_tokens,
      });
      const response = trimResponse(text, { maxTokens: req.max_tokens, maxBytes: maxResponseBytes });
      if (response.length === 0) throw new Error("the backend answered with empty text");
      const entry: SubmissionEntry = {
        requestId: key,
        state: "answered",
        response,
        deadline: req.response_deadline,
        ...(req.parent !== "0"
          ? { kind: "commit" as const, salt: toHex(randomBytes(32)), parent: req.parent }
          : {}),
      };
      ledger.put(entry);
      log(
        `request ${req.id}: answer of ${Buffer.byteLength(response)} bytes` +
          (response.length < text.trim().length ? " (trimmed to the request's limits)" : ""),
      );
      return entry;
    } catch (err) {
      stats.backendFailures++;
      backoff(key, `backend failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  /** Signs (once) and broadcasts a ledger entry's transaction. */
  const submit = async (entry: SubmissionEntry): Promise<void> => {
    try {
      const signed = entry.state === "answered" ? await sign(entry) : entry;
      await broadcast(signed);
    } catch (err) {
      backoff(entry.requestId, `submit failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  /**
   * An answer of a replicated request: commit to the answer (asked once, kept with its salt), then,
   * once the chain shows the commitment and the request's reveal phase has opened, reveal the same
   * answer. Without the local record of a commitment the node never reveals: it never answers anew.
   */
  const serveAnswer = async (req: RequestRecord): Promise<void> => {
    const key = commitKey(req.id);
    const retry = retries.get(key) ?? retries.get(req.id);
    if (retry && Date.now() < retry.notBefore) return;
    if (height > BigInt(req.response_deadline)) return;
    let committed = ledger.get(key);
    if (req.commitment === "") {
      if (committed && SETTLED_STATES.has(committed.state)) return;
      if (!committed) {
        log(
          `request ${req.parent}: answer ${req.id} assigned to us (commit by height ${req.response_deadline})`,
        );
        committed = await answer(req, key);
        if (!committed || stopped) return;
      }
      await submit(committed);
      return;
    }
    if (!committed) {
      log(`request ${req.parent}: answer ${req.id} committed but not in this node's ledger; not revealing`);
      return;
    }
    const request = await queryRequest(opts.rpcUrl, req.parent);
    // The next block is the first to take reveals once the block at reveal_height is committed.
    if (!request || request.reveal_height === "0" || height < BigInt(request.reveal_height)) return;
    let reveal = ledger.get(req.id);
    if (reveal && SETTLED_STATES.has(reveal.state)) return;
    if (!reveal) {
      reveal = revealEntry(committed, req.id, req.response_deadline);
      ledger.put(reveal);
      log(`request ${req.parent}: revealing answer ${req.id}`);
    }
    await submit(reveal);
  };

  const serve = async (req: RequestRecord): Promise<void> => {
    if (req.parent !== "0") return serveAnswer(req);
    const retry = retries.get(req.id);
    if (retry && Date.now() < retry.notBefore) return;
    let entry = ledger.get(req.id);
    if (entry && SETTLED_STATES.has(entry.state)) return;
    if (height > BigInt(req.response_deadline)) return;
    if (!entry) {
      log(`request ${req.id}: assigned to us (deadline height ${req.response_deadline})`);
      entry = await answer(req);
      if (!entry || stopped) return;
    }
    await submit(entry);
  };

  /**
   * Settles ledger entries whose transaction went out but whose request is no longer waiting for us:
   * found in a block, it is confirmed or rejected; not found a few blocks after the request's deadline
   * (or, for an entry without a recorded deadline, a few blocks after it was first missed), it can no
   * longer be included, and the node gives up instead of asking for it on every block.
   */
  const reconcile = async (waiting: ReadonlySet<string>): Promise<void> => {
    for (const entry of ledger.entries()) {
      if (entry.state !== "broadcast" || waiting.has(entry.requestId) || !entry.txHash) continue;
      let tx: Awaited<ReturnType<typeof client.getTx>>;
      try {
        tx = await client.getTx(entry.txHash); // null: not in any block
      } catch {
        continue; // the node did not answer: try again on a later block
      }
      if (tx) settle(entry, tx);
      else {
        const since = entry.deadline !== undefined ? BigInt(entry.deadline) : missedSince(entry.requestId);
        if (height <= since + GIVE_UP_BLOCKS) continue;
        const error = `tx ${entry.txHash} was not in a block by height ${height}`;
        ledger.put({ ...entry, state: "expired", error });
        missed.delete(entry.requestId);
        log(`request ${entry.requestId}: ${error} and can no longer be included; giving up`);
      }
    }
  };

  /** The height at which a deadline-less entry was first found missing. */
  const missedSince = (id: string): bigint => {
    const h = missed.get(id) ?? height;
    missed.set(id, h);
    return h;
  };

  const unjail = opts.autoUnjail
    ? createAutoUnjail({
        rpcUrl: opts.rpcUrl,
        client,
        address,
        log,
        backendFailures: () => stats.backendFailures,
      })
    : undefined;

  const scan = async (): Promise<void> => {
    // In the same loop as the submissions, so that the unjail never races them for a sequence.
    if (unjail) await unjail(height);
    // Every page: with more than 1,000 ASSIGNED requests chain-wide, the first may hold none of ours.
    const mine = await assignedToNode((f) => queryRequests(opts.rpcUrl, f), address);
    for (const req of mine) {
      if (stopped) return;
      await serve(req);
    }
    // Retries of requests not served now are picked up on later blocks.
    await reconcile(new Set(mine.flatMap((r) => [r.id, commitKey(r.id)])));
    ledger.prune(height);
  };

  const poke = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await scan();
        } catch (err) {
          log(`scan failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  };

  const follower: BlockFollower = followBlocks({
    rpcUrl: opts.rpcUrl,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    log,
    onHeight: (h) => {
      height = h;
      poke();
    },
  });
  log(`inference node ${address} following ${opts.rpcUrl} (${follower.mode}), backend ${opts.backend.url}`);
  // Parameters can change only through genesis here, but refresh them now and then anyway.
  const paramsTimer = setInterval(() => {
    void queryPoqParams(opts.rpcUrl)
      .then((p) => (maxResponseBytes = Number(p.maxResponseBytes ?? maxResponseBytes)))
      .catch(() => undefined);
  }, 60_000);
  paramsTimer.unref();

  return {
    address,
    stats,
    ledger,
    poke,
    async stop() {
      stopped = true;
      clearInterval(paramsTimer);
      follower.stop();
      await running;
      client.disconnect();
    },
  };
}
