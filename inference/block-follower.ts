/**
 * Calls back on every new block: through CometBFT's websocket (`NewBlockHeader` events) when it can,
 * and by polling `/status` otherwise (also as a slow safety net while the websocket is up, since a
 * silently dropped subscription would otherwise stall the node).
 */
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
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
export function websocketUrl(rpcUrl: string): string {
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
  let ws: { client: Comet38Client; unsubscribe: () => void } | undefined;
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
    ws?.unsubscribe();
    ws?.client.disconnect();
    ws = undefined;
  };

  try {
    const socket = new WebsocketClient(websocketUrl(opts.rpcUrl), (err) => fallBack(String(err)));
    const client = Comet38Client.create(socket);
    const sub = client.subscribeNewBlockHeader().subscribe({
      next: (header) => report(BigInt(header.height)),
      error: (err: unknown) => fallBack(err instanceof Error ? err.message : String(err)),
      complete: () => fallBack("subscription ended"),
    });
    ws = { client, unsubscribe: () => sub.unsubscribe() };
    mode = "websocket";
  } catch (err) {
    opts.log?.(`no websocket (${err instanceof Error ? err.message : String(err)}); polling`);
  }
  void poll();
  return {
    get mode() {
      return mode;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.unsubscribe();
      ws?.client.disconnect();
      ws = undefined;
    },
  };
}
