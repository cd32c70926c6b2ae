/**
 * Runs one validator's application process: the app over its database and the ABCI socket server
 * that CometBFT connects to. Stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Application } from "../abci/application.js";
import { startAbciServer, type AbciServer } from "../abci/server.js";
import type { PoqApp } from "../app/app.js";
import { assembleApp } from "./assemble.js";
import { createJsonLogger } from "./logger.js";

export interface RunValidatorOptions {
  home: string;
  /** Where CometBFT's `proxy_app` points, e.g. `tcp://127.0.0.1:26658`. */
  abciAddress: string;
  chainId?: string;
  /**
   * Fault injection for crash tests: SIGKILL this process after FinalizeBlock of this height and before
   * its Commit, once (a marker file in `home` keeps the replay after restart from crashing again).
   */
  crashBeforeCommitAt?: bigint;
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
    const served =
      opts.crashBeforeCommitAt !== undefined
        ? withCrashBeforeCommit(app, opts.home, opts.crashBeforeCommitAt)
        : app;
    server = await startAbciServer({
      app: served,
      address: opts.abciAddress,
      logger: createJsonLogger("abci"),
    });
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

/** The app, except that the process kills itself between FinalizeBlock and Commit of `height`, once. */
function withCrashBeforeCommit(app: PoqApp, home: string, height: bigint): Application {
  const marker = join(home, `crashed-before-commit-${height}`);
  let finalizing = 0n;
  return {
    ...app,
    finalizeBlock(req) {
      finalizing = req.height;
      return app.finalizeBlock(req);
    },
    commit() {
      if (finalizing === height && !existsSync(marker)) {
        writeFileSync(marker, "");
        process.kill(process.pid, "SIGKILL");
      }
      return app.commit();
    },
  };
}
