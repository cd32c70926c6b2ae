/**
 * Entry point of a validator's application process (started by `poq start`, the devnet and the
 * tests): `node dist/validator/main.js --home DIR --abci tcp://127.0.0.1:26658 [--chain-id ID]`.
 */
import { parseArgs } from "node:util";
import { CONTINUED_LAYOUTS } from "../app/store/layouts.js";
import { runValidator } from "./process.js";
import { SCORER_BEHAVIOURS, type ScorerBehaviour } from "./scorer.js";

const { values } = parseArgs({
  options: {
    home: { type: "string" },
    abci: { type: "string", default: "tcp://127.0.0.1:26658" },
    "chain-id": { type: "string" },
    // Fault injection for the crash tests (see RunValidatorOptions.crashBeforeCommitAt).
    "crash-before-commit-at": { type: "string" },
    "model-dir": { type: "string" },
    "no-evaluator": { type: "boolean", default: false },
    // Scoring sessions (one worker thread and core each); default one per core, at most two. Several
    // validators on one machine (local networks) take a share of the cores each.
    "scoring-sessions": { type: "string" },
    // Seconds without an answer to score before the judge's sessions are closed (0: keep them).
    "evaluator-idle-seconds": { type: "string" },
    // Test behaviours for the incentive tests (validator/scorer.ts); operators leave it honest.
    behaviour: { type: "string", default: "honest" },
    // Where ABCI queries run: "worker" (a thread of their own, the default) or "main" (the consensus
    // thread, as before issue 14; `poq bench query-load` compares the two).
    "query-thread": { type: "string", default: "worker" },
    // The store layout a new database gets: an older one (app/store/layouts.ts) to replay a chain
    // started with it.
    "store-layout": { type: "string" },
  },
});
if (!(SCORER_BEHAVIOURS as readonly string[]).includes(values.behaviour)) {
  process.stderr.write(`unknown --behaviour ${values.behaviour} (one of ${SCORER_BEHAVIOURS.join(", ")})\n`);
  process.exit(2);
}
const sessions = values["scoring-sessions"];
if (sessions !== undefined && !/^[1-9]\d?$/.test(sessions)) {
  process.stderr.write(`--scoring-sessions must be a whole number from 1 to 99, got "${sessions}"\n`);
  process.exit(2);
}
const idleSeconds = values["evaluator-idle-seconds"];
if (idleSeconds !== undefined && !/^\d{1,6}$/.test(idleSeconds)) {
  process.stderr.write(`--evaluator-idle-seconds must be a whole number of seconds, got "${idleSeconds}"\n`);
  process.exit(2);
}
if (values["query-thread"] !== "worker" && values["query-thread"] !== "main") {
  process.stderr.write(`--query-thread must be worker or main, got "${values["query-thread"]}"\n`);
  process.exit(2);
}
const storeLayout = values["store-layout"];
if (storeLayout !== undefined && !CONTINUED_LAYOUTS.map(String).includes(storeLayout)) {
  process.stderr.write(
    `--store-layout must be one of ${CONTINUED_LAYOUTS.join(", ")}, got "${storeLayout}"\n`,
  );
  process.exit(2);
}
if (!values.home) {
  process.stderr.write("usage: validator/main.js --home DIR [--abci ADDRESS] [--chain-id ID]\n");
  process.exit(2);
}

const validator = await runValidator({
  home: values.home,
  abciAddress: values.abci,
  ...(values["chain-id"] !== undefined ? { chainId: values["chain-id"] } : {}),
  behaviour: values.behaviour as ScorerBehaviour,
  noEvaluator: values["no-evaluator"],
  queryWorker: values["query-thread"] === "worker",
  ...(storeLayout !== undefined ? { storeLayout: Number(storeLayout) } : {}),
  ...(sessions !== undefined ? { scoringSessions: Number(sessions) } : {}),
  ...(idleSeconds !== undefined ? { evaluatorIdleMs: Number(idleSeconds) * 1000 } : {}),
  ...(values["model-dir"] !== undefined ? { modelDir: values["model-dir"] } : {}),
  ...(values["crash-before-commit-at"] !== undefined
    ? { crashBeforeCommitAt: BigInt(values["crash-before-commit-at"]) }
    : {}),
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void validator.stop().then(() => process.exit(0));
  });
}
