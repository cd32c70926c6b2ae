/**
 * Runs one validator's application process: the app over its database, the ABCI socket server that
 * CometBFT connects to, and the scorer that feeds the evaluator in the background and fills this
 * validator's vote extensions. Stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Application } from "../abci/application.js";
import { startAbciServer, type AbciServer } from "../abci/server.js";
import type { PoqApp } from "../app/app.js";
import type { ProposalHooks } from "../app/baseapp/proposal.js";
import type { KVStore } from "../app/types.js";
import { secp256k1Backend } from "../app/tx/signature.js";
import { decodeInjectedCommit, encodeInjectedCommit } from "../app/modules/poq/extended-commit.js";
import { scoreCommitment } from "../app/modules/poq/commitment.js";
import {
  decodeVoteExtension,
  encodeVoteExtension,
  type ScoreVoteExtension,
} from "../app/modules/poq/vote-extension.js";
import {
  createScoringQueue,
  DEFAULT_MODEL_ID,
  createWorkerEvaluator,
  defaultSessions,
  loadManifest,
  resolveModelDir,
  roleFile,
  verifyModelFiles,
  createSleepingEvaluator,
  type ScoringQueue,
  type SleepingEvaluator,
} from "../models/index.js";
import { createBeaconSecrets } from "./beacon-secrets.js";
import { assembleApp, createChainModules } from "./assemble.js";
import { createJsonLogger, type JsonLogger } from "./logger.js";
import { createScorer, type Scorer, type ScorerBehaviour } from "./scorer.js";
import { withSnapshots } from "./snapshots/serve.js";

export interface RunValidatorOptions {
  home: string;
  /** Where CometBFT's `proxy_app` points, e.g. `tcp://127.0.0.1:26658`. */
  abciAddress: string;
  chainId?: string;
  /** Evaluator model directory (default: the bundled default model). */
  modelDir?: string;
  /** Run without the evaluator: the node follows the chain but never scores. */
  noEvaluator?: boolean;
  /**
   * Inference sessions that score in parallel, one worker thread and one core each (default
   * `defaultSessions()`: one per core, at most two). Scores do not depend on it.
   */
  scoringSessions?: number;
  /**
   * Close the evaluator's sessions after this long without an answer to score, and load them again
   * for the next (default {@link EVALUATOR_IDLE_MS}); 0 keeps them loaded from the first answer on.
   */
  evaluatorIdleMs?: number;
  /** Test behaviours (see validator/scorer.ts); default honest. */
  behaviour?: ScorerBehaviour;
  /**
   * Fault injection for crash tests: SIGKILL this process after FinalizeBlock of this height and before
   * its Commit, once (a marker file in `home` keeps the replay after restart from crashing again).
   */
  crashBeforeCommitAt?: bigint;
  /** ABCI queries in a worker thread (default true; see app/README.md "Queries"). */
  queryWorker?: boolean;
  /**
   * The store layout a new database gets (default the current one): 4, 5 or 6 to replay, from its
   * genesis, a chain started with that layout (`app/store/README.md` "Request buckets and subtrees").
   */
  storeLayout?: number;
}

export interface ValidatorProcess {
  app: PoqApp;
  scorer: Scorer;
  server: AbciServer & { address: string };
  stop(): Promise<void>;
}

/** The consensus address in `<home>/config/priv_validator_key.json`, if this node has one. */
function readValidatorAddress(home: string): Uint8Array | undefined {
  const file = join(home, "config", "priv_validator_key.json");
  if (!existsSync(file)) return undefined;
  const key = JSON.parse(readFileSync(file, "utf8")) as { address?: string };
  return key.address ? new Uint8Array(Buffer.from(key.address, "hex")) : undefined;
}

interface LoadedEvaluator {
  evaluator: SleepingEvaluator;
  queue: ScoringQueue;
  /** sha256 of the model and tokenizer files, for the chain's pin. */
  hashes: { model: string; tokenizer: string };
}

/**
 * How long the judge's sessions stay loaded after the last batch (`--evaluator-idle-seconds`). An idle
 * network scores nothing, and the sessions are most of a validator's memory (issue 10: an idle devnet
 * held about 1 GB); reloading them takes a few hundred milliseconds.
 */
export const EVALUATOR_IDLE_MS = 60_000;

/**
 * Checks the model files (sha256 against the manifest; a validator with other files does not score)
 * and returns a queue over sessions that load on the first answer to score and close after
 * `idleMs` without one.
 */
async function loadEvaluator(
  modelDir: string,
  sessions: number,
  idleMs: number,
  log: JsonLogger,
): Promise<LoadedEvaluator | undefined> {
  try {
    const manifest = loadManifest(modelDir);
    await verifyModelFiles(modelDir, manifest);
    const model = roleFile(manifest, "model").sha256;
    const tokenizer = roleFile(manifest, "tokenizer").sha256;
    // Single-thread sessions in parallel: they scale with the cores where onnxruntime's intra-op
    // threads did not (models/README.md, "Speed"). Each load checks the files' sha256 again.
    const evaluator = createSleepingEvaluator({
      load: () => createWorkerEvaluator({ modelDir, threads: 1, sessions }),
      idleMs,
      onChange: (event) =>
        event === "loaded"
          ? log.info("evaluator loaded", { model: manifest.id, sessions })
          : log.info("evaluator asleep: no answer to score", { idleSeconds: idleMs / 1000 }),
    });
    log.info("evaluator ready (loads on the first answer to score)", {
      model: manifest.id,
      modelSha256: model,
      tokenizerSha256: tokenizer,
      sessions,
      idleSeconds: idleMs / 1000,
    });
    return { evaluator, queue: createScoringQueue(evaluator), hashes: { model, tokenizer } };
  } catch (err) {
    log.error("evaluator not available; this validator will not score", {
      error: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
}

/** Over the default `max_vote_extension_bytes` (64 KiB) by one byte. */
const OVERSIZED_EXTENSION_BYTES = 65_537;

/** Hooks whose ExtendVote rewrites the honest (non-empty) extension's payload with `rewrite`. */
function rewriteExtension(
  rewrite: (ext: ScoreVoteExtension, height: bigint) => ScoreVoteExtension,
): (h: ProposalHooks) => ProposalHooks {
  return (h) => ({
    ...h,
    extendVote(ctx, req) {
      const bytes = h.extendVote?.(ctx, req) ?? new Uint8Array();
      if (bytes.length === 0) return bytes;
      return encodeVoteExtension(rewrite(decodeVoteExtension(bytes, Number.MAX_SAFE_INTEGER), req.height));
    },
  });
}

/** Test behaviours that act on the hooks rather than on the scores. */
function behaviourHooks(
  behaviour: ScorerBehaviour,
  log: JsonLogger,
  validatorAddress: Uint8Array | undefined,
): ((h: ProposalHooks) => ProposalHooks) | undefined {
  if (behaviour === "never-reveal")
    return rewriteExtension((ext) => ({ commitments: ext.commitments, reveals: [] }));
  if (behaviour === "bad-extension") {
    // By height: garbage bytes, an extension one byte over the cap, or last height's extension again.
    // Peers' VerifyVoteExtension refuses the first two, so the precommit does not count; the replay
    // is well formed and the chain ignores what it repeats.
    let previous: Uint8Array = new Uint8Array();
    return (h) => ({
      ...h,
      extendVote(ctx, req) {
        const honest = h.extendVote?.(ctx, req) ?? new Uint8Array();
        const kind = Number(req.height % 3n);
        const out =
          kind === 0
            ? Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x01)
            : kind === 1
              ? new Uint8Array(OVERSIZED_EXTENSION_BYTES).fill(0x0a)
              : previous;
        previous = honest;
        log.info("sending a bad vote extension", {
          height: req.height,
          kind: ["garbage", "oversized", "replayed"][kind],
        });
        return out;
      },
    });
  }
  if (behaviour === "mismatch-reveal") {
    return rewriteExtension((ext, height) => {
      if (ext.reveals.length === 0) return ext;
      log.info("revealing scores that do not match the commitments", { height });
      return { ...ext, reveals: ext.reveals.map((r) => ({ ...r, score: (r.score + 1) % 10001 })) };
    });
  }
  if (behaviour === "recommit" && validatorAddress) {
    // When it should reveal, it commits again to another score instead, and reveals that one a
    // height later: a commitment changed between heights, whose reveal matches only the new one.
    const changed = new Map<bigint, { score: number; salt: Uint8Array }>();
    return rewriteExtension((ext, height) => {
      const commitments = [...ext.commitments];
      const reveals = [];
      for (const r of ext.reveals) {
        const again = changed.get(r.requestId);
        if (again) {
          reveals.push({ requestId: r.requestId, ...again });
          continue;
        }
        const next = { score: 10000 - r.score, salt: new Uint8Array(32).fill(7) };
        changed.set(r.requestId, next);
        const commitment = scoreCommitment({ requestId: r.requestId, ...next, validator: validatorAddress });
        commitments.push({ requestId: r.requestId, commitment });
      }
      if (reveals.length !== ext.reveals.length)
        log.info("changing a commitment instead of revealing", { height });
      return { ...ext, commitments, reveals };
    });
  }
  if (behaviour === "forge-commit") {
    return (h) => ({
      ...h,
      prepareProposal(ctx, req, txs) {
        const out = h.prepareProposal?.(ctx, req, txs) ?? txs;
        const first = out[0];
        if (!first || !h.injected?.is(first)) return out;
        const commit = decodeInjectedCommit(first);
        // Claim a reveal nobody signed: rewrite another validator's extension, keep its signature.
        const victim = commit.votes.find((v) => v.voteExtension.length > 0) ?? commit.votes[0];
        if (!victim) return out;
        victim.voteExtension = encodeVoteExtension({
          commitments: [],
          reveals: [{ requestId: 1n, score: 10000, salt: new Uint8Array(32) }],
        });
        log.info("forging the injected commit", { height: req.height });
        return [encodeInjectedCommit(commit), ...out.slice(1)];
      },
    });
  }
  return undefined;
}

/**
 * Opens the app, loads the evaluator, and listens for CometBFT.
 *
 * @example
 * const v = await runValidator({ home: "/tmp/poq/node0", abciAddress: "tcp://127.0.0.1:26658" });
 * await v.stop();
 */
export async function runValidator(opts: RunValidatorOptions): Promise<ValidatorProcess> {
  const log = createJsonLogger("app");
  const behaviour = opts.behaviour ?? "honest";
  const modules = createChainModules();
  const validatorAddress = readValidatorAddress(opts.home);
  const needsModel =
    !opts.noEvaluator && validatorAddress !== undefined && !["random", "boost", "copy"].includes(behaviour);
  const loaded = needsModel
    ? await loadEvaluator(
        opts.modelDir ?? resolveModelDir(DEFAULT_MODEL_ID),
        opts.scoringSessions ?? defaultSessions(),
        opts.evaluatorIdleMs ?? EVALUATOR_IDLE_MS,
        log,
      )
    : undefined;

  // The chain pins the evaluator files; a validator whose files differ does not score.
  let pinVerdict: { pins: string; ok: boolean } | undefined;
  const pinMatches = (committed: KVStore): boolean => {
    if (!loaded) return false;
    const params = modules.poq.keeper.getParams({ store: committed });
    const pins = `${params.evaluatorModelSha256}/${params.evaluatorTokenizerSha256}`;
    if (pinVerdict?.pins === pins) return pinVerdict.ok;
    const ok =
      (params.evaluatorModelSha256 === "" || params.evaluatorModelSha256 === loaded.hashes.model) &&
      (params.evaluatorTokenizerSha256 === "" || params.evaluatorTokenizerSha256 === loaded.hashes.tokenizer);
    pinVerdict = { pins, ok };
    if (ok) log.info("evaluator files match the chain's pin", { pins });
    else
      log.error("evaluator files do not match the chain's pin: this validator will not score", {
        pinned: { model: params.evaluatorModelSha256, tokenizer: params.evaluatorTokenizerSha256 },
        local: loaded.hashes,
      });
    return ok;
  };

  const scorer = createScorer({
    home: opts.home,
    poq: modules.poq,
    validatorAddress: validatorAddress ?? new Uint8Array(20),
    queue: loaded?.queue,
    behaviour,
    logger: log,
    canScore: pinMatches,
  });
  const wrapHooks = behaviourHooks(behaviour, log, validatorAddress);
  const app = assembleApp({
    home: opts.home,
    logger: log,
    modules,
    ...(validatorAddress
      ? { validatorAddress, localScores: () => scorer.ready(), beaconSecrets: createBeaconSecrets() }
      : {}),
    ...(wrapHooks ? { wrapHooks } : {}),
    ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}),
    ...(opts.queryWorker === false ? { queryWorker: false } : {}),
    ...(opts.storeLayout !== undefined ? { storeLayout: opts.storeLayout } : {}),
  });

  const synced = withSnapshots(app, opts.home, createJsonLogger("snapshots"));
  // While a request is in flight the judge is loaded ahead of its answer (and kept loaded).
  const warm = loaded
    ? (view: KVStore) => {
        if (modules.poq.keeper.hasRequestsInFlight({ store: view })) loaded.evaluator.warm();
      }
    : undefined;
  let served: Application = withScoringAfterCommit(synced.app, scorer, warm);
  if (opts.crashBeforeCommitAt !== undefined) {
    served = withCrashBeforeCommit(served, opts.home, opts.crashBeforeCommitAt);
  }
  let server: AbciServer & { address: string };
  try {
    server = await startAbciServer({
      app: served,
      address: opts.abciAddress,
      logger: createJsonLogger("abci"),
    });
  } catch (err) {
    app.close();
    scorer.close();
    await synced.snapshots.close();
    await loaded?.evaluator.close();
    throw err;
  }
  // The secp256k1 backend says whether libsecp256k1 loaded: the fallbacks give the same verdicts, slower.
  log.info("listening for CometBFT", {
    address: server.address,
    height: app.state.lastHeight,
    behaviour,
    secp256k1: secp256k1Backend(),
  });
  let stopped = false;
  return {
    app,
    scorer,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close(2000);
      await synced.snapshots.close();
      await loaded?.queue.close();
      await loaded?.evaluator.close();
      scorer.close();
      app.close();
    },
  };
}

/**
 * The app, with the scorer told about each commit (it then reads the committed state) after Commit
 * has answered, never inside it (review L4): one pass per turn of the event loop, however many
 * commits came before it, on the newest committed state.
 */
function withScoringAfterCommit(
  app: PoqApp,
  scorer: Scorer,
  afterScoring?: (committed: KVStore) => void,
): Application {
  let scheduled = false;
  const log = createJsonLogger("scorer");
  return {
    ...app,
    commit() {
      const res = app.commit();
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          try {
            const view = app.state.committedView();
            scorer.onCommit(view);
            afterScoring?.(view);
          } catch (err) {
            log.error("scorer pass failed", { error: err instanceof Error ? err.message : String(err) });
          }
        });
      }
      return res;
    },
  };
}

/** The app, except that the process kills itself between FinalizeBlock and Commit of `height`, once. */
function withCrashBeforeCommit(app: Application, home: string, height: bigint): Application {
  const marker = join(home, `crashed-before-commit-${height}`);
  let finalizing = 0n;
  return {
    ...app,
    finalizeBlock(req) {
      finalizing = req.height;
      return app.finalizeBlock(req);
    },
    commit() {
      if (finalizing === height && !existsSync(marker)) {
        writeFileSync(marker, "");
        process.kill(process.pid, "SIGKILL");
      }
      return app.commit();
    },
  };
}
