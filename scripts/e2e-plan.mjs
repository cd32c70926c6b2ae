// The order and grouping of the end-to-end files (its own module so that a unit test can check it
// without running anything).
//
// Each e2e file starts its own network on its own port range and temporary directories, so two files
// can run at once. On this 2-core machine, shared with other work at load averages of 12 to 21, the 23
// files took 617, 663 and 776 s two at a time, against 1,552 s one after another at loads of 5 to 30. Files
// are started longest first (the longest-processing-time rule), so that the last one to finish is a
// short one. A file named in SOLO runs with no other file beside it: a file goes there when its timing
// bounds do not hold with a second network on the same cores, never by loosening its bounds.

/**
 * Seconds each e2e file took alone (one `node --test FILE` after another inside a network namespace,
 * on 2 shared cores at a load average of 5 to 30 from other work, 2026-12-03). Only the order matters;
 * a file not listed here is taken as long (it is started early rather than last).
 */
export const E2E_SECONDS = {
  "devnet-testnet": 199,
  faults: 158,
  replicas: 156,
  devnet: 124,
  "state-sync": 88,
  poq: 80,
  "rest-fuzz": 78,
  crash: 77,
  gov: 65,
  "poq-incentives": 64,
  staking: 59,
  distribution: 58,
  "cli-node": 70,
  "rest-web": 52,
  inference: 48,
  rest: 39,
  "poq-byzantine": 38,
  "poq-adversary": 35,
  "local-network": 27,
  cosmjs: 18,
  "devnet-docker": 17,
  "bad-input": 13,
  // Measured two at a time (it came after the others were measured).
  "block-follower": 13,
  // Measured alone at a load average of 12 (s16, 2026-12-03).
  "double-sign": 21,
  abci: 8,
};

/** Seconds assumed for a file E2E_SECONDS does not name. */
export const UNKNOWN_SECONDS = 90;

/**
 * Files (by base name without `.e2e.test.js`) that run alone, before the others:
 * - gov: proposal 2's 15 s voting period (block time) must outlast a deposit, four votes and three CLI
 *   queries; beside another network at a load average of 21 it did not, and `query gov proposals
 *   --status passed` already listed proposal 2 (1 run in 3; alone it passed at loads of 15 to 20).
 */
export const SOLO = ["gov"];

/** `dist/test/faults.e2e.test.js` -> `faults`. */
export function e2eName(file) {
  return (file.split("/").pop() ?? file).replace(/\.e2e\.test\.js$/, "");
}

/** Expected seconds for a file. */
export function expectedSeconds(file) {
  const s = E2E_SECONDS[e2eName(file)];
  return typeof s === "number" ? s : UNKNOWN_SECONDS;
}

/**
 * Splits the files into those that run alone and those that share the pool, each longest first
 * (ties by name, so the order is the same on every machine).
 *
 * @example
 * const { solo, pooled } = planE2e(["dist/test/faults.e2e.test.js", "dist/test/abci.e2e.test.js"]);
 */
export function planE2e(files, solo = SOLO) {
  const byLength = [...files].sort(
    (a, b) => expectedSeconds(b) - expectedSeconds(a) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return {
    solo: byLength.filter((f) => solo.includes(e2eName(f))),
    pooled: byLength.filter((f) => !solo.includes(e2eName(f))),
  };
}
