/**
 * The ABCI 2.0 socket server that CometBFT v0.38 connects to (`proxy_app = "tcp://..."` or `"unix://..."`).
 *
 * CometBFT opens four connections (query, snapshot, mempool, consensus) in no fixed order. On each one it
 * writes requests and reads the responses in the same order, sending a `Flush` whenever it waits. The
 * server therefore answers each connection strictly in order, and runs the application's methods one at
 * a time through a single queue shared by all connections, so the app never sees two calls at once even
 * when a method is async. The one exception is an app's `queryOffThread` (a query answered by another
 * thread), awaited outside that queue; the query connection still answers in order.
 */
import { existsSync, statSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { Application } from "./application.js";
import { decodeRequest, encodeResponse } from "./codec.js";
import { dispatchRequest, survivableFailure, type Serialize } from "./dispatch.js";
import { createFrameDecoder, DEFAULT_MAX_MESSAGE_BYTES, encodeFrame } from "./framing.js";
import { BaseError } from "../app/errors.js";

/** Where the server's events go; `fields` are structured context for the line. */
export interface AbciLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface AbciServerOptions {
  app: Application;
  /** `tcp://host:port` (port 0 picks a free one) or `unix:///path/to.sock`. */
  address: string;
  /** Largest frame accepted; a bigger one closes the connection. Default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /**
   * Connections open at once; more are refused at accept. CometBFT opens four (query, snapshot, mempool,
   * consensus); the spare ones cover a reconnect while the old sockets close. Default 8.
   */
  maxConnections?: number;
  /**
   * A frame started but not finished for this long closes its connection (a stalled or hostile peer
   * holding a buffer). Idle connections with nothing half-received are never timed out: CometBFT's
   * snapshot and query connections are idle for hours, and losing one stops the node. Default 60 s.
   */
  stalledFrameMs?: number;
  /**
   * Bytes of unfinished frames buffered over all connections; the connection that would pass it is
   * closed. Default twice `maxMessageBytes` (the consensus connection's largest frame, plus room).
   */
  maxBufferedBytes?: number;
  /** Default: errors as JSON lines on stderr, nothing else. */
  logger?: AbciLogger;
}

export interface AbciServer {
  /** Starts listening; resolves with the bound address (the real port when 0 was asked). */
  listen(): Promise<string>;
  /**
   * Stops accepting connections, lets each connection finish the requests it already received (up to
   * `timeoutMs`), then closes them and waits for the application queue to drain.
   */
  close(timeoutMs?: number): Promise<void>;
  /** Open connections right now. */
  readonly connectionCount: number;
}

/** An address that is neither `tcp://host:port` nor `unix://path`. */
export class AbciAddressError extends BaseError {
  override name = "AbciAddressError" as const;
}

export type AbciAddress = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

/**
 * Parses a CometBFT `proxy_app` address.
 *
 * @example
 * parseAbciAddress("tcp://127.0.0.1:26658"); // { kind: "tcp", host: "127.0.0.1", port: 26658 }
 * parseAbciAddress("unix:///tmp/app.sock"); // { kind: "unix", path: "/tmp/app.sock" }
 */
export function parseAbciAddress(address: string): AbciAddress {
  if (address.startsWith("unix://")) {
    const path = address.slice("unix://".length);
    if (path === "") throw new AbciAddressError("empty unix socket path", { details: address });
    return { kind: "unix", path };
  }
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(address);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw new AbciAddressError("expected tcp://host:port or unix://path", { details: address });
  }
  return { kind: "tcp", host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
}

/** Pending requests on one connection above which reading pauses, so a flood cannot exhaust memory. */
const PAUSE_AT_PENDING = 1024;
const RESUME_AT_PENDING = 256;

const stderrLogger: AbciLogger = {
  info() {},
  error(message, fields) {
    process.stderr.write(JSON.stringify({ level: "error", module: "abci", message, ...fields }) + "\n");
  },
};

function createSerializer(): { serialize: Serialize; idle(): Promise<void> } {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    serialize<T>(call: () => T | Promise<T>): Promise<T> {
      const result = tail.then(call);
      tail = result.catch(() => undefined);
      return result;
    },
    idle: () => tail.then(() => undefined),
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates an ABCI server for `app`; call `listen()` to start it (or use {@link startAbciServer}).
 *
 * @example
 * const server = createAbciServer({ app, address: "tcp://127.0.0.1:26658" });
 * await server.listen();
 * // ... CometBFT runs ...
 * await server.close();
 */
export function createAbciServer(opts: AbciServerOptions): AbciServer {
  const address = parseAbciAddress(opts.address);
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const logger = opts.logger ?? stderrLogger;
  const maxBufferedBytes = opts.maxBufferedBytes ?? 2 * maxMessageBytes;
  const stalledFrameMs = opts.stalledFrameMs ?? 60_000;
  const queue = createSerializer();
  const connections = new Map<Socket, { settled: () => Promise<void>; buffered: () => number }>();
  let nextId = 0;
  const totalBuffered = (): number => {
    let sum = 0;
    for (const c of connections.values()) sum += c.buffered();
    return sum;
  };

  function serveConnection(socket: Socket): void {
    const id = ++nextId;
    const decoder = createFrameDecoder({ maxMessageBytes });
    let answered: Promise<void> = Promise.resolve();
    let pending = 0;
    let failed = false;
    let stallTimer: NodeJS.Timeout | undefined;
    socket.setNoDelay(true);
    connections.set(socket, { settled: () => answered, buffered: () => decoder.bufferedBytes });
    logger.info("abci connection opened", { connection: id });

    /** Closes the connection with a reason the peer can read, after what is already queued. */
    function refuse(reason: string): void {
      failed = true;
      clearTimeout(stallTimer);
      logger.error("abci connection closed by the server", { connection: id, error: reason });
      answered = answered.then(() => {
        socket.end(encodeFrame(encodeResponse({ exception: { error: reason } })));
        // A peer that stops reading must not keep the socket (and its buffers) open.
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    }

    function write(frame: Uint8Array): Promise<void> | undefined {
      // Batch the frames written in one turn of the event loop into a single syscall.
      if (socket.writableCorked === 0) {
        socket.cork();
        setImmediate(() => socket.uncork());
      }
      const ok = socket.write(frame);
      if (ok || socket.destroyed) return undefined;
      return new Promise((resolve) => {
        socket.once("drain", resolve);
        socket.once("close", resolve);
      });
    }

    /**
     * The response frame for one request frame. A failure becomes a rejection where the method has one
     * (CheckTx, Query: see survivableFailure), otherwise the fatal `exception` answer.
     */
    async function respond(frame: Uint8Array): Promise<Uint8Array> {
      let request: ReturnType<typeof decodeRequest> | undefined;
      try {
        request = decodeRequest(frame);
        const response = await dispatchRequest(opts.app, request, queue.serialize);
        return encodeFrame(encodeResponse(response));
      } catch (err) {
        logger.error("abci request failed", {
          connection: id,
          method: request?.value,
          error: describe(err),
          stack: (err as Error)?.stack,
        });
        const rejection = request ? survivableFailure(request, err) : undefined;
        if (rejection) return encodeFrame(encodeResponse(rejection));
        // Fatal by protocol: CometBFT closes the connection on an exception and the node stops.
        return encodeFrame(encodeResponse({ exception: { error: describe(err) } }));
      }
    }

    async function answer(frame: Uint8Array): Promise<void> {
      if (socket.destroyed) return;
      await write(await respond(frame));
      pending -= 1;
      if (pending === RESUME_AT_PENDING && socket.isPaused()) socket.resume();
    }

    socket.on("data", (chunk: Buffer) => {
      if (failed) return;
      const enqueue = (frame: Uint8Array): void => {
        pending += 1;
        answered = answered
          .then(() => answer(frame))
          .catch((err: unknown) =>
            logger.error("abci write failed", { connection: id, error: describe(err) }),
          );
      };
      const before = decoder.bufferedBytes;
      let completed = false;
      try {
        decoder.push(chunk, (frame) => {
          completed = true;
          enqueue(frame);
        });
      } catch (err) {
        // Answer after what is already queued, so the peer sees the reason, then hang up.
        refuse(`framing error: ${describe(err)}`);
        return;
      }
      if (decoder.bufferedBytes > before && totalBuffered() > maxBufferedBytes) {
        refuse(`unfinished frames over all connections passed ${maxBufferedBytes} bytes`);
        return;
      }
      // The stall clock runs while a frame is half received, and restarts with each finished frame.
      if (decoder.bufferedBytes === 0 || completed) {
        clearTimeout(stallTimer);
        stallTimer = undefined;
      }
      if (decoder.bufferedBytes > 0 && stallTimer === undefined) {
        const arm = (): void => {
          stallTimer = setTimeout(() => {
            // Paused by our own back-pressure (the app is behind): the peer is not the one stalling.
            if (socket.isPaused()) arm();
            else if (decoder.bufferedBytes > 0)
              refuse(`a frame stalled half received for ${stalledFrameMs} ms`);
          }, stalledFrameMs);
          stallTimer.unref();
        };
        arm();
      }
      if (pending >= PAUSE_AT_PENDING) socket.pause();
    });
    socket.on("error", (err) =>
      logger.info("abci connection error", { connection: id, error: describe(err) }),
    );
    socket.on("close", () => {
      clearTimeout(stallTimer);
      connections.delete(socket);
      logger.info("abci connection closed", { connection: id });
    });
  }

  const server: Server = createServer(serveConnection);
  server.maxConnections = opts.maxConnections ?? 8;
  server.on("drop", (info) =>
    logger.error("abci connection refused: too many open", {
      limit: server.maxConnections,
      from: `${info?.remoteAddress ?? "?"}:${info?.remotePort ?? "?"}`,
    }),
  );

  return {
    listen() {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        const onListening = (): void => {
          server.off("error", reject);
          server.on("error", (err) => logger.error("abci server error", { error: describe(err) }));
          const bound = server.address();
          if (address.kind === "unix") resolve(`unix://${address.path}`);
          else if (bound && typeof bound === "object") resolve(`tcp://${address.host}:${bound.port}`);
          else resolve(opts.address);
        };
        if (address.kind === "unix") {
          removeStaleSocket(address.path);
          server.listen(address.path, onListening);
        } else {
          server.listen(address.port, address.host, onListening);
        }
      });
    },

    async close(timeoutMs = 5000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.all(
        [...connections].map(async ([socket, conn]) => {
          socket.pause();
          await Promise.race([conn.settled(), deadline]);
          socket.destroy();
        }),
      );
      await Promise.race([queue.idle(), deadline]);
      await closed;
    },

    get connectionCount() {
      return connections.size;
    },
  };
}

/**
 * Creates the server and starts listening.
 *
 * @example
 * const server = await startAbciServer({ app, address: "unix:///tmp/poq-app.sock" });
 */
export async function startAbciServer(opts: AbciServerOptions): Promise<AbciServer & { address: string }> {
  const server = createAbciServer(opts);
  const address = await server.listen();
  return Object.assign(server, { address });
}

/** A socket file left by a process that died is in the way of `listen`; anything else is not ours to remove. */
function removeStaleSocket(path: string): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isSocket())
    throw new AbciAddressError("unix socket path exists and is not a socket", { details: path });
  unlinkSync(path);
}
