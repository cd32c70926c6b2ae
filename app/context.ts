/**
 * Builds the {@link Context} a handler, hook or query runs in.
 */
import type { Event } from "../abci/application.js";
import type { Context, GasMeter, KVStore } from "./types.js";
import { createInfiniteGasMeter, withGas } from "./gas.js";

export interface CreateContextOptions {
  /** The store to run on; wrapped so that its accesses charge `gasMeter`. */
  store: KVStore;
  chainId: string;
  blockHeight: bigint;
  blockTimeNanos: bigint;
  /** Defaults to a meter that never runs out. */
  gasMeter?: GasMeter;
  isCheck?: boolean;
  /**
   * Whether store accesses charge the gas meter (default true). The proposal and vote-extension hooks
   * read the committed state outside any transaction, where gas means nothing; leaving the meter out
   * spares ExtendVote, which is on the critical path of every block, a BigInt sum per read.
   */
  metered?: boolean;
  /** Where emitted events go (the caller owns the array). */
  events?: Event[];
}

/** A context and the events it collected. */
export interface ContextWithEvents extends Context {
  readonly events: Event[];
}

/**
 * Creates a context whose store charges its gas meter.
 *
 * @example
 * const ctx = createContext({ store: state.deliver, chainId: "poq-devnet-1", blockHeight: 5n, blockTimeNanos: t });
 * ctx.emitEvent({ type: "message", attributes: [] });
 */
export function createContext(opts: CreateContextOptions): ContextWithEvents {
  const gasMeter = opts.gasMeter ?? createInfiniteGasMeter();
  const events = opts.events ?? [];
  return {
    store: opts.metered === false ? opts.store : withGas(opts.store, gasMeter),
    chainId: opts.chainId,
    blockHeight: opts.blockHeight,
    blockTimeNanos: opts.blockTimeNanos,
    gasMeter,
    isCheck: opts.isCheck ?? false,
    events,
    emitEvent(event: Event): void {
      events.push(event);
    },
  };
}
