/**
 * The quality evaluator: (prompt, response) → score in basis points (0..10000), from a model directory
 * described by its manifest. Bi-encoders and Hugging Face cross-encoders share this code path; only
 * the way inputs are built and the raw output is mapped differs (see manifest.ts).
 */
import { DEFAULT_BATCH_TOKENS, planBatches } from "./batching.js";
import { EvaluatorError } from "./errors.js";
import { judgeFeatures, lazyFeatures, type LazyFeatures } from "./features.js";
import {
  DEFAULT_MODEL_ID,
  loadManifest,
  manifestFile,
  resolveModelDir,
  verifyModelFiles,
  type ModelManifest,
  type PeerMapping,
} from "./manifest.js";
import { peerAgreement, peerSemantic } from "./peer-rule.js";
import { openSession, type ModelSession } from "./session.js";
import { openSessionPool } from "./session-pool.js";
import { loadTokenizer, type EncodedSequence, type PairTokenizer } from "./tokenize.js";

/** Options of {@link createEvaluator}. */
export interface EvaluatorOptions {
  /** A model directory holding manifest.json; wins over `modelId`. */
  readonly modelDir?: string;
  /** A bundled or pulled model id (default `DEFAULT_MODEL_ID`, poq-judge-minilm). */
  readonly modelId?: string;
  /** Home of pulled models (default `POQ_HOME` or `~/.poq`). */
  readonly home?: string;
  /** Intra-op threads of each session (default 1). */
  readonly threads?: number;
  /**
   * Sessions that run batches in parallel, each in its own worker thread with `threads` intra-op
   * threads (default 1: one session on the calling thread). On a small machine N single-thread
   * sessions score faster than one N-thread session (models/README.md, "Speed"); scores are the same.
   */
  readonly sessions?: number;
  /** Largest batch per inference (default 16). */
  readonly maxBatch?: number;
  /**
   * Most token rows per inference, batch size times padded length (default `DEFAULT_BATCH_TOKENS`,
   * 512: two 256-token pairs): larger batches ran slower per pair, and they cost memory per session.
   */
  readonly maxBatchTokens?: number;
  /** Extra pinned hashes (file path or role → sha256), e.g. from chain params. */
  readonly pins?: Readonly<Record<string, string>>;
}

/**
 * A (prompt, response) pair, and optionally the other independent answers to the same prompt (`peers`):
 * a judge with a peer head then also scores the response's agreement with them (models/README.md).
 */
export interface ScorePair {
  readonly prompt: string;
  readonly response: string;
  /** Other independent answers to the same prompt (replicated requests): the evaluator's peer mode. */
  readonly peers?: readonly string[];
}

/** A score and how it was made (for reports and debugging). */
export interface ScoreDetail {
  readonly score: number;
  /** Model part in [0, 1]: mapped cosine or sigmoid of the logit. */
  readonly semantic: number;
  /** Raw model value: the cosine or the logit. */
  readonly raw: number;
  readonly features: LazyFeatures | null;
  /** Agreement with the peers in [0, 1] (median or mean, by rule); null without peers or peer head. */
  readonly agreement: number | null;
}

/** A loaded evaluator. Scores are integers 0..10000. */
export interface Evaluator {
  readonly manifest: ModelManifest;
  readonly modelDir: string;
  readonly threads: number;
  /** Sessions run in parallel (see {@link EvaluatorOptions.sessions}). */
  readonly sessions: number;
  score(prompt: string, response: string, peers?: readonly string[]): Promise<number>;
  scoreBatch(pairs: readonly ScorePair[]): Promise<number[]>;
  explainBatch(pairs: readonly ScorePair[]): Promise<ScoreDetail[]>;
  close(): Promise<void>;
}

function checkPair(p: ScorePair, i: number): void {
  if (typeof p?.prompt !== "string" || typeof p?.response !== "string") {
    throw new EvaluatorError(`pair ${i}: prompt and response must be strings`);
  }
  if (p.prompt.trim() === "") throw new EvaluatorError(`pair ${i}: the prompt is empty`);
  if (p.peers !== undefined && (!Array.isArray(p.peers) || p.peers.some((x) => typeof x !== "string"))) {
    throw new EvaluatorError(`pair ${i}: peers must be an array of strings`);
  }
}

/** The peers a pair is compared with: non-empty ones, the first `max` (so the cost is O(peers)). */
function usablePeers(p: ScorePair, max: number): string[] {
  return (p.peers ?? []).filter((x) => x.trim() !== "").slice(0, max);
}

/** The peer mapping of a judge with an agreement head (undefined: peers are ignored). */
function peerMappingOf(m: ModelManifest): PeerMapping | undefined {
  return m.kind === "cross-encoder" && m.scoring.output === "sigmoid" ? m.scoring.peer : undefined;
}

/** Each pair's agreement with each of its usable peers, in [0, 1]: one pass per (pair, peer). */
async function agreements(
  m: ModelManifest,
  peer: PeerMapping | undefined,
  tok: PairTokenizer,
  session: ModelSession,
  pairs: readonly ScorePair[],
  limits: BatchLimits,
): Promise<number[][]> {
  const out = pairs.map((): number[] => []);
  if (!peer) return out;
  const owner: number[] = [];
  const seqs: EncodedSequence[] = [];
  pairs.forEach((p, i) => {
    for (const q of usablePeers(p, peer.maxPeers)) {
      owner.push(i);
      seqs.push(tok.encodeTriple(p.prompt, q, p.response, m.maxTokens));
    }
  });
  if (seqs.length === 0) return out;
  const rows = await runSorted(session, seqs, m.output, tok.padId, limits);
  rows.forEach((r, k) => {
    const x = r[peer.logitIndex] ?? Number.NaN;
    if (!Number.isFinite(x)) throw new EvaluatorError(`the model returned ${x} for a peer pass`);
    out[owner[k] as number]?.push(1 / (1 + Math.exp(-(x - peer.offset) / peer.temperature)));
  });
  return out;
}

/** How large one inference batch may be: texts, and token rows (texts times padded length). */
interface BatchLimits {
  readonly maxBatch: number;
  readonly maxTokens: number;
  /** Sessions that run batches in parallel: a few texts are spread over all of them. */
  readonly sessions: number;
}

/**
 * Runs sequences through the session in length-sorted batches that pad little (see batching.ts). The
 * batches are handed over together, longest first, so that a session pool runs them in parallel and
 * no long batch is left to run alone at the end; an in-thread session runs them one after another.
 */
async function runSorted(
  session: ModelSession,
  seqs: readonly EncodedSequence[],
  output: string,
  padId: number,
  limits: BatchLimits,
): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(seqs.length);
  const plan = planBatches(
    seqs.map((s) => s.ids.length),
    Math.min(limits.maxBatch, Math.ceil(seqs.length / limits.sessions)),
    limits.maxTokens,
  ).reverse();
  await Promise.all(
    plan.map(async (batch) => {
      const rows = await session.run(
        batch.map((i) => seqs[i] as EncodedSequence),
        output,
        padId,
      );
      batch.forEach((i, j) => (out[i] = rows[j] as Float32Array));
    }),
  );
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

async function rawScores(
  m: ModelManifest,
  tok: PairTokenizer,
  session: ModelSession,
  pairs: readonly ScorePair[],
  limits: BatchLimits,
): Promise<number[]> {
  if (m.kind === "cross-encoder") {
    const seqs = pairs.map((p) => tok.encodePair(p.prompt, p.response, m.maxTokens));
    const rows = await runSorted(session, seqs, m.output, tok.padId, limits);
    const idx = m.scoring.output === "sigmoid" ? m.scoring.logitIndex : 0;
    return rows.map((r) => r[idx] ?? Number.NaN);
  }
  // Bi-encoder: embed each distinct text once (several answers often share one prompt).
  const texts = [...new Set(pairs.flatMap((p) => [p.prompt, p.response]))];
  const seqs = texts.map((t) => tok.encodeSingle(t, m.maxTokens));
  const rows = await runSorted(session, seqs, m.output, tok.padId, limits);
  const emb = new Map(texts.map((t, i) => [t, rows[i] as Float32Array]));
  return pairs.map((p) => cosine(emb.get(p.prompt) as Float32Array, emb.get(p.response) as Float32Array));
}

function semanticOf(m: ModelManifest, raw: number): number {
  const s = m.scoring;
  if (s.output === "cosine") return Math.min(1, Math.max(0, (raw - s.low) / (s.high - s.low)));
  return 1 / (1 + Math.exp(-(raw - s.offset) / s.temperature));
}

/**
 * Loads a model directory (checking every file's sha256 against the manifest and `pins`), opens the
 * process-wide onnxruntime session (or, with `sessions` > 1, that many sessions in worker threads)
 * and returns an evaluator.
 *
 * @example
 * const ev = await createEvaluator({ modelId: "all-minilm-l6-v2", threads: 1 });
 * const bp = await ev.score("What is the boiling point of water?", "At sea level, water boils at 100 °C.");
 * await ev.close();
 */
export async function createEvaluator(opts: EvaluatorOptions = {}): Promise<Evaluator> {
  const modelDir = opts.modelDir ?? resolveModelDir(opts.modelId ?? DEFAULT_MODEL_ID, opts.home);
  const threads = opts.threads ?? 1;
  const sessions = opts.sessions ?? 1;
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 99)
    throw new EvaluatorError(`sessions must be an integer 1..99, got ${sessions}`);
  const maxBatch = opts.maxBatch ?? 16;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new EvaluatorError(`maxBatch must be a positive integer`);
  const maxTokens = opts.maxBatchTokens ?? DEFAULT_BATCH_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new EvaluatorError(`maxBatchTokens must be a positive integer`);
  const limits: BatchLimits = { maxBatch, maxTokens, sessions };
  const manifest = loadManifest(modelDir);
  await verifyModelFiles(modelDir, manifest, opts.pins ?? {});
  const tok = loadTokenizer(manifestFile(modelDir, manifest, "tokenizer"));
  const modelFile = manifestFile(modelDir, manifest, "model");
  const session =
    sessions === 1
      ? await openSession(modelFile, { threads })
      : await openSessionPool(modelFile, { threads, sessions });
  let closed = false;

  const explainBatch = async (pairs: readonly ScorePair[]): Promise<ScoreDetail[]> => {
    if (closed) throw new EvaluatorError("the evaluator is closed");
    pairs.forEach(checkPair);
    const live = pairs.map((p, i) => ({ p, i })).filter(({ p }) => p.response.trim() !== "");
    const peer = peerMappingOf(manifest);
    // Single-mode passes: every answer and, for the odds rule, every peer (its single score weighs its
    // vote); each distinct (prompt, text) once, so the answers of one request share them.
    const singles: ScorePair[] = [];
    const index = new Map<string, number>();
    const single = (prompt: string, text: string): number => {
      const key = `${prompt}\u0000${text}`;
      let at = index.get(key);
      if (at === undefined) {
        at = singles.length;
        index.set(key, at);
        singles.push({ prompt, response: text });
      }
      return at;
    };
    const own = live.map(({ p }) => single(p.prompt, p.response));
    const witnesses = live.map(({ p }) =>
      peer?.rule === "odds" ? usablePeers(p, peer.maxPeers).map((q) => single(p.prompt, q)) : [],
    );
    // Both kinds of passes at once, so that a session pool has work for every session.
    const [raws, agree] = await Promise.all([
      rawScores(manifest, tok, session, singles, limits),
      agreements(
        manifest,
        peer,
        tok,
        session,
        live.map((x) => x.p),
        limits,
      ),
    ]);
    const factorOf = (prompt: string, response: string): LazyFeatures | null => {
      const fs = manifest.scoring.features;
      if (fs === "lazy-v1") return lazyFeatures(prompt, response);
      return fs === "judge-v1" ? judgeFeatures(prompt, response) : null;
    };
    // A peer's single-mode score in [0, 1] (model part times text features), as a witness.
    const quality = (at: number, prompt: string): number => {
      const raw = raws[at] ?? Number.NaN;
      if (!Number.isFinite(raw)) throw new EvaluatorError(`the model returned ${raw} for a peer`);
      return semanticOf(manifest, raw) * (factorOf(prompt, singles[at]?.response ?? "")?.factor ?? 1);
    };
    const out: ScoreDetail[] = pairs.map(() => ({
      score: 0,
      semantic: 0,
      raw: 0,
      features: null,
      agreement: null,
    }));
    live.forEach(({ p, i }, k) => {
      const raw = raws[own[k] as number] ?? Number.NaN;
      if (!Number.isFinite(raw)) throw new EvaluatorError(`the model returned ${raw} for pair ${i}`);
      const alone = semanticOf(manifest, raw);
      const votes = (agree[k] ?? []).map((agreement, j) => {
        const w = witnesses[k]?.[j];
        return { agreement, quality: w === undefined ? 1 : quality(w, p.prompt) };
      });
      // Peer mode (models/peer-rule.ts): the peers' agreement moves the single score up or down.
      const semantic = peer ? peerSemantic(alone, votes, peer) : alone;
      const agreement = peer ? peerAgreement(votes, peer) : null;
      const features = factorOf(p.prompt, p.response);
      const score = Math.round(semantic * (features?.factor ?? 1) * 10000);
      out[i] = { score: Math.min(10000, Math.max(0, score)), semantic, raw, features, agreement };
    });
    return out;
  };

  return withScores({
    manifest,
    modelDir,
    threads,
    sessions,
    explainBatch,
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  });
}

/**
 * Completes an evaluator from its `explainBatch`: `scoreBatch` and `score` keep only the scores, so
 * the in-thread and the worker-thread evaluators cannot drift apart.
 *
 * @example
 * const ev = withScores({ manifest, modelDir, threads: 1, sessions: 1, explainBatch, close: async () => {} });
 */
export function withScores(core: Omit<Evaluator, "score" | "scoreBatch">): Evaluator {
  const { explainBatch } = core;
  return {
    ...core,
    scoreBatch: async (pairs) => (await explainBatch(pairs)).map((d) => d.score),
    score: async (prompt, response, peers) =>
      ((await explainBatch([{ prompt, response, ...(peers ? { peers } : {}) }]))[0] as ScoreDetail).score,
  };
}
