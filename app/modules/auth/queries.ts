/**
 * Auth queries on the Cosmos SDK's gRPC paths, as CosmJS's auth extension calls them.
 */
import {
  QueryAccountRequest,
  QueryAccountResponse,
  QueryModuleAccountByNameRequest,
  QueryModuleAccountByNameResponse,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest, ErrNotFound } from "../../sdk-errors.js";
import type { QueryHandler } from "../../types.js";
import { accountToAny } from "./account.js";
import { formatAccountAddress, parseAccountAddress } from "./address.js";
import type { AccountView } from "./keeper.js";

function decode<T>(codec: { decode(data: Uint8Array): T }, data: Uint8Array, name: string): T {
  try {
    return codec.decode(data);
  } catch (err) {
    throw new ChainError(ErrInvalidRequest, `malformed ${name}`, err);
  }
}

/**
 * The auth query handlers, keyed by path. A missing account is ErrNotFound with details
 * `account <addr> not found`; the base app's query log wraps it as
 * `rpc error: code = NotFound desc = account <addr> not found: not found`, which CosmJS's
 * `getAccount` looks for to return null instead of throwing.
 *
 * @example
 * const queries = createAuthQueries(auth.keeper);
 */
export function createAuthQueries(accounts: AccountView): Record<string, QueryHandler> {
  return {
    "/cosmos.auth.v1beta1.Query/Account": (ctx, data) => {
      const req = decode(QueryAccountRequest, data, "QueryAccountRequest");
      const address = formatAccountAddress(parseAccountAddress(req.address));
      const account = accounts.getAccount(ctx, address);
      if (!account) {
        throw new ChainError(ErrNotFound, `account ${req.address} not found`);
      }
      return QueryAccountResponse.encode({ account: accountToAny(account) }).finish();
    },
    "/cosmos.auth.v1beta1.Query/Params": (ctx) => {
      const p = accounts.getParams(ctx);
      return QueryParamsResponse.encode({
        params: {
          maxMemoCharacters: p.maxMemoCharacters,
          txSigLimit: p.txSigLimit,
          txSizeCostPerByte: p.txSizeCostPerByte,
          sigVerifyCostEd25519: p.sigVerifyCostEd25519,
          sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
        },
      }).finish();
    },
    "/cosmos.auth.v1beta1.Query/ModuleAccountByName": (ctx, data) => {
      const req = decode(QueryModuleAccountByNameRequest, data, "QueryModuleAccountByNameRequest");
      const account = accounts.moduleAccountNames().includes(req.name)
        ? accounts.getAccount(ctx, accounts.moduleAddress(req.name))
        : undefined;
      if (!account) {
        throw new ChainError(ErrNotFound, `module account ${req.name} not found`);
      }
      return QueryModuleAccountByNameResponse.encode({ account: accountToAny(account) }).finish();
    },
  };
}
