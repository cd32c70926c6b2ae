/**
 * Entry point of a validator's application process (started by `poq start`, the devnet and the
 * tests): `node dist/validator/main.js --home DIR --abci tcp://127.0.0.1:26658 [--chain-id ID]`.
 */
import { parseArgs } from "node:util";
import { runValidator } from "./process.js";

const { values } = parseArgs({
  options: {
    home: { type: "string" },
    abci: { type: "string", default: "tcp://127.0.0.1:26658" },
    "chain-id": { type: "string" },
    // Fault injection for the crash tests (see RunValidatorOptions.crashBeforeCommitAt).
    "crash-before-commit-at": { type: "string" },
  },
});
if (!values.home) {
  process.stderr.write("usage: validator/main.js --home DIR [--abci ADDRESS] [--chain-id ID]\n");
  process.exit(2);
}

const validator = await runValidator({
  home: values.home,
  abciAddress: values.abci,
  ...(values["chain-id"] !== undefined ? { chainId: values["chain-id"] } : {}),
  ...(values["crash-before-commit-at"] !== undefined
    ? { crashBeforeCommitAt: BigInt(values["crash-before-commit-at"]) }
    : {}),
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void validator.stop().then(() => process.exit(0));
  });
}
