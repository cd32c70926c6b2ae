/**
 * The slashing module (see README.md): downtime and double-sign penalties, `MsgUnjail`, and the
 * `cosmos.slashing.v1beta1` queries.
 */
import { MsgUnjail, MsgUnjailResponse } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import {
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import type { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { ChainError, GenesisError } from "../../errors.js";
import { ErrInvalidAddress, ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { Context, Module, MsgDescriptor } from "../../types.js";
import { requireCanonical } from "../../tx/canonical.js";
import { BECH32_PREFIX, formatAccountAddress } from "../auth/address.js";
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
import { parseSlashingParamsJson, slashingParamsToJson } from "./params.js";

export const MSG_UNJAIL_TYPE_URL = "/cosmos.slashing.v1beta1.MsgUnjail";

const decodeUnjail = (v: Uint8Array) => strictDecode(v, { 1: 2 }, "MsgUnjail", (b) => MsgUnjail.decode(b));
const timestamp = (nanos: bigint) => ({
  seconds: nanos / 1_000_000_000n,
  nanos: Number(nanos % 1_000_000_000n),
});
const decBytes = (d: bigint) => new TextEncoder().encode(d.toString());

function parseSlashingGenesis(raw: unknown) {
  if (raw === undefined) return { params: parseSlashingParamsJson(undefined) };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new GenesisError(SLASHING_MODULE, "", "must be an object");
  for (const k of Object.keys(raw))
    if (k !== "params") throw new GenesisError(SLASHING_MODULE, k, "unknown field");
  return { params: parseSlashingParamsJson((raw as { params?: unknown }).params) };
}

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
    msgs: [unjailMsg(staking)],
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
    initGenesis: (ctx, raw) => writeSlashingParams(ctx, parseSlashingGenesis(raw).params),
    exportGenesis: (ctx) => ({ params: slashingParamsToJson(readSlashingParams(ctx)) }),
    beginBlock: (ctx, block) => slashingBeginBlock(staking, ctx, block.decidedLastCommit, block.misbehavior),
  };
}
