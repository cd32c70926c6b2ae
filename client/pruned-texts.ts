/**
 * Reads a pruned request's texts back from the transactions that carried them (issue 14).
 *
 * `request_retention_blocks` after a request finished, the chain drops its prompt and answers from
 * state and keeps their sha256 (`prompt_sha256`, `response_sha256`; app/modules/poq/prune.ts). The
 * texts are still in the blocks: the prompt in the `MsgRequestInference` whose transaction emitted
 * `poq_request_created.request_id`, each answer in a `MsgSubmitResponse` whose transaction emitted
 * `poq_response_submitted.request_id` (the request's id, for every answer of a replicated one).
 * CometBFT's tx index finds those transactions (`tx_search`); a text is shown only when its sha256
 * is the one the chain kept, so a node cannot serve another text for a pruned request. A text not
 * found (a node without the tx index, or state-synced after those blocks) stays "".
 */
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import type { RequestView } from "../app/modules/poq/state.js";
import { MsgRequestInference, MsgSubmitResponse, PoqTypeUrl } from "../app/modules/poq/types/msgs.js";

/** One transaction of a `tx_search` answer, as CometBFT's JSON-RPC gives it. */
export interface SearchedTx {
  /** base64 TxRaw bytes */
  tx: string;
  tx_result: { code: number };
}

/** Runs CometBFT's `tx_search` for a query (one page of up to 100 transactions, oldest first). */
export type TxSearch = (query: string) => Promise<SearchedTx[]>;

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The messages of a committed, successful transaction of type `typeUrl`, decoded; [] for anything else. */
function messagesOf<T>(t: SearchedTx, typeUrl: string, decode: (b: Uint8Array) => T): T[] {
  if (t.tx_result.code !== 0) return [];
  try {
    const raw = TxRaw.decode(Buffer.from(t.tx, "base64"));
    return TxBody.decode(raw.bodyBytes)
      .messages.filter((m) => m.typeUrl === typeUrl)
      .map((m) => decode(m.value));
  } catch {
    return []; // not a Cosmos tx (the injected commit) or not decodable: it carries no text
  }
}

/**
 * The request with its prompt and answers read back from the tx index when the chain pruned them;
 * the request itself when it was not pruned. Each text is checked against the hash in the record.
 *
 * @example
 * const shown = await restorePrunedTexts(request, (q) => reader.txSearch(q));
 */
export async function restorePrunedTexts<T extends RequestView>(r: T, search: TxSearch): Promise<T> {
  if (r.pruned_height === undefined) return r;
  // An answer record of a replicated request is found under its request's id, as its events say.
  const requestId = r.parent !== "0" ? r.parent : r.id;
  let prompt = r.prompt;
  if (prompt === "" && r.prompt_sha256) {
    const txs = await search(`poq_request_created.request_id='${requestId}'`);
    for (const t of txs) {
      for (const m of messagesOf(t, PoqTypeUrl.RequestInference, (b) => MsgRequestInference.decode(b))) {
        if (m.requester === r.requester && m.model === r.model && sha256Hex(m.prompt) === r.prompt_sha256)
          prompt = m.prompt;
      }
    }
  }
  const wanted = [
    ...(r.response_sha256 ? [{ node: r.node, sha: r.response_sha256 }] : []),
    ...r.responses.flatMap((a) => (a.response_sha256 ? [{ node: a.node, sha: a.response_sha256 }] : [])),
  ];
  const found = new Map<string, string>(); // `${node} ${sha256}` -> text
  if (wanted.length > 0) {
    const txs = await search(`poq_response_submitted.request_id='${requestId}'`);
    for (const t of txs) {
      for (const m of messagesOf(t, PoqTypeUrl.SubmitResponse, (b) => MsgSubmitResponse.decode(b))) {
        if (m.requestId.toString() !== requestId) continue;
        const key = `${m.node} ${sha256Hex(m.response)}`;
        if (wanted.some((w) => `${w.node} ${w.sha}` === key)) found.set(key, m.response);
      }
    }
  }
  const text = (node: string, sha: string | undefined, current: string): string =>
    sha ? (found.get(`${node} ${sha}`) ?? current) : current;
  return {
    ...r,
    prompt,
    response: text(r.node, r.response_sha256, r.response),
    responses: r.responses.map((a) => ({ ...a, response: text(a.node, a.response_sha256, a.response) })),
  };
}

/** Pruned requests of one page restored at once (each asks the tx index once or twice). */
export const RESTORE_CONCURRENCY = 4;

/**
 * A page of requests (a `Requests` query's, at most 200) with each pruned one's texts read back as
 * {@link restorePrunedTexts} does, in the page's order; `concurrency` of them at a time. Requests
 * that were not pruned cost nothing, so the work is bounded by the page, never by the chain.
 *
 * @example
 * const shown = await restorePrunedPage(res.requests, (q) => reader.txSearch(q));
 */
export async function restorePrunedPage<T extends RequestView>(
  page: readonly T[],
  search: TxSearch,
  concurrency = RESTORE_CONCURRENCY,
): Promise<T[]> {
  const out = [...page];
  const pruned = page.flatMap((r, i) => (r.pruned_height === undefined ? [] : [i]));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < pruned.length) {
      const i = pruned[next++] as number;
      out[i] = await restorePrunedTexts(page[i] as T, search);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pruned.length) }, lane));
  return out;
}
