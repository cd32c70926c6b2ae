/**
 * `poq models pull`: downloads a model repository's ONNX export and tokenizer from a Hugging Face
 * style hub (`<hub>/<repo>/resolve/<revision>/<file>`), resuming interrupted downloads with HTTP Range
 * into `<file>.part`, checking sha256 against a pin or the hash the hub lists, and writing a manifest.
 */
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { ModelPullError } from "./errors.js";
import { pulledModelsDir, sha256File, type ModelFile, type ModelManifest } from "./manifest.js";

/** Default hub; override with `POQ_HUB_URL` or `--hub`. */
export const DEFAULT_HUB = "https://huggingface.co";

/** Progress of one file, for a bar or periodic lines. */
export interface PullProgress {
  readonly file: string;
  readonly received: number;
  readonly total: number | null;
  readonly done: boolean;
}

/** Options of {@link pullModel}. */
export interface PullOptions {
  readonly repo: string;
  readonly revision?: string;
  readonly hub?: string;
  /** Target directory (default `<home>/models/<repo>`). */
  readonly dest?: string;
  readonly home?: string;
  /** Pinned sha256 per remote file name; wins over the hub's listing. */
  readonly pins?: Readonly<Record<string, string>>;
  /** Attempts per file when the connection drops (default 4). */
  readonly attempts?: number;
  readonly onProgress?: (p: PullProgress) => void;
  /** Notes such as "no hash listed" (default: none). */
  readonly onNote?: (line: string) => void;
}

/** What was downloaded. */
export interface PullResult {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** Files resumed from a `.part` left by an earlier attempt. */
  readonly resumed: readonly string[];
}

interface RemoteFile {
  readonly name: string;
  readonly sha256: string | null;
}

const MODEL_CANDIDATES = ["onnx/model.onnx", "model.onnx"];

function hubBase(opts: PullOptions): string {
  return (opts.hub ?? process.env.POQ_HUB_URL ?? DEFAULT_HUB).replace(/\/+$/, "");
}

/** Lists the repository through the hub API (`/api/models/<repo>/revision/<rev>?blobs=true`); null if unavailable. */
async function listRepo(
  base: string,
  repo: string,
  revision: string,
): Promise<Map<string, string | null> | null> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`);
  } catch (cause) {
    throw new ModelPullError(`cannot reach the hub ${base}`, {
      details: String((cause as Error).message),
      cause,
    });
  }
  if (res.status === 404 || res.status === 401) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw new ModelPullError(`the hub answered ${res.status} listing ${repo}@${revision}`);
  const body = (await res.json()) as { siblings?: Array<{ rfilename?: string; lfs?: { sha256?: string } }> };
  const out = new Map<string, string | null>();
  for (const s of body.siblings ?? []) if (s.rfilename) out.set(s.rfilename, s.lfs?.sha256 ?? null);
  return out;
}

/** Picks the files to fetch: the ONNX export, tokenizer.json, and tokenizer_config.json when listed. */
function chooseFiles(listing: Map<string, string | null> | null): RemoteFile[] {
  if (!listing) {
    return [
      { name: "model.onnx", sha256: null },
      { name: "tokenizer.json", sha256: null },
    ];
  }
  const model = MODEL_CANDIDATES.find((c) => listing.has(c));
  if (!model)
    throw new ModelPullError("the repository has no ONNX export", {
      details: `looked for ${MODEL_CANDIDATES.join(", ")}`,
    });
  if (!listing.has("tokenizer.json")) throw new ModelPullError("the repository has no tokenizer.json");
  const files: RemoteFile[] = [
    { name: model, sha256: listing.get(model) ?? null },
    { name: "tokenizer.json", sha256: listing.get("tokenizer.json") ?? null },
  ];
  if (listing.has("tokenizer_config.json"))
    files.push({ name: "tokenizer_config.json", sha256: listing.get("tokenizer_config.json") ?? null });
  return files;
}

/** One attempt: continues `part` from its current size; returns false when the connection dropped. */
async function fetchInto(
  url: string,
  part: string,
  name: string,
  opts: PullOptions,
): Promise<{ complete: boolean; linkedHash: string | null }> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const res = await fetch(url, have > 0 ? { headers: { Range: `bytes=${have}-` } } : {}).catch(
    (cause: unknown) => {
      throw new ModelPullError(`cannot reach ${url}`, { details: String((cause as Error).message), cause });
    },
  );
  if (res.status === 416 && have > 0) {
    await res.body?.cancel();
    return { complete: true, linkedHash: null };
  }
  if (res.status === 404) throw new ModelPullError(`${name} not found on the hub (404)`, { details: url });
  if (!res.ok || !res.body)
    throw new ModelPullError(`the hub answered ${res.status} for ${name}`, { details: url });
  const linked = res.headers.get("x-linked-etag")?.replace(/"/g, "") ?? null;
  const linkedHash = linked && /^[0-9a-f]{64}$/.test(linked) ? linked : null;
  const resuming = res.status === 206 && have > 0;
  const offset = resuming ? have : 0;
  const length = Number(res.headers.get("content-length") ?? Number.NaN);
  const total = Number.isFinite(length) ? offset + length : null;
  const out = createWriteStream(part, { flags: resuming ? "a" : "w" });
  let received = offset;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      received += chunk.length;
      opts.onProgress?.({ file: name, received, total, done: false });
    }
  } catch {
    await new Promise<void>((r) => out.end(() => r()));
    return { complete: false, linkedHash };
  }
  await new Promise<void>((r) => out.end(() => r()));
  if (total !== null && received < total) return { complete: false, linkedHash };
  opts.onProgress?.({ file: name, received, total, done: true });
  return { complete: true, linkedHash };
}

async function downloadFile(
  base: string,
  repo: string,
  revision: string,
  file: RemoteFile,
  dir: string,
  opts: PullOptions,
): Promise<{ sha256: string; resumed: boolean }> {
  const target = join(dir, file.name);
  const part = `${target}.part`;
  mkdirSync(dirname(target), { recursive: true });
  const resumed = existsSync(part) && statSync(part).size > 0;
  const url = `${base}/${repo}/resolve/${encodeURIComponent(revision)}/${file.name}`;
  const attempts = opts.attempts ?? 4;
  let linkedHash: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const r = await fetchInto(url, part, file.name, opts);
    linkedHash ??= r.linkedHash;
    if (r.complete) break;
    if (attempt >= attempts)
      throw new ModelPullError(`download of ${file.name} kept failing`, {
        details: `${attempts} attempts; run the same command again to resume`,
      });
    opts.onNote?.(`${file.name}: connection dropped, resuming (attempt ${attempt + 1}/${attempts})`);
  }
  const want = opts.pins?.[file.name] ?? file.sha256 ?? linkedHash;
  const got = await sha256File(part);
  if (want && got !== want) {
    rmSync(part, { force: true });
    throw new ModelPullError(`sha256 mismatch for ${file.name}`, {
      details: `got ${got}, want ${want}; the partial file was removed, run the command again`,
    });
  }
  if (!want) opts.onNote?.(`${file.name}: the hub lists no sha256 and none is pinned; recorded ${got}`);
  renameSync(part, target);
  return { sha256: got, resumed };
}

/**
 * Downloads a cross-encoder repository and writes its manifest.
 *
 * @example
 * const r = await pullModel({ repo: "cross-encoder/ms-marco-MiniLM-L-6-v2", revision: "main" });
 * r.dir; // ~/.poq/models/cross-encoder/ms-marco-MiniLM-L-6-v2
 */
export async function pullModel(opts: PullOptions): Promise<PullResult> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(opts.repo) || opts.repo.includes(".."))
    throw new ModelPullError(`invalid repository "${opts.repo}"`, { details: "expected owner/name" });
  const base = hubBase(opts);
  const revision = opts.revision ?? "main";
  const dir = opts.dest ?? join(pulledModelsDir(opts.home), opts.repo);
  const files = chooseFiles(await listRepo(base, opts.repo, revision));
  mkdirSync(dir, { recursive: true });
  const done: Array<{ name: string; sha256: string; bytes: number }> = [];
  const resumed: string[] = [];
  for (const f of files) {
    const r = await downloadFile(base, opts.repo, revision, f, dir, opts);
    if (r.resumed) resumed.push(f.name);
    done.push({ name: f.name, sha256: r.sha256, bytes: statSync(join(dir, f.name)).size });
  }
  const manifest = crossEncoderManifest(opts.repo, `${base}/${opts.repo}@${revision}`, dir, done);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return { dir, manifest, resumed };
}

function crossEncoderManifest(
  repo: string,
  source: string,
  dir: string,
  files: Array<{ name: string; sha256: string; bytes: number }>,
): ModelManifest {
  let maxTokens = 512;
  try {
    const cfg = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")) as {
      model_max_length?: number;
    };
    if (typeof cfg.model_max_length === "number" && cfg.model_max_length >= 8)
      maxTokens = Math.min(512, cfg.model_max_length);
  } catch {
    maxTokens = 512;
  }
  const list: ModelFile[] = files
    .filter((f) => f.name.endsWith(".onnx") || f.name === "tokenizer.json")
    .map((f) => ({
      path: f.name,
      sha256: f.sha256,
      bytes: f.bytes,
      role: f.name.endsWith(".onnx") ? "model" : "tokenizer",
    }));
  return {
    schema: 1,
    id: repo,
    kind: "cross-encoder",
    description: `Hugging Face cross-encoder ${repo}: one pass over [CLS] prompt [SEP] response [SEP], score = sigmoid(logit) times the lazy-v1 features.`,
    license: "see the model card of the repository",
    maxTokens,
    output: "logits",
    files: list,
    scoring: { output: "sigmoid", logitIndex: 0, offset: 0, temperature: 1, features: "lazy-v1" },
    provenance: { source, command: `poq models pull ${repo}` },
  };
}
