/**
 * `poq models list|pull|verify`: the evaluator's model directories.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { pullModel, type PullProgress } from "../models/hub.js";
import {
  bundledModelsDir,
  checkModelFiles,
  loadManifest,
  pulledModelsDir,
  resolveModelDir,
  DEFAULT_MODEL_ID,
} from "../models/manifest.js";
import { globalOptions } from "./global-options.js";
import type { CliIO } from "./score.js";
import { withPoqCommand } from "./poq-command.js";

const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr };

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** A progress bar on a TTY, a line every 5 s (and at the end of each file) otherwise. */
export function progressPrinter(
  io: CliIO,
  tty: boolean,
  now: () => number = Date.now,
): (p: PullProgress) => void {
  let lastLine = 0;
  return (p) => {
    const pct = p.total ? Math.floor((100 * p.received) / p.total) : null;
    const size = `${mb(p.received)}${p.total ? `/${mb(p.total)}` : ""} MB`;
    if (tty) {
      const width = 30;
      const filled = pct === null ? 0 : Math.round((pct / 100) * width);
      const bar = `[${"#".repeat(filled)}${" ".repeat(width - filled)}]`;
      io.stderr.write(`\r${p.file} ${bar} ${pct ?? "?"}% ${size}${p.done ? "\n" : ""}`);
      return;
    }
    if (p.done || now() - lastLine >= 5000) {
      lastLine = now();
      io.stderr.write(`${p.file}: ${pct === null ? "" : `${pct}% `}${size}${p.done ? " done" : ""}\n`);
    }
  };
}

function parsePins(values: readonly string[]): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const v of values) {
    const [file, sha] = v.split("=");
    if (!file || !sha || !/^[0-9a-f]{64}$/.test(sha))
      throw new Error(`--pin expects FILE=SHA256, got "${v}"`);
    pins[file] = sha;
  }
  return pins;
}

const collect = (v: string, acc: string[]) => [...acc, v];

function listDirs(root: string, depth: number): string[] {
  if (!existsSync(root)) return [];
  if (existsSync(join(root, "manifest.json"))) return [root];
  if (depth === 0) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .flatMap((e) => listDirs(join(root, e.name), depth - 1));
}

/**
 * The `poq models` command group.
 *
 * @example
 * await modelsCommand().parseAsync(["verify"], { from: "user" });
 */
export function modelsCommand(io: CliIO = processIO): Command {
  const cmd = new Command("models").description("the quality evaluator's models: list, pull, verify");

  cmd
    .command("list")
    .description("list bundled and pulled models")
    .action(function (this: Command) {
      const g = globalOptions(this);
      const dirs = [...listDirs(bundledModelsDir(), 1), ...listDirs(pulledModelsDir(g.home), 2)];
      const rows = dirs.map((dir) => {
        try {
          const m = loadManifest(dir);
          return { id: m.id, kind: m.kind, license: m.license, maxTokens: m.maxTokens, dir };
        } catch (e) {
          return { id: dir, error: (e as Error).message, dir };
        }
      });
      if (g.output === "json") io.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      else
        for (const r of rows)
          io.stdout.write(
            "error" in r ? `${r.id}  (bad: ${r.error})\n` : `${r.id}  ${r.kind}  ${r.license}  ${r.dir}\n`,
          );
    });

  cmd
    .command("pull <repo>")
    .description("download a Hugging Face repository's ONNX export and tokenizer (resumable, sha256-checked)")
    .option("--revision <rev>", "branch, tag or commit", "main")
    .option("--hub <url>", "hub base URL (default POQ_HUB_URL or https://huggingface.co)")
    .option("--dir <dir>", "target directory (default <home>/models/<repo>)")
    .option("--pin <file=sha256>", "expected sha256 of a file (repeatable)", collect, [] as string[])
    .action(async function (this: Command, repo: string) {
      const o = this.opts<{ revision: string; hub?: string; dir?: string; pin: string[] }>();
      const g = globalOptions(this);
      try {
        const r = await pullModel({
          repo,
          revision: o.revision,
          home: g.home,
          pins: parsePins(o.pin),
          ...(o.hub !== undefined ? { hub: o.hub } : {}),
          ...(o.dir !== undefined ? { dest: o.dir } : {}),
          onProgress: progressPrinter(
            io,
            Boolean((process.stderr as { isTTY?: boolean }).isTTY) && io === processIO,
          ),
          onNote: (line) => io.stderr.write(`${line}\n`),
        });
        const files = r.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes }));
        if (g.output === "json")
          io.stdout.write(JSON.stringify({ dir: r.dir, id: r.manifest.id, files }, null, 2) + "\n");
        else
          io.stdout.write(
            `pulled ${repo}@${o.revision} into ${r.dir}\n${files.map((f) => `  ${f.sha256}  ${f.path}`).join("\n")}\n`,
          );
      } catch (e) {
        io.stderr.write(`poq models pull: ${withPoqCommand((e as Error).message)}\n`);
        process.exitCode = 1;
      }
    });

  cmd
    .command("verify [model]")
    .description("check a model's files against its manifest and pinned hashes")
    .option("--model-dir <dir>", "a model directory (wins over the id)")
    .option("--pin <file=sha256>", "expected sha256 of a file or role (repeatable)", collect, [] as string[])
    .action(async function (this: Command, model: string | undefined) {
      const o = this.opts<{ modelDir?: string; pin: string[] }>();
      const g = globalOptions(this);
      try {
        const dir = o.modelDir ?? resolveModelDir(model ?? DEFAULT_MODEL_ID, g.home);
        const rows = await checkModelFiles(dir, loadManifest(dir), parsePins(o.pin));
        const ok = rows.every((r) => r.ok);
        if (g.output === "json") io.stdout.write(JSON.stringify({ dir, ok, files: rows }, null, 2) + "\n");
        else
          for (const r of rows)
            io.stdout.write(
              `${r.ok ? "ok  " : "BAD "} ${r.path}  ${r.actual ?? "missing"}${r.ok ? "" : `  (want ${r.expected})`}\n`,
            );
        if (!ok) {
          io.stderr.write(
            `poq models verify: files in ${dir} do not match; restore them (npm run setup for the bundled model) or pull again\n`,
          );
          process.exitCode = 1;
        }
      } catch (e) {
        io.stderr.write(`poq models verify: ${withPoqCommand((e as Error).message)}\n`);
        process.exitCode = 1;
      }
    });
  return cmd;
}
