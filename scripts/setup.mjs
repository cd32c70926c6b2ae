#!/usr/bin/env node
// Idempotent set-up: what `npm test` and `npm run devnet` run first.
// Installs node modules when missing, builds the TypeScript, installs the pinned CometBFT into
// `.tools/bin`, produces the default evaluator model, and (with --tests) makes sure the Chromium the
// browser test drives is there (apt-get when root, else the exact command) and installs the pinned
// schemathesis the REST fuzz test runs into `.tools/schemathesis`. Each step checks before
// it acts, so a second run with nothing missing takes well under a second or two.
import { spawnSync, spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { npmCiEnv } from "./npm-env.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const COMETBFT_VERSION = "0.38.26";
const toolsBin = join(root, ".tools", "bin");
const quiet = process.argv.includes("--quiet");

function log(msg) {
  if (!quiet) process.stderr.write(`[setup] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`[setup] error: ${msg}\n`);
  process.exit(1);
}

/** Runs a command, streaming its output, and shows elapsed seconds while it works. */
function runWithProgress(label, cmd, args, opts = {}) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    log(`${label} ...`);
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], ...opts });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setInterval(() => {
      log(`${label}: ${Math.round((Date.now() - started) / 1000)}s elapsed`);
    }, 15_000);
    child.on("close", (code) => {
      clearInterval(timer);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) log(`${label}: done in ${secs}s`);
      else process.stderr.write(output);
      resolvePromise(code ?? 1);
    });
  });
}

function newestMtime(dir, filter) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

async function ensureNodeModules() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  // A linked node_modules (a second checkout sharing the first one's) is not ours to reinstall:
  // npm ci would empty the folder it points to, under every checkout that uses it.
  if (existsSync(marker) && lstatSync(join(root, "node_modules")).isSymbolicLink()) {
    log("node_modules is a link to another checkout's; not reinstalling it (run npm ci there if stale)");
    return;
  }
  const code = await runWithProgress(
    "installing node modules (npm ci)",
    "npm",
    ["ci", "--no-audit", "--no-fund"],
    {
      env: npmCiEnv(),
    },
  );
  if (code !== 0)
    fail(
      "npm ci failed; see the output above. To install by hand: ONNXRUNTIME_NODE_INSTALL=skip npm ci " +
        "(without it onnxruntime-node's install script downloads CUDA libraries, and fails offline)",
    );
}

async function ensureBuild() {
  const stamp = join(root, "dist", ".build-stamp");
  const sources = [
    "app",
    "abci",
    "proto",
    "cli",
    "models",
    "test",
    "validator",
    "inference",
    "rest",
    "client",
    "network",
    "bench",
  ];
  let newest = statSync(join(root, "tsconfig.json")).mtimeMs;
  for (const s of sources)
    newest = Math.max(
      newest,
      newestMtime(join(root, s), (n) => /\.(ts|js|json)$/.test(n)),
    );
  const generatedInDist = existsSync(join(root, "dist", "proto", "gen", "tendermint.js"));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest && generatedInDist) return;
  const code = await runWithProgress("building TypeScript (tsc)", "npx", ["tsc", "-p", "tsconfig.json"]);
  if (code !== 0) fail("the TypeScript build failed; see the errors above");
  // tsc emits only what it compiles: the generated protobuf module (JavaScript + .d.ts) is copied beside it.
  const copied = spawnSync(process.execPath, [join(root, "scripts", "proto-gen.mjs"), "--dist"], {
    stdio: "inherit",
  });
  if (copied.status !== 0) fail("copying the generated protobuf code into dist/ failed");
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
}

function cometbftVersion(bin) {
  const r = spawnSync(bin, ["version"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return r.stdout.trim();
}

async function ensureCometbft() {
  const candidates = [];
  if (process.env.POQ_COMETBFT) candidates.push(process.env.POQ_COMETBFT);
  candidates.push(join(toolsBin, "cometbft"));
  const onPath = spawnSync("sh", ["-c", "command -v cometbft"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim()) candidates.push(onPath.stdout.trim());
  for (const bin of candidates) {
    if (!existsSync(bin)) continue;
    const v = cometbftVersion(bin);
    if (v === COMETBFT_VERSION) {
      writeToolsEnv({ cometbft: bin });
      return;
    }
    log(`ignoring ${bin}: version ${v ?? "unknown"}, want ${COMETBFT_VERSION}`);
  }
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0) {
    fail(
      `CometBFT v${COMETBFT_VERSION} is needed and neither a matching binary nor Go was found.\n` +
        `  Install Go (>= 1.22, https://go.dev/doc/install) and run npm test again, or\n` +
        `  put cometbft v${COMETBFT_VERSION} on PATH, or set POQ_COMETBFT=/path/to/cometbft.`,
    );
  }
  mkdirSync(toolsBin, { recursive: true });
  const code = await runWithProgress(
    `installing CometBFT v${COMETBFT_VERSION} with go install (first time only, a few minutes)`,
    "go",
    ["install", `github.com/cometbft/cometbft/cmd/cometbft@v${COMETBFT_VERSION}`],
    { env: { ...process.env, GOBIN: toolsBin }, cwd: "/" },
  );
  if (code !== 0) fail("go install of CometBFT failed; see the output above");
  const bin = join(toolsBin, "cometbft");
  const v = cometbftVersion(bin);
  if (v !== COMETBFT_VERSION) fail(`installed cometbft reports version ${v}, want ${COMETBFT_VERSION}`);
  writeToolsEnv({ cometbft: bin });
}

function writeToolsEnv(patch) {
  const file = join(root, ".tools", "env.json");
  mkdirSync(dirname(file), { recursive: true });
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    current = {};
  }
  writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2) + "\n");
}

async function ensureEvaluatorModel() {
  const script = join(root, "scripts", "ensure-model.mjs");
  if (!existsSync(script)) return;
  const r = spawnSync(process.execPath, [script], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) fail("preparing the default evaluator model failed; see the output above");
}

/** The Chromium the browser test drives: `POQ_CHROMIUM`, else Debian's /usr/bin/chromium. */
function chromiumPath() {
  return process.env.POQ_CHROMIUM || "/usr/bin/chromium";
}

// Only `npm test` needs a browser (the web page's end-to-end test); `npm run devnet` does not.
async function ensureBrowser() {
  const bin = chromiumPath();
  if (existsSync(bin)) return;
  const install = "apt-get update && apt-get install -y chromium";
  const how =
    `  Install it with:  sudo sh -c '${install}'   (Debian/Ubuntu; other systems: their chromium package)\n` +
    `  or point POQ_CHROMIUM at a Chromium or Chrome binary, then run npm test again.`;
  if (process.env.POQ_CHROMIUM) fail(`POQ_CHROMIUM is ${bin}, which does not exist.\n${how}`);
  const isRoot = process.getuid?.() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
  if (!isRoot || !apt) {
    fail(
      `the browser test needs Chromium at ${bin} (${isRoot ? "no apt-get here" : "not root, so not installing it"}).\n${how}`,
    );
  }
  const code = await runWithProgress(
    "installing Chromium for the browser test with apt-get (first time only)",
    "sh",
    ["-c", install],
    { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
  );
  if (code !== 0 || !existsSync(bin)) fail(`installing Chromium failed; see the output above.\n${how}`);
}

export const SCHEMATHESIS_VERSION = "4.32.5";

/**
 * The REST fuzz test drives schemathesis (PyPI) against the OpenAPI document; it lives in its own
 * virtual environment under .tools/, pinned, and is installed once.
 */
async function ensureSchemathesis() {
  const venv = join(root, ".tools", "schemathesis");
  const bin = join(venv, "bin", "schemathesis");
  const version = () =>
    spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.match(/version ([\d.]+)/)?.[1];
  if (existsSync(bin) && version() === SCHEMATHESIS_VERSION) return writeToolsEnv({ schemathesis: bin });
  const python = process.env.POQ_PYTHON || "python3";
  const how =
    `  The REST fuzz test needs Python 3 with venv and pip (Debian: apt-get install python3-venv),\n` +
    `  or name a Python that has them in POQ_PYTHON, then run npm test again.`;
  const makeVenv = () => spawnSync(python, ["-m", "venv", "--clear", venv], { stdio: "ignore" }).status === 0;
  if (!makeVenv()) {
    // Debian ships venv (with ensurepip) apart from python3: install it as the browser is installed.
    const isRoot = process.getuid?.() === 0;
    const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
    if (!isRoot || !apt || process.env.POQ_PYTHON)
      fail(`could not make a Python virtual environment in ${venv}.\n${how}`);
    const minor = spawnSync(
      python,
      ["-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
      {
        encoding: "utf8",
      },
    ).stdout.trim();
    const code = await runWithProgress(
      "installing python3-venv for the REST fuzz test with apt-get (first time only)",
      "sh",
      ["-c", `apt-get update && (apt-get install -y python${minor}-venv || apt-get install -y python3-venv)`],
      { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
    );
    if (code !== 0 || !makeVenv()) fail(`could not make a Python virtual environment in ${venv}.\n${how}`);
  }
  const code = await runWithProgress(
    `installing schemathesis ${SCHEMATHESIS_VERSION} for the REST fuzz test (first time only)`,
    join(venv, "bin", "python"),
    ["-m", "pip", "install", "--disable-pip-version-check", "-q", `schemathesis==${SCHEMATHESIS_VERSION}`],
  );
  if (code !== 0 || version() !== SCHEMATHESIS_VERSION)
    fail(`installing schemathesis failed; see the output above.\n${how}`);
  writeToolsEnv({ schemathesis: bin });
}

await ensureNodeModules();
await ensureBuild();
await ensureCometbft();
await ensureEvaluatorModel();
if (process.argv.includes("--tests")) {
  await ensureBrowser();
  await ensureSchemathesis();
}
log("ready");
