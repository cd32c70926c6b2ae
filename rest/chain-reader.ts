/**
 * How the REST server reads the chain: a narrow interface over a node's CometBFT JSON-RPC, so the
 * server can run beside any node and hold no state of its own.
 */
import { BaseError } from "../app/errors.js";
import { RestError } from "./errors.js";

/** The result of an ABCI query, decoded from CometBFT's JSON. */
export interface AbciQueryResult {
  code: number;
  codespace: string;
  log: string;
  value: Uint8Array;
  height: bigint;
}

/** CometBFT's `broadcast_tx_sync` result (the CheckTx outcome). */
export interface BroadcastResult {
  code: number;
  codespace: string;
  log: string;
  /** base64 */
  data: string;
  /** upper-case hex */
  hash: string;
}

/** An event as CometBFT's JSON renders it. */
export interface RpcEvent {
  type: string;
  attributes?: { key: string; value: string; index?: boolean }[] | null;
}

/** CometBFT's `tx` result. */
export interface RpcTx {
  hash: string;
  height: string;
  index: number;
  /** base64 TxRaw bytes */
  tx: string;
  tx_result: {
    code: number;
    codespace?: string;
    data?: string | null;
    log?: string;
    info?: string;
    gas_wanted?: string;
    gas_used?: string;
    events?: RpcEvent[] | null;
  };
}

/** The parts of CometBFT's `status` result the gateway reads. */
export interface RpcStatus {
  node_info: {
    protocol_version: { p2p: string; block: string; app: string };
    id: string;
    listen_addr: string;
    network: string;
    version: string;
    channels: string;
    moniker: string;
    other: { tx_index: string; rpc_address: string };
  };
  sync_info: { latest_block_height: string; latest_block_time: string; catching_up: boolean };
}

export interface RpcBlockId {
  hash: string;
  parts: { total: number; hash: string };
}

/** CometBFT's `block` result. */
export interface RpcBlock {
  block_id: RpcBlockId;
  block: {
    header: {
      version: { block: string; app?: string };
      chain_id: string;
      height: string;
      time: string;
      last_block_id: RpcBlockId;
      last_commit_hash: string;
      data_hash: string;
      validators_hash: string;
      next_validators_hash: string;
      consensus_hash: string;
      app_hash: string;
      last_results_hash: string;
      evidence_hash: string;
      proposer_address: string;
    };
    data: { txs?: string[] | null };
    evidence: { evidence?: unknown[] | null };
    last_commit: {
      height: string;
      round: number;
      block_id: RpcBlockId;
      signatures: {
        block_id_flag: number;
        validator_address: string;
        timestamp: string;
        signature: string | null;
      }[];
    } | null;
  };
}

/** What the REST routes need from a node. */
export interface ChainReader {
  abciQuery(path: string, data: Uint8Array): Promise<AbciQueryResult>;
  broadcastTx(tx: Uint8Array, mode: "sync" | "async"): Promise<BroadcastResult>;
  /** A committed transaction by its hash (hex), or undefined when the node does not know it. */
  tx(hashHex: string): Promise<RpcTx | undefined>;
  status(): Promise<RpcStatus>;
  block(height?: bigint): Promise<RpcBlock>;
  /** CometBFT's `tx_search`: the first page (up to 100) of committed transactions matching an event query, oldest first. */
  txSearch(query: string): Promise<RpcTx[]>;
}

/** A JSON-RPC error answered by CometBFT (the node was reached). */
export class RpcError extends BaseError {
  override name = "RpcError" as const;
  readonly rpcCode: number;
  readonly data: string;

  constructor(rpcCode: number, message: string, data: string) {
    super(message, { details: data });
    this.rpcCode = rpcCode;
    this.data = data;
  }
}

export interface RpcChainReaderOptions {
  /** CometBFT RPC base URL, e.g. `http://127.0.0.1:26657`. */
  rpcUrl: string;
  /** Per-call timeout; default 10 s. */
  timeoutMs?: number;
}

/**
 * A {@link ChainReader} over CometBFT's JSON-RPC (HTTP POST).
 *
 * @example
 * const reader = createRpcChainReader({ rpcUrl: "http://127.0.0.1:26657" });
 * const status = await reader.status();
 */
export function createRpcChainReader(opts: RpcChainReaderOptions): ChainReader {
  const url = opts.rpcUrl.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let nextId = 1;

  async function call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new RestError("Unavailable", `node RPC ${url} unreachable (${method})`, cause);
    }
    let json: { result?: T; error?: { code: number; message: string; data?: string } };
    try {
      json = (await res.json()) as typeof json;
    } catch (cause) {
      throw new RestError("Unavailable", `node RPC ${url} answered ${res.status} without JSON`, cause);
    }
    if (json.error) throw new RpcError(json.error.code, json.error.message, json.error.data ?? "");
    if (json.result === undefined) throw new RestError("Unavailable", `node RPC ${method}: empty result`);
    return json.result;
  }

  return {
    async abciQuery(path, data) {
      const r = await call<{
        response: { code?: number; codespace?: string; log?: string; value?: string | null; height?: string };
      }>("abci_query", { path, data: Buffer.from(data).toString("hex"), height: "0", prove: false });
      const resp = r.response;
      return {
        code: resp.code ?? 0,
        codespace: resp.codespace ?? "",
        log: resp.log ?? "",
        value: resp.value ? Uint8Array.from(Buffer.from(resp.value, "base64")) : new Uint8Array(),
        height: BigInt(resp.height ?? "0"),
      };
    },
    async broadcastTx(tx, mode) {
      const r = await call<{
        code?: number;
        codespace?: string;
        log?: string;
        data?: string | null;
        hash: string;
      }>(mode === "sync" ? "broadcast_tx_sync" : "broadcast_tx_async", {
        tx: Buffer.from(tx).toString("base64"),
      });
      return {
        code: r.code ?? 0,
        codespace: r.codespace ?? "",
        log: r.log ?? "",
        data: r.data ?? "",
        hash: r.hash,
      };
    },
    async tx(hashHex) {
      try {
        return await call<RpcTx>("tx", {
          hash: Buffer.from(hashHex, "hex").toString("base64"),
          prove: false,
        });
      } catch (err) {
        if (err instanceof RpcError && /not found/i.test(err.data)) return undefined;
        throw err;
      }
    },
    async txSearch(query) {
      const r = await call<{ txs?: RpcTx[] | null }>("tx_search", {
        query,
        prove: false,
        page: "1",
        per_page: "100",
        order_by: "asc",
      });
      return r.txs ?? [];
    },
    status: () => call<RpcStatus>("status", {}),
    block: (height) => call<RpcBlock>("block", height === undefined ? {} : { height: height.toString() }),
  };
}
