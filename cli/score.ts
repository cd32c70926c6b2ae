/**
 * `poq score`: scores (prompt, response) pairs with the local evaluator.
 *
 * - `--prompt P --response R [--peer A --peer B]` prints `{"score": N}`; each `--peer` is another
 *   independent answer to the same prompt (peer mode: the score also weighs agreement with them).
 * - `--file pairs.jsonl` (or `-` for stdin) prints one line per input line, in order: `{"score": N}`,
 *   or `{"error": "...", "line": N}` for a line that is not valid UTF-8, not JSON, or lacks a string
 *   `prompt`/`response` (or whose prompt is empty), or whose `peers` is not an array of strings (the same
 *   error also goes to stderr with its line number). Output therefore stays aligned with the input. The
 *   exit code follows the README's table: 2 (bad input) when any line is malformed, else 1 when the
 *   evaluator failed on a line, else 0. A final empty line (the newline that ends the file) is not a line.
 * - `--prompt ""` is bad input too (exit 2).
 * - A missing or mismatched model is one clear error on stderr and exit code 2.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { createEvaluator, type Evaluator, type ScorePair } from "../models/evaluator.js";
import { DEFAULT_MODEL_ID } from "../models/manifest.js";
import { EXIT } from "./exit-codes.js";
import { globalOptions } from "./global-options.js";

/** Where a command writes (tests pass buffers). */
export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr };

/** Pairs scored per inference call while reading a file (bounds memory for large files). */
const FILE_CHUNK = 64;

type Parsed =
  { readonly line: number; readonly pair: ScorePair } | { readonly line: number; readonly error: string };

/** Splits a JSONL buffer into lines and checks each, without stopping at a bad one. */
export function parsePairsFile(buf: Uint8Array): Parsed[] {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const out: Parsed[] = [];
  let start = 0;
  let line = 0;
  while (start <= buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    line++;
    const raw = buf.subarray(start, end > start && buf[end - 1] === 0x0d ? end - 1 : end);
    const last = end === buf.length;
    start = end + 1;
    if (last && raw.length === 0) break;
    out.push(parseLine(raw, line, decoder));
  }
  return out;
}

function parseLine(raw: Uint8Array, line: number, decoder: TextDecoder): Parsed {
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    return { line, error: "not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, error: "not valid JSON" };
  }
  const v = value as { prompt?: unknown; response?: unknown; peers?: unknown } | null;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    return { line, error: "expected a JSON object" };
  if (typeof v.prompt !== "string") return { line, error: 'missing string field "prompt"' };
  if (typeof v.response !== "string") return { line, error: 'missing string field "response"' };
  if (v.prompt.trim() === "") return { line, error: "the prompt is empty" };
  if (v.peers === undefined) return { line, pair: { prompt: v.prompt, response: v.response } };
  if (!Array.isArray(v.peers) || v.peers.some((x) => typeof x !== "string"))
    return { line, error: '"peers" must be an array of strings' };
  return { line, pair: { prompt: v.prompt, response: v.response, peers: v.peers as string[] } };
}

/**
 * Scores parsed lines in chunks; a chunk that fails is retried line by line so errors stay per line.
 * Returns the exit code: 2 when a line was malformed (bad input), 1 when the evaluator failed on one.
 */
async function scoreLines(ev: Evaluator, lines: readonly Parsed[], io: CliIO): Promise<number> {
  const code = lines.some((p) => "error" in p) ? EXIT.usage : EXIT.ok;
  let failed = false;
  const emit = (p: Parsed, score: number | null, error: string | null) => {
    if (error !== null) {
      if ("pair" in p) failed = true;
      io.stderr.write(`line ${p.line}: ${error}\n`);
      io.stdout.write(`{"error": ${JSON.stringify(error)}, "line": ${p.line}}\n`);
    } else io.stdout.write(`{"score": ${score}}\n`);
  };
  for (let i = 0; i < lines.length; i += FILE_CHUNK) {
    const chunk = lines.slice(i, i + FILE_CHUNK);
    const good = chunk.filter((p): p is Extract<Parsed, { pair: ScorePair }> => "pair" in p);
    let scores: Map<number, number | string>;
    try {
      const s = await ev.scoreBatch(good.map((g) => g.pair));
      scores = new Map(good.map((g, k) => [g.line, s[k] as number]));
    } catch {
      scores = new Map();
      for (const g of good) {
        try {
          scores.set(g.line, await ev.score(g.pair.prompt, g.pair.response, g.pair.peers));
        } catch (e) {
          scores.set(g.line, (e as Error).message);
        }
      }
    }
    for (const p of chunk) {
      if ("error" in p) emit(p, null, p.error);
      else {
        const s = scores.get(p.line);
        if (typeof s === "number") emit(p, s, null);
        else emit(p, null, s ?? "not scored");
      }
    }
  }
  return code !== EXIT.ok ? code : failed ? EXIT.failure : EXIT.ok;
}

/**
 * The `poq score` command.
 *
 * @example
 * await scoreCommand().parseAsync(["--prompt", "2+2?", "--response", "2 + 2 = 4."], { from: "user" });
 */
export function scoreCommand(io: CliIO = processIO): Command {
  return new Command("score")
    .description("score (prompt, response) pairs with the local quality evaluator, in basis points 0..10000")
    .option("--prompt <text>", "the prompt")
    .option("--response <text>", "the response to judge")
    .option(
      "--peer <text>",
      "another independent answer to the same prompt (repeatable): peer mode",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--file <path>", 'JSONL file of {"prompt", "response", "peers"?} lines, or - for stdin')
    .option("--model <id>", "bundled or pulled model id", DEFAULT_MODEL_ID)
    .option("--model-dir <dir>", "a model directory with manifest.json (wins over --model)")
    .option("--threads <n>", "onnxruntime intra-op threads", (v) => Number.parseInt(v, 10), 1)
    .option("--max-batch <n>", "pairs per inference batch", (v) => Number.parseInt(v, 10), 16)
    .action(async function (this: Command) {
      const o = this.opts<{
        prompt?: string;
        response?: string;
        peer: string[];
        file?: string;
        model: string;
        modelDir?: string;
        threads: number;
        maxBatch: number;
      }>();
      const single = o.prompt !== undefined || o.response !== undefined;
      if (
        single === (o.file !== undefined) ||
        (single && (o.prompt === undefined || o.response === undefined)) ||
        (!single && o.peer.length > 0)
      ) {
        io.stderr.write(
          "poq score: give either --prompt and --response (and any --peer), or --file (peers go in its lines)\n",
        );
        process.exitCode = 2;
        return;
      }
      let input: Uint8Array | null = null;
      if (o.file !== undefined) {
        try {
          input = readFileSync(o.file === "-" ? 0 : o.file);
        } catch (e) {
          io.stderr.write(`poq score: cannot read ${o.file}: ${(e as Error).message}\n`);
          process.exitCode = 2;
          return;
        }
      }
      let ev: Evaluator;
      try {
        ev = await createEvaluator({
          ...(o.modelDir !== undefined ? { modelDir: o.modelDir } : { modelId: o.model }),
          home: globalOptions(this).home,
          threads: o.threads,
          maxBatch: o.maxBatch,
        });
      } catch (e) {
        io.stderr.write(`poq score: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      try {
        if (input === null) {
          if ((o.prompt as string).trim() === "") {
            io.stderr.write("poq score: the prompt is empty\n");
            process.exitCode = EXIT.usage;
            return;
          }
          try {
            const score = await ev.score(o.prompt as string, o.response as string, o.peer);
            io.stdout.write(`{"score": ${score}}\n`);
          } catch (e) {
            io.stderr.write(`poq score: ${(e as Error).message}\n`);
            process.exitCode = 1;
          }
        } else {
          const code = await scoreLines(ev, parsePairsFile(input), io);
          if (code !== EXIT.ok) process.exitCode = code;
        }
      } finally {
        await ev.close();
      }
    });
}
