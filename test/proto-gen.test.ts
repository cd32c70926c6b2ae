/**
 * Generated protobuf code is never edited by hand: regenerating it from proto/ must reproduce the
 * committed files byte for byte.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { findProjectRoot } from "../network/comet-binary.js";

it("proto/gen matches what scripts/proto-gen.mjs generates from proto/", () => {
  const root = findProjectRoot();
  const r = spawnSync(process.execPath, [join(root, "scripts", "proto-gen.mjs"), "--check"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `proto-gen --check failed:\n${r.stdout}\n${r.stderr}`);
});
