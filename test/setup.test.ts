/**
 * `npm test`'s set-up provides what the tests need or says exactly what to install: with no Chromium
 * where the browser test looks, it fails before any test runs, naming the install command.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const SETUP = join(process.cwd(), "scripts", "setup.mjs");

describe("scripts/setup.mjs --tests", () => {
  it("refuses to go on without the browser the tests drive, and says how to install it", () => {
    const r = spawnSync(process.execPath, [SETUP, "--tests"], {
      encoding: "utf8",
      env: { ...process.env, POQ_CHROMIUM: "/nonexistent/chromium" },
      timeout: 120_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /POQ_CHROMIUM is \/nonexistent\/chromium, which does not exist/);
    assert.match(r.stderr, /apt-get install -y chromium/);
  });

  it("without --tests (npm run devnet) does not ask for a browser", () => {
    const r = spawnSync(process.execPath, [SETUP, "--quiet"], {
      encoding: "utf8",
      env: { ...process.env, POQ_CHROMIUM: "/nonexistent/chromium" },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
  });
});
