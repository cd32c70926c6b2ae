/**
 * MsgUnjailNode: a node jailed after a missed deadline or a score under the floor (penalties.ts)
 * takes requests again. Its stake must still meet `min_node_stake` (a node slashed below it registers
 * more first); re-registering alone never unjails.
 */
import { ChainError } from "../../errors.js";
import type { MsgDescriptor } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import type { PoqDeps } from "./deps.js";
import { ErrInsufficientStake, ErrNodeNotFound, ErrNodeNotJailed } from "./errors.js";
import { PoqEvent, poqEvent } from "./events.js";
import { aminoOf, decodeMsg, result } from "./msg-codec.js";
import { NodeStatus } from "./state.js";
import { poqAminoConverters } from "./types/amino.js";
import { MsgUnjailNode, MsgUnjailNodeResponse, PoqTypeUrl } from "./types/msgs.js";

/**
 * The MsgUnjailNode descriptor.
 *
 * @example
 * const msgs = [...createPoqMsgServer(deps, params), createUnjailMsg(deps)];
 */
export function createUnjailMsg(deps: PoqDeps): MsgDescriptor {
  const { keeper } = deps;
  return {
    typeUrl: PoqTypeUrl.UnjailNode,
    signers: (v) => [decodeMsg(MsgUnjailNode, v, "MsgUnjailNode").operator],
    toAmino: aminoOf(MsgUnjailNode, "MsgUnjailNode", poqAminoConverters[PoqTypeUrl.UnjailNode]),
    validateBasic(v) {
      parseAccountAddress(decodeMsg(MsgUnjailNode, v, "MsgUnjailNode").operator, "operator");
    },
    handler(ctx, msg) {
      const m = decodeMsg(MsgUnjailNode, msg.value, "MsgUnjailNode");
      const params = keeper.getParams(ctx);
      const node = keeper.getNode(ctx, m.operator);
      if (!node || node.status === NodeStatus.Unbonded)
        throw new ChainError(ErrNodeNotFound, `no node ${m.operator}`);
      if (!node.jailed) throw new ChainError(ErrNodeNotJailed, `node ${m.operator} is not jailed`);
      if (BigInt(node.stake.amount) < params.minNodeStake) {
        throw new ChainError(
          ErrInsufficientStake,
          `stake ${node.stake.amount}${params.denom} < ${params.minNodeStake}${params.denom}: register more first`,
        );
      }
      keeper.setNode(ctx, { ...node, jailed: false });
      ctx.emitEvent(poqEvent(PoqEvent.NodeUnjailed, { operator: m.operator }));
      return result(PoqTypeUrl.UnjailNodeResponse, MsgUnjailNodeResponse, {});
    },
  };
}
