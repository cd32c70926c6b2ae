/** The error catalogue in rest/README.md and in rest/errors.ts list the same errors. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { RestErrors } from "./errors.js";

describe("error catalogue", () => {
  it("README and code list the same errors, codes, statuses and descriptions in the same order", () => {
    const readme = readFileSync(new URL("../../rest/README.md", import.meta.url), "utf8");
    const table =
      /<!-- error-catalogue:start -->([\s\S]*?)<!-- error-catalogue:end -->/.exec(readme)?.[1] ?? "";
    const rows = table
      .split("\n")
      .filter((l) => l.startsWith("| ") && !l.startsWith("| name") && !l.startsWith("| ---"))
      .map((l) =>
        l
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const fromCode = Object.values(RestErrors).map((k) => [
      k.name,
      String(k.code),
      String(k.http),
      k.description,
    ]);
    assert.ok(rows.length > 0, "README has no error table");
    assert.deepEqual(rows, fromCode);
  });

  it("uses 4xx for every input error and distinct names", () => {
    const names = Object.values(RestErrors).map((k) => k.name);
    assert.equal(new Set(names).size, names.length);
    for (const k of Object.values(RestErrors))
      if (!["Unavailable", "Internal"].includes(k.name)) assert.ok(k.http >= 400 && k.http < 500, k.name);
  });
});
