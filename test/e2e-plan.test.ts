/**
 * The e2e order (scripts/e2e-plan.mjs): every file runs exactly once, the solo files apart and first,
 * the others longest first; the names it lists are e2e files that exist, so that renaming a file cannot
 * quietly take it out of the solo group.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { findProjectRoot } from "../network/comet-binary.js";

interface Plan {
  E2E_SECONDS: Record<string, number>;
  SOLO: string[];
  UNKNOWN_SECONDS: number;
  planE2e(files: string[], solo?: string[]): { solo: string[]; pooled: string[] };
}

const root = findProjectRoot();
const load = async () => (await import(pathToFileURL(join(root, "scripts", "e2e-plan.mjs")).href)) as Plan;
const names = readdirSync(join(root, "test"))
  .filter((f) => f.endsWith(".e2e.test.ts"))
  .map((f) => f.replace(/\.e2e\.test\.ts$/, ""));

describe("scripts/e2e-plan.mjs", () => {
  it("names only e2e files that exist", async () => {
    const plan = await load();
    for (const n of [...plan.SOLO, ...Object.keys(plan.E2E_SECONDS)]) assert.ok(names.includes(n), n);
  });

  it("runs every file once: the solo ones apart, the rest longest first, an unknown one early", async () => {
    const plan = await load();
    const files = [...names, "brand-new"].map((n) => `dist/test/${n}.e2e.test.js`);
    const { solo, pooled } = plan.planE2e(files, ["abci"]);
    assert.deepEqual(solo, ["dist/test/abci.e2e.test.js"]);
    assert.deepEqual([...solo, ...pooled].sort(), [...files].sort());
    const secs = (f: string) =>
      plan.E2E_SECONDS[f.replace(/^dist\/test\/|\.e2e\.test\.js$/g, "")] ?? plan.UNKNOWN_SECONDS;
    for (let i = 1; i < pooled.length; i++)
      assert.ok(secs(pooled[i - 1]!) >= secs(pooled[i]!), `${pooled[i - 1]} before ${pooled[i]}`);
    assert.ok(
      pooled.indexOf("dist/test/brand-new.e2e.test.js") < pooled.indexOf("dist/test/cosmjs.e2e.test.js"),
    );
  });
});
