import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildTinyCrossEncoder } from "../test/fixtures/onnx/tiny-cross-encoder.js";
import { ModelPullError } from "./errors.js";
import { createEvaluator } from "./evaluator.js";
import { pullModel } from "./hub.js";
import { bundledModelsDir } from "./manifest.js";

// A loopback hub in the Hugging Face layout (`/api/models/<repo>/revision/<rev>` and
// `/<repo>/resolve/<rev>/<file>`), serving files the test makes. Port 0: the OS picks a free one.
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const tokenizer = readFileSync(join(bundledModelsDir(), "all-minilm-l6-v2", "tokenizer.json"));
const model = buildTinyCrossEncoder(30522, new Map([[3000, 1]]), 0);
const files: Record<string, Uint8Array> = { "onnx/model.onnx": model, "tokenizer.json": tokenizer };
const state = { cutNext: false, rangeRequests: 0, badListedHash: false };
let server: Server;
let hub: string;
let home: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  const api = url.pathname.match(/^\/api\/models\/(.+)\/revision\/([^/]+)$/);
  if (api) {
    if (api[1] !== "test/xenc") return void res.writeHead(404).end("no such repo");
    const siblings = Object.entries(files).map(([name, data]) => ({
      rfilename: name,
      lfs: {
        sha256: state.badListedHash && name === "tokenizer.json" ? "0".repeat(64) : sha(data),
        size: data.length,
      },
    }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ siblings }));
    return;
  }
  const m = url.pathname.match(/^\/test\/xenc\/resolve\/main\/(.+)$/);
  const data = m ? files[m[1] as string] : undefined;
  if (!data) return void res.writeHead(404).end("not found");
  const range = req.headers.range?.match(/^bytes=(\d+)-$/);
  const start = range ? Number(range[1]) : 0;
  if (range) state.rangeRequests++;
  const body = data.subarray(start);
  res.writeHead(range ? 206 : 200, { "content-length": String(body.length), "accept-ranges": "bytes" });
  if (state.cutNext && body.length > 1000) {
    // Send part of the file, then drop the connection mid-body.
    state.cutNext = false;
    res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), "poq-hub-"));
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(home, { recursive: true, force: true });
});

test("pull: full download writes the files, hashes and a cross-encoder manifest that scores", async () => {
  const dest = join(home, "full");
  const seen: string[] = [];
  const r = await pullModel({ repo: "test/xenc", hub, dest, onProgress: (p) => p.done && seen.push(p.file) });
  assert.deepEqual(seen, ["onnx/model.onnx", "tokenizer.json"]);
  assert.equal(sha(readFileSync(join(dest, "onnx/model.onnx"))), sha(model));
  assert.equal(r.manifest.kind, "cross-encoder");
  assert.equal(r.manifest.files.find((f) => f.role === "model")?.sha256, sha(model));
  const ev = await createEvaluator({ modelDir: dest, threads: 1 });
  try {
    const s = await ev.score("Question?", "An answer that is long enough to count as a full sentence here.");
    assert.ok(Number.isInteger(s) && s >= 0 && s <= 10000);
  } finally {
    await ev.close();
  }
});

test("pull: a connection cut mid-file is resumed with an HTTP Range request", async () => {
  const dest = join(home, "resume");
  state.cutNext = true;
  state.rangeRequests = 0;
  const notes: string[] = [];
  await pullModel({ repo: "test/xenc", hub, dest, onNote: (l) => notes.push(l) });
  assert.equal(state.rangeRequests, 1);
  assert.match(notes.join("\n"), /connection dropped, resuming/);
  assert.equal(sha(readFileSync(join(dest, "onnx/model.onnx"))), sha(model));
  assert.equal(existsSync(join(dest, "onnx/model.onnx.part")), false);
});

test("pull: a .part left by an earlier run is continued, not restarted", async () => {
  const dest = join(home, "leftover");
  await pullModel({ repo: "test/xenc", hub, dest });
  const half = model.subarray(0, 5000);
  writeFileSync(join(dest, "onnx/model.onnx.part"), half);
  state.rangeRequests = 0;
  const r = await pullModel({ repo: "test/xenc", hub, dest });
  assert.deepEqual(r.resumed, ["onnx/model.onnx"]);
  assert.equal(state.rangeRequests, 1);
  assert.equal(statSync(join(dest, "onnx/model.onnx")).size, model.length);
});

test("pull: 404 for an unknown repository or file is a clear error", async () => {
  await assert.rejects(pullModel({ repo: "test/missing", hub, dest: join(home, "404") }), (e: Error) => {
    assert.ok(e instanceof ModelPullError);
    assert.match(e.message, /404|not found|no ONNX/);
    return true;
  });
});

test("pull: a hash that does not match the listing or a pin fails and removes the partial file", async () => {
  state.badListedHash = true;
  try {
    await assert.rejects(
      pullModel({ repo: "test/xenc", hub, dest: join(home, "bad") }),
      /sha256 mismatch for tokenizer.json/,
    );
  } finally {
    state.badListedHash = false;
  }
  assert.equal(existsSync(join(home, "bad", "tokenizer.json.part")), false);
  await assert.rejects(
    pullModel({
      repo: "test/xenc",
      hub,
      dest: join(home, "pinned"),
      pins: { "onnx/model.onnx": "1".repeat(64) },
    }),
    /sha256 mismatch for onnx\/model.onnx/,
  );
});
