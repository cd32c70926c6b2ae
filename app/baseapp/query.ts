/**
 * ABCI Query: routes by path to the modules' query handlers (protobuf in, protobuf out) over
 * the last committed state, plus the base app's own paths:
 *
 * - `/cosmos.tx.v1beta1.Service/Simulate`: runs a transaction on a throwaway branch of the check
 *   state and reports its gas and result (signatures are not checked, as in the SDK).
 * - `/store/state/key`: the raw value of a state key (`data` = key), with a Merkle proof when
 *   `prove` is set (ProofOp `poq:bucket-merkle`, see app/store/README.md).
 *
 * {@link handleCommittedQuery} answers the same way from one read transaction of the query worker
 * (query-service.ts), for every query {@link readsCommittedOnly}.
 */
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { AuthInfo, TxBody, TxRaw, type Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { QueryRequest, QueryResponse } from "../../abci/application.js";
import { ChainError } from "../errors.js";
import { createContext } from "../context.js";
import type { Router } from "../router.js";
import { ErrInvalidHeight, ErrInvalidRequest, ErrUnknownRequest } from "../sdk-errors.js";
import type { StateStore } from "../store/state.js";
import { LayeredStore, type CommittedReader } from "../store/layered.js";
import { readChainId } from "./chain-meta.js";
import { encodeProof, PROOF_OP_TYPE } from "../store/proof.js";
import type { TxOutcome } from "./tx-runner.js";
import { queryError } from "./results.js";

export const SIMULATE_PATH = "/cosmos.tx.v1beta1.Service/Simulate";
export const RAW_STORE_PATH = "/store/state/key";

export interface QueryDeps {
  router: Router;
  state: StateStore;
  chainId: () => string;
  /** Runs a transaction in simulate mode on a throwaway branch of the check state. */
  simulate: (txBytes: Uint8Array) => TxOutcome;
}

const EMPTY = new Uint8Array(0);

function ok(height: bigint, value: Uint8Array, extra: Partial<QueryResponse> = {}): QueryResponse {
  return { code: 0, log: "", info: "", index: 0n, key: EMPTY, value, height, codespace: "", ...extra };
}

function simulate(deps: QueryDeps, data: Uint8Array): Uint8Array {
  const req = SimulateRequest.decode(data);
  let txBytes = req.txBytes;
  if (txBytes.length === 0 && req.tx) {
    // The deprecated `tx` field: re-encode it as the TxRaw a client would have sent.
    txBytes = TxRaw.encode({
      bodyBytes: encodeBody(req.tx),
      authInfoBytes: encodeAuthInfo(req.tx),
      signatures: req.tx.signatures,
    }).finish();
  }
  if (txBytes.length === 0) throw new ChainError(ErrInvalidRequest, "empty txBytes is not allowed");
  const r = deps.simulate(txBytes);
  if (r.code !== 0) throw new SimulationFailed(r);
  return SimulateResponse.encode({
    gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
    result: {
      data: r.data,
      log: r.log,
      events: r.events.map((e) => ({ type: e.type, attributes: e.attributes })),
      msgResponses: r.msgResponses,
    },
  }).finish();
}

/** A simulated transaction that failed: its code and log pass through to the query result. */
class SimulationFailed extends Error {
  constructor(readonly outcome: TxOutcome) {
    super(outcome.log);
  }
}

/**
 * Answers one ABCI query; never throws (failures are result codes). `height` in the answer is
 * always the last committed height.
 *
 * @example
 * handleQuery(deps, { path: "/cosmos.bank.v1beta1.Query/Balance", data, height: 0n, prove: false });
 */
export function handleQuery(deps: QueryDeps, req: QueryRequest): QueryResponse {
  const height = deps.state.lastHeight;
  try {
    checkHeight(req, height);
    if (req.path === SIMULATE_PATH) return ok(height, simulate(deps, req.data));
    if (req.path === RAW_STORE_PATH && req.prove) {
      const { value, proof } = deps.state.prove(req.data);
      return ok(height, value ?? EMPTY, {
        key: req.data,
        proofOps: { ops: [{ type: PROOF_OP_TYPE, key: req.data, data: encodeProof(proof) }] },
      });
    }
    return readCommitted(deps.router, height, deps.state.committedView(), deps.chainId(), req);
  } catch (err) {
    return failure(height, err);
  }
}

/**
 * Whether a query can be answered from a plain read of the committed state (by
 * {@link handleCommittedQuery}, off the consensus thread): every path except Simulate (it runs on
 * the check state) and proven raw reads (the tree above the buckets lives in the app's memory).
 */
export function readsCommittedOnly(req: QueryRequest): boolean {
  return req.path !== SIMULATE_PATH && !(req.path === RAW_STORE_PATH && req.prove);
}

/**
 * Answers a query that {@link readsCommittedOnly} from one committed state, read through `base`
 * (one read transaction of the query worker), as {@link handleQuery} would at that height; the
 * chain id comes from the state itself. Never throws.
 *
 * @example
 * reader.read((snap) => handleCommittedQuery(router, snap.height, snap, req));
 */
export function handleCommittedQuery(
  router: Router,
  height: bigint,
  base: CommittedReader,
  req: QueryRequest,
): QueryResponse {
  try {
    checkHeight(req, height);
    if (!readsCommittedOnly(req)) {
      throw new ChainError(ErrInvalidRequest, `${req.path} is not answered from the committed state alone`);
    }
    const store = new LayeredStore(base);
    return readCommitted(router, height, store, readChainId(store) ?? "", req);
  } catch (err) {
    return failure(height, err);
  }
}

/** Only the latest height can be queried (0 means the latest). */
function checkHeight(req: QueryRequest, height: bigint): void {
  if (req.height !== 0n && req.height !== height) {
    throw new ChainError(
      ErrInvalidHeight,
      `only the latest height (${height}) can be queried; historical state is not kept (asked ${req.height})`,
    );
  }
}

/** A raw read without proof, or a module's query, over `store` (the committed state of `height`). */
function readCommitted(
  router: Router,
  height: bigint,
  store: LayeredStore,
  chainId: string,
  req: QueryRequest,
): QueryResponse {
  if (req.path === RAW_STORE_PATH) return ok(height, store.get(req.data) ?? EMPTY, { key: req.data });
  const handler = router.query(req.path);
  if (!handler) throw new ChainError(ErrUnknownRequest, `unknown query path: ${req.path}`);
  const ctx = createContext({ store, chainId, blockHeight: height, blockTimeNanos: 0n, isCheck: true });
  return ok(height, handler(ctx, req.data));
}

function failure(height: bigint, err: unknown): QueryResponse {
  if (err instanceof SimulationFailed) {
    const o = err.outcome;
    return { ...ok(height, EMPTY), code: o.code, codespace: o.codespace, log: o.log };
  }
  const e = queryError(err);
  return { ...ok(height, EMPTY), code: e.code, codespace: e.codespace, log: e.log };
}

function encodeBody(tx: Tx): Uint8Array {
  return tx.body ? TxBody.encode(tx.body).finish() : EMPTY;
}
function encodeAuthInfo(tx: Tx): Uint8Array {
  return tx.authInfo ? AuthInfo.encode(tx.authInfo).finish() : EMPTY;
}
