import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { modelsCommand } from "./models.js";
import { scoreCommand, type CliIO } from "./score.js";

const dir = mkdtempSync(join(tmpdir(), "poq-score-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    out: () => out,
    err: () => err,
  };
}

async function run(
  make: (io: CliIO) => { parseAsync: (a: string[], o: { from: "user" }) => Promise<unknown> },
  args: string[],
) {
  const io = capture();
  const before = process.exitCode;
  process.exitCode = undefined;
  await make(io).parseAsync(args, { from: "user" });
  const code = process.exitCode ?? 0;
  process.exitCode = before;
  return { out: io.out(), err: io.err(), code };
}

test('poq score --prompt --response prints exactly {"score": N}', async () => {
  const r = await run(scoreCommand, [
    "--prompt",
    "Why is the sky blue?",
    "--response",
    "Air scatters blue sunlight more than red light, so the sky looks blue.",
  ]);
  assert.match(r.out, /^\{"score": \d+\}\n$/);
  assert.equal(r.code, 0);
  const score = (JSON.parse(r.out) as { score: number }).score;
  assert.ok(Number.isInteger(score) && score > 3000);
});

test("poq score --file: one line per input line in order; bad lines give an aligned error and exit 2 (bad input)", async () => {
  const file = join(dir, "pairs.jsonl");
  const lines = [
    JSON.stringify({
      prompt: "Why is the sky blue?",
      response: "Air scatters blue sunlight more than red light, so the sky looks blue.",
    }),
    "this is not json",
    JSON.stringify({ prompt: "only a prompt" }),
    JSON.stringify({ prompt: "What is 2+2?", response: "What is 2+2?" }),
    JSON.stringify({ prompt: "", response: "an answer without a question" }),
  ];
  const invalidUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  writeFileSync(file, Buffer.concat([Buffer.from(lines.join("\n") + "\n"), invalidUtf8, Buffer.from("\n")]));
  const r = await run(scoreCommand, ["--file", file]);
  const out = r.out
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { score?: number; error?: string; line?: number });
  assert.equal(out.length, 6);
  assert.ok((out[0]?.score ?? 0) > 3000);
  assert.deepEqual(out[1], { error: "not valid JSON", line: 2 });
  assert.deepEqual(out[2], { error: 'missing string field "response"', line: 3 });
  assert.ok((out[3]?.score ?? 10000) < 1000, "the echoed prompt scores low");
  assert.equal(out[4]?.line, 5);
  assert.deepEqual(out[4], { error: "the prompt is empty", line: 5 });
  assert.deepEqual(out[5], { error: "not valid UTF-8", line: 6 });
  assert.match(r.err, /line 2: not valid JSON/);
  assert.match(r.err, /line 6: not valid UTF-8/);
  assert.equal(r.code, 2, "README: exit code 2 is bad usage or input");
  // Only well-formed lines: exit 0; an empty --prompt is bad input as well.
  writeFileSync(file, lines[0] + "\n" + lines[3] + "\n");
  const good = await run(scoreCommand, ["--file", file]);
  assert.equal(good.code, 0, good.err);
  assert.equal(good.out.trimEnd().split("\n").length, 2);
  const empty = await run(scoreCommand, ["--prompt", " ", "--response", "r"]);
  assert.equal(empty.code, 2);
  assert.match(empty.err, /prompt is empty/);
  assert.equal(empty.out, "");
});

test("poq score: a missing model is a clear error with exit code 2", async () => {
  const r = await run(scoreCommand, [
    "--model-dir",
    join(dir, "nothing"),
    "--prompt",
    "p",
    "--response",
    "r",
  ]);
  assert.equal(r.out, "");
  assert.match(r.err, /no manifest\.json/);
  assert.equal(r.code, 2);
});

test("poq models verify and list: the bundled model matches its manifest", async () => {
  const v = await run(modelsCommand, ["verify"]);
  assert.match(v.out, /^ok {3}model\.onnx/m);
  assert.match(v.out, /^ok {3}tokenizer\.json/m);
  assert.equal(v.code, 0);
  const bad = await run(modelsCommand, ["verify", "--pin", `model.onnx=${"0".repeat(64)}`]);
  assert.match(bad.out, /^BAD  model\.onnx/m);
  assert.equal(bad.code, 1);
  const l = await run(modelsCommand, ["list"]);
  assert.match(l.out, /all-minilm-l6-v2 {2}bi-encoder {2}Apache-2\.0/);
});

test('poq score: "peers" must be an array of strings, and --peer needs --prompt/--response', async () => {
  const file = join(dir, "peers.jsonl");
  writeFileSync(
    file,
    [
      JSON.stringify({ prompt: "What is 2+2?", response: "4", peers: ["2 + 2 = 4.", "Four."] }),
      JSON.stringify({ prompt: "What is 2+2?", response: "4", peers: "Four." }),
      JSON.stringify({ prompt: "What is 2+2?", response: "4", peers: [4] }),
    ].join("\n") + "\n",
  );
  const r = await run(scoreCommand, ["--file", file]);
  const out = r.out.trim().split("\n");
  assert.equal(out.length, 3);
  assert.match(out[0] as string, /^\{"score": \d+\}$/);
  assert.deepEqual(JSON.parse(out[1] as string), { error: '"peers" must be an array of strings', line: 2 });
  assert.deepEqual(JSON.parse(out[2] as string), { error: '"peers" must be an array of strings', line: 3 });
  assert.equal(r.code, 2);
  const bad = await run(scoreCommand, ["--file", file, "--peer", "Four."]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--peer/);
});
