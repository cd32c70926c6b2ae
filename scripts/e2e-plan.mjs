// The order and grouping of the end-to-end files (its own module so that a unit test can check it
// without running anything).
//
// Each e2e file starts its own network on its own port range and temporary directories, so two files
// can run at once; on CI's two cores that takes the e2e stage from about 860 s to about ... s. Files
// are started longest first (the longest-processing-time rule), so that the last one to finish is a
// short one. A file named in SOLO runs with no other file beside it: a file goes there when its timing
// bounds do not hold with a second network on the same cores, never by loosening its bounds.

/**
 * Seconds each e2e file took alone (`.cache/time-e2e`-style run: one `node --test FILE` after another
 * inside a network namespace, 2 cores, load about 5 from other work). Only the order matters; a file
 * not listed here is taken as long (it is started early rather than last).
 */
export const E2E_SECONDS = {};

/** Seconds assumed for a file E2E_SECONDS does not name. */
export const UNKNOWN_SECONDS = 90;

/** Files (by base name without `.e2e.test.js`) that run alone: none so far. */
export const SOLO = [];

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
