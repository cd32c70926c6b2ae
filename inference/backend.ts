/**
 * The client side of an OpenAI-compatible `/v1/chat/completions` server (vLLM, Ollama, llama.cpp,
 * TGI, or the devnet stand-in): one call per request, with a timeout, and an error that says what
 * was wrong with the answer when it is not a chat completion.
 */
import { BaseError } from "../app/errors.js";

export class BackendError extends BaseError {
  override name = "BackendError" as const;
}

export interface ChatBackendOptions {
  /** Base URL, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted). */
  url: string;
  apiKey?: string;
  /** Per call. Default 60 s. */
  timeoutMs?: number;
  /** Model name sent to the server instead of the request's model id (when the server names it otherwise). */
  model?: string;
}

export interface ChatCompletionParams {
  model: string;
  prompt: string;
  maxTokens: number;
}

export interface ChatBackend {
  readonly url: string;
  /** The assistant's text; throws {@link BackendError} on HTTP errors, timeouts and malformed bodies. */
  complete(p: ChatCompletionParams): Promise<string>;
}

/** `http://x:8000`, `http://x:8000/`, `http://x:8000/v1` -> `http://x:8000/v1/chat/completions`. */
export function completionsUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BackendError(`--backend is not a URL: ${base}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new BackendError(`--backend must be an http(s) URL, got ${base}`);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  url.pathname = `${path}/v1/chat/completions`;
  return url.toString();
}

/**
 * Creates a backend client.
 *
 * @example
 * const backend = createChatBackend({ url: "http://127.0.0.1:11434" });
 * const text = await backend.complete({ model: "llama3", prompt: "Why is the sky blue?", maxTokens: 128 });
 */
export function createChatBackend(opts: ChatBackendOptions): ChatBackend {
  const endpoint = completionsUrl(opts.url);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return {
    url: opts.url,
    async complete(p) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
          },
          body: JSON.stringify({
            model: opts.model ?? p.model,
            messages: [{ role: "user", content: p.prompt }],
            max_tokens: p.maxTokens,
            stream: false,
          }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const e = err as { name?: string; cause?: { code?: string } };
        if (e.name === "TimeoutError" || e.name === "AbortError")
          throw new BackendError(`backend ${endpoint} did not answer within ${timeoutMs} ms`);
        throw new BackendError(`cannot reach backend ${endpoint}`, {
          details: e.cause?.code ?? (err instanceof Error ? err.message : String(err)),
          cause: err,
        });
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw new BackendError(`backend ${endpoint} broke off its answer`, { cause: err });
      }
      if (!res.ok) {
        throw new BackendError(`backend ${endpoint} answered HTTP ${res.status}`, {
          details: text.slice(0, 300),
        });
      }
      return parseCompletion(text, endpoint);
    },
  };
}

/**
 * The assistant text of a chat-completion body; throws a {@link BackendError} naming what is missing.
 *
 * @example
 * parseCompletion('{"choices":[{"message":{"role":"assistant","content":"Hi"}}]}', url); // "Hi"
 */
export function parseCompletion(text: string, endpoint: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BackendError(`backend ${endpoint} answered something that is not JSON`, {
      details: text.slice(0, 200),
    });
  }
  const choices = (body as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0)
    throw new BackendError(`backend ${endpoint} answered without choices`, { details: text.slice(0, 200) });
  const content = (choices[0] as { message?: { content?: unknown } } | null)?.message?.content;
  if (typeof content !== "string")
    throw new BackendError(`backend ${endpoint} answered without choices[0].message.content`, {
      details: text.slice(0, 200),
    });
  return content;
}
