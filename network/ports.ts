/**
 * Checks that the ports a network will listen on are free before anything starts, so that a busy
 * port is reported by number and by the flag that moves it, not as a stalled CometBFT.
 */
import { createServer } from "node:net";
import { BaseError } from "../app/errors.js";

export class PortInUseError extends BaseError {
  override name = "PortInUseError" as const;
  readonly port: number;

  constructor(port: number, what: string, flag: string) {
    super(`port ${port} (${what}) is already in use`, {
      details: `stop what is listening there (another devnet?) or choose other ports with ${flag}`,
    });
    this.port = port;
  }
}

/** A port to check, what it is for, and the flag that changes it. */
export interface PortClaim {
  port: number;
  what: string;
  flag: string;
}

/** Whether `host:port` can be bound now. */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws a {@link PortInUseError} for the first claimed port that is taken.
 *
 * @example
 * await assertPortsFree([{ port: 26657, what: "node 0 CometBFT RPC", flag: "--base-port" }]);
 */
export async function assertPortsFree(claims: readonly PortClaim[], host = "127.0.0.1"): Promise<void> {
  for (const c of claims) {
    if (!(await isPortFree(c.port, host))) throw new PortInUseError(c.port, c.what, c.flag);
  }
}
