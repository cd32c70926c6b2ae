#!/usr/bin/env node
// Reproduces the choice of the default evaluator's layers (models/README.md): builds every subset of
// N of all-MiniLM-L6-v2's six encoder layers with `convert-minilm.py --layers` into
// .cache/select-layers/, then ranks them by how closely their cosines follow the full model's
// (dist/bench/model-agreement.js: Spearman's rho over the dev set's pairs, no labels used).
//
// Usage: node scripts/select-layers.mjs [--size 3]     (needs `npm run build`; about 30 s)
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".cache", "select-layers");
const at = process.argv.indexOf("--size");
const size = at > 0 ? Number(process.argv[at + 1]) : 3;
if (!Number.isInteger(size) || size < 1 || size > 6) {
  process.stderr.write("--size must be 1..6\n");
  process.exit(2);
}

/** Every increasing k-subset of 0..n-1. */
function subsets(n, k, from = 0) {
  if (k === 0) return [[]];
  const all = [];
  for (let i = from; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) all.push([i, ...rest]);
  return all;
}

const all = subsets(6, size);
process.stderr.write(`[select-layers] building ${all.length} subsets of ${size} layers\n`);
const built = spawnSync(
  "python3",
  [
    join(root, "scripts", "convert-minilm.py"),
    ...all.flatMap((l) => ["--layers", l.join(",")]),
    "--out",
    out,
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
if (built.status !== 0) process.exit(1);
const dirs = all.map((layers) => join(out, `minilm-layers-${layers.join("-")}`));
const agreement = spawnSync(
  process.execPath,
  [
    join(root, "dist", "bench", "model-agreement.js"),
    "--reference",
    join(root, "models", "all-minilm-l6-v2"),
    ...dirs,
  ],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (agreement.status !== 0) process.exit(1);
const rows = agreement.stdout
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line))
  .slice(1) // the reference itself
  .sort((a, b) => b.spearman - a.spearman);
process.stdout.write("layers        rho     raw AUC: overall off-topic filler refusal\n");
for (const r of rows) {
  const name = r.model.replace(/.*minilm-layers-/, "").replaceAll("-", ",");
  const a = r.rawAuc;
  process.stdout.write(
    `${name.padEnd(12)}  ${r.spearman.toFixed(4)}  ${[a.overall, a["off-topic"], a.filler, a.refusal].map((x) => x.toFixed(3)).join("   ")}\n`,
  );
}
