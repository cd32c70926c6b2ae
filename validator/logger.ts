/**
 * JSON-lines logger for the validator process: one object per line on stdout, which the network
 * orchestration appends to `<home>/app.log`.
 */
export interface JsonLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function write(level: string, module: string, msg: string, fields?: Record<string, unknown>): void {
  const line = JSON.stringify(
    { level, time: new Date().toISOString(), module, msg, ...fields },
    (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
  );
  process.stdout.write(line + "\n");
}

/** A logger whose lines carry `module`. */
export function createJsonLogger(module: string): JsonLogger {
  return {
    info: (msg, fields) => write("info", module, msg, fields),
    error: (msg, fields) => write("error", module, msg, fields),
  };
}
