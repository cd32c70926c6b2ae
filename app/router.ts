/**
 * Routes messages by type URL and queries by path to the modules that registered them.
 */
import { BaseError } from "./errors.js";
import type { Module, MsgDescriptor, QueryHandler } from "./types.js";

/** Two modules (or one module twice) claimed the same message type, query path or name. */
export class RouterError extends BaseError {
  override name = "RouterError" as const;
}

/** A message route: its descriptor and the module that owns it (for the `message.module` event). */
export interface MsgRoute {
  descriptor: MsgDescriptor;
  module: string;
}

export interface Router {
  /** The route of a message type URL, or undefined when no module handles it. */
  msg(typeUrl: string): MsgRoute | undefined;
  /** The handler of a query path, or undefined. */
  query(path: string): QueryHandler | undefined;
  /** All registered message type URLs, sorted. */
  msgTypeUrls(): string[];
}

/**
 * Builds the routing tables from the modules; throws {@link RouterError} on any duplicate.
 *
 * @example
 * const router = createRouter([authModule, bankModule]);
 * router.msg("/cosmos.bank.v1beta1.MsgSend")?.descriptor.handler(ctx, msg);
 */
export function createRouter(modules: readonly Module[]): Router {
  const msgs = new Map<string, MsgRoute>();
  const queries = new Map<string, QueryHandler>();
  const names = new Set<string>();
  for (const m of modules) {
    if (names.has(m.name)) throw new RouterError(`module ${m.name} is registered twice`);
    names.add(m.name);
    for (const d of m.msgs) {
      const prev = msgs.get(d.typeUrl);
      if (prev) throw new RouterError(`message ${d.typeUrl} is registered by ${prev.module} and ${m.name}`);
      msgs.set(d.typeUrl, { descriptor: d, module: m.name });
    }
    for (const [path, handler] of Object.entries(m.queries)) {
      if (queries.has(path))
        throw new RouterError(`query path ${path} is registered twice (again by ${m.name})`);
      queries.set(path, handler);
    }
  }
  return {
    msg: (typeUrl) => msgs.get(typeUrl),
    query: (path) => queries.get(path),
    msgTypeUrls: () => [...msgs.keys()].sort(),
  };
}
