/**
 * The consensus module: `cosmos.consensus.v1.MsgUpdateParams`, the chain's CometBFT consensus params
 * changed by governance (see README.md). The new params go back to CometBFT as FinalizeBlock's
 * `consensus_param_updates` (in force from the next height), and the app's own copy of the block
 * limits (`baseapp/block_limits`, which ProcessProposal and the block gas meter read) follows.
 */
import { MsgUpdateParams, MsgUpdateParamsResponse } from "cosmjs-types/cosmos/consensus/v1/tx";
import type { ConsensusParams } from "../../../abci/application.js";
import { readVoteExtensionsEnableHeight, writeBlockLimits } from "../../baseapp/chain-meta.js";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrTxDecode } from "../../sdk-errors.js";
import { requireCanonical } from "../../tx/canonical.js";
import type { Module, MsgDescriptor } from "../../types.js";
import { moduleAddress, parseAccountAddress } from "../auth/address.js";
import { ErrInvalidSigner } from "../gov/errors.js";

export const CONSENSUS_MODULE = "consensus";
export const MSG_UPDATE_CONSENSUS_PARAMS_TYPE_URL = "/cosmos.consensus.v1.MsgUpdateParams";

/** `consensus/ 0x01`: the update made in this block, read and deleted by the same block's EndBlock. */
const PENDING_KEY = Uint8Array.of(...new TextEncoder().encode("consensus/"), 0x01);

/** CometBFT's largest block (`types.MaxBlockSizeBytes`, 100 MiB). */
export const MAX_BLOCK_SIZE_BYTES = 104_857_600n;
const KNOWN_KEY_TYPES = ["ed25519", "secp256k1"];
const NANOS = 1_000_000_000n;

function decode(value: Uint8Array): MsgUpdateParams {
  let m: MsgUpdateParams;
  try {
    m = MsgUpdateParams.decode(value);
  } catch (err) {
    throw new ChainError(ErrTxDecode, "malformed MsgUpdateParams", err);
  }
  requireCanonical("MsgUpdateParams", value, MsgUpdateParams.encode(m).finish());
  return m;
}

/**
 * The stateless rules (the SDK's "all parameters must be present" and CometBFT's
 * `ConsensusParams.ValidateBasic`); returns the params in the ABCI shape.
 */
export function checkConsensusParams(m: MsgUpdateParams): ConsensusParams {
  const bad = (why: string): never => {
    throw new ChainError(ErrInvalidRequest, why);
  };
  if (!m.block || !m.evidence || !m.validator)
    return bad("block, evidence and validator params must all be given");
  const { maxBytes, maxGas } = m.block;
  if (maxBytes === 0n || maxBytes < -1n) bad(`block.max_bytes must be -1 or positive, got ${maxBytes}`);
  if (maxBytes > MAX_BLOCK_SIZE_BYTES)
    bad(`block.max_bytes is too big: ${maxBytes} > ${MAX_BLOCK_SIZE_BYTES}`);
  if (maxGas < -1n) bad(`block.max_gas must be -1 or more, got ${maxGas}`);
  const ev = m.evidence;
  if (ev.maxAgeNumBlocks <= 0n)
    bad(`evidence.max_age_num_blocks must be positive, got ${ev.maxAgeNumBlocks}`);
  const age = ev.maxAgeDuration ? ev.maxAgeDuration.seconds * NANOS + BigInt(ev.maxAgeDuration.nanos) : 0n;
  if (age <= 0n) bad("evidence.max_age_duration must be positive");
  const blockBytes = maxBytes === -1n ? MAX_BLOCK_SIZE_BYTES : maxBytes;
  if (ev.maxBytes < 0n || ev.maxBytes > blockBytes)
    bad(`evidence.max_bytes must be in [0, ${blockBytes}], got ${ev.maxBytes}`);
  const types = m.validator.pubKeyTypes;
  if (types.length === 0) bad("validator.pub_key_types must not be empty");
  for (const t of types)
    if (!KNOWN_KEY_TYPES.includes(t)) bad(`validator.pub_key_types: unknown key type ${t}`);
  // The chain's validators sign with ed25519 keys; a set without it could never change again.
  if (!types.includes("ed25519")) bad("validator.pub_key_types must keep ed25519");
  return {
    block: { maxBytes, maxGas },
    evidence: { maxAgeNumBlocks: ev.maxAgeNumBlocks, maxAgeDurationNanos: age, maxBytes: ev.maxBytes },
    validator: { pubKeyTypes: [...types] },
    ...(m.abci ? { abci: { voteExtensionsEnableHeight: m.abci.voteExtensionsEnableHeight } } : {}),
  };
}

const enc = (p: ConsensusParams): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(p, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
const dec = (b: Uint8Array): ConsensusParams =>
  JSON.parse(new TextDecoder().decode(b), (_k, v: unknown) =>
    typeof v === "string" && /^-?[0-9]+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as ConsensusParams;

export interface ConsensusModule extends Module {
  readonly msgUpdateParams: MsgDescriptor;
}

/**
 * Creates the consensus module (no genesis, no queries: CometBFT keeps the params).
 *
 * @example
 * const consensus = createConsensusModule(); // modules: [..., gov, consensus]
 */
export function createConsensusModule(): ConsensusModule {
  const msgUpdateParams: MsgDescriptor = {
    typeUrl: MSG_UPDATE_CONSENSUS_PARAMS_TYPE_URL,
    signers: (v) => [decode(v).authority],
    validateBasic(v) {
      const m = decode(v);
      parseAccountAddress(m.authority, "authority");
      checkConsensusParams(m);
    },
    handler(ctx, any) {
      const m = decode(any.value);
      const authority = moduleAddress("gov");
      if (m.authority !== authority)
        throw new ChainError(
          ErrInvalidSigner,
          `invalid authority; expected ${authority}, got ${m.authority}`,
        );
      const params = checkConsensusParams(m);
      const ve = readVoteExtensionsEnableHeight(ctx.store);
      if (params.abci && params.abci.voteExtensionsEnableHeight !== ve)
        throw new ChainError(
          ErrInvalidRequest,
          `abci.vote_extensions_enable_height cannot change (it is ${ve}): PoQ's scores travel in vote extensions`,
        );
      writeBlockLimits(ctx.store, params.block);
      ctx.store.set(PENDING_KEY, enc(params));
      ctx.emitEvent({
        type: "consensus_params_updated",
        attributes: [
          { key: "max_bytes", value: params.block!.maxBytes.toString(), index: true },
          { key: "max_gas", value: params.block!.maxGas.toString(), index: true },
        ],
      });
      return {
        response: {
          typeUrl: "/cosmos.consensus.v1.MsgUpdateParamsResponse",
          value: MsgUpdateParamsResponse.encode({}).finish(),
        },
      };
    },
  };
  return {
    name: CONSENSUS_MODULE,
    msgs: [msgUpdateParams],
    msgUpdateParams,
    queries: {},
    endBlock(ctx) {
      const raw = ctx.store.get(PENDING_KEY);
      if (!raw) return;
      ctx.store.delete(PENDING_KEY);
      return { validatorUpdates: [], consensusParamUpdates: dec(raw) };
    },
  };
}
