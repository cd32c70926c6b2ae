#!/usr/bin/env node
// Runs the compiled tests with node's test runner.
// Unit tests (`*.test.js`, not `*.e2e.test.js`) run two files at a time; the end-to-end tests, which
// start real CometBFT processes and bind fixed port ranges, run one file at a time after them.
// Usage: run-tests.mjs [--unit | --e2e] [substring filter...]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const args = process.argv.slice(2);
const only = args.includes("--unit") ? "unit" : args.includes("--e2e") ? "e2e" : "all";
const filters = args.filter((a) => !a.startsWith("--"));

function collect(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) collect(p, out);
    else if (entry.name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const files = collect(dist)
  .filter((f) => filters.length === 0 || filters.some((s) => relative(dist, f).includes(s)))
  .sort();
const e2e = files.filter((f) => f.endsWith(".e2e.test.js"));
const unit = files.filter((f) => !f.endsWith(".e2e.test.js"));

function run(list, concurrency) {
  if (list.length === 0) return 0;
  const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...list], {
    stdio: "inherit",
    cwd: root,
  });
  return r.status ?? 1;
}

let status = 0;
if (only !== "e2e") status ||= run(unit, 2);
if (only !== "unit") status ||= run(e2e, 1);
if (files.length === 0) {
  process.stderr.write("no test files found under dist/ (did the build run?)\n");
  status = 1;
}
process.exit(status);
