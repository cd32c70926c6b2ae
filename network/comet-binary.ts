/**
 * Finds the pinned CometBFT binary: the one named by `POQ_COMETBFT`, else the one `scripts/setup.mjs`
 * recorded in `.tools/env.json` (or installed into `.tools/bin`), else `cometbft` on PATH, and checks that it is exactly the pinned version
 * (CometBFT minor releases change the ABCI protocol; a patch mismatch is refused too, so every node of a
 * network runs the same consensus code).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseError } from "../app/errors.js";

/** The CometBFT release this project is built and tested against. */
export const COMETBFT_VERSION = "0.38.26";

/** No usable CometBFT binary, or one of the wrong version. */
export class CometBinaryError extends BaseError {
  override name = "CometBinaryError" as const;
}

export interface ResolveCometBinaryOptions {
  /** Environment to read `POQ_COMETBFT` and `PATH` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Repository root holding `.tools/env.json`. Default: found from this module's location. */
  projectRoot?: string;
  /** Version to require. Default {@link COMETBFT_VERSION}. */
  version?: string;
}

/**
 * The version a binary reports (`cometbft version`), or `undefined` when it does not run.
 *
 * @example
 * cometVersion("/usr/local/bin/cometbft"); // "0.38.26"
 */
export function cometVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ["version"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The repository root: the nearest ancestor of this module with a package.json named "poq". */
export function findProjectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "poq")
      return dir;
    if (dirname(dir) === dir) throw new CometBinaryError("cannot find the project root", { details: from });
  }
}

function fromToolsEnv(root: string): string | undefined {
  const file = join(root, ".tools", "env.json");
  if (!existsSync(file)) return undefined;
  const recorded = (JSON.parse(readFileSync(file, "utf8")) as { cometbft?: unknown }).cometbft;
  return typeof recorded === "string" ? resolve(root, recorded) : undefined;
}

function fromPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, "cometbft"))) return join(dir, "cometbft");
  }
  return undefined;
}

const resolved = new Map<string, string>();

/**
 * The path of a CometBFT binary of the pinned version. An explicit `POQ_COMETBFT` of another version is an
 * error (it was asked for by name); the other sources are skipped when their version differs.
 *
 * @example
 * const bin = resolveCometBinary(); // "/repo/.tools/bin/cometbft"
 */
export function resolveCometBinary(opts: ResolveCometBinaryOptions = {}): string {
  const env = opts.env ?? process.env;
  const want = opts.version ?? COMETBFT_VERSION;
  const explicit = env.POQ_COMETBFT;
  const cacheKey = `${explicit ?? ""}|${opts.projectRoot ?? ""}|${env.PATH ?? ""}|${want}`;
  const cached = resolved.get(cacheKey);
  if (cached !== undefined) return cached;

  if (explicit) {
    const got = cometVersion(explicit);
    if (got !== want) {
      throw new CometBinaryError(`POQ_COMETBFT does not point at CometBFT v${want}`, {
        details: `${explicit} reports ${got ?? "nothing (does it run?)"}`,
      });
    }
    resolved.set(cacheKey, explicit);
    return explicit;
  }
  const tried: string[] = [];
  const root = opts.projectRoot ?? findProjectRoot();
  // `.tools/bin` is where setup installs it; looked at directly in case env.json was not written yet.
  for (const candidate of [fromToolsEnv(root), join(root, ".tools", "bin", "cometbft"), fromPath(env)]) {
    if (candidate === undefined || !existsSync(candidate)) continue;
    const got = cometVersion(candidate);
    if (got === want) {
      resolved.set(cacheKey, candidate);
      return candidate;
    }
    tried.push(`${candidate} (${got ?? "does not run"})`);
  }
  throw new CometBinaryError(`CometBFT v${want} not found`, {
    details:
      (tried.length > 0 ? `tried ${tried.join(", ")}; ` : "") +
      "run `npm run setup` (installs it into .tools/bin), or set POQ_COMETBFT=/path/to/cometbft",
  });
}
