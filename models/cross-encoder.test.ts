import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildTinyCrossEncoder } from "../test/fixtures/onnx/tiny-cross-encoder.js";
import { createEvaluator, type Evaluator } from "./evaluator.js";
import { bundledModelsDir, sha256File } from "./manifest.js";
import { loadTokenizer } from "./tokenize.js";

// A Hugging Face cross-encoder layout (model.onnx + tokenizer.json) built by the test, scored through
// the same createEvaluator path as the default bi-encoder.
let dir: string;
let ev: Evaluator;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "poq-xenc-"));
  const tokPath = join(bundledModelsDir(), "all-minilm-l6-v2", "tokenizer.json");
  copyFileSync(tokPath, join(dir, "tokenizer.json"));
  const tok = loadTokenizer(tokPath);
  const paris = tok.encodeSingle("paris", 8).ids[1] as number;
  writeFileSync(join(dir, "model.onnx"), buildTinyCrossEncoder(30522, new Map([[paris, 4]]), -2));
  const manifest = {
    schema: 1,
    id: "test/tiny-cross-encoder",
    kind: "cross-encoder",
    license: "Apache-2.0",
    maxTokens: 32,
    output: "logits",
    files: [
      { path: "model.onnx", sha256: await sha256File(join(dir, "model.onnx")), bytes: 0, role: "model" },
      {
        path: "tokenizer.json",
        sha256: await sha256File(join(dir, "tokenizer.json")),
        bytes: 0,
        role: "tokenizer",
      },
    ],
    scoring: { output: "sigmoid", logitIndex: 0, offset: 0, temperature: 1, features: "none" },
    provenance: { source: "built by models/cross-encoder.test.ts" },
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  ev = await createEvaluator({ modelDir: dir, threads: 1, maxBatch: 4 });
});

after(async () => {
  await ev?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sigmoidBp = (x: number) => Math.round(10000 / (1 + Math.exp(-x)));

test("cross-encoder: the logit counts only response tokens (segment B), mapped by sigmoid", async () => {
  assert.equal(ev.manifest.kind, "cross-encoder");
  // "paris" in the response: logit = 4 - 2 = 2.
  assert.equal(await ev.score("What is the capital of France?", "It is Paris."), sigmoidBp(2));
  // "paris" only in the prompt (segment A): logit = -2.
  assert.equal(await ev.score("Is Paris in France?", "Yes, it is."), sigmoidBp(-2));
  // twice in the response: 8 - 2 = 6.
  assert.equal(await ev.score("Capital?", "Paris, Paris."), sigmoidBp(6));
});

test("cross-encoder: dynamic batches of different lengths give the same scores as single calls", async () => {
  const pairs = [
    { prompt: "Capital of France?", response: "Paris." },
    {
      prompt: "Capital of France, the country in western Europe?",
      response: "It is Paris, on the Seine river, of course.",
    },
    { prompt: "Where?", response: "Nowhere in particular, I think." },
    { prompt: "x", response: "paris paris paris" },
    { prompt: "y", response: "london" },
  ];
  const batch = await ev.scoreBatch(pairs);
  const singles = [];
  for (const p of pairs) singles.push(await ev.score(p.prompt, p.response));
  assert.deepEqual(batch, singles);
  assert.deepEqual(batch, [sigmoidBp(2), sigmoidBp(2), sigmoidBp(-2), sigmoidBp(10), sigmoidBp(-2)]);
});

test("cross-encoder: a long response is cut at its tail, the prompt keeps its head", async () => {
  // maxTokens 32: "paris" placed after ~40 filler words in the response is cut away.
  const filler = Array.from({ length: 40 }, () => "word").join(" ");
  assert.equal(await ev.score("Capital?", `${filler} paris`), sigmoidBp(-2));
  assert.equal(await ev.score("Capital?", `paris ${filler}`), sigmoidBp(2));
});

test("peer mode: the agreement pass scales the single score; empty peers are skipped, at most maxPeers read", async () => {
  // The same tiny model with a peer head on logit 0: each (prompt, peer, response) pass gives sigmoid of
  // its segment-B logit, and the response is segment B, so agreement = sigmoid(single logit) here.
  const peerDir = mkdtempSync(join(tmpdir(), "poq-xenc-peer-"));
  copyFileSync(join(dir, "model.onnx"), join(peerDir, "model.onnx"));
  copyFileSync(join(dir, "tokenizer.json"), join(peerDir, "tokenizer.json"));
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { scoring: object };
  m.scoring = {
    ...m.scoring,
    peer: { logitIndex: 0, offset: 0, temperature: 1, floor: 0.25, maxPeers: 2 },
  };
  writeFileSync(join(peerDir, "manifest.json"), JSON.stringify(m));
  const pev = await createEvaluator({ modelDir: peerDir, threads: 1, maxBatch: 4 });
  try {
    const s = 1 / (1 + Math.exp(-2)); // "It is Paris." -> logit 2
    const peered = Math.round(10000 * s * (0.25 + 0.75 * s));
    const [d] = await pev.explainBatch([
      { prompt: "Capital of France?", response: "It is Paris.", peers: ["Paris.", " ", "Lyon?", "x"] },
    ]);
    assert.ok(d);
    assert.equal(d.score, peered);
    assert.ok(Math.abs((d.agreement ?? 0) - s) < 1e-6);
    // Without peers (or only empty ones) the score is the single one and agreement is null.
    const [plain, blank] = await pev.explainBatch([
      { prompt: "Capital of France?", response: "It is Paris." },
      { prompt: "Capital of France?", response: "It is Paris.", peers: ["", "  "] },
    ]);
    assert.equal(plain?.score, sigmoidBp(2));
    assert.equal(plain?.agreement, null);
    assert.equal(blank?.score, sigmoidBp(2));
    // score() takes peers too; a model without a peer head ignores them.
    assert.equal(await pev.score("Capital of France?", "It is Paris.", ["Paris."]), peered);
    assert.equal(await ev.score("Capital of France?", "It is Paris.", ["Paris."]), sigmoidBp(2));
    await assert.rejects(
      pev.explainBatch([{ prompt: "p", response: "r", peers: [1 as unknown as string] }]),
      /peers must be an array of strings/,
    );
  } finally {
    await pev.close();
    rmSync(peerDir, { recursive: true, force: true });
  }
});
