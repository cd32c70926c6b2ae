/**
 * The query worker thread: answers ABCI queries off the consensus thread (see query-service.ts).
 * It builds the app's query routes from the module named in its data, opens its own read-only
 * connection to the committed state, and answers each query in one read transaction, so a query
 * sees one committed height and reports it. Before the first block (height 0: a genesis may be
 * half written to the database) it hands the query back to the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { QueryRequest } from "../../abci/application.js";
import { QueryReader } from "../store/query-reader.js";
import type { Router } from "../router.js";
import { handleCommittedQuery } from "./query.js";

export interface QueryWorkerData {
  /** The app's SQLite file. */
  dbPath: string;
  /** URL of an ES module exporting `createQueryRouter(): Router`: the app's modules' query routes. */
  router: string;
}

export interface QueryWorkerRequest {
  id: number;
  req: QueryRequest;
}

export type QueryWorkerReply =
  | { id: number; res: import("../../abci/application.js").QueryResponse }
  /** Answer it on the main thread (nothing committed yet). */
  | { id: number; main: true }
  /** Routes loaded, connection open: sent once, before any answer. */
  | { ready: true };

const data = workerData as QueryWorkerData;
const { createQueryRouter } = (await import(data.router)) as { createQueryRouter: () => Router };
const router = createQueryRouter();
const reader = QueryReader.open(data.dbPath);

parentPort?.on("message", ({ id, req }: QueryWorkerRequest) => {
  let reply: QueryWorkerReply;
  try {
    reply = reader.read((snap) =>
      snap.height === 0n
        ? { id, main: true }
        : { id, res: handleCommittedQuery(router, snap.height, snap, req) },
    );
  } catch (err) {
    // The read itself failed (handleCommittedQuery never throws): an internal error, as on the main thread.
    const log = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    reply = {
      id,
      res: {
        code: 1,
        codespace: "undefined",
        log,
        info: "",
        index: 0n,
        key: new Uint8Array(0),
        value: new Uint8Array(0),
        height: 0n,
      },
    };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true } satisfies QueryWorkerReply);
