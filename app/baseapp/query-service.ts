/**
 * ABCI queries served off the consensus thread (issue 14, review M7): a worker thread with its own
 * read-only SQLite connection to the committed state and the app's query routes built over it
 * (query-worker.ts). A heavy query then runs while FinalizeBlock and Commit go on in the main thread.
 *
 * - Each query runs in one read transaction of the worker: it sees one committed height and reports
 *   it. Only the latest height can be asked, as on the main thread.
 * - Simulate (check state) and proven raw reads (the tree above the buckets is in the app's memory;
 *   a proof is O(depth)) stay on the main thread, and so does every query before the first block.
 * - The worker starts with the first query. A query running longer than `timeoutMs` is answered
 *   with an error and its worker terminated; a worker that dies (its query gets an internal error)
 *   is started again for the next query. After {@link MAX_FAILED_STARTS} workers in a row died
 *   before answering anything, queries go back to the main thread (logged): the node never stops
 *   for its query worker.
 */
import { Worker } from "node:worker_threads";
import type { QueryRequest, QueryResponse } from "../../abci/application.js";
import { readsCommittedOnly } from "./query.js";
import type { QueryWorkerData, QueryWorkerReply, QueryWorkerRequest } from "./query-worker.js";

export interface QueryServiceLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface QueryServiceOptions {
  /** The app's SQLite file. */
  dbPath: string;
  /** URL of an ES module exporting `createQueryRouter(): Router` (the same routes as the app's). */
  router: string | URL;
  /** A query still running after this long is answered with an error and its worker restarted. Default 30 s. */
  timeoutMs?: number;
  /**
   * A worker not ready this long after it started (its routes not loaded) is stopped as a failed start;
   * the queries waiting for it get an error. Default 60 s.
   */
  startTimeoutMs?: number;
  logger?: QueryServiceLogger;
}

export interface QueryService {
  /**
   * The answer from the worker, or undefined when the query belongs on the main thread (Simulate, a
   * proven read, nothing committed yet, or the worker given up).
   */
  query(req: QueryRequest): Promise<QueryResponse | undefined>;
  /** Stops the worker; queries still waiting get an error. */
  close(): Promise<void>;
  /** Workers started so far (a restart after a crash or a timeout starts one more). */
  readonly started: number;
}

/** The worker's V8 old-space limit: its routes and one bounded query need a fraction of it. */
export const QUERY_WORKER_HEAP_MB = 128;

/** Workers that died in a row without answering a query before the service stops starting them. */
export const MAX_FAILED_STARTS = 3;

const EMPTY = new Uint8Array(0);

/** An internal-error answer, as the server gives a query whose handling threw. */
function internalError(message: string): QueryResponse {
  return {
    code: 1,
    codespace: "undefined",
    log: `internal error: ${message}`,
    info: "",
    index: 0n,
    key: EMPTY,
    value: EMPTY,
    height: 0n,
  };
}

interface Waiting {
  req: QueryRequest;
  resolve: (res: QueryResponse | undefined) => void;
  /** Runs from when the worker it went to is ready (a worker's start-up is not the query's time). */
  timer: NodeJS.Timeout | undefined;
  /** The worker it was posted to. */
  slot: Slot;
}

/** One worker thread and what became of it. */
interface Slot {
  worker: Worker;
  /** It answered at least one query. */
  answered: boolean;
  /** It loaded its routes and opened its connection. */
  ready: boolean;
  /** Terminated on purpose (a query timed out): its end is not a failure. */
  stopping: boolean;
}

/**
 * Creates the service; no thread starts until the first query.
 *
 * @example
 * const queries = createQueryService({ dbPath: state.path, router: new URL("./query-router.js", import.meta.url) });
 * const res = (await queries.query(req)) ?? handleQuery(deps, req);
 */
export function createQueryService(opts: QueryServiceOptions): QueryService {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const logger = opts.logger;
  const data: QueryWorkerData = { dbPath: opts.dbPath, router: String(opts.router) };
  const waiting = new Map<number, Waiting>();
  let current: Slot | undefined;
  let nextId = 0;
  let started = 0;
  /** Workers in a row that ended without answering a query (timeouts excluded). */
  let failedStarts = 0;
  let givenUp = false;
  let closed = false;

  const settle = (id: number, res: QueryResponse | undefined): void => {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    clearTimeout(w.timer);
    if (waiting.size === 0) current?.worker.unref();
    w.resolve(res);
  };

  const startQueryTimer = (id: number, w: Waiting): void => {
    clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      logger?.error("query timed out in the worker: restarting it", { path: w.req.path, timeoutMs });
      settle(id, internalError(`query ${w.req.path} ran past ${timeoutMs} ms`));
      w.slot.stopping = true;
      if (current === w.slot) current = undefined;
      void w.slot.worker.terminate();
    }, timeoutMs);
    w.timer.unref();
  };

  const start = (): Slot => {
    const worker = new Worker(new URL("./query-worker.js", import.meta.url), {
      workerData: data,
      // A query that would need more dies alone (its answer: code 1), never the node.
      resourceLimits: { maxOldGenerationSizeMb: QUERY_WORKER_HEAP_MB },
    });
    const slot: Slot = { worker, answered: false, ready: false, stopping: false };
    started++;
    // Idle, it never keeps the process alive (see `post`).
    worker.unref();
    const startTimer = setTimeout(() => {
      logger?.error("query worker did not start in time: stopping it", { startTimeoutMs });
      void worker.terminate();
    }, startTimeoutMs);
    startTimer.unref();
    worker.on("message", (reply: QueryWorkerReply) => {
      if ("ready" in reply) {
        clearTimeout(startTimer);
        slot.ready = true;
        logger?.info("query worker ready", { started });
        for (const [id, w] of waiting) if (w.slot === slot) startQueryTimer(id, w);
        return;
      }
      slot.answered = true;
      failedStarts = 0;
      settle(reply.id, "main" in reply ? undefined : reply.res);
    });
    worker.on("error", (err) => logger?.error("query worker failed", { error: err.message }));
    worker.on("exit", (exitCode) => {
      clearTimeout(startTimer);
      if (current === slot) current = undefined;
      if (closed) return;
      if (!slot.stopping) {
        logger?.error("query worker stopped", { exitCode });
        if (!slot.answered) failedStarts++;
        if (failedStarts >= MAX_FAILED_STARTS && !givenUp) {
          givenUp = true;
          logger?.error(
            "query workers died before answering, several in a row: queries run on the main thread",
            {
              failedStarts,
            },
          );
        }
      }
      for (const [id, w] of [...waiting]) {
        if (w.slot !== slot) continue;
        // Behind a query that timed out: not their fault, so they go to a fresh worker. Those of a
        // worker that died get an error (one of them may be what killed it).
        if (slot.stopping && !givenUp) post(id, w);
        else settle(id, internalError("the query worker stopped"));
      }
    });
    return slot;
  };

  const post = (id: number, w: Waiting): void => {
    current ??= start();
    w.slot = current;
    // While a query waits, the worker keeps the process alive (its answer is what the caller awaits).
    current.worker.ref();
    if (current.ready) startQueryTimer(id, w);
    const msg: QueryWorkerRequest = { id, req: w.req };
    current.worker.postMessage(msg);
  };

  return {
    get started() {
      return started;
    },

    query(req) {
      if (closed || givenUp || !readsCommittedOnly(req)) return Promise.resolve(undefined);
      const id = ++nextId;
      return new Promise<QueryResponse | undefined>((resolve) => {
        current ??= start();
        const w: Waiting = { req, resolve, timer: undefined, slot: current };
        waiting.set(id, w);
        post(id, w);
      });
    },

    async close() {
      closed = true;
      const slot = current;
      current = undefined;
      for (const id of [...waiting.keys()]) settle(id, internalError("the query service is closed"));
      if (slot) await slot.worker.terminate();
    },
  };
}
