/**
 * The e2e files run two at a time (scripts/run-tests.mjs), which is only safe while no two of them bind
 * the same port: each file's header says which it uses ("Ports 26100-26199." or "No ports"), no two
 * files' ranges overlap, and every port a file writes as a literal (a base port, a listen address) is
 * inside its own ranges.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot } from "../network/comet-binary.js";

type Range = [number, number];

/** The ranges a header sentence names, without its parenthesised remarks; undefined without one. */
function declaredPorts(source: string): Range[] | undefined {
  const header = source.slice(0, source.indexOf("*/") + 2);
  if (/No ports/.test(header)) return [];
  const sentence = /Ports ([^.]*)\./.exec(header.replace(/\n\s*\*\s*/g, " "))?.[1];
  if (sentence === undefined) return undefined;
  const ranges: Range[] = [];
  for (const m of sentence.replace(/\([^)]*\)/g, "").matchAll(/(\d{4,5})(?:-(\d{4,5}))?/g))
    ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
  return ranges;
}

/** Port numbers written as literals where a file picks its ports. */
function literalPorts(source: string): number[] {
  const patterns = [
    /basePort\s*[:=]\s*(\d+)/g,
    /restPort: (\d+)/g,
    /portsFor\((\d+)/g,
    /127\.0\.0\.1:(\d+)/g,
    /"--base-port",\s*"(\d+)"/g,
    /const [A-Z_]*(?:BASE|PORT)[A-Z_]* = (\d+)/g,
  ];
  // Port 0 asks the system for a free port: it never clashes.
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => Number(m[1]))).filter((p) => p !== 0);
}

const within = (port: number, ranges: Range[]) => ranges.some(([lo, hi]) => port >= lo && port <= hi);

describe("e2e port ranges", () => {
  const dir = join(findProjectRoot(), "test");
  const files = readdirSync(dir).filter((f) => f.endsWith(".e2e.test.ts"));

  it("reads a header and literals as the files write them", () => {
    const src =
      "/**\n * Two nodes. Ports 26960-26962 (CometBFT 26960) and\n * 26970 (REST).\n */\nbasePort: 26960";
    assert.deepEqual(declaredPorts(src), [
      [26960, 26962],
      [26970, 26970],
    ]);
    assert.equal(declaredPorts("/** Nothing said. */"), undefined);
    assert.deepEqual(
      literalPorts(
        `listen: "127.0.0.1:29190", "127.0.0.1:0", "--base-port", "27300", const NEW_PORT = 27440`,
      ),
      [29190, 27300, 27440],
    );
  });

  it("every e2e file names its ports and writes none outside them", () => {
    assert.ok(files.length > 10, `found ${files.length} e2e files in ${dir}`);
    for (const f of files) {
      const source = readFileSync(join(dir, f), "utf8");
      const ranges = declaredPorts(source);
      assert.ok(ranges !== undefined, `${f}: its header comment names no "Ports A-B." (or "No ports")`);
      // A file that binds nothing may still write ports in what it checks (a compose file's mappings).
      if (ranges.length === 0) continue;
      for (const port of literalPorts(source))
        assert.ok(
          within(port, ranges),
          `${f}: port ${port} is outside its declared ${JSON.stringify(ranges)}`,
        );
    }
  });

  it("no two e2e files share a port", () => {
    const all = files.flatMap((f) =>
      (declaredPorts(readFileSync(join(dir, f), "utf8")) ?? []).map((r) => ({ f, r })),
    );
    for (const [i, a] of all.entries())
      for (const b of all.slice(i + 1))
        if (a.f !== b.f)
          assert.ok(
            a.r[1] < b.r[0] || b.r[1] < a.r[0],
            `${a.f} (${a.r.join("-")}) and ${b.f} (${b.r.join("-")}) overlap`,
          );
  });
});
