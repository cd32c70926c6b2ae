/**
 * A tiny ABCI application for the server's end-to-end tests: it counts transactions.
 *
 * Transactions are UTF-8 text: `reject:*` fails CheckTx (code 3), `fail:*` passes CheckTx and fails in the
 * block (code 5, codespace "counter"), anything else adds one to the count. State is a JSON file written
 * atomically at Commit, so Info after a restart reports exactly what was persisted. With vote extensions
 * on, each validator extends its precommit with `height:<h>`, and the app records what CometBFT shows it
 * (ExtendVote, VerifyVoteExtension, PrepareProposal's local_last_commit) for the test to inspect.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import {
  ProposalStatus,
  VerifyStatus,
  type Application,
  type ExecTxResult,
  type ExtendedCommitInfo,
} from "../abci/application.js";

interface PersistedState {
  height: string;
  count: string;
  appHash: string;
}

/** What CometBFT called, for assertions. */
export interface CounterObservations {
  initChainCalls: number;
  extendVote: bigint[];
  verifyVoteExtension: { height: bigint; validator: string; extension: string }[];
  prepareProposal: { height: bigint; localLastCommit: ExtendedCommitInfo }[];
}

export interface CounterApp extends Application {
  readonly seen: CounterObservations;
  chainId: string;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function hashOf(count: bigint): Uint8Array {
  return createHash("sha256").update(`count=${count}`).digest();
}

function result(code: number, log: string, events: ExecTxResult["events"] = []): ExecTxResult {
  return {
    code,
    data: new Uint8Array(0),
    log,
    info: "",
    gasWanted: 0n,
    gasUsed: 0n,
    events,
    codespace: code ? "counter" : "",
  };
}

/**
 * Creates the counter app over `stateFile` (created at the first Commit).
 *
 * @example
 * const app = createCounterApp({ stateFile: "/tmp/counter.json" });
 */
export function createCounterApp(opts: { stateFile: string }): CounterApp {
  const saved: PersistedState = existsSync(opts.stateFile)
    ? (JSON.parse(readFileSync(opts.stateFile, "utf8")) as PersistedState)
    : { height: "0", count: "0", appHash: "" };
  let committed = {
    height: BigInt(saved.height),
    count: BigInt(saved.count),
    appHash: Buffer.from(saved.appHash, "hex"),
  };
  let pending: typeof committed | undefined;
  const seen: CounterObservations = {
    initChainCalls: 0,
    extendVote: [],
    verifyVoteExtension: [],
    prepareProposal: [],
  };

  const app: CounterApp = {
    seen,
    chainId: "",
    info: () => ({
      data: "counter",
      version: "1",
      appVersion: 1n,
      lastBlockHeight: committed.height,
      lastBlockAppHash: committed.appHash,
    }),
    initChain(req) {
      seen.initChainCalls += 1;
      app.chainId = req.chainId;
      return { validators: [], appHash: hashOf(committed.count) };
    },
    query(req) {
      if (req.path !== "/count") {
        return {
          code: 1,
          log: `unknown path ${req.path}`,
          info: "",
          index: 0n,
          key: req.data,
          value: new Uint8Array(0),
          height: committed.height,
          codespace: "counter",
        };
      }
      return {
        code: 0,
        log: "",
        info: "",
        index: 0n,
        key: req.data,
        value: bytes(String(committed.count)),
        height: committed.height,
        codespace: "",
      };
    },
    checkTx(req) {
      const tx = text(req.tx);
      const rejected = tx.startsWith("reject:");
      return { ...result(rejected ? 3 : 0, rejected ? "rejected as asked" : ""), gasWanted: 1n };
    },
    prepareProposal(req) {
      seen.prepareProposal.push({ height: req.height, localLastCommit: req.localLastCommit });
      const txs: Uint8Array[] = [];
      let size = 0n;
      for (const tx of req.txs) {
        if (size + BigInt(tx.length) > req.maxTxBytes) break;
        size += BigInt(tx.length);
        txs.push(tx);
      }
      return { txs };
    },
    processProposal: () => ({ status: ProposalStatus.Accept }),
    extendVote(req) {
      seen.extendVote.push(req.height);
      return { voteExtension: bytes(`height:${req.height}`) };
    },
    verifyVoteExtension(req) {
      const extension = text(req.voteExtension);
      seen.verifyVoteExtension.push({
        height: req.height,
        validator: Buffer.from(req.validatorAddress).toString("hex"),
        extension,
      });
      return { status: extension === `height:${req.height}` ? VerifyStatus.Accept : VerifyStatus.Reject };
    },
    finalizeBlock(req) {
      let count = committed.count;
      const txResults = req.txs.map((raw) => {
        const tx = text(raw);
        if (tx.startsWith("fail:")) return result(5, "failed as asked");
        count += 1n;
        return result(0, "", [
          { type: "counter", attributes: [{ key: "value", value: String(count), index: true }] },
        ]);
      });
      pending = { height: req.height, count, appHash: Buffer.from(hashOf(count)) };
      return { events: [], txResults, validatorUpdates: [], appHash: pending.appHash };
    },
    commit() {
      if (!pending) throw new Error("Commit without FinalizeBlock");
      const state: PersistedState = {
        height: String(pending.height),
        count: String(pending.count),
        appHash: pending.appHash.toString("hex"),
      };
      // Write-then-rename: a crash leaves either the old or the new state, never half of one.
      writeFileSync(`${opts.stateFile}.tmp`, JSON.stringify(state));
      renameSync(`${opts.stateFile}.tmp`, opts.stateFile);
      committed = pending;
      pending = undefined;
      return { retainHeight: 0n };
    },
    listSnapshots: () => ({ snapshots: [] }),
    offerSnapshot: () => ({ result: 0 }),
    loadSnapshotChunk: () => ({ chunk: new Uint8Array(0) }),
    applySnapshotChunk: () => ({ result: 0, refetchChunks: [], rejectSenders: [] }),
  };
  return app;
}
