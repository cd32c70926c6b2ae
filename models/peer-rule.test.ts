import assert from "node:assert/strict";
import { test } from "node:test";
import type { PeerMapping } from "./manifest.js";
import { peerAgreement, peerSemantic, type PeerEvidence } from "./peer-rule.js";

// The rule on fixed numbers shaped like the judge's outputs (models/README.md): single scores in [0, 1], the
// agreement head's verdicts, and a short correct answer's agreement lower than a long one's (the head
// reads length). Orders and thresholds are asserted, not exact values.
const odds: PeerMapping = {
  logitIndex: 1,
  offset: 0,
  temperature: 1,
  rule: "odds",
  floor: 0,
  weight: 1,
  maxPeers: 8,
};
const scale: PeerMapping = { ...odds, rule: "scale", floor: 0.3 };

/** Scores every answer of one request with all the others as its peers. */
function request(single: number[], agree: number[][], m: PeerMapping = odds): number[] {
  return single.map((s, i) => {
    const peers: PeerEvidence[] = single
      .map((q, j) => ({ agreement: agree[i]?.[j] ?? 0, quality: q }))
      .filter((_, j) => j !== i);
    return peerSemantic(s, peers, m);
  });
}

// Three correct answers, long (0.96), one word (0.75) and medium (0.85): each agrees with the others,
// the short one less (0.7-0.75), as the judge's agreement head rates "100 °C." against full sentences.
const correct = [0.96, 0.75, 0.85];
const agreeCorrect = [
  [1, 0.8, 0.85],
  [0.75, 1, 0.7],
  [0.8, 0.6, 1],
];

test("peer rule (odds): three correct answers of different lengths all score high, none below its single score", () => {
  const got = request(correct, agreeCorrect);
  got.forEach((s, i) => {
    assert.ok(s >= 0.85, `answer ${i}: ${s}`);
    assert.ok(s >= (correct[i] as number), `answer ${i}: ${s} below its single ${correct[i]}`);
  });
  // The old scale rule pulled the short one down (by a fifth here): the reason for the change.
  const old = request(correct, agreeCorrect, scale);
  assert.ok((old[1] as number) < 0.65 && (got[1] as number) > (old[1] as number) + 0.2, `${old} -> ${got}`);
});

test("peer rule (odds): a contradicting or wrong minority scores below every answer of the majority", () => {
  for (const [kind, single] of [
    ["contradiction", 0.05],
    ["wrong but fluent (high single score)", 0.9],
  ] as const) {
    // Four answers: the three correct ones and the minority, which they all disagree with (and it with them).
    const s = [...correct, single];
    const a = [
      [1, 0.8, 0.85, 0.08],
      [0.75, 1, 0.7, 0.1],
      [0.8, 0.6, 1, 0.06],
      [0.05, 0.08, 0.06, 1],
    ];
    const got = request(s, a);
    const minority = got[3] as number;
    for (let i = 0; i < 3; i++) {
      assert.ok(minority < (got[i] as number), `${kind}: minority ${minority} vs ${got[i]}`);
      // The median vote: one dissenting peer cannot pull a correct answer far below its single score.
      assert.ok((got[i] as number) >= 0.6, `${kind}: correct answer ${i} fell to ${got[i]}`);
    }
    assert.ok(minority < single / 2, `${kind}: ${single} -> ${minority}`);
  }
});

test("peer rule (odds): colluding cheats cannot vouch for one another; an unvouched answer keeps its score", () => {
  // Three copies of a template: the judge scores each 0.04, and they agree with each other fully.
  const got = request(
    [0.04, 0.04, 0.04],
    [
      [1, 0.99, 0.99],
      [0.99, 1, 0.99],
      [0.99, 0.99, 1],
    ],
  );
  for (const s of got) assert.ok(s < 0.1, `a cheat vouched for by cheats: ${s}`);
  // Neutral peers (agreement 0.5) leave the single score as it is; no peers at all too.
  assert.ok(Math.abs(peerSemantic(0.7, [{ agreement: 0.5, quality: 0.9 }], odds) - 0.7) < 1e-9);
  assert.equal(peerSemantic(0.7, [], odds), 0.7);
  // Saturated inputs stay finite and inside [0, 1].
  const edge = peerSemantic(1, [{ agreement: 0, quality: 1 }], odds);
  assert.ok(Number.isFinite(edge) && edge >= 0 && edge <= 1, `${edge}`);
});

test("peer rule: weight 0 ignores the peers; scale never lifts; the reported agreement is median or mean", () => {
  const peers = [
    { agreement: 0.9, quality: 0.9 },
    { agreement: 0.2, quality: 0.9 },
    { agreement: 0.8, quality: 0.9 },
  ];
  assert.ok(Math.abs(peerSemantic(0.6, peers, { ...odds, weight: 0 }) - 0.6) < 1e-9);
  assert.ok(peerSemantic(0.6, peers, scale) < 0.6);
  assert.ok(peerSemantic(0.6, peers, odds) > 0.6);
  assert.equal(peerAgreement(peers, odds), 0.8);
  assert.ok(Math.abs((peerAgreement(peers, scale) as number) - 19 / 30) < 1e-9);
  assert.equal(peerAgreement([], odds), null);
});
