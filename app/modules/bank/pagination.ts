/**
 * `cosmos.base.query.v1beta1` pagination over a store prefix, as the SDK's `query.Paginate`:
 * either a `key` to continue from (the previous `next_key`) or an `offset`, a `limit` (default
 * 100), `count_total` and `reverse`. Keys are the part of the store key after the prefix.
 */
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { ChainError } from "../../errors.js";
import { ErrInvalidRequest } from "../../sdk-errors.js";
import { compareBytes } from "../../store/key-codec.js";
import type { KVStore } from "../../types.js";

export const DEFAULT_PAGE_LIMIT = 100n;
const MAX_PAGE_LIMIT = 1000n;

/**
 * One page of the entries under `prefix`; returns the entries (keys without the prefix) and the
 * page response. Key and offset together are an ErrInvalidRequest, as in the SDK.
 *
 * @example
 * const { items, page } = paginate(ctx.store, balancesOfPrefix(addr), req.pagination);
 */
export function paginate(
  store: KVStore,
  prefix: Uint8Array,
  req: PageRequest | undefined,
): { items: [Uint8Array, Uint8Array][]; page: PageResponse } {
  const key = req?.key ?? new Uint8Array();
  const offset = req?.offset ?? 0n;
  if (key.length > 0 && offset > 0n) {
    throw new ChainError(
      ErrInvalidRequest,
      "paginate: invalid request, either offset or key is expected, got both",
    );
  }
  let limit = req?.limit ?? 0n;
  if (limit === 0n) limit = DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) limit = MAX_PAGE_LIMIT;

  const all: [Uint8Array, Uint8Array][] = [];
  for (const [k, v] of store.iterate(prefix, req?.reverse ? { reverse: true } : {})) {
    all.push([k.slice(prefix.length), v]);
  }
  let start = Number(offset);
  if (key.length > 0) {
    start = all.findIndex(([k]) => (req?.reverse ? compareBytes(k, key) <= 0 : compareBytes(k, key) >= 0));
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + Number(limit));
  const next = all[start + Number(limit)];
  return {
    items,
    page: {
      nextKey: next ? next[0] : new Uint8Array(),
      total: req?.countTotal && key.length === 0 ? BigInt(all.length) : 0n,
    },
  };
}
