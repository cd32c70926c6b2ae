/**
 * Calls back on every new block: through CometBFT's websocket (`NewBlockHeader` events) when it can,
 * and by polling `/status` otherwise (also as a slow safety net while the websocket is up, since a
 * silently dropped subscription would otherwise stall the node).
 */
import WebSocket from "ws";
import { cometStatus } from "../network/comet-process.js";

export interface FollowBlocksOptions {
  rpcUrl: string;
  onHeight: (height: bigint) => void;
  /** Poll interval without a websocket. Default 500 ms. */
  pollMs?: number;
  /** Poll interval while the websocket is up. Default 5 s. */
  safetyPollMs?: number;
  log?: (line: string) => void;
}

export interface BlockFollower {
  /** "websocket" or "polling". */
  readonly mode: string;
  stop(): void;
}

/** `http://h:p` -> `ws://h:p/websocket`. */
function websocketUrl(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = url.pathname.replace(/\/+$/, "") + "/websocket";
  return url.toString();
}

/**
 * Starts following blocks; each height is reported once, in increasing order.
 *
 * @example
 * const follower = followBlocks({ rpcUrl: "http://127.0.0.1:26657", onHeight: (h) => console.log(h) });
 * follower.stop();
 */
export function followBlocks(opts: FollowBlocksOptions): BlockFollower {
  let last = 0n;
  let stopped = false;
  let mode = "polling";
  let timer: NodeJS.Timeout | undefined;
  let ws: WebSocket | undefined;
  const report = (h: bigint): void => {
    if (stopped || h <= last) return;
    last = h;
    opts.onHeight(h);
  };
  const poll = async (): Promise<void> => {
    try {
      report((await cometStatus(opts.rpcUrl, 3000)).latestBlockHeight);
    } catch {
      // the node may be restarting; the next poll tries again
    }
    if (!stopped)
      timer = setTimeout(
        () => void poll(),
        mode === "websocket" ? (opts.safetyPollMs ?? 5000) : (opts.pollMs ?? 500),
      );
  };
  const fallBack = (why: string): void => {
    if (stopped || mode === "polling") return;
    mode = "polling";
    opts.log?.(`websocket closed (${why}); polling every ${opts.pollMs ?? 500} ms`);
    ws?.terminate();
    ws = undefined;
  };

  // JSON-RPC `subscribe` to NewBlockHeader; no reconnection here: polling takes over when it drops.
  const socket = new WebSocket(websocketUrl(opts.rpcUrl), { handshakeTimeout: 5000 });
  ws = socket;
  mode = "websocket";
  socket.on("open", () =>
    socket.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "poq-blocks",
        method: "subscribe",
        params: { query: "tm.event='NewBlockHeader'" },
      }),
    ),
  );
  socket.on("message", (data) => {
    try {
      const msg = JSON.parse(String(data)) as {
        error?: { message?: string };
        result?: { data?: { value?: { header?: { height?: string } } } };
      };
      if (msg.error) fallBack(msg.error.message ?? "subscribe refused");
      const height = msg.result?.data?.value?.header?.height;
      if (height !== undefined) report(BigInt(height));
    } catch {
      // a frame that is not ours; ignore it
    }
  });
  socket.on("error", (err) => fallBack(err.message));
  socket.on("close", () => fallBack("closed by the node"));
  void poll();
  return {
    get mode() {
      return mode;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.terminate();
      ws = undefined;
    },
  };
}
