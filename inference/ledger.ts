/**
 * What an inference node has done for each request, on disk, so that a restarted node neither asks the
 * backend again nor signs a second transaction for a request it already answered. Each change is
 * written to a temporary file and renamed over the old one (atomic on POSIX file systems), before the
 * step it records is taken further.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The steps of one request: answered by the backend, signed and broadcast, then settled. */
export type SubmissionState = "answered" | "broadcast" | "confirmed" | "rejected";

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
  /** The chain's reason, for `rejected`. */
  error?: string;
}

export interface SubmissionLedger {
  readonly file: string;
  get(requestId: string): SubmissionEntry | undefined;
  put(entry: SubmissionEntry): void;
  entries(): SubmissionEntry[];
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
  };
}
