/**
 * The query routes of the validator's app, for its query worker thread (app/baseapp/query-service.ts):
 * the same modules as `assembleApp`, built afresh in the worker, their routes over the worker's own
 * read-only connection.
 */
import { createRouter, type Router } from "../app/router.js";
import { chainModuleList, createChainModules } from "./assemble.js";

/** The routes of the chain's modules (gov bound to them, as `assembleApp` does). */
export function createQueryRouter(): Router {
  const modules = createChainModules();
  const router = createRouter(chainModuleList(modules));
  modules.gov.bindRouter(router);
  return router;
}
