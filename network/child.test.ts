/**
 * The log tail that process errors quote: the last lines of a file, read from its last 64 KiB.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logTail } from "./child.js";

describe("logTail", () => {
  it("returns the last lines of a large log, and nothing for a missing one", () => {
    const dir = mkdtempSync(join(tmpdir(), "poq-child-"));
    const file = join(dir, "app.log");
    writeFileSync(file, Array.from({ length: 50_000 }, (_, i) => `line ${i} é`).join("\n") + "\n");
    assert.equal(logTail(file, 2), "line 49998 é\nline 49999 é\n");
    writeFileSync(file, "a\nb");
    assert.equal(logTail(file, 5), "a\nb");
    assert.equal(logTail(join(dir, "missing.log"), 3), "");
  });
});
