/**
 * A small OpenAI-compatible chat server that stands in for a real LLM on the devnet and in tests. It
 * answers `POST /v1/chat/completions` from a bundled set of questions and answers (the bundled question
 * sharing most of the asked one's content words), and says it does not know anything else. It is not a language model; every answer says so in `system_fingerprint`
 * and the devnet labels it as a stand-in.
 *
 * Modes: `answer` (the bundled answer), `lazy` (what a lazy node returns, to show the incentives at
 * work: `lazyKind`, see lazy.ts; default `template`, fluent filler), `garbage` (a body that is not
 * JSON, for error tests).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { lazyAnswer, type LazyKind } from "./lazy.js";
import { STANDIN_QA, type StandinQa } from "./qa-data.js";

export type StandinMode = "answer" | "lazy" | "garbage";

export interface StandinServerOptions {
  /** `host:port`; port 0 picks a free one. Default `127.0.0.1:0`. */
  listen?: string;
  mode?: StandinMode;
  /** Delay before each answer, to imitate generation time. Default 0. */
  delayMs?: number;
  /** What `lazy` mode answers (default `template`). */
  lazyKind?: LazyKind;
}

export interface StandinServer {
  /** `http://host:port` (what `--backend` takes). */
  readonly url: string;
  /** Chat completions answered so far. */
  readonly calls: number;
  mode: StandinMode;
  close(): Promise<void>;
}

const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/**
 * Words that say what kind of question it is, not what it is about: two questions sharing only these
 * ("What is 2+2?", "What is DNS?") are not the same question.
 */
const FUNCTION_WORDS = new Set(
  (
    "a an and are as at be can could did do does for from has have how i if in is it its me my of on or " +
    "should so the their there this to was were what when where which who whom why will with would you your"
  ).split(" "),
);

const contentWords = (text: string): Set<string> =>
  new Set(words(text).filter((w) => !FUNCTION_WORDS.has(w)));

/** Content-word overlap (Jaccard) a bundled question needs to count as the one asked. */
const MIN_OVERLAP = 0.5;

/**
 * The bundled answer whose question is the one asked (at least half of the two questions' content
 * words shared), or a plain statement that the stand-in does not know: an unrelated bundled answer
 * would be wrong, and the node that sent it would be scored (and slashed) for it.
 *
 * @example
 * standinAnswer("Why is the sky blue?"); // "Sunlight contains all visible colours, ..."
 * standinAnswer("What is 2+2?"); // "This devnet stand-in ... does not know ..."
 */
export function standinAnswer(prompt: string, qa: readonly StandinQa[] = STANDIN_QA): string {
  const asked = contentWords(prompt);
  let best: StandinQa | undefined;
  let bestScore = 0;
  for (const row of qa) {
    const known = contentWords(row.prompt);
    let shared = 0;
    for (const w of known) if (asked.has(w)) shared++;
    const score = shared / (asked.size + known.size - shared || 1);
    if (score > bestScore) {
      best = row;
      bestScore = score;
    }
  }
  if (best && bestScore >= MIN_OVERLAP) return best.answer;
  return `I do not know. This devnet stand-in is not a language model and has no bundled answer for "${prompt.slice(0, 200)}". Point the devnet at a real OpenAI-compatible server with --backend to get real answers.`;
}

/** Cuts `text` to at most `maxTokens` words (the stand-in's notion of a token). */
function limitWords(text: string, maxTokens: number | undefined): { text: string; cut: boolean } {
  if (maxTokens === undefined) return { text, cut: false };
  const parts = text.split(/\s+/);
  if (parts.length <= maxTokens) return { text, cut: false };
  return { text: parts.slice(0, maxTokens).join(" "), cut: true };
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
}

function lastUserMessage(body: ChatBody): string | undefined {
  if (!Array.isArray(body.messages)) return undefined;
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i] as { role?: unknown; content?: unknown } | null;
    if (m && m.role === "user" && typeof m.content === "string") return m.content;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const apiError = (message: string, type = "invalid_request_error") => ({ error: { message, type } });

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Starts the stand-in server.
 *
 * @example
 * const standin = await startStandinServer({ listen: "127.0.0.1:0" });
 * // POST `${standin.url}/v1/chat/completions` {"model":"m","messages":[{"role":"user","content":"Why is the sky blue?"}]}
 * await standin.close();
 */
export async function startStandinServer(opts: StandinServerOptions = {}): Promise<StandinServer> {
  const [host, port] = splitListen(opts.listen ?? "127.0.0.1:0");
  let calls = 0;
  let sequence = 0;
  const state = { mode: opts.mode ?? ("answer" as StandinMode) };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/health" || path === "/")) {
      send(res, 200, { status: "ok", standin: true, mode: state.mode });
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      send(res, 200, { object: "list", data: [{ id: "standin", object: "model", owned_by: "poq-devnet" }] });
      return;
    }
    if (path !== "/v1/chat/completions") {
      send(res, 404, apiError(`no route ${req.method ?? ""} ${path ?? ""}`));
      return;
    }
    if (req.method !== "POST") {
      send(res, 405, apiError("use POST"));
      return;
    }
    let body: ChatBody;
    try {
      body = JSON.parse(await readBody(req)) as ChatBody;
    } catch (err) {
      send(res, 400, apiError(`body is not JSON: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    const prompt = lastUserMessage(body);
    if (prompt === undefined) {
      send(res, 400, apiError("messages must contain a user message with string content"));
      return;
    }
    const maxTokens =
      typeof body.max_tokens === "number" && body.max_tokens > 0 ? Math.floor(body.max_tokens) : undefined;
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    calls++;
    if (state.mode === "garbage") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>502 upstream hiccup</html>");
      return;
    }
    const right = standinAnswer(prompt);
    const full = state.mode === "lazy" ? lazyAnswer(opts.lazyKind ?? "template", prompt, right) : right;
    const { text, cut } = limitWords(full, maxTokens);
    send(res, 200, {
      id: `chatcmpl-standin-${++sequence}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === "string" ? body.model : "standin",
      system_fingerprint: `poq-standin-${state.mode}`,
      choices: [
        { index: 0, message: { role: "assistant", content: text }, finish_reason: cut ? "length" : "stop" },
      ],
      usage: {
        prompt_tokens: words(prompt).length,
        completion_tokens: words(text).length,
        total_tokens: words(prompt).length + words(text).length,
      },
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 400, apiError(err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host}:${boundPort}`,
    get calls() {
      return calls;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: StandinMode) {
      state.mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function splitListen(listen: string): [string, number] {
  const m = /^([^:]+):(\d{1,5})$/.exec(listen.replace(/^https?:\/\//, ""));
  if (!m || m[1] === undefined || m[2] === undefined)
    throw new RangeError(`listen address must be host:port, got ${listen}`);
  return [m[1], Number(m[2])];
}
