/**
 * One handler per `poq.v1` message: decode, validate, call the keeper, emit events.
 * Stateless checks live in each descriptor's `validateBasic` (run in CheckTx too).
 */
import { ChainError } from "../../errors.js";
import type { AnyMsg, Context, MsgDescriptor } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import { poqAminoConverters } from "./types/amino.js";
import type { PoqDeps } from "./deps.js";
import {
  ErrInsufficientStake,
  ErrInvalidFee,
  ErrInvalidMaxTokens,
  ErrInvalidMinQuality,
  ErrInvalidModel,
  ErrInvalidModels,
  ErrInvalidMoniker,
  ErrInvalidStake,
  ErrNodeNotFound,
  ErrNodeUnbonding,
  ErrMalformedMsg,
  ErrEmptyPrompt,
  ErrInvalidCommitment,
  ErrInvalidReplicas,
  ErrNoNodeForModel,
  ErrPromptTooLarge,
  ErrResponseTooLarge,
  ErrInvalidMaxInFlight,
  ErrPendingFull,
} from "./errors.js";
import { anyNodeOffers } from "./eligibility.js";
import { MAX_PENDING_REQUESTS, markRetry, pendingCount } from "./pending-index.js";
import { PoqEvent, poqEvent } from "./events.js";
import { POQ_MODULE } from "./keys.js";
import type { PoqParams } from "./params.js";
import { ANSWER_COMMITMENT_BYTES } from "./answer-commitment.js";
import { commitResponse } from "./replicas.js";
import { submitResponse } from "./requests.js";
import { NodeStatus, RequestStatus, type NodeRecord, type RequestRecord } from "./state.js";
import {
  MsgCommitResponse,
  MsgCommitResponseResponse,
  MsgRegisterNode,
  MsgRegisterNodeResponse,
  MsgRequestInference,
  MsgRequestInferenceResponse,
  MsgSubmitResponse,
  MsgSubmitResponseResponse,
  MsgUnregisterNode,
  MsgUnregisterNodeResponse,
  PoqTypeUrl,
} from "./types/msgs.js";
import { createUpdateParamsMsg } from "./update-params.js";
import { aminoOf, checkModelId, coinAmount, decodeMsg, result, utf8Length } from "./msg-codec.js";
import { createUnjailMsg } from "./unjail.js";

/**
 * The number of answers a request asks for (`replicas` 0 means 1), or a ChainError when it exceeds
 * `max_replicas` or the fee cannot give every answer a share of at least 1 (a zero fee stays allowed).
 */
function checkReplicas(requested: number | undefined, fee: bigint, params: PoqParams): number {
  const replicas = Math.max(requested ?? 0, 1);
  if (replicas > params.maxReplicas)
    throw new ChainError(
      ErrInvalidReplicas,
      `replicas ${replicas} exceeds max_replicas ${params.maxReplicas}`,
    );
  if (fee > 0n && fee < BigInt(replicas))
    throw new ChainError(ErrInvalidFee, `fee ${fee}${params.denom} is too small for ${replicas} shares`);
  return replicas;
}

/**
 * Builds the message descriptors of the poq module. `params` reads the current parameters
 * (validateBasic has no store; it uses the genesis parameters given here).
 *
 * @example
 * const msgs = createPoqMsgServer(deps, () => genesisParams);
 */
export function createPoqMsgServer(deps: PoqDeps, staticParams: () => PoqParams): MsgDescriptor[] {
  const { keeper } = deps;
  const registerNode: MsgDescriptor = {
    typeUrl: PoqTypeUrl.RegisterNode,
    signers: (v) => [decodeMsg(MsgRegisterNode, v, "MsgRegisterNode").operator],
    toAmino: aminoOf(MsgRegisterNode, "MsgRegisterNode", poqAminoConverters[PoqTypeUrl.RegisterNode]),
    validateBasic(v) {
      const m = decodeMsg(MsgRegisterNode, v, "MsgRegisterNode");
      const params = staticParams();
      parseAccountAddress(m.operator, "operator");
      if (m.models.length === 0 || m.models.length > params.maxModelsPerNode) {
        throw new ChainError(
          ErrInvalidModels,
          `a node serves 1..${params.maxModelsPerNode} models, got ${m.models.length}`,
        );
      }
      for (const model of m.models) checkModelId(model, params, ErrInvalidModels);
      if (new Set(m.models).size !== m.models.length)
        throw new ChainError(ErrInvalidModels, "duplicate model id");
      if (utf8Length(m.moniker) > params.maxMonikerBytes) {
        throw new ChainError(ErrInvalidMoniker, `moniker is longer than ${params.maxMonikerBytes} bytes`);
      }
      coinAmount(m.stake, params, "stake", ErrInvalidStake);
      if (m.minFee) coinAmount(m.minFee, params, "min_fee", ErrInvalidFee);
      if ((m.maxInFlight ?? 0) > params.maxInFlightLimit) {
        throw new ChainError(
          ErrInvalidMaxInFlight,
          `max_in_flight ${m.maxInFlight} exceeds ${params.maxInFlightLimit}`,
        );
      }
    },
    handler(ctx: Context, msg: AnyMsg) {
      const m = decodeMsg(MsgRegisterNode, msg.value, "MsgRegisterNode");
      const params = keeper.getParams(ctx);
      const amount = coinAmount(m.stake, params, "stake", ErrInvalidStake);
      // A node cannot be made to work for less than the chain's floor (review C1).
      const asked = m.minFee ? coinAmount(m.minFee, params, "min_fee", ErrInvalidFee) : 0n;
      const minFee = asked > params.minRequestFee ? asked : params.minRequestFee;
      if ((m.maxInFlight ?? 0) > params.maxInFlightLimit) {
        throw new ChainError(ErrInvalidMaxInFlight, `max_in_flight exceeds ${params.maxInFlightLimit}`);
      }
      const existing = keeper.getNode(ctx, m.operator);
      if (existing?.status === NodeStatus.Unbonding) {
        throw new ChainError(
          ErrNodeUnbonding,
          `node ${m.operator} is unbonding until ${existing.unbonding_height}`,
        );
      }
      const bonded = existing?.status === NodeStatus.Active ? BigInt(existing.stake.amount) : 0n;
      if (bonded + amount < params.minNodeStake) {
        throw new ChainError(
          ErrInsufficientStake,
          `stake ${bonded + amount}${params.denom} < ${params.minNodeStake}${params.denom}`,
        );
      }
      if (amount > 0n)
        deps.bank.sendCoinsFromAccountToModule(ctx, m.operator, POQ_MODULE, [
          { denom: params.denom, amount },
        ]);
      const zero = "0";
      const node: NodeRecord = {
        operator: m.operator,
        moniker: m.moniker,
        models: [...m.models],
        stake: { denom: params.denom, amount: (bonded + amount).toString() },
        status: NodeStatus.Active,
        registered_height: existing?.registered_height ?? ctx.blockHeight.toString(),
        unbonding_height: zero,
        assigned: existing?.assigned ?? zero,
        served: existing?.served ?? zero,
        scored: existing?.scored ?? zero,
        quality_sum: existing?.quality_sum ?? zero,
        earnings: existing?.earnings ?? zero,
        slashed: existing?.slashed ?? zero,
        slashes: existing?.slashes ?? zero,
        missed_deadlines: existing?.missed_deadlines ?? zero,
        min_fee: { denom: params.denom, amount: minFee.toString() },
        max_in_flight: m.maxInFlight ?? 0,
        in_flight: existing?.in_flight ?? zero,
        // Re-registering does not unjail: that takes MsgUnjailNode.
        jailed: existing?.jailed ?? false,
      };
      keeper.setNode(ctx, node);
      ctx.emitEvent(
        poqEvent(PoqEvent.NodeRegistered, {
          operator: m.operator,
          models: m.models.join(","),
          stake: node.stake.amount,
          min_fee: node.min_fee.amount,
          max_in_flight: String(m.maxInFlight ?? 0),
        }),
      );
      return result(PoqTypeUrl.RegisterNodeResponse, MsgRegisterNodeResponse, {});
    },
  };

  const unregisterNode: MsgDescriptor = {
    typeUrl: PoqTypeUrl.UnregisterNode,
    signers: (v) => [decodeMsg(MsgUnregisterNode, v, "MsgUnregisterNode").operator],
    toAmino: aminoOf(MsgUnregisterNode, "MsgUnregisterNode", poqAminoConverters[PoqTypeUrl.UnregisterNode]),
    validateBasic(v) {
      parseAccountAddress(decodeMsg(MsgUnregisterNode, v, "MsgUnregisterNode").operator, "operator");
    },
    handler(ctx, msg) {
      const m = decodeMsg(MsgUnregisterNode, msg.value, "MsgUnregisterNode");
      const params = keeper.getParams(ctx);
      const node = keeper.getNode(ctx, m.operator);
      if (!node || node.status === NodeStatus.Unbonded)
        throw new ChainError(ErrNodeNotFound, `no active node ${m.operator}`);
      if (node.status === NodeStatus.Unbonding) throw new ChainError(ErrNodeUnbonding, `already unbonding`);
      const completion = ctx.blockHeight + params.unbondingBlocks;
      keeper.setNode(ctx, { ...node, status: NodeStatus.Unbonding, unbonding_height: completion.toString() });
      keeper.addUnbonding(ctx, completion, m.operator);
      ctx.emitEvent(
        poqEvent(PoqEvent.NodeUnregistered, {
          operator: m.operator,
          completion_height: completion.toString(),
        }),
      );
      return result(PoqTypeUrl.UnregisterNodeResponse, MsgUnregisterNodeResponse, {
        completionHeight: completion,
      });
    },
  };

  const requestInference: MsgDescriptor = {
    typeUrl: PoqTypeUrl.RequestInference,
    signers: (v) => [decodeMsg(MsgRequestInference, v, "MsgRequestInference").requester],
    toAmino: aminoOf(
      MsgRequestInference,
      "MsgRequestInference",
      poqAminoConverters[PoqTypeUrl.RequestInference],
    ),
    validateBasic(v) {
      const m = decodeMsg(MsgRequestInference, v, "MsgRequestInference");
      const params = staticParams();
      parseAccountAddress(m.requester, "requester");
      checkModelId(m.model, params, ErrInvalidModel);
      if (m.prompt === "") throw new ChainError(ErrEmptyPrompt, "prompt is empty");
      if (utf8Length(m.prompt) > params.maxPromptBytes) {
        throw new ChainError(
          ErrPromptTooLarge,
          `prompt is ${utf8Length(m.prompt)} bytes, limit ${params.maxPromptBytes}`,
        );
      }
      if (m.maxTokens > params.maxTokensLimit) {
        throw new ChainError(
          ErrInvalidMaxTokens,
          `max_tokens ${m.maxTokens} exceeds ${params.maxTokensLimit}`,
        );
      }
      if (m.minQuality > 10000)
        throw new ChainError(ErrInvalidMinQuality, `min_quality ${m.minQuality} exceeds 10000`);
      checkReplicas(m.replicas, coinAmount(m.fee, params, "fee", ErrInvalidFee), params);
    },
    handler(ctx, msg) {
      const m = decodeMsg(MsgRequestInference, msg.value, "MsgRequestInference");
      const params = keeper.getParams(ctx);
      const fee = coinAmount(m.fee, params, "fee", ErrInvalidFee);
      const replicas = checkReplicas(m.replicas, fee, params);
      // Free or unservable requests cost nodes and every block work and their senders nothing
      // (review C1, M4): a share under the floor, or no active node that would ever take it (model,
      // price, min_quality), and the request is rejected at once. With some such nodes (fewer than
      // the answers wanted, or all busy) it waits for them.
      const feeShare = fee / BigInt(replicas);
      if (feeShare < params.minRequestFee) {
        throw new ChainError(
          ErrInvalidFee,
          `fee ${fee}${params.denom} (${feeShare}${params.denom} per answer) is below min_request_fee ${params.minRequestFee}${params.denom}`,
        );
      }
      if (pendingCount(ctx.store) >= BigInt(MAX_PENDING_REQUESTS)) {
        throw new ChainError(
          ErrPendingFull,
          `${MAX_PENDING_REQUESTS} requests are waiting for a node already: try again later`,
        );
      }
      if (!anyNodeOffers(ctx, deps, params, { model: m.model, feeShare, minQuality: m.minQuality })) {
        throw new ChainError(
          ErrNoNodeForModel,
          `no active node serves ${JSON.stringify(m.model)} for ${feeShare}${params.denom} per answer with min_quality ${m.minQuality}`,
        );
      }
      deps.bank.sendCoinsFromAccountToModule(ctx, m.requester, POQ_MODULE, [
        { denom: params.denom, amount: fee },
      ]);
      const id = keeper.nextRequestId(ctx);
      const req: RequestRecord = {
        id: id.toString(),
        requester: m.requester,
        model: m.model,
        prompt: m.prompt,
        max_tokens: m.maxTokens,
        fee: { denom: params.denom, amount: fee.toString() },
        min_quality: m.minQuality,
        status: RequestStatus.Pending,
        node: "",
        response: "",
        created_height: ctx.blockHeight.toString(),
        assigned_height: "0",
        responded_height: "0",
        finalized_height: "0",
        response_deadline: "0",
        commit_deadline: "0",
        reveal_deadline: "0",
        assigned_nodes: [],
        committee: [],
        quality: null,
        payout: null,
        replicas,
        // A single-answer request is its own answer; a replicated one gets its answers' ids.
        response_ids: replicas > 1 ? [] : [id.toString()],
        parent: "0",
        commitment: "",
        committed_height: "0",
        reveal_height: "0",
      };
      ctx.emitEvent(
        poqEvent(PoqEvent.RequestCreated, {
          request_id: req.id,
          requester: m.requester,
          model: m.model,
          fee: `${fee}${params.denom}`,
          min_quality: String(m.minQuality),
          replicas: String(replicas),
        }),
      );
      // Nodes are drawn later, in EndBlock of a block after this one, from the beacon mixed there
      // (eligibility.ts assignmentSeed): neither this block's proposer nor the requester can know it.
      keeper.setPending(ctx, req, true);
      keeper.setRequest(ctx, req);
      // Tried from the next block's EndBlock on, then only when its model's ready set gains; it
      // expires requestTtl blocks after inclusion (review M4).
      markRetry(ctx.store, m.model, ctx.blockHeight + 1n, id);
      keeper.addDeadline(ctx, ctx.blockHeight + params.requestTtl, id);
      return result(PoqTypeUrl.RequestInferenceResponse, MsgRequestInferenceResponse, {
        requestId: id,
        node: "",
        nodes: [],
      });
    },
  };

  const commit: MsgDescriptor = {
    typeUrl: PoqTypeUrl.CommitResponse,
    signers: (v) => [decodeMsg(MsgCommitResponse, v, "MsgCommitResponse").node],
    toAmino: aminoOf(MsgCommitResponse, "MsgCommitResponse", poqAminoConverters[PoqTypeUrl.CommitResponse]),
    validateBasic(v) {
      const m = decodeMsg(MsgCommitResponse, v, "MsgCommitResponse");
      parseAccountAddress(m.node, "node");
      if (m.requestId === 0n) throw new ChainError(ErrMalformedMsg, "request_id is required");
      if (m.commitment.length !== ANSWER_COMMITMENT_BYTES)
        throw new ChainError(ErrInvalidCommitment, `commitment must be ${ANSWER_COMMITMENT_BYTES} bytes`);
    },
    handler(ctx, msg) {
      const m = decodeMsg(MsgCommitResponse, msg.value, "MsgCommitResponse");
      commitResponse(ctx, deps, m);
      return result(PoqTypeUrl.CommitResponseResponse, MsgCommitResponseResponse, {});
    },
  };

  const submit: MsgDescriptor = {
    typeUrl: PoqTypeUrl.SubmitResponse,
    signers: (v) => [decodeMsg(MsgSubmitResponse, v, "MsgSubmitResponse").node],
    toAmino: aminoOf(MsgSubmitResponse, "MsgSubmitResponse", poqAminoConverters[PoqTypeUrl.SubmitResponse]),
    validateBasic(v) {
      const m = decodeMsg(MsgSubmitResponse, v, "MsgSubmitResponse");
      const params = staticParams();
      parseAccountAddress(m.node, "node");
      if (m.requestId === 0n) throw new ChainError(ErrMalformedMsg, "request_id is required");
      if (utf8Length(m.response) > params.maxResponseBytes) {
        throw new ChainError(
          ErrResponseTooLarge,
          `response is ${utf8Length(m.response)} bytes, limit ${params.maxResponseBytes}`,
        );
      }
    },
    handler(ctx, msg) {
      const m = decodeMsg(MsgSubmitResponse, msg.value, "MsgSubmitResponse");
      const params = keeper.getParams(ctx);
      if (utf8Length(m.response) > params.maxResponseBytes) {
        throw new ChainError(
          ErrResponseTooLarge,
          `response is ${utf8Length(m.response)} bytes, limit ${params.maxResponseBytes}`,
        );
      }
      submitResponse(ctx, deps, params, m);
      return result(PoqTypeUrl.SubmitResponseResponse, MsgSubmitResponseResponse, {});
    },
  };

  return [
    registerNode,
    unregisterNode,
    requestInference,
    submit,
    commit,
    createUnjailMsg(deps),
    createUpdateParamsMsg(deps),
  ];
}
