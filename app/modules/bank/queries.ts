/**
 * Bank queries on the Cosmos SDK's gRPC paths, protobuf in and out, as CosmJS's bank extension
 * and the REST gateway call them.
 */
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
  QueryDenomsMetadataRequest,
  QueryDenomsMetadataResponse,
  QueryParamsResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { ChainError } from "../../errors.js";
import { ErrInvalidCoins, ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { QueryHandler } from "../../types.js";
import { parseAccountAddress } from "../auth/address.js";
import { isValidDenom, parseAmount } from "./coins.js";
import type { BankView } from "./keeper.js";
import { balancesOfPrefix, supplyPrefix } from "./keys.js";
import { paginate } from "./pagination.js";

/**
 * Decodes a query request, turning malformed bytes into ErrInvalidRequest (sdk 18).
 *
 * @example
 * const req = decodeRequest(QueryBalanceRequest, data, "QueryBalanceRequest");
 */
export function decodeRequest<T>(codec: { decode(data: Uint8Array): T }, data: Uint8Array, name: string): T {
  try {
    return codec.decode(data);
  } catch (err) {
    throw new ChainError(ErrInvalidRequest, `malformed ${name}`, err);
  }
}

function checkDenom(denom: string): void {
  if (!isValidDenom(denom)) throw new ChainError(ErrInvalidCoins, `invalid denom ${JSON.stringify(denom)}`);
}

const dec = new TextDecoder();

/**
 * The bank query handlers, keyed by path.
 *
 * @example
 * const queries = createBankQueries(bank.keeper);
 * queries["/cosmos.bank.v1beta1.Query/Balance"]!(ctx, QueryBalanceRequest.encode({ address, denom: "upoq" }).finish());
 */
export function createBankQueries(bank: BankView): Record<string, QueryHandler> {
  const balancesPage = (
    ctx: Parameters<QueryHandler>[0],
    address: string,
    pagination: QueryAllBalancesRequest["pagination"],
  ) => {
    const { items, page } = paginate(ctx.store, balancesOfPrefix(parseAccountAddress(address)), pagination);
    const balances = items.map(([k, v]) => ({
      denom: dec.decode(k),
      amount: parseAmount(dec.decode(v), "stored").toString(),
    }));
    return { balances, pagination: page };
  };

  return {
    "/cosmos.bank.v1beta1.Query/Balance": (ctx, data) => {
      const req = decodeRequest(QueryBalanceRequest, data, "QueryBalanceRequest");
      parseAccountAddress(req.address);
      checkDenom(req.denom);
      const coin = bank.getBalance(ctx, req.address, req.denom);
      return QueryBalanceResponse.encode({
        balance: { denom: coin.denom, amount: coin.amount.toString() },
      }).finish();
    },
    "/cosmos.bank.v1beta1.Query/AllBalances": (ctx, data) => {
      const req = decodeRequest(QueryAllBalancesRequest, data, "QueryAllBalancesRequest");
      return QueryAllBalancesResponse.encode(balancesPage(ctx, req.address, req.pagination)).finish();
    },
    // Nothing is ever locked (no vesting), so spendable equals the balance.
    "/cosmos.bank.v1beta1.Query/SpendableBalances": (ctx, data) => {
      const req = decodeRequest(QuerySpendableBalancesRequest, data, "QuerySpendableBalancesRequest");
      return QuerySpendableBalancesResponse.encode(balancesPage(ctx, req.address, req.pagination)).finish();
    },
    "/cosmos.bank.v1beta1.Query/TotalSupply": (ctx, data) => {
      const req = decodeRequest(QueryTotalSupplyRequest, data, "QueryTotalSupplyRequest");
      const { items, page } = paginate(ctx.store, supplyPrefix(), req.pagination);
      const supply = items.map(([k, v]) => ({
        denom: dec.decode(k),
        amount: parseAmount(dec.decode(v), "stored").toString(),
      }));
      return QueryTotalSupplyResponse.encode({ supply, pagination: page }).finish();
    },
    "/cosmos.bank.v1beta1.Query/SupplyOf": (ctx, data) => {
      const req = decodeRequest(QuerySupplyOfRequest, data, "QuerySupplyOfRequest");
      checkDenom(req.denom);
      const coin = bank.getSupply(ctx, req.denom);
      return QuerySupplyOfResponse.encode({
        amount: { denom: coin.denom, amount: coin.amount.toString() },
      }).finish();
    },
    "/cosmos.bank.v1beta1.Query/Params": (ctx) => {
      const p = bank.getParams(ctx);
      return QueryParamsResponse.encode({
        params: { sendEnabled: p.sendEnabled, defaultSendEnabled: p.defaultSendEnabled },
      }).finish();
    },
    "/cosmos.bank.v1beta1.Query/DenomMetadata": (ctx, data) => {
      const req = decodeRequest(QueryDenomMetadataRequest, data, "QueryDenomMetadataRequest");
      checkDenom(req.denom);
      const metadata = bank.getDenomMetadata(ctx, req.denom);
      if (!metadata) {
        throw new ChainError(ErrNotFound, `client metadata for denom ${req.denom}`);
      }
      return QueryDenomMetadataResponse.encode({ metadata }).finish();
    },
    "/cosmos.bank.v1beta1.Query/DenomsMetadata": (ctx, data) => {
      decodeRequest(QueryDenomsMetadataRequest, data, "QueryDenomsMetadataRequest");
      const metadatas = bank.allDenomMetadata(ctx);
      return QueryDenomsMetadataResponse.encode({
        metadatas,
        pagination: { nextKey: new Uint8Array(), total: BigInt(metadatas.length) },
      }).finish();
    },
  };
}
