/**
 * The validators that `poq devnet` and `poq start` run, under {@link supervise}: a validator is its
 * application process and its CometBFT; when either ends, the pair is stopped and brought back (the
 * app first).
 */
import type { LocalNetwork } from "./local-network.js";
import type { RunningNode } from "./single-node.js";
import { supervise, type SuperviseOptions, type Supervisor, type SupervisorEvent } from "./supervisor.js";

type Backoff = Pick<SuperviseOptions, "initialMs" | "maxMs" | "stableAfterMs">;

/** How the first of a validator's two processes ends, as a sentence. */
function firstExit(
  app: { exited: Promise<number | string> } | undefined,
  comet: typeof app,
): Promise<string> {
  const ends = [
    ...(app ? [app.exited.then((how) => `application exited (${how})`)] : []),
    ...(comet ? [comet.exited.then((how) => `CometBFT exited (${how})`)] : []),
  ];
  return ends.length > 0 ? Promise.race(ends) : Promise.resolve("not running");
}

/**
 * Supervises every validator of a local network; stop the returned supervisors before the network.
 *
 * @example
 * const sups = superviseNetwork(net, (e) => say(describeEvent(e)));
 * // ...
 * await Promise.all(sups.map((s) => s.stop()));
 */
export function superviseNetwork(
  net: LocalNetwork,
  onEvent: (e: SupervisorEvent) => void,
  backoff: Backoff = {},
): Supervisor[] {
  return net.nodes.map((_, i) => superviseValidator(net, i, onEvent, backoff));
}

/**
 * Supervises validator `index` of a local network alone (the fault bench stops one supervisor to keep
 * its validator down, then supervises it again).
 *
 * @example
 * const sup = superviseValidator(net, 3, (e) => say(describeEvent(e)));
 */
export function superviseValidator(
  net: LocalNetwork,
  index: number,
  onEvent: (e: SupervisorEvent) => void,
  backoff: Backoff = {},
): Supervisor {
  const n = net.nodes[index];
  if (!n) throw new Error(`no validator ${index}`);
  return supervise({
    ...backoff,
    name: `validator ${index}`,
    // Read the processes at each watch: a restart replaces them.
    watch: () => firstExit(n.app, n.comet),
    // Both processes, even when only CometBFT died: the pair comes back in the order it started in.
    // (A CometBFT killed between FinalizeBlock and Commit replays that block, which once crash-looped
    // a CometBFT-only restart, found by `poq bench faults`; the app now runs a replayed block again.)
    restart: async () => {
      await net.stopNode(index);
      await net.startNode(index);
    },
    onEvent,
  });
}

/**
 * Supervises the validator `poq start` runs.
 *
 * @example
 * const sup = superviseNode(node, (e) => process.stderr.write(describeEvent(e) + "\n"));
 */
export function superviseNode(
  node: RunningNode,
  onEvent: (e: SupervisorEvent) => void,
  backoff: Backoff = {},
): Supervisor {
  return supervise({
    ...backoff,
    name: "validator",
    watch: () => firstExit(node.app, node.comet),
    restart: () => node.restart(),
    onEvent,
  });
}
