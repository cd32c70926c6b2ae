/**
 * The validator's scorer: after each Commit it finds the responses this validator must score (it sits
 * on their committee, or is sure to sit on the one the next block draws), hands them to the
 * evaluator's background queue, and keeps the finished scores with a fresh random salt each.
 * ExtendVote reads {@link Scorer.ready}; the model never runs there.
 *
 * Scores and salts live in `<home>/data/scorer.db` (SQLite), so that a restarted validator can still
 * reveal what it committed. None of this is consensus state: it only shapes this node's vote extensions.
 *
 * Behaviours other than `honest` exist for the end-to-end tests of the incentives (a validator that
 * never reveals, reports random or boosted scores, or copies others' reveals); an operator never sets them.
 */
import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { KVStore } from "../app/types.js";
import type { LocalScore } from "../app/modules/poq/extension-planner.js";
import type { PoqModule } from "../app/modules/poq/module.js";
import { consAddress, RequestStatus, type RequestRecord } from "../app/modules/poq/state.js";
import type { ScoringQueue } from "../models/queue.js";
import type { JsonLogger } from "./logger.js";

export const SCORER_BEHAVIOURS = [
  "honest",
  "never-reveal",
  "random",
  "boost",
  "copy",
  "forge-commit",
  "bad-extension",
  "mismatch-reveal",
  "recommit",
] as const;
export type ScorerBehaviour = (typeof SCORER_BEHAVIOURS)[number];

export interface CreateScorerOptions {
  home: string;
  poq: PoqModule;
  /** This validator's consensus address. */
  validatorAddress: Uint8Array;
  /** The evaluator's queue; undefined when this validator does not score (no model, or pin mismatch). */
  queue: ScoringQueue | undefined;
  behaviour?: ScorerBehaviour;
  logger: JsonLogger;
  /** Whether this validator may score now (false when its evaluator files do not match the chain's pin). */
  canScore?: (committed: KVStore) => boolean;
}

export interface Scorer {
  /**
   * After Commit (called off the Commit path: validator/process.ts): enqueue the committed answers this
   * validator must score and drop the scores of requests that closed. Reads the validator's open seats,
   * never the whole requests table. Does nothing once closed.
   */
  onCommit(committed: KVStore): void;
  /** Finished scores by request id, for ExtendVote. Never waits. */
  ready(): ReadonlyMap<bigint, LocalScore>;
  /** Counters for logs and benchmarks. */
  stats(): { enqueued: number; scored: number };
  close(): void;
}

/**
 * Creates the scorer.
 *
 * @example
 * const scorer = createScorer({ home, poq, validatorAddress, queue, logger });
 * // after each Commit: scorer.onCommit(app.state.committedView());
 */
export function createScorer(opts: CreateScorerOptions): Scorer {
  const behaviour = opts.behaviour ?? "honest";
  const dbPath = join(opts.home, "data", "scorer.db");
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.exec(
    "CREATE TABLE IF NOT EXISTS scores (request_id TEXT PRIMARY KEY, score INTEGER NOT NULL, salt BLOB NOT NULL)",
  );
  const insert = db.prepare("INSERT OR IGNORE INTO scores (request_id, score, salt) VALUES (?, ?, ?)");
  const remove = db.prepare("DELETE FROM scores WHERE request_id = ?");
  const scores = new Map<bigint, LocalScore>();
  for (const row of db.prepare("SELECT request_id, score, salt FROM scores").all() as {
    request_id: string;
    score: number;
    salt: Buffer;
  }[]) {
    scores.set(BigInt(row.request_id), { score: row.score, salt: new Uint8Array(row.salt) });
  }
  const me = consAddress(opts.validatorAddress);
  /** Requests handed to the queue and not yet finished. */
  const inQueue = new Set<bigint>();
  let closed = false;
  const counters = { enqueued: 0, scored: 0 };

  const keep = (id: bigint, score: number): void => {
    const local = { score, salt: new Uint8Array(randomBytes(32)) };
    insert.run(id.toString(), score, Buffer.from(local.salt));
    scores.set(id, local);
    counters.scored++;
  };

  /** The score this behaviour reports instead of the model's (undefined: use the model). */
  const override = (modelScore: number | undefined): number | undefined => {
    if (behaviour === "random") return randomInt(0, 10001);
    if (behaviour === "boost") return 10000;
    return modelScore;
  };

  /**
   * The other revealed answers of the same replicated request (none for a single answer): all of a
   * request's revealed answers enter scoring in one block, so they are all there at the first look.
   */
  const peersOf = (ctx: { store: KVStore }, req: RequestRecord): string[] => {
    if (req.parent === "0") return [];
    const parent = opts.poq.keeper.getRequest(ctx, BigInt(req.parent));
    return (parent?.response_ids ?? []).flatMap((rid) => {
      if (rid === req.id) return [];
      const other = opts.poq.keeper.getRequest(ctx, BigInt(rid));
      return other && other.responded_height !== "0" && other.response !== "" ? [other.response] : [];
    });
  };

  const drainQueue = (): void => {
    if (!opts.queue) return;
    for (const item of opts.queue.takeReady()) {
      const id = BigInt(item.id);
      inQueue.delete(id);
      if ("error" in item) {
        opts.logger.error("could not score response", { request: item.id, error: item.error });
        continue;
      }
      const score = override(item.score) ?? item.score;
      keep(id, score);
      opts.logger.info("scored", { request: item.id, score });
    }
  };

  return {
    onCommit(committed) {
      if (closed) return;
      const ctx = { store: committed };
      const { keeper } = opts.poq;
      const modelAllowed = opts.canScore?.(committed) ?? true;
      // Only what this validator sits on (the chain's seat index: requests in SCORING), plus, when it
      // is sure to sit on the committees drawn next, the answers waiting for theirs (scored as they
      // land, before the draw, so the commitment goes out with the next vote and the reveal phase
      // opens a block earlier). Never a scan of the requests table (review L4).
      const open = new Set(keeper.seatsOf(ctx, opts.validatorAddress));
      const early = opts.poq.sitsOnNextCommittees(ctx, opts.validatorAddress);
      if (early) for (const id of keeper.awaitingCommittee(ctx)) open.add(id);
      // Scores of requests no longer open here are of no more use: closed (or never seated).
      for (const id of [...scores.keys()]) {
        if (open.has(id)) continue;
        scores.delete(id);
        remove.run(id.toString());
      }
      for (const id of [...open].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (scores.has(id) || inQueue.has(id)) continue;
        const req = keeper.getRequest(ctx, id);
        if (req?.status !== RequestStatus.Scoring) continue;
        const seated = req.committee.some((seat) => seat.validator === me);
        if (!seated && !(early && req.committee.length === 0)) continue;
        if (behaviour === "copy") {
          // A copier has no model: it takes the median of the reveals already on chain, if any.
          const seen = keeper
            .reveals(ctx, id)
            .map((r) => r.reveal.score)
            .sort((a, b) => a - b);
          const middle = seen[Math.floor(seen.length / 2)];
          if (middle !== undefined) {
            keep(id, middle);
            opts.logger.info("copied", { request: id.toString(), score: middle, from: seen.length });
          }
          continue;
        }
        if (behaviour === "random" || behaviour === "boost") {
          keep(id, override(undefined) as number);
          continue;
        }
        if (!opts.queue || !modelAllowed) continue;
        const peers = peersOf(ctx, req);
        if (opts.queue.enqueue(id.toString(), req.prompt, req.response, peers)) {
          inQueue.add(id);
          counters.enqueued++;
          // Which answers were scored against which: the trace of the peer mode in the app log.
          if (peers.length > 0)
            opts.logger.info("scoring with peers", {
              request: req.parent,
              answer: req.id,
              peers: peers.length,
            });
        }
      }
      drainQueue();
    },

    ready() {
      drainQueue();
      return scores;
    },

    stats: () => ({ ...counters }),

    close() {
      closed = true;
      db.close();
    },
  };
}
