/**
 * Calls back on every new block: through CometBFT's websocket (`NewBlockHeader` events) when it can,
 * and by polling `/status` otherwise (also as a slow safety net while the websocket is up, since a
 * silently dropped subscription would otherwise stall the node).
 *
 * The subscription is renewed every `renewEvery` events, on a new connection, because CometBFT v0.38
 * keeps every event a subscription delivered: its forwarding goroutine defers each event's 10 s write
 * context's `cancel()` inside its loop, so the contexts (about 0.3 KB an event) are freed only when the
 * subscription ends. Held for days, one subscription to every block grows the node's heap without
 * bound (the soak's heap profiles showed it: bench/RESULTS.md, issue 17). The new connection subscribes
 * first; the old one is closed once the new one has delivered a block, so no height is missed.
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
  /** Events on one subscription before it is renewed on a new connection. Default 500. */
  renewEvery?: number;
  log?: (line: string) => void;
}

export interface BlockFollower {
  /** "websocket" or "polling". */
  readonly mode: string;
  /** How many times the subscription was renewed on a new connection. */
  readonly renewals: number;
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
  /** The connection replacing `ws`, subscribed but not yet delivering. */
  let next: WebSocket | undefined;
  const renewEvery = opts.renewEvery ?? 500;
  let events = 0;
  let renewals = 0;
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
    next?.terminate();
    next = undefined;
  };

  // JSON-RPC `subscribe` to NewBlockHeader; no reconnection here: polling takes over when it drops.
  const subscribe = (): WebSocket => {
    const socket = new WebSocket(websocketUrl(opts.rpcUrl), { handshakeTimeout: 5000 });
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
    // A failing replacement is dropped and tried again after another `renewEvery` events; only the
    // connection in use falls back to polling.
    const failed = (why: string): void => {
      if (socket === ws) fallBack(why);
      else if (socket === next) {
        next = undefined;
        socket.terminate();
        events = 0;
      }
    };
    socket.on("message", (data) => {
      let height: string | undefined;
      try {
        const msg = JSON.parse(String(data)) as {
          error?: { message?: string };
          result?: { data?: { value?: { header?: { height?: string } } } };
        };
        if (msg.error) return failed(msg.error.message ?? "subscribe refused");
        height = msg.result?.data?.value?.header?.height;
      } catch {
        return; // a frame that is not ours; ignore it
      }
      if (height === undefined || stopped) return;
      if (socket === next) {
        // The replacement delivers: the old subscription (and what CometBFT kept for it) goes.
        ws?.terminate();
        ws = socket;
        next = undefined;
        events = 0;
        renewals++;
      }
      if (socket !== ws) return;
      report(BigInt(height));
      if (++events >= renewEvery && next === undefined) next = subscribe();
    });
    socket.on("error", (err) => failed(err.message));
    socket.on("close", () => failed("closed by the node"));
    return socket;
  };
  ws = subscribe();
  mode = "websocket";
  void poll();
  return {
    get mode() {
      return mode;
    },
    get renewals() {
      return renewals;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.terminate();
      ws = undefined;
      next?.terminate();
      next = undefined;
    },
  };
}
