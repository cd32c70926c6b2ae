import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { EvaluatorError, ModelFilesError } from "./errors.js";
import { createEvaluator, type Evaluator } from "./evaluator.js";
import {
  bundledModelsDir,
  DEFAULT_MODEL_ID,
  loadManifest,
  manifestFile,
  resolveModelDir,
} from "./manifest.js";
import { openSession } from "./session.js";
import { loadTokenizer } from "./tokenize.js";

let ev: Evaluator;
const PROMPT = "Why is the sky blue?";
const GOOD =
  "Sunlight is scattered by the molecules of the air, and short blue wavelengths scatter much more than red ones. " +
  "This Rayleigh scattering sends blue light toward us from every part of the sky.";

before(async () => {
  ev = await createEvaluator({ threads: 1, maxBatch: 8 });
});
after(async () => {
  await ev.close();
});

test("default model: manifest, kind and integer scores in 0..10000", async () => {
  assert.equal(ev.manifest.id, DEFAULT_MODEL_ID);
  assert.equal(ev.manifest.kind, "cross-encoder");
  assert.equal(ev.manifest.license, "Apache-2.0");
  const s = await ev.score(PROMPT, GOOD);
  assert.ok(Number.isInteger(s) && s >= 0 && s <= 10000, String(s));
  assert.ok(s >= 7000, `a good answer scores high, got ${s}`);
});

test("lazy answers score far below the good one (bi-encoder; the judge's own cases are in judge.test.ts)", async () => {
  // The judge scores the short off-topic recipe below at about half the good answer: too short for its
  // topic factor (25 words), a known miss (models/README.md). The bi-encoder's topicality catches it.
  const bi = await createEvaluator({ modelId: "all-minilm-l6-v2-3layer", threads: 1, maxBatch: 8 });
  try {
    const [good, echo, refusal, offTopic] = await bi.scoreBatch([
      { prompt: PROMPT, response: GOOD },
      { prompt: PROMPT, response: PROMPT },
      { prompt: PROMPT, response: "I'm sorry, but I can't help with that request." },
      {
        prompt: PROMPT,
        response: "Rinse the rice, boil it with water for fifteen minutes and let it rest covered.",
      },
    ]);
    for (const lazy of [echo, refusal, offTopic])
      assert.ok((lazy as number) < (good as number) / 3, `${lazy} vs ${good}`);
  } finally {
    await bi.close();
  }
  const [good, echo, refusal] = await ev.scoreBatch([
    { prompt: PROMPT, response: GOOD },
    { prompt: PROMPT, response: PROMPT },
    { prompt: PROMPT, response: "I'm sorry, but I can't help with that request." },
  ]);
  for (const lazy of [echo, refusal])
    assert.ok((lazy as number) < (good as number) / 3, `${lazy} vs ${good}`);
});

test("batching with padding gives the same scores as single calls (within 1 bp)", async () => {
  const pairs = [
    { prompt: PROMPT, response: GOOD },
    { prompt: "What is 2+2?", response: "Two plus two equals four." },
    {
      prompt: "Name a prime number larger than ten.",
      response: "Thirteen is a prime number, since only 1 and 13 divide it.",
    },
  ];
  const batch = await ev.scoreBatch(pairs);
  for (const [i, p] of pairs.entries()) {
    const single = await ev.score(p.prompt, p.response);
    assert.ok(Math.abs(single - (batch[i] as number)) <= 1, `${single} vs ${batch[i]}`);
  }
});

test("an embedding does not depend on its batch: alone vs padded next to a long text (per-row quantization)", async () => {
  const dir = resolveModelDir("all-minilm-l6-v2-3layer");
  const m = loadManifest(dir);
  const tok = loadTokenizer(manifestFile(dir, m, "tokenizer"));
  const session = await openSession(manifestFile(dir, m, "model"), { threads: 1 });
  try {
    const short = tok.encodeSingle(PROMPT, m.maxTokens);
    const long = tok.encodeSingle(GOOD.repeat(4), m.maxTokens);
    assert.ok(long.ids.length > 3 * short.ids.length);
    const [alone] = await session.run([short], m.output, tok.padId);
    const [padded, other] = await session.run([short, long], m.output, tok.padId);
    const [otherAlone] = await session.run([long], m.output, tok.padId);
    for (const [a, b] of [
      [alone, padded],
      [other, otherAlone],
    ] as const) {
      assert.ok(a && b && a.length === 384 && b.length === 384);
      const diff = Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));
      assert.ok(diff < 1e-5, `max difference ${diff}`);
    }
  } finally {
    await session.release();
  }
});

test("bad input: empty response is 0, empty prompt and non-strings are errors, never a crash", async () => {
  assert.equal(await ev.score(PROMPT, ""), 0);
  assert.equal(await ev.score(PROMPT, "   \n "), 0);
  await assert.rejects(
    ev.score("", GOOD),
    (e: Error) => e instanceof EvaluatorError && /prompt is empty/.test(e.message),
  );
  await assert.rejects(
    ev.scoreBatch([{ prompt: PROMPT, response: 42 as unknown as string }]),
    EvaluatorError,
  );
});

test("bad input: 1 MB texts and lone surrogates are scored in bounded time", async () => {
  const big = "The sky looks blue because air scatters blue light. ".repeat(20_000);
  assert.ok(big.length > 1_000_000);
  const t0 = Date.now();
  const s = await ev.score(big, big);
  assert.ok(Number.isInteger(s) && s >= 0 && s <= 10000);
  assert.ok(Date.now() - t0 < 10_000, "1 MB input took too long");
  const odd = await ev.score(PROMPT, `Blue light \ud800 scatters more \udc00 than red light in the air.`);
  assert.ok(Number.isInteger(odd) && odd > 0);
});

test("one session per process: other thread counts are refused while a session is open", async () => {
  const same = await createEvaluator({ threads: 1 });
  assert.equal(await same.score(PROMPT, GOOD), await ev.score(PROMPT, GOOD));
  await same.close();
  await assert.rejects(createEvaluator({ threads: 2 }), /already open with 1 thread/);
});

test("missing or mismatched model files: a clear error that says how to fix it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "poq-model-"));
  try {
    cpSync(join(bundledModelsDir(), "all-minilm-l6-v2"), dir, { recursive: true });
    const onnx = readFileSync(join(dir, "model.onnx"));
    onnx[onnx.length - 10] = (onnx[onnx.length - 10] as number) ^ 0xff;
    writeFileSync(join(dir, "model.onnx"), onnx);
    await assert.rejects(createEvaluator({ modelDir: dir }), (e: Error) => {
      assert.ok(e instanceof ModelFilesError);
      assert.match(e.message, /model\.onnx has sha256 [0-9a-f]{64}, want 023d738c/);
      assert.match(e.message, /npm run setup/);
      return true;
    });
    rmSync(join(dir, "tokenizer.json"));
    await assert.rejects(createEvaluator({ modelDir: dir }), /tokenizer\.json is missing/);
    await assert.rejects(
      createEvaluator({ modelDir: join(dir, "nowhere") }),
      /no manifest\.json.*poq models pull/,
    );
    assert.throws(
      () => resolveModelDir("someone/unknown-model", dir),
      /poq models pull someone\/unknown-model/,
    );
    await assert.rejects(
      createEvaluator({ pins: { "model.onnx": "0".repeat(64) } }),
      /do not match.*want 0000/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
