import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { incentivesTable, powersFor, runIncentivesBench } from "./run.js";
import { strategies } from "./strategies.js";

describe("poq bench incentives (the short form CI runs)", { timeout: 600_000 }, () => {
  it("gives the attacking group the asked share of the voting power", () => {
    for (const [f, group] of [
      [0.1, 3],
      [0.2, 3],
      [0.33, 3],
      [0.33, 2],
    ] as const) {
      const p = powersFor(f, group);
      const attackers = p.slice(10 - group).reduce((a, b) => a + b, 0n);
      const share = Number(attackers) / Number(p.reduce((a, b) => a + b, 0n));
      assert.ok(Math.abs(share - f) < 0.02, `${f} of power for ${group}: got ${share}`);
    }
  });

  it("no deviation earns more than honest at a third of the stake", async () => {
    const { rows, ok } = await runIncentivesBench({ blocks: 6, fractions: [0.33] });
    console.log(incentivesTable(rows));
    assert.equal(rows.length, strategies().length);
    assert.ok(ok, "a deviation earned more than honest");
    const flood = rows.find((r) => r.strategy === "requester: free flood")!;
    assert.match(flood.note, /^accepted 0,/, "free requests are rejected");
    for (const r of rows) assert.ok(r.finalized > 0, `${r.strategy}: nothing finalized`);
  });
});
