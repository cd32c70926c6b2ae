/**
 * Peer mode's rule: how the agreement of an answer with the other independent answers to the same prompt
 * changes its single-mode score (models/README.md, "Scoring rule of the judge"). Pure functions of the
 * model's outputs, so the rule is tested on fixed numbers as well as with the real judge.
 */
import type { PeerMapping } from "./manifest.js";

/** One peer's evidence about an answer, both in [0, 1]. */
export interface PeerEvidence {
  /** The agreement head's verdict: does the answer agree with this peer? */
  readonly agreement: number;
  /** The peer's own single-mode score: how far the judge trusts it as a witness. */
  readonly quality: number;
}

// Log-odds are clamped here so a saturated sigmoid (0 or 1 in float64) stays finite.
const EDGE = 1e-4;

function logit(p: number): number {
  const q = Math.min(1 - EDGE, Math.max(EDGE, p));
  return Math.log(q / (1 - q));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * The answer's model part in peer mode, from its single score and its peers' evidence (none: the single
 * score). Rule `odds`: each peer's log-odds of agreement is a vote; a vote FOR the answer counts only as
 * much as the peer's own single score (colluding cheats, which the judge scores low, cannot vouch for one
 * another), a vote against counts fully; the median vote (a minority of odd peers cannot move it) is
 * added to the answer's own log-odds, times `weight`. So agreement with a credible majority lifts a
 * correct answer of any length above its single score, and disagreement pulls a wrong one down. Rule
 * `scale` (the first judge's): `single * (floor + (1 - floor) * mean agreement)`, never above `single`.
 *
 * @example
 * peerSemantic(0.7, [{ agreement: 0.9, quality: 0.95 }, { agreement: 0.8, quality: 0.9 }], mapping); // > 0.7
 */
export function peerSemantic(single: number, peers: readonly PeerEvidence[], m: PeerMapping): number {
  if (peers.length === 0) return single;
  if (m.rule === "scale") {
    const mean = peers.reduce((a, p) => a + p.agreement, 0) / peers.length;
    return single * (m.floor + (1 - m.floor) * mean);
  }
  const votes = peers.map((p) => {
    const l = logit(p.agreement);
    return l > 0 ? l * Math.min(1, Math.max(0, p.quality)) : l;
  });
  return 1 / (1 + Math.exp(-(logit(single) + m.weight * median(votes))));
}

/**
 * The agreement reported next to a score (ScoreDetail.agreement): the median per-peer agreement for
 * `odds`, the mean for `scale` (what each rule reads); null without peers.
 */
export function peerAgreement(peers: readonly PeerEvidence[], m: PeerMapping): number | null {
  if (peers.length === 0) return null;
  const a = peers.map((p) => p.agreement);
  return m.rule === "odds" ? median(a) : a.reduce((x, y) => x + y, 0) / a.length;
}
