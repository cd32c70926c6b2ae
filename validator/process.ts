/**
 * Runs one validator's application process: the app over its database and the ABCI socket server
 * that CometBFT connects to. Stops cleanly on SIGINT/SIGTERM.
 */
import { startAbciServer, type AbciServer } from "../abci/server.js";
import type { PoqApp } from "../app/app.js";
import { assembleApp } from "./assemble.js";
import { createJsonLogger } from "./logger.js";

export interface RunValidatorOptions {
  home: string;
  /** Where CometBFT's `proxy_app` points, e.g. `tcp://127.0.0.1:26658`. */
  abciAddress: string;
  chainId?: string;
}

export interface ValidatorProcess {
  app: PoqApp;
  server: AbciServer & { address: string };
  stop(): Promise<void>;
}

/**
 * Opens the app and listens for CometBFT.
 *
 * @example
 * const v = await runValidator({ home: "/tmp/poq/node0", abciAddress: "tcp://127.0.0.1:26658" });
 * await v.stop();
 */
export async function runValidator(opts: RunValidatorOptions): Promise<ValidatorProcess> {
  const log = createJsonLogger("app");
  const app = assembleApp({
    home: opts.home,
    logger: log,
    ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}),
  });
  let server: AbciServer & { address: string };
  try {
    server = await startAbciServer({ app, address: opts.abciAddress, logger: createJsonLogger("abci") });
  } catch (err) {
    app.close();
    throw err;
  }
  log.info("listening for CometBFT", { address: server.address, height: app.state.lastHeight });
  let stopped = false;
  return {
    app,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close(2000);
      app.close();
    },
  };
}
