#!/usr/bin/env node
// Runs the compiled tests with node's test runner.
// Unit tests (`*.test.js`, not `*.e2e.test.js`) run two files at a time. The end-to-end tests, which
// start real CometBFT processes on fixed port ranges (each file its own), run after them, two files at
// a time, longest first; the files scripts/e2e-plan.mjs names as solo run alone before the others.
// A file's output is shown whole, in the order the files started: the oldest running file's output
// streams as it comes, the others' is held until it is their turn.
// Every test process gets TMPDIR set to one folder of this run (the tests make their homes, databases
// and keyrings with mkdtemp there, and many leave them behind): it is removed when every test passed,
// and kept, with its path printed, when one failed.
// Usage: run-tests.mjs [--unit | --e2e] [--jobs=N] [substring filter...]
//   --jobs=N (or POQ_E2E_JOBS=N): e2e files at a time (default 2; 1 runs them one after another).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { e2eName, expectedSeconds, planE2e } from "./e2e-plan.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const args = process.argv.slice(2);
const only = args.includes("--unit") ? "unit" : args.includes("--e2e") ? "e2e" : "all";
const filters = args.filter((a) => !a.startsWith("--"));
const jobsArg =
  args.find((a) => a.startsWith("--jobs="))?.slice("--jobs=".length) ?? process.env.POQ_E2E_JOBS;
const jobs = jobsArg === undefined ? 2 : Number(jobsArg);
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write(`--jobs must be a whole number >= 1, got ${jobsArg}\n`);
  process.exit(2);
}
/** A file still running after this long is stopped (its own timeouts should have ended it long before). */
const FILE_LIMIT_MS = 20 * 60_000;

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

/** The run's temporary folder, TMPDIR of every test process. */
const scratch = mkdtempSync(join(tmpdir(), "poq-tests-"));
const testEnv = { ...process.env, TMPDIR: scratch };

const out = (s) => process.stdout.write(s);
const secs = (ms) => (ms / 1000).toFixed(1);

function runUnit(list) {
  if (list.length === 0) return 0;
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...list], {
    stdio: "inherit",
    cwd: root,
    env: testEnv,
  });
  out(`unit: ${list.length} files, ${secs(Date.now() - started)} s\n`);
  return r.status ?? 1;
}

/** Every e2e file started and not yet shown in full, in the order they started. */
const shown = [];
/** Process groups still running, to stop them on Ctrl-C or SIGTERM. */
const groups = new Set();

function stopGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const pid of groups) stopGroup(pid, "SIGTERM");
    setTimeout(() => {
      for (const pid of groups) stopGroup(pid, "SIGKILL");
      process.exit(130);
    }, 5_000).unref();
  });
}

/** Prints what the oldest files have ready: the head of `shown` streams, the rest wait their turn. */
function flush() {
  while (shown.length > 0) {
    const head = shown[0];
    if (head.held.length > 0) out(head.held.splice(0).join(""));
    head.live = true;
    if (head.result === undefined) return;
    const { code, ms, timedOut } = head.result;
    const verdict =
      code === 0 ? "passed" : timedOut ? "STOPPED after the runner's limit" : `FAILED (exit ${code})`;
    out(`── e2e ${head.name}: ${verdict} in ${secs(ms)} s ──\n`);
    shown.shift();
  }
}

/** Runs one e2e file in its own process group; resolves with its result. */
function runFile(file) {
  const name = e2eName(file);
  const started = Date.now();
  const entry = { name, held: [], live: false, result: undefined, counts: {} };
  shown.push(entry);
  const header = `── e2e ${name} (started; about ${expectedSeconds(file)} s alone) ──\n`;
  entry.held.push(header);
  flush();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["--test", "--test-reporter=spec", file], {
      cwd: root,
      env: testEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    groups.add(child.pid);
    let text = "";
    const take = (d) => {
      const s = d.toString();
      text += s;
      if (entry.live) out(s);
      else entry.held.push(s);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      stopGroup(child.pid, "SIGTERM");
      setTimeout(() => stopGroup(child.pid, "SIGKILL"), 10_000).unref();
    }, FILE_LIMIT_MS);
    child.on("close", (code) => {
      clearTimeout(limit);
      groups.delete(child.pid);
      // The spec reporter ends with "ℹ tests N", "ℹ pass N", ... lines.
      for (const m of text.matchAll(/^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm))
        entry.counts[m[1]] = (entry.counts[m[1]] ?? 0) + Number(m[2]);
      entry.result = { code: timedOut ? 1 : (code ?? 1), ms: Date.now() - started, timedOut };
      flush();
      resolvePromise({ name, ...entry.result, counts: entry.counts });
    });
  });
}

/** Runs `list` with at most `width` files at a time, in list order. */
async function pool(list, width) {
  const results = [];
  let next = 0;
  async function lane() {
    while (next < list.length) results.push(await runFile(list[next++]));
  }
  await Promise.all(Array.from({ length: Math.min(width, list.length) }, lane));
  return results;
}

async function runE2e(list) {
  if (list.length === 0) return 0;
  const started = Date.now();
  const { solo, pooled } = planE2e(list);
  const results = [...(await pool(solo, 1)), ...(await pool(pooled, jobs))];
  const total = {};
  for (const r of results) for (const [k, v] of Object.entries(r.counts)) total[k] = (total[k] ?? 0) + v;
  out(`\n── e2e summary: ${results.length} files, ${jobs} at a time (solo: ${solo.length}) ──\n`);
  for (const r of [...results].sort((a, b) => b.ms - a.ms))
    out(`${r.code === 0 ? "pass" : "FAIL"} ${secs(r.ms).padStart(7)} s  ${r.name}\n`);
  const counts = ["tests", "pass", "fail", "cancelled", "skipped", "todo"].map(
    (k) => `${k} ${total[k] ?? 0}`,
  );
  out(`e2e: ${counts.join(", ")}; ${secs(Date.now() - started)} s\n`);
  return results.some((r) => r.code !== 0) ? 1 : 0;
}

let status = 0;
if (only !== "e2e") status ||= runUnit(unit);
if (only !== "unit") status ||= await runE2e(e2e);
if (files.length === 0) {
  process.stderr.write("no test files found under dist/ (did the build run?)\n");
  status = 1;
}
if (status !== 0 && files.length > 0)
  process.stderr.write(`the tests' temporary files are kept in ${scratch}\n`);
else {
  try {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  } catch (err) {
    process.stderr.write(`could not remove ${scratch}: ${err.message}\n`);
  }
}
process.exit(status);
