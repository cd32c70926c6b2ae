/**
 * The web page's script (compiled by tsc to dist/rest/web/page.js, served at /static/page.js):
 * chain status, recent requests with consensus and per-validator scores, Connect Keplr, and a form
 * that signs MsgRequestInference with Keplr and follows the request until its score is final.
 */
import {
  encodeAuthInfo,
  encodeRequestBody,
  encodeTxRaw,
  fromBase64,
  requestIdFromTxData,
  toBase64,
  type Coin,
} from "./tx-encoding.js";

/** The part of Keplr's `window.keplr` the page calls. */
interface KeplrLike {
  experimentalSuggestChain(chainInfo: unknown): Promise<void>;
  enable(chainId: string): Promise<void>;
  getOfflineSigner(chainId: string): {
    getAccounts(): Promise<readonly { address: string; pubkey: Uint8Array; algo: string }[]>;
    signDirect(
      signer: string,
      doc: { bodyBytes: Uint8Array; authInfoBytes: Uint8Array; chainId: string; accountNumber: bigint },
    ): Promise<{
      signed: { bodyBytes: Uint8Array; authInfoBytes: Uint8Array };
      signature: { signature: string };
    }>;
  };
}

interface Score {
  validator: string;
  score: number;
  power: string;
}
interface PoqRequest {
  id: string;
  requester: string;
  model: string;
  prompt: string;
  status: string;
  node: string;
  response: string;
  fee: Coin;
  quality: { score: number; scores: Score[] } | null;
  replicas?: number;
  responses?: {
    id: string;
    node: string;
    status: string;
    response: string;
    quality: { score: number } | null;
  }[];
}

/**
 * Every answer of a request with its score; the best-scored one (the request's own node and
 * response once FINALIZED) is marked.
 */
function answerList(r: PoqRequest, withText: boolean): HTMLOListElement {
  const ol = document.createElement("ol");
  ol.className = "answers";
  for (const a of r.responses ?? []) {
    const best = r.status === "FINALIZED" && a.node === r.node && a.response === r.response;
    const li = document.createElement("li");
    li.className = best ? "answer best" : "answer";
    li.dataset["id"] = a.id;
    li.append(
      text("span", a.quality ? pct(a.quality.score) : a.status, "answer-score"),
      text("span", ` ${a.node.slice(0, 12)}…${a.node.slice(-4)}`, "answer-node"),
    );
    if (best) li.append(text("span", " ★ best", "answer-best"));
    if (withText && a.response) li.appendChild(text("blockquote", a.response, "answer-text"));
    ol.appendChild(li);
  }
  return ol;
}

declare global {
  interface Window {
    keplr?: KeplrLike;
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(body.message ?? `${res.status}`);
  return body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (tag: string, value: string, cls?: string): HTMLElement => {
  const el = document.createElement(tag);
  el.textContent = value;
  if (cls) el.className = cls;
  return el;
};
const pct = (bp: number): string => `${(bp / 100).toFixed(2)}%`;

/** A small bar chart: one bar per validator score, a line at the consensus score. */
function scoreChart(q: { score: number; scores: Score[] }): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const w = 220;
  const barH = 14;
  const h = Math.max(1, q.scores.length) * (barH + 4) + 6;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", String(w));
  svg.setAttribute("height", String(h));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `consensus ${pct(q.score)}`);
  q.scores.forEach((s, i) => {
    const bar = document.createElementNS(ns, "rect");
    bar.setAttribute("x", "0");
    bar.setAttribute("y", String(3 + i * (barH + 4)));
    bar.setAttribute("width", String(Math.round((s.score / 10000) * w)));
    bar.setAttribute("height", String(barH));
    bar.setAttribute("class", "bar");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${s.validator}: ${pct(s.score)} (power ${s.power})`;
    bar.appendChild(title);
    svg.appendChild(bar);
  });
  const line = document.createElementNS(ns, "line");
  const x = String(Math.round((q.score / 10000) * w));
  line.setAttribute("x1", x);
  line.setAttribute("x2", x);
  line.setAttribute("y1", "0");
  line.setAttribute("y2", String(h));
  line.setAttribute("class", "consensus");
  svg.appendChild(line);
  return svg;
}

function requestRow(r: PoqRequest): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.dataset["id"] = r.id;
  tr.append(
    text("td", r.id),
    text("td", r.model),
    text("td", r.prompt.length > 60 ? `${r.prompt.slice(0, 60)}…` : r.prompt),
    text("td", r.status, `status status-${r.status.toLowerCase()}`),
    text("td", r.quality ? pct(r.quality.score) : "—", "score"),
  );
  const chart = document.createElement("td");
  if (r.quality && r.quality.scores.length > 0) chart.appendChild(scoreChart(r.quality));
  tr.appendChild(chart);
  const answers = document.createElement("td");
  if ((r.responses?.length ?? 0) > 1) answers.appendChild(answerList(r, false));
  else if (r.response) {
    // The answer is what was paid for: shown in the list too, whole on hover.
    const clipped = r.response.length > 160 ? `${r.response.slice(0, 160)}…` : r.response;
    const el = text("span", clipped, "answer-text");
    el.title = r.response;
    answers.appendChild(el);
  }
  tr.appendChild(answers);
  return tr;
}

async function refreshStatus(): Promise<void> {
  try {
    const [info, block, vals] = await Promise.all([
      api<{ default_node_info: { network: string; version: string } }>(
        "/cosmos/base/tendermint/v1beta1/node_info",
      ),
      api<{ block: { header: { height: string; time: string } } }>(
        "/cosmos/base/tendermint/v1beta1/blocks/latest",
      ),
      api<{ validators: unknown[] }>("/cosmos/staking/v1beta1/validators"),
    ]);
    $("chain-id").textContent = info.default_node_info.network;
    $("height").textContent = block.block.header.height;
    $("block-time").textContent = block.block.header.time;
    $("validators").textContent = String(vals.validators.length);
    $("status-error").textContent = "";
  } catch (err) {
    $("status-error").textContent = `node unreachable: ${(err as Error).message}`;
  }
}

/** The newest requests: the poq query lists ascending by id, so walk the pages (bounded). */
async function refreshRequests(): Promise<void> {
  try {
    let all: PoqRequest[] = [];
    let key: string | null = null;
    for (let page = 0; page < 20; page++) {
      const q: string = key ? `&pagination.key=${encodeURIComponent(key)}` : "";
      const res: { requests: PoqRequest[]; pagination: { next_key: string | null } } = await api(
        `/poq/v1/requests?pagination.limit=200${q}`,
      );
      all = all.concat(res.requests).slice(-10);
      key = res.pagination.next_key;
      if (!key) break;
    }
    const body = $("requests-body");
    body.replaceChildren(...all.reverse().map(requestRow));
    $("requests-error").textContent = "";
  } catch (err) {
    $("requests-error").textContent = (err as Error).message;
  }
}

let wallet: { address: string; pubkey: Uint8Array; chainId: string; keplr: KeplrLike } | undefined;

async function connectKeplr(): Promise<void> {
  const keplr = window.keplr;
  if (!keplr) {
    $("wallet").textContent = "Keplr is not installed in this browser.";
    return;
  }
  const chainInfo = await api<{ chainId: string }>("/chain-info/keplr");
  await keplr.experimentalSuggestChain(chainInfo);
  await keplr.enable(chainInfo.chainId);
  const [account] = await keplr.getOfflineSigner(chainInfo.chainId).getAccounts();
  if (!account) throw new Error("Keplr returned no account");
  wallet = { address: account.address, pubkey: account.pubkey, chainId: chainInfo.chainId, keplr };
  const bal = await api<{ balance: Coin }>(
    `/cosmos/bank/v1beta1/balances/${account.address}/by_denom?denom=upoq`,
  );
  $("wallet").textContent = `${account.address} · ${bal.balance.amount} upoq`;
  $<HTMLButtonElement>("submit").disabled = false;
}

async function submitRequest(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  if (!wallet) throw new Error("connect Keplr first");
  const form = ev.target as HTMLFormElement;
  const data = new FormData(form);
  const field = (name: string): string => String(data.get(name) ?? "").trim();
  const { address, pubkey, chainId, keplr } = wallet;
  const account = await api<{ account: { account_number: string; sequence: string } }>(
    `/cosmos/auth/v1beta1/accounts/${address}`,
  );
  const body = encodeRequestBody({
    requester: address,
    model: field("model"),
    prompt: field("prompt"),
    maxTokens: Number(field("max_tokens") || "256"),
    fee: { denom: "upoq", amount: field("fee") },
    minQuality: Number(field("min_quality") || "0"),
    replicas: Number(field("replicas") || "1"),
  });
  const sequence = BigInt(account.account.sequence);
  // Gas: simulate with an empty signature, then pay 0.03 upoq per gas with 50% headroom.
  const sim = await api<{ gas_info: { gas_used: string } }>("/cosmos/tx/v1beta1/simulate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      tx_bytes: toBase64(encodeTxRaw(body, encodeAuthInfo(pubkey, sequence, [], 0n), new Uint8Array())),
    }),
  });
  const gas = (BigInt(sim.gas_info.gas_used) * 3n) / 2n + 10_000n;
  const feeAmount = ((gas * 3n + 99n) / 100n).toString();
  const authInfo = encodeAuthInfo(pubkey, sequence, [{ denom: "upoq", amount: feeAmount }], gas);
  const signed = await keplr.getOfflineSigner(chainId).signDirect(address, {
    bodyBytes: body,
    authInfoBytes: authInfo,
    chainId,
    accountNumber: BigInt(account.account.account_number),
  });
  const tx = encodeTxRaw(
    signed.signed.bodyBytes,
    signed.signed.authInfoBytes,
    fromBase64(signed.signature.signature),
  );
  const sent = await api<{ tx_response: { txhash: string; code: number; raw_log: string } }>(
    "/cosmos/tx/v1beta1/txs",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx_bytes: toBase64(tx), mode: "BROADCAST_MODE_SYNC" }),
    },
  );
  if (sent.tx_response.code !== 0) throw new Error(`rejected: ${sent.tx_response.raw_log}`);
  $("live").textContent = `broadcast ${sent.tx_response.txhash}; waiting for the block…`;
  await followRequest(await waitForRequestId(sent.tx_response.txhash));
}

async function waitForRequestId(hash: string): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`/cosmos/tx/v1beta1/txs/${hash}`);
    if (res.ok) {
      const { tx_response } = (await res.json()) as {
        tx_response: { code: number; data: string; raw_log: string };
      };
      if (tx_response.code !== 0) throw new Error(`failed in block: ${tx_response.raw_log}`);
      const id = requestIdFromTxData(tx_response.data);
      if (id === undefined) throw new Error("no request id in the transaction result");
      return id.toString();
    }
    await sleep(500);
  }
  throw new Error(`transaction ${hash} not committed`);
}

/** Shows the request's status as it moves, and its score once final. */
async function followRequest(id: string): Promise<void> {
  const live = $("live");
  for (let i = 0; i < 600; i++) {
    const { request } = await api<{ request: PoqRequest }>(`/poq/v1/requests/${id}`);
    live.replaceChildren(text("span", `request ${id}: `), text("strong", request.status, "live-status"));
    // The node is drawn in a later block from the validators' beacon, not in the request's own tx.
    if (request.status === "PENDING") live.append(text("span", " · its node is drawn in a later block"));
    else if (request.status === "ASSIGNED" && request.node)
      live.append(text("span", ` · node ${request.node}`));
    if (request.quality) {
      live.append(text("span", ` · quality `), text("strong", pct(request.quality.score), "live-score"));
      live.appendChild(scoreChart(request.quality));
    }
    if (["FINALIZED", "EXPIRED", "UNSCORED"].includes(request.status)) {
      if ((request.responses?.length ?? 0) > 1) live.appendChild(answerList(request, true));
      else if (request.response) live.appendChild(text("blockquote", request.response, "live-response"));
      void refreshRequests();
      return;
    }
    await sleep(1000);
  }
}

function report(err: unknown): void {
  $("live").textContent = `error: ${(err as Error).message}`;
}

$("connect").addEventListener("click", () => void connectKeplr().catch(report));
$<HTMLFormElement>("request-form").addEventListener("submit", (ev) => void submitRequest(ev).catch(report));
void refreshStatus();
void refreshRequests();
setInterval(() => void refreshStatus(), 3000);
setInterval(() => void refreshRequests(), 5000);
