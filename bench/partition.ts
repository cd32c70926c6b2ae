/**
 * Cutting one validator off from its peers, for `poq bench faults`, inside the network namespace the
 * bench runs in (`ip netns exec NAME ...`), with `tc` on that namespace's loopback.
 *
 * This kernel has neither iptables/nft nor tc's drop action (act_gact), nor separate addresses per
 * validator (all listen on 127.0.0.1); what it has is HTB and the u32 classifier. So every packet to
 * or from the validator's p2p port goes into an HTB class of 8 bit/s with a one-packet queue: all
 * but about one packet a minute are dropped, both ways. To make the p2p port carry all of the
 * validator's peer traffic, it is first restarted with no persistent peers and no PEX, so it only
 * accepts connections (the others still dial it, so healing reconnects them).
 */
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { updateCometConfig } from "../network/comet-config.js";
import { portsFor } from "../network/comet-home.js";
import { cometRpc } from "../network/comet-process.js";
import type { FaultNet } from "./fault-net.js";

function tc(args: string[]): void {
  const r = spawnSync("tc", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tc ${args.join(" ")}: ${r.stderr || r.error?.message || r.status}`);
}

/** Why a partition cannot be made here, or undefined when it can. */
export function partitionAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root for tc";
  // Shaping the machine's own loopback would touch everyone's traffic: only inside a named namespace.
  const ns = spawnSync("ip", ["netns", "identify", String(process.pid)], { encoding: "utf8" });
  if (ns.status !== 0 || ns.stdout.trim() === "")
    return "not inside a named network namespace (ip netns exec NAME ...)";
  if (spawnSync("tc", ["-V"]).status !== 0) return "no tc";
  return undefined;
}

/** Peers validator i is connected to. */
async function peersOf(rpcUrl: string): Promise<number> {
  const r = await cometRpc<{ n_peers: string }>(rpcUrl, "/net_info", 2000).catch(() => undefined);
  return r ? Number(r.n_peers) : -1;
}

export interface Partition {
  /** Removes the shaping; the others redial the validator. */
  heal(): Promise<void>;
}

/**
 * Restarts validator `i` as accept-only, waits until its three peers are connected, then cuts it off.
 *
 * @example
 * const cut = await partitionNode(fn, 1, 27400);
 * await cut.heal();
 */
export async function partitionNode(fn: FaultNet, i: number, basePort: number): Promise<Partition> {
  const node = fn.devnet.network.nodes[i]!;
  await fn.hold(i);
  updateCometConfig(node.home, { "p2p.persistent_peers": "", "p2p.pex": false });
  await fn.release(i);
  const deadline = Date.now() + 90_000;
  while ((await peersOf(node.rpcUrl)) < fn.rpcUrls.length - 1 && Date.now() < deadline) await sleep(500);
  const port = String(portsFor(basePort, i).p2p);
  tc(["qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "0", "r2q", "1"]);
  try {
    tc(
      [
        "class",
        "add",
        "dev",
        "lo",
        "parent",
        "1:",
        "classid",
        "1:10",
        "htb",
        "rate",
        "8bit",
        "ceil",
        "8bit",
      ].concat(["burst", "1", "cburst", "1", "quantum", "100"]),
    );
    tc(["qdisc", "add", "dev", "lo", "parent", "1:10", "handle", "10:", "pfifo", "limit", "1"]);
    for (const [prio, dir] of [
      ["1", "dport"],
      ["2", "sport"],
    ] as const)
      tc(
        ["filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", prio, "u32"].concat([
          "match",
          "ip",
          dir,
          port,
          "0xffff",
          "flowid",
          "1:10",
        ]),
      );
  } catch (err) {
    tc(["qdisc", "del", "dev", "lo", "root"]);
    throw err;
  }
  // An interrupted bench must not leave the namespace's loopback shaped.
  const undo = (): void => void spawnSync("tc", ["qdisc", "del", "dev", "lo", "root"]);
  process.once("exit", undo);
  return {
    async heal() {
      process.removeListener("exit", undo);
      tc(["qdisc", "del", "dev", "lo", "root"]);
      await Promise.resolve();
    },
  };
}
