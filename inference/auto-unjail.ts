/**
 * `poq node run --auto-unjail`: a node jailed after a missed deadline (or a score under the floor)
 * takes no new requests until its operator sends MsgUnjailNode. An honest node that was only down for
 * a while would stay out forever; with this option the running node unjails itself once it is back,
 * but never while its backend keeps failing (each new miss would cost another fee-sized penalty) and
 * never below the chain's `min_node_stake` (the chain refuses that; the operator must top up).
 */
import type { SigningStargateClient } from "@cosmjs/stargate";
import { unjailNode } from "../client/poq-tx.js";
import { queryNode, queryPoqParams } from "./chain-query.js";

export interface AutoUnjailOptions {
  rpcUrl: string;
  client: SigningStargateClient;
  address: string;
  log: (line: string) => void;
  /** Backend calls that failed so far (the node's stats). */
  backendFailures: () => number;
  /** Blocks between two looks at the node record. Default 3. */
  everyBlocks?: bigint;
}

/** Looks at the node's record now and then and unjails it when it is healthy; returns the checker. */
export function createAutoUnjail(o: AutoUnjailOptions): (height: bigint) => Promise<void> {
  let next = 0n;
  let failures = o.backendFailures();
  return async (height) => {
    if (height < next) return;
    next = height + (o.everyBlocks ?? 3n);
    const node = await queryNode(o.rpcUrl, o.address);
    const failing = o.backendFailures() > failures;
    failures = o.backendFailures();
    if (!node?.jailed) return;
    if (failing) {
      o.log(`auto-unjail: jailed, and the backend failed since the last look: staying jailed for now`);
      return;
    }
    const min = BigInt((await queryPoqParams(o.rpcUrl)).minNodeStake ?? "0");
    if (BigInt(node.stake.amount) < min) {
      o.log(
        `auto-unjail: jailed with stake ${node.stake.amount} below min_node_stake ${min}: ` +
          `top it up (poq tx node register) and unjail (poq tx node unjail)`,
      );
      return;
    }
    const res = await unjailNode(o.client, o.address);
    o.log(
      `auto-unjail: was jailed (${node.missed_deadlines} missed deadlines, ${node.slashed} penalised so far); ` +
        `sent MsgUnjailNode (tx ${res.txHash}, block ${res.height})`,
    );
  };
}
