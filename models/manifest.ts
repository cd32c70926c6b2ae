/**
 * The model manifest: what a model directory holds, where its weights came from, and how its raw
 * output becomes a quality score in basis points. One `manifest.json` sits next to the files it lists.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EvaluatorError, ModelFilesError } from "./errors.js";

/** `bi-encoder`: prompt and response embedded separately, scored by cosine; `cross-encoder`: one pass over the pair giving a logit. */
export type ModelKind = "bi-encoder" | "cross-encoder";

/** One file of a model directory with its pinned hash. */
export interface ModelFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly role: "model" | "tokenizer";
}

/**
 * How the raw output maps to 0..10000.
 * - `cosine`: `semantic = clamp((cos - low) / (high - low), 0, 1)`.
 * - `sigmoid`: `semantic = 1 / (1 + exp(-(logits[logitIndex] - offset) / temperature))`.
 * Then, with `features: "lazy-v1"`, the deterministic penalties of `features.ts` multiply it, and the
 * result is `round(semantic * factor * 10000)`.
 */
export type ScoreMapping =
  | { readonly output: "cosine"; readonly low: number; readonly high: number; readonly features: FeatureSet }
  | {
      readonly output: "sigmoid";
      readonly logitIndex: number;
      readonly offset: number;
      readonly temperature: number;
      readonly features: FeatureSet;
      /** Peer mode (a judge with an agreement head); absent: peers are ignored. */
      readonly peer?: PeerMapping;
    };

/**
 * Peer mode: each (prompt, peer, response) triple gives `agree = sigmoid((logits[logitIndex] - offset) /
 * temperature)`, and `rule` says how the agreements change the single score (models/peer-rule.ts):
 * `scale` (the mean agreement scales it into [floor, 1]) or `odds` (the median of the peers' log-odds of
 * agreement, each peer's vote for the answer weighted by its own single score, is added to the answer's
 * log-odds, times `weight`). At most `maxPeers` peers are read (the first ones).
 */
export interface PeerMapping {
  readonly logitIndex: number;
  readonly offset: number;
  readonly temperature: number;
  readonly rule: "scale" | "odds";
  /** `scale` only: the share of the single score an answer all its peers contradict keeps. */
  readonly floor: number;
  /** `odds` only: how much the peers' evidence counts against the answer's own (1: as much). */
  readonly weight: number;
  readonly maxPeers: number;
}

/** Which deterministic text features are combined with the model output. */
export type FeatureSet = "lazy-v1" | "judge-v1" | "none";

/** Where the files came from and how to rebuild them. */
export interface Provenance {
  readonly source: string;
  readonly command?: string;
  readonly inputs?: ReadonlyArray<{ readonly name: string; readonly sha256: string }>;
  readonly notes?: string;
}

/** A parsed, validated `manifest.json`. */
export interface ModelManifest {
  readonly schema: 1;
  readonly id: string;
  readonly kind: ModelKind;
  readonly description: string;
  readonly license: string;
  /** Tokens per sequence (bi-encoder: per text; cross-encoder: for the pair, special tokens included). */
  readonly maxTokens: number;
  /** Name of the graph output to read (`sentence_embedding`, `last_hidden_state`, `logits`). */
  readonly output: string;
  readonly files: readonly ModelFile[];
  readonly scoring: ScoreMapping;
  readonly provenance: Provenance;
}

/**
 * The model used when none is named: the PoQ quality judge, a cross-encoder fine-tuned here from
 * all-MiniLM-L6-v2 (models/README.md). The bi-encoders stay bundled and selectable by id.
 */
export const DEFAULT_MODEL_ID = "poq-judge-minilm";

/** The repository's `models/` folder, which holds the bundled default model (works from `dist/` too). */
export function bundledModelsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled code lives in dist/models/, sources in models/: both resolve to <root>/models.
  const root = here.includes(`${join("dist", "models")}`) ? resolve(here, "..", "..") : resolve(here, "..");
  return join(root, "models");
}

/** Whether a model id names one of the models committed under `models/` (restored by `npm run setup`). */
function isBundledModelId(modelId: string): boolean {
  return existsSync(join(bundledModelsDir(), modelId, "manifest.json"));
}

/** Where pulled models live: `<home>/models/<owner>/<name>`; home is `POQ_HOME` or `~/.poq`. */
export function pulledModelsDir(home?: string): string {
  return join(home ?? process.env.POQ_HOME ?? join(homedir(), ".poq"), "models");
}

/**
 * Finds the directory of a model id: the bundled one in the repository first, then pulled models.
 *
 * @example
 * const dir = resolveModelDir("all-minilm-l6-v2"); // <repo>/models/all-minilm-l6-v2
 */
export function resolveModelDir(modelId: string, home?: string): string {
  if (!/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(modelId) || modelId.includes("..")) {
    throw new EvaluatorError(`invalid model id "${modelId}"`, { details: "expected name or owner/name" });
  }
  const bundled = join(bundledModelsDir(), modelId);
  if (existsSync(join(bundled, "manifest.json"))) return bundled;
  const pulled = join(pulledModelsDir(home), modelId);
  if (existsSync(join(pulled, "manifest.json"))) return pulled;
  throw new ModelFilesError(`model "${modelId}" not found`, {
    details:
      `looked in ${bundled} and ${pulled}; ` +
      (modelId === DEFAULT_MODEL_ID
        ? "run `npm run setup` to restore the bundled default model"
        : `run \`poq models pull ${modelId}\` to download it`),
  });
}

function fail(dir: string, msg: string): never {
  throw new EvaluatorError(`bad manifest in ${dir}`, { details: msg });
}

function num(dir: string, v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(dir, `${name} must be a finite number`);
  return v;
}

function str(dir: string, v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") fail(dir, `${name} must be a non-empty string`);
  return v;
}

function parseScoring(dir: string, raw: Record<string, unknown>): ScoreMapping {
  const features = raw.features ?? "lazy-v1";
  if (features !== "lazy-v1" && features !== "judge-v1" && features !== "none")
    fail(dir, `scoring.features must be "lazy-v1", "judge-v1" or "none"`);
  if (raw.output === "cosine") {
    const low = num(dir, raw.low, "scoring.low");
    const high = num(dir, raw.high, "scoring.high");
    if (!(high > low)) fail(dir, "scoring.high must be greater than scoring.low");
    return { output: "cosine", low, high, features };
  }
  if (raw.output === "sigmoid") {
    const temperature = num(dir, raw.temperature ?? 1, "scoring.temperature");
    if (!(temperature > 0)) fail(dir, "scoring.temperature must be positive");
    return {
      output: "sigmoid",
      logitIndex: num(dir, raw.logitIndex ?? 0, "scoring.logitIndex"),
      offset: num(dir, raw.offset ?? 0, "scoring.offset"),
      temperature,
      features,
      ...(raw.peer === undefined ? {} : { peer: parsePeer(dir, raw.peer as Record<string, unknown>) }),
    };
  }
  return fail(dir, `scoring.output must be "cosine" or "sigmoid"`);
}

function parsePeer(dir: string, raw: Record<string, unknown>): PeerMapping {
  if (typeof raw !== "object" || raw === null) fail(dir, "scoring.peer must be an object");
  const temperature = num(dir, raw.temperature ?? 1, "scoring.peer.temperature");
  const floor = num(dir, raw.floor ?? 0, "scoring.peer.floor");
  const maxPeers = num(dir, raw.maxPeers ?? 8, "scoring.peer.maxPeers");
  if (!(temperature > 0)) fail(dir, "scoring.peer.temperature must be positive");
  if (!(floor >= 0 && floor <= 1)) fail(dir, "scoring.peer.floor must be in [0, 1]");
  if (!Number.isInteger(maxPeers) || maxPeers < 1)
    fail(dir, "scoring.peer.maxPeers must be a positive integer");
  const rule = raw.rule ?? "scale";
  if (rule !== "scale" && rule !== "odds") fail(dir, `scoring.peer.rule must be "scale" or "odds"`);
  const weight = num(dir, raw.weight ?? 1, "scoring.peer.weight");
  if (!(weight >= 0)) fail(dir, "scoring.peer.weight must not be negative");
  return {
    logitIndex: num(dir, raw.logitIndex ?? 1, "scoring.peer.logitIndex"),
    offset: num(dir, raw.offset ?? 0, "scoring.peer.offset"),
    temperature,
    rule: rule as PeerMapping["rule"],
    floor,
    weight,
    maxPeers,
  };
}

/**
 * Reads and validates `<dir>/manifest.json`.
 *
 * @example
 * const m = loadManifest(resolveModelDir("all-minilm-l6-v2"));
 * m.kind; // "bi-encoder"
 */
export function loadManifest(dir: string): ModelManifest {
  const file = join(dir, "manifest.json");
  if (!existsSync(file)) {
    throw new ModelFilesError(`no manifest.json in ${dir}`, {
      details: "point --model-dir at a model directory, or run `poq models pull <repo>` first",
    });
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new EvaluatorError(`manifest ${file} is not valid JSON`, { cause });
  }
  if (raw.schema !== 1) fail(dir, "schema must be 1");
  if (raw.kind !== "bi-encoder" && raw.kind !== "cross-encoder")
    fail(dir, "kind must be bi-encoder or cross-encoder");
  const maxTokens = num(dir, raw.maxTokens, "maxTokens");
  if (!Number.isInteger(maxTokens) || maxTokens < 8 || maxTokens > 8192)
    fail(dir, "maxTokens must be 8..8192");
  if (!Array.isArray(raw.files)) fail(dir, "files must be an array");
  const files = (raw.files as Array<Record<string, unknown>>).map((f, i): ModelFile => {
    const path = str(dir, f.path, `files[${i}].path`);
    if (path.includes("..") || path.startsWith("/"))
      fail(dir, `files[${i}].path must stay inside the directory`);
    const sha256 = str(dir, f.sha256, `files[${i}].sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) fail(dir, `files[${i}].sha256 must be 64 lowercase hex digits`);
    if (f.role !== "model" && f.role !== "tokenizer")
      fail(dir, `files[${i}].role must be model or tokenizer`);
    return { path, sha256, bytes: num(dir, f.bytes, `files[${i}].bytes`), role: f.role };
  });
  for (const role of ["model", "tokenizer"] as const) {
    if (files.filter((f) => f.role === role).length !== 1)
      fail(dir, `exactly one file must have role ${role}`);
  }
  const prov = (raw.provenance ?? {}) as Record<string, unknown>;
  return {
    schema: 1,
    id: str(dir, raw.id, "id"),
    kind: raw.kind,
    description: typeof raw.description === "string" ? raw.description : "",
    license: str(dir, raw.license, "license"),
    maxTokens,
    output: str(dir, raw.output, "output"),
    files,
    scoring: parseScoring(dir, (raw.scoring ?? {}) as Record<string, unknown>),
    provenance: {
      source: str(dir, prov.source, "provenance.source"),
      ...(typeof prov.command === "string" ? { command: prov.command } : {}),
      ...(Array.isArray(prov.inputs) ? { inputs: prov.inputs as Provenance["inputs"] & object } : {}),
      ...(typeof prov.notes === "string" ? { notes: prov.notes } : {}),
    },
  };
}

/**
 * The entry of a manifest with the given role (loadManifest guarantees exactly one); its `sha256` is
 * what the chain's evaluator pin names.
 *
 * @example
 * roleFile(loadManifest(dir), "model").sha256; // "023d738c..."
 */
export function roleFile(manifest: ModelManifest, role: ModelFile["role"]): ModelFile {
  const f = manifest.files.find((x) => x.role === role);
  if (!f) throw new EvaluatorError(`manifest ${manifest.id} has no ${role} file`);
  return f;
}

/** The file of a manifest with the given role, as an absolute path. */
export function manifestFile(dir: string, manifest: ModelManifest, role: ModelFile["role"]): string {
  return join(dir, roleFile(manifest, role).path);
}

/**
 * sha256 of a file, streamed (model files are tens of MB).
 *
 * @example
 * await sha256File("models/all-minilm-l6-v2/tokenizer.json"); // "be50c362..."
 */
export function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (d) => h.update(d))
      .on("error", rej)
      .on("end", () => res(h.digest("hex")));
  });
}

/** Result of checking one file. */
export interface FileCheck {
  readonly path: string;
  readonly expected: string;
  readonly actual: string | null;
  readonly ok: boolean;
}

/**
 * Checks every file of a manifest against its sha256, and against `pins` (path → sha256, e.g. the
 * chain's params) where given. Returns one row per file; never throws for a mismatch.
 *
 * @example
 * const rows = await checkModelFiles(dir, loadManifest(dir));
 * rows.every((r) => r.ok);
 */
export async function checkModelFiles(
  dir: string,
  manifest: ModelManifest,
  pins: Readonly<Record<string, string>> = {},
): Promise<FileCheck[]> {
  const rows: FileCheck[] = [];
  for (const f of manifest.files) {
    const expected = pins[f.path] ?? pins[f.role] ?? f.sha256;
    const p = join(dir, f.path);
    const actual = existsSync(p) ? await sha256File(p) : null;
    rows.push({ path: f.path, expected, actual, ok: actual === expected && actual === f.sha256 });
  }
  return rows;
}

/**
 * Like {@link checkModelFiles} but throws a {@link ModelFilesError} that says how to fix the problem.
 *
 * @example
 * await verifyModelFiles(dir, manifest); // throws when model.onnx was modified
 */
export async function verifyModelFiles(
  dir: string,
  manifest: ModelManifest,
  pins: Readonly<Record<string, string>> = {},
): Promise<void> {
  const bad = (await checkModelFiles(dir, manifest, pins)).filter((r) => !r.ok);
  if (bad.length === 0) return;
  const what = bad
    .map((r) =>
      r.actual === null ? `${r.path} is missing` : `${r.path} has sha256 ${r.actual}, want ${r.expected}`,
    )
    .join("; ");
  const fix = isBundledModelId(manifest.id)
    ? "run `npm run setup` (or `git checkout -- models/`) to restore the bundled model"
    : `run \`poq models pull ${manifest.id}\` to download it again`;
  throw new ModelFilesError(`model files of ${manifest.id} in ${dir} do not match`, {
    details: `${what}; ${fix}`,
  });
}
