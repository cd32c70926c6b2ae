/**
 * The slashing module (see README.md): downtime and double-sign penalties, `MsgUnjail`, and the
 * `cosmos.slashing.v1beta1` queries.
 */
import {
  MsgUnjail,
  MsgUnjailResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import {
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import type { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { ChainError } from "../../errors.js";
import { ErrInvalidAddress, ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { Context, Module, MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { BECH32_PREFIX, formatAccountAddress } from "../auth/address.js";
import { govParamsMsg } from "../gov/params-msg.js";
import { decFromProto } from "../staking/dec.js";
import { slashingUpdateParamsAmino } from "./params-amino.js";
import { DEC_SCALE } from "../staking/hooks.js";
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import type { StakingKeeper } from "../staking/module.js";
import { parseValoper, strictDecode } from "../staking/msg-validate.js";
import {
  readSigningInfo,
  readSlashingParams,
  slashingBeginBlock,
  unjail,
  writeSlashingParams,
  type SigningInfo,
} from "./keeper.js";
import { SLASHING_MODULE, signingInfosPrefix } from "./keys.js";
import { type SlashingParams } from "./params.js";
import { exportSlashingGenesis, initSlashingGenesis, parseSlashingGenesis } from "./genesis.js";

export const MSG_UNJAIL_TYPE_URL = "/cosmos.slashing.v1beta1.MsgUnjail";
export const MSG_UPDATE_SLASHING_PARAMS_TYPE_URL = "/cosmos.slashing.v1beta1.MsgUpdateParams";

const decodeUnjail = (v: Uint8Array) => strictDecode(v, { 1: 2 }, "MsgUnjail", (b) => MsgUnjail.decode(b));
const timestamp = (nanos: bigint) => ({
  seconds: nanos / 1_000_000_000n,
  nanos: Number(nanos % 1_000_000_000n),
});
const decBytes = (d: bigint) => new TextEncoder().encode(d.toString());

function signingInfoToProto(cons: Uint8Array, info: SigningInfo): ValidatorSigningInfo {
  return {
    address: bech32Encode(BECH32_PREFIX.consensus, cons),
    startHeight: info.startHeight,
    indexOffset: info.indexOffset,
    jailedUntil: timestamp(info.jailedUntilNanos),
    tombstoned: info.tombstoned,
    missedBlocksCounter: info.missedBlocksCounter,
  };
}

function unjailMsg(staking: StakingKeeper): MsgDescriptor {
  return {
    typeUrl: MSG_UNJAIL_TYPE_URL,
    signers: (value) => [
      formatAccountAddress(parseValoper(decodeUnjail(value).validatorAddr, "validator_addr")),
    ],
    validateBasic: (value) => void parseValoper(decodeUnjail(value).validatorAddr, "validator_addr"),
    toAmino: (value) => {
      const msg = decodeUnjail(value);
      requireCanonical("MsgUnjail", value, MsgUnjail.encode(msg).finish());
      return { type: "cosmos-sdk/MsgUnjail", value: { address: msg.validatorAddr } };
    },
    handler: (ctx: Context, any) => {
      const msg = decodeUnjail(any.value);
      parseValoper(msg.validatorAddr, "validator_addr");
      unjail(staking, ctx, msg.validatorAddr);
      return {
        response: { typeUrl: `${MSG_UNJAIL_TYPE_URL}Response`, value: MsgUnjailResponse.encode({}).finish() },
      };
    },
  };
}

const decodeUpdateParams = (v: Uint8Array) =>
  strictDecode(v, { 1: 2, 2: 2 }, "MsgUpdateParams", (b) => MsgUpdateParams.decode(b));

/** The params of a MsgUpdateParams, checked as the SDK's `Params.Validate` (ErrInvalidRequest otherwise). */
function paramsOfUpdate(m: MsgUpdateParams): SlashingParams {
  const p = m.params;
  if (!p) throw new ChainError(ErrInvalidRequest, "params are required");
  const bad = (why: string): never => {
    throw new ChainError(ErrInvalidRequest, why);
  };
  // LegacyDec fields travel as the text of their atomics ("500000000000000000" = 0.5).
  const fraction = (b: Uint8Array, name: string): bigint => {
    const d = decFromProto(b.length === 0 ? "0" : new TextDecoder().decode(b));
    if (d === undefined) return bad(`${name} is not a decimal`);
    if (d < 0n || d > DEC_SCALE) return bad(`${name} must be between 0 and 1`);
    return d;
  };
  const nanos = BigInt(p.downtimeJailDuration?.nanos ?? 0);
  const jail = (p.downtimeJailDuration?.seconds ?? 0n) * 1_000_000_000n + nanos;
  if (p.signedBlocksWindow <= 0n) bad("signed_blocks_window must be positive");
  if (nanos < 0n || nanos >= 1_000_000_000n || jail <= 0n) bad("downtime_jail_duration must be positive");
  return {
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindow: fraction(p.minSignedPerWindow, "min_signed_per_window"),
    downtimeJailDurationNanos: jail,
    slashFractionDoubleSign: fraction(p.slashFractionDoubleSign, "slash_fraction_double_sign"),
    slashFractionDowntime: fraction(p.slashFractionDowntime, "slash_fraction_downtime"),
  };
}

/**
 * `MsgUpdateParams` (the SDK's x/slashing one): replaces every slashing param; only the gov module
 * account may send it. Amino name `cosmos-sdk/x/slashing/MsgUpdateParams`.
 */
const updateParamsMsg: MsgDescriptor = govParamsMsg({
  typeUrl: MSG_UPDATE_SLASHING_PARAMS_TYPE_URL,
  decode: decodeUpdateParams,
  encode: (m) => MsgUpdateParams.encode(m).finish(),
  params: paramsOfUpdate,
  write: writeSlashingParams,
  toAmino: slashingUpdateParamsAmino,
  response: MsgUpdateParamsResponse.encode({}).finish(),
});

export interface SlashingModule extends Module {
  readonly staking: StakingKeeper;
}

/**
 * Creates the slashing module over the staking keeper.
 *
 * @example
 * const slashing = createSlashingModule({ staking: core.staking.keeper });
 */
export function createSlashingModule(opts: { staking: StakingKeeper }): SlashingModule {
  const { staking } = opts;
  return {
    name: SLASHING_MODULE,
    staking,
    msgs: [unjailMsg(staking), updateParamsMsg],
    queries: {
      "/cosmos.slashing.v1beta1.Query/Params": (ctx) => {
        const p = readSlashingParams(ctx);
        return QueryParamsResponse.encode({
          params: {
            signedBlocksWindow: p.signedBlocksWindow,
            minSignedPerWindow: decBytes(p.minSignedPerWindow),
            downtimeJailDuration: timestamp(p.downtimeJailDurationNanos),
            slashFractionDoubleSign: decBytes(p.slashFractionDoubleSign),
            slashFractionDowntime: decBytes(p.slashFractionDowntime),
          },
        }).finish();
      },
      "/cosmos.slashing.v1beta1.Query/SigningInfo": (ctx, data) => {
        const req = QuerySigningInfoRequest.decode(data);
        let cons: Uint8Array;
        try {
          const d = bech32Decode(req.consAddress);
          if (d.prefix !== BECH32_PREFIX.consensus || d.data.length !== 20) throw new Error("prefix");
          cons = d.data;
        } catch (err) {
          throw new ChainError(ErrInvalidAddress, `invalid consensus address ${req.consAddress}`, err);
        }
        const info = readSigningInfo(ctx, cons);
        if (!info)
          throw new ChainError(ErrNotFound, `SigningInfo not found for validator ${req.consAddress}`);
        return QuerySigningInfoResponse.encode({ valSigningInfo: signingInfoToProto(cons, info) }).finish();
      },
      "/cosmos.slashing.v1beta1.Query/SigningInfos": (ctx, data) => {
        const req = QuerySigningInfosRequest.decode(data);
        const prefix = signingInfosPrefix();
        const all = [...ctx.store.iterate(prefix)].map(([k]) => {
          const cons = Uint8Array.from(k.subarray(prefix.length));
          const info = readSigningInfo(ctx, cons);
          if (!info) throw new ChainError(ErrInvalidRequest, "signing info vanished");
          return signingInfoToProto(cons, info);
        });
        const offset = Number(req.pagination?.offset ?? 0n);
        const limit = Number(req.pagination?.limit || 100n);
        return QuerySigningInfosResponse.encode({
          info: all.slice(offset, offset + limit),
          pagination: {
            nextKey: new Uint8Array(0),
            total: req.pagination?.countTotal ? BigInt(all.length) : 0n,
          },
        }).finish();
      },
    },
    validateGenesis: (raw) => void parseSlashingGenesis(raw),
    initGenesis: (ctx, raw) => initSlashingGenesis(ctx, parseSlashingGenesis(raw)),
    exportGenesis: exportSlashingGenesis,
    beginBlock: (ctx, block) => slashingBeginBlock(staking, ctx, block.decidedLastCommit, block.misbehavior),
  };
}
