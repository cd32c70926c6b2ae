/**
 * The strategies `poq bench incentives` plays, each at a share of the stake (validators: of voting
 * power; nodes: of node stake; requesters: of request volume). The deviations follow the list
 * and the four attacks of arXiv 2601.21189 on reputation-weighted scoring (noise injection, boosting,
 * sabotage, intermittent manipulation).
 */
import { LAZY_KINDS, lazyAnswer, type LazyKind } from "../../inference/standin/lazy.js";
import { STANDIN_QA } from "../../inference/standin/qa-data.js";
import type { RequestRecord } from "../../app/modules/poq/state.js";
import type { IncentivesWorld, NodeAnswer, RequestSpec, ValidatorScore } from "./world.js";

/** Prompts whose correct answers are short, so the embedding judge scores them low (review C1 B). */
export const ADVERSARIAL_QA = [
  { prompt: "Answer yes or no only: is water wet?", answer: "Yes." },
  { prompt: "What is 17 times 23? Reply with the number only.", answer: "391" },
  { prompt: "Reply with one word: the opposite of hot.", answer: "Cold." },
  { prompt: "Translate 'thank you' into Japanese, nothing else.", answer: "Arigatou." },
  { prompt: "Is 97 a prime number? Yes or no.", answer: "Yes." },
  { prompt: "Give only the chemical symbol of gold.", answer: "Au" },
] as const;

/** The right answer of every prompt the bench asks. */
export const RIGHT_ANSWERS: ReadonlyMap<string, string> = new Map(
  [...STANDIN_QA, ...ADVERSARIAL_QA].map((q) => [q.prompt, q.answer]),
);

export const HONEST_FEE = 10_000n;
/** Honest requests per block. */
export const HONEST_RATE = 6;

export type Side = "node" | "validator" | "requester";

export interface Strategy {
  name: string;
  side: Side;
  /** Validators in the attacking group (validator side): 3, or 2 for a colluding pair. */
  group?: number;
  node?: NodeAnswer;
  validator?: ValidatorScore;
  /** The attacker proposes a share of the blocks and then leaves honest precommits out of LastCommit. */
  trims?: boolean;
  /** The attacking node grinds its committee with the attacking validators. */
  grinds?: boolean;
  requests?: (h: number, rate: (h: number) => number) => RequestSpec[];
}

export const honestAnswer: NodeAnswer = (req) => RIGHT_ANSWERS.get(req.prompt) ?? "I do not know.";

const lazy =
  (kind: LazyKind): NodeAnswer =>
  (req) =>
    lazyAnswer(kind, req.prompt, honestAnswer(req, undefined as unknown as IncentivesWorld) as string);

/** A deterministic pseudo-random integer in [0, n) from a request id and a salt. */
function noiseOf(id: string, salt: number, n: number): number {
  let h = 2166136261 ^ salt;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h % n;
}

const clamp = (v: number): number => Math.max(0, Math.min(10000, v));

/** Requests cycling through the bundled questions. */
export function questions(h: number, count: number, fee: bigint, minQuality = 0, offset = 0): RequestSpec[] {
  return Array.from({ length: count }, (_, j) => {
    const q = STANDIN_QA[(h * 7 + j + offset) % STANDIN_QA.length]!;
    return { prompt: q.prompt, fee, minQuality };
  });
}

/** Every strategy of the bench (the honest baseline is every scenario's other participants). */
export function strategies(): Strategy[] {
  return [
    ...LAZY_KINDS.map((kind) => ({ name: `lazy node: ${kind}`, side: "node" as const, node: lazy(kind) })),
    {
      name: "lazy node grinding its committee with colluders",
      side: "node",
      grinds: true,
      node: lazy("template"),
      group: 3,
      // The colluding validators boost the grinding node's answers; others they score honestly.
      validator: (req, honest, w) =>
        w.nodes.find((n) => n.attacker)?.key.address === req.node ? 10000 : honest,
    },
    { name: "withholding validator", side: "validator", group: 3, validator: () => undefined },
    {
      name: "low-balling validator, proposer trims LastCommit",
      side: "validator",
      group: 3,
      trims: true,
      validator: () => 0,
    },
    { name: "colluding validator pair (low-ball)", side: "validator", group: 2, validator: () => 0 },
    {
      name: "noise injection",
      side: "validator",
      group: 3,
      validator: (req, honest) => clamp(honest + noiseOf(req.id, 1, 8001) - 4000),
    },
    { name: "boosting", side: "validator", group: 3, validator: () => 10000 },
    { name: "sabotage", side: "validator", group: 3, validator: (_req, honest) => 10000 - honest },
    {
      name: "intermittent manipulation",
      side: "validator",
      group: 3,
      validator: (req: RequestRecord, honest) => (BigInt(req.id) % 2n === 0n ? 0 : honest),
    },
    {
      name: "requester: free flood",
      side: "requester",
      requests: (h, rate) => questions(h, rate(h) * 10, 0n),
    },
    {
      name: "requester: adversarial prompts",
      side: "requester",
      requests: (h, rate) =>
        Array.from({ length: rate(h) }, (_, j) => ({
          prompt: ADVERSARIAL_QA[(h + j) % ADVERSARIAL_QA.length]!.prompt,
          fee: HONEST_FEE,
          minQuality: 0,
        })),
    },
    {
      name: "requester: min_quality abuse",
      side: "requester",
      requests: (h, rate) => questions(h, rate(h), HONEST_FEE, 10000, 3),
    },
  ];
}
