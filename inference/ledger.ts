/**
 * What an inference node has done for each request, on disk, so that a restarted node neither asks the
 * backend again nor signs a second transaction for a request it already answered. Each change is
 * written to a temporary file and renamed over the old one (atomic on POSIX file systems), before the
 * step it records is taken further.
 *
 * The file only has to cover requests that could still be served: settled entries are dropped
 * {@link SETTLED_RETENTION_BLOCKS} blocks after their request's response deadline (`prune`), so a
 * node that runs for months does not rewrite an ever longer file on every step.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The steps of one request: answered by the backend, signed and broadcast, then settled: confirmed
 * (in a block, code 0), rejected (in a block with an error) or expired (never in a block, and the
 * request's deadline has passed, so it never will be).
 */
export type SubmissionState = "answered" | "broadcast" | "confirmed" | "rejected" | "expired";

/** Settled states: nothing more will happen to the request's submission. */
export const SETTLED_STATES: ReadonlySet<SubmissionState> = new Set(["confirmed", "rejected", "expired"]);

/** How long settled entries are kept after their request's deadline, for operators reading the file. */
export const SETTLED_RETENTION_BLOCKS = 100n;

export interface SubmissionEntry {
  requestId: string;
  state: SubmissionState;
  /** The trimmed answer. */
  response: string;
  /** Hex hash of the signed transaction, once signed. */
  txHash?: string;
  /** Base64 TxRaw, kept so that a restart re-broadcasts the same transaction instead of a new one. */
  txBytes?: string;
  height?: number;
  /** The request's response deadline (block height, decimal), recorded when the backend answered. */
  deadline?: string;
  /** The chain's reason, for `rejected`; why the node gave up, for `expired`. */
  error?: string;
  /**
   * Replicated requests: `commit` (key `commit:<response id>`, holds the answer and its salt, written
   * before the commitment is signed) or `reveal` (key `<response id>`, the same answer and salt).
   * Absent: a single answer's MsgSubmitResponse.
   */
  kind?: "commit" | "reveal";
  /** Hex salt of the answer commitment (replicated requests). */
  salt?: string;
  /** The request the answer belongs to (replicated requests: the messages carry its id). */
  parent?: string;
}

export interface SubmissionLedger {
  readonly file: string;
  get(requestId: string): SubmissionEntry | undefined;
  put(entry: SubmissionEntry): void;
  entries(): SubmissionEntry[];
  /**
   * Drops settled entries whose request's deadline is more than {@link SETTLED_RETENTION_BLOCKS} below
   * `height` (entries without a recorded deadline are kept); returns how many went.
   */
  prune(height: bigint): number;
}

/**
 * Opens (or creates) a ledger file.
 *
 * @example
 * const ledger = openSubmissionLedger("/home/me/.poq/node/submissions.json");
 * ledger.put({ requestId: "7", state: "answered", response: "..." });
 */
export function openSubmissionLedger(file: string): SubmissionLedger {
  const byId = new Map<string, SubmissionEntry>();
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { submissions?: SubmissionEntry[] };
    for (const e of parsed.submissions ?? []) byId.set(e.requestId, e);
  }
  const save = (): void => {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ submissions: [...byId.values()] }, null, 1) + "\n");
    renameSync(tmp, file);
  };
  return {
    file,
    get: (id) => byId.get(id),
    put(entry) {
      byId.set(entry.requestId, entry);
      save();
    },
    entries: () => [...byId.values()],
    prune(height) {
      let dropped = 0;
      for (const [id, e] of byId) {
        if (!SETTLED_STATES.has(e.state) || e.deadline === undefined) continue;
        if (BigInt(e.deadline) + SETTLED_RETENTION_BLOCKS < height) {
          byId.delete(id);
          dropped++;
        }
      }
      if (dropped > 0) save();
      return dropped;
    },
  };
}
