/**
 * `poq bench incentives`: every strategy of strategies.ts at 10%, 20% and 33% of the stake, each in a
 * fresh in-process chain (world.ts) against honest participants, scored by the real evaluator. For each
 * it measures the deviator's reward relative to honest participants of its side, and the consensus
 * error (|consensus quality - the honest evaluator's score| over FINALIZED answers), and it fails
 * (exit code 1) when any deviation earns more than honest behaviour.
 *
 * Rewards are normalised by what each participant was given to do, so that the stake-weighted draw's
 * noise does not decide: a node's (earnings - penalties) per request assigned, a validator's pay per
 * committee seat (assignments and seats are drawn in proportion to stake, so these are rewards per
 * unit of stake in expectation), a requester's quality received per coin spent.
 */
import { Command } from "commander";
import { createEvaluator } from "../../models/index.js";
import { computePayout } from "../../app/modules/poq/payout.js";
import { consAddress, RequestStatus } from "../../app/modules/poq/state.js";
import { positive } from "../options.js";
import {
  HONEST_FEE,
  HONEST_RATE,
  RIGHT_ANSWERS,
  honestAnswer,
  questions,
  strategies,
  type Strategy,
} from "./strategies.js";
import { LAZY_KINDS, lazyAnswer } from "../../inference/standin/lazy.js";
import { createIncentivesWorld, type IncentivesWorld } from "./world.js";

export interface IncentivesBenchOptions {
  /** Blocks with traffic (then the world drains). */
  blocks: number;
  fractions: readonly number[];
  /** Only strategies whose name contains this. */
  only?: string;
}

export interface IncentivesRow {
  strategy: string;
  fraction: number;
  /** Deviator's reward / honest reward of the same side (1 = the same). */
  relativeReward: number;
  /** Mean |consensus - honest score| in bp over FINALIZED answers. */
  consensusErrorBp: number;
  finalized: number;
  unscored: number;
  note: string;
}

/** Lets a deviation count as "earning more" only beyond integer rounding. */
const TOLERANCE = 0.01;

/** Scores every (prompt, answer) the bench can produce once, with the real evaluator. */
async function honestScores(): Promise<(prompt: string, answer: string) => number> {
  const evaluator = await createEvaluator();
  try {
    const pairs: { prompt: string; response: string }[] = [];
    for (const [prompt, right] of RIGHT_ANSWERS) {
      pairs.push({ prompt, response: right });
      for (const kind of LAZY_KINDS) pairs.push({ prompt, response: lazyAnswer(kind, prompt, right) });
    }
    const scores = await evaluator.scoreBatch(pairs);
    const table = new Map(pairs.map((p, i) => [`${p.prompt}\u0000${p.response}`, scores[i]!]));
    return (prompt, answer) => {
      const s = table.get(`${prompt}\u0000${answer}`);
      if (s === undefined) throw new Error(`no score for ${JSON.stringify([prompt, answer])}`);
      return s;
    };
  } finally {
    await evaluator.close();
  }
}

/** Powers of ten validators: the last `group` hold `fraction` of the power, the others 10 each. */
export function powersFor(fraction: number, group: number): bigint[] {
  const honest = 10 - group;
  const total = Math.max(group, Math.round((honest * 10 * fraction) / (1 - fraction)));
  return Array.from({ length: 10 }, (_, i) => {
    if (i < honest) return 10n;
    const k = i - honest;
    return BigInt(Math.floor(total / group) + (k < total % group ? 1 : 0));
  });
}

/** Spreads `perBlock` (fractional) requests over blocks: how many to send in block h. */
const spread =
  (perBlock: number) =>
  (h: number): number =>
    Math.floor(h * perBlock) - Math.floor((h - 1) * perBlock);

/** Runs one strategy at one fraction. */
export function runScenario(
  s: Strategy,
  fraction: number,
  blocks: number,
  honestScore: (prompt: string, answer: string) => number,
): IncentivesRow {
  const group = s.side === "validator" || s.grinds ? (s.group ?? 3) : 0;
  const powers = powersFor(fraction, Math.max(group, 1)).map((p, i) => (group === 0 && i >= 9 ? 10n : p));
  const attackerValidators = new Set(group === 0 ? [] : powers.map((_, i) => i).slice(10 - group));
  const attackerStake = BigInt(Math.max(1_000_000, Math.round((30_000_000 * fraction) / (1 - fraction))));
  const nodeSide = s.side === "node";
  const grindAnswer = s.node;
  const nodes = [0, 1, 2, 3].map((i) => ({
    stake: i === 3 ? attackerStake : 10_000_000n,
    attacker: i === 3,
    unjail: true,
    answer:
      i === 3 && nodeSide
        ? s.grinds
          ? (req: Parameters<NonNullable<Strategy["node"]>>[0], w: IncentivesWorld) => {
              // Answer only in a block whose committee the colluders control, or at the last moment.
              const colluders = [...attackerValidators].map((a) => consOf(w, a));
              const mine = w.nextCommittee(BigInt(req.id)).filter((v) => colluders.includes(v)).length;
              const last = BigInt(req.response_deadline) <= BigInt(w.height + 1);
              return mine >= 3 || last ? grindAnswer!(req, w) : undefined;
            }
          : s.node!
        : honestAnswer,
  }));
  const attackerRate = (HONEST_RATE * fraction) / (1 - fraction);
  const world = createIncentivesWorld({
    powers,
    attackerValidators,
    validatorScore: s.validator ?? ((_r, honest) => honest),
    nodes,
    requesters: [
      { attacker: false, requests: (h) => questions(h, HONEST_RATE, HONEST_FEE) },
      ...(s.side === "requester"
        ? [{ attacker: true, requests: (h: number) => s.requests!(h, spread(attackerRate)) }]
        : []),
    ],
    honestScore,
    ...(s.trims
      ? {
          // The attackers propose their share of the blocks and then leave two honest validators'
          // precommits (20 of the power, under a third) out of LastCommit.
          trimmed: (h: number) => ((h * 37) % 100 < fraction * 100 ? [h % 7, (h + 1) % 7] : []),
        }
      : {}),
  });
  try {
    for (let b = 0; b < blocks; b++) world.step(true);
    for (let b = 0; b < 45 && world.ids.some((id) => isOpen(world.get(id).status)); b++) world.step(false);
    return measure(world, s, fraction, attackerValidators, honestScore);
  } finally {
    world.close();
  }
}

const consOf = (w: IncentivesWorld, i: number): string => consAddress(w.chain.validators[i]!.address);

const isOpen = (status: string): boolean =>
  status === RequestStatus.Pending || status === RequestStatus.Assigned || status === RequestStatus.Scoring;

function measure(
  w: IncentivesWorld,
  s: Strategy,
  fraction: number,
  attackerValidators: ReadonlySet<number>,
  honestScore: (prompt: string, answer: string) => number,
): IncentivesRow {
  const reqs = w.ids.map((id) => w.get(id));
  const final = reqs.filter((r) => r.status === RequestStatus.Finalized);
  const error = final.reduce(
    (sum, r) => sum + Math.abs(r.quality!.score - honestScore(r.prompt, r.response)),
    0,
  );
  const consensusErrorBp = final.length === 0 ? 0 : Math.round(error / final.length);
  const unscored = reqs.filter((r) => r.status === RequestStatus.Unscored).length;
  let relativeReward = 1;
  let note = "";
  if (s.side === "node") {
    const per = (n: { key: { address: string } }) => {
      const rec = w.node(n.key.address);
      const reward = Number(BigInt(rec.earnings) - BigInt(rec.slashed));
      return { reward: reward / Math.max(1, Number(rec.assigned)), rec };
    };
    const honest = w.nodes.filter((n) => !n.attacker).map(per);
    const attacker = per(w.nodes.find((n) => n.attacker)!);
    const base = honest.reduce((a, b) => a + b.reward, 0) / honest.length;
    relativeReward = base <= 0 ? 0 : attacker.reward / base;
    note = `assigned ${attacker.rec.assigned}, penalties ${attacker.rec.slashed}, slashes ${attacker.rec.slashes}`;
  } else if (s.side === "validator") {
    const perSeat = w.chain.validators.map((v, i) => {
      const name = consOf(w, i);
      const paid = reqs.reduce(
        (sum, r) => sum + BigInt(r.payout?.validators.find((p) => p.validator === name)?.amount ?? "0"),
        0n,
      );
      const seats = Number(
        w.chain.modules.poq.keeper.getTrust({ store: w.chain.app.state.committedView() }, v.address)
          .committees,
      );
      return { paid: Number(paid), seats };
    });
    const sum = (xs: { paid: number; seats: number }[]) =>
      xs.reduce((a, b) => ({ paid: a.paid + b.paid, seats: a.seats + b.seats }), { paid: 0, seats: 0 });
    const honest = sum(perSeat.filter((_, i) => !attackerValidators.has(i)));
    const attacker = sum(perSeat.filter((_, i) => attackerValidators.has(i)));
    const rate = (x: { paid: number; seats: number }) => (x.seats === 0 ? 0 : x.paid / x.seats);
    relativeReward = rate(honest) === 0 ? 0 : rate(attacker) / rate(honest);
    note = `seats ${attacker.seats}, paid ${attacker.paid}`;
  } else {
    // A requester gains by paying less for the quality it receives. Quality per coin alone would
    // mostly measure the prompt mix (the payout is fixed validator pay plus node pay by quality, so
    // prompts whose right answers score high are cheaper per point, whoever asks): each FINALIZED
    // answer is therefore valued at what an honest requester pays for that quality and fee
    // (computePayout, the real code, every seat agreeing), and compared with what was spent.
    const params = w.chain.modules.poq.keeper.getParams({ store: w.chain.app.state.committedView() });
    const listPrice = (fee: bigint, quality: number): number => {
      const p = computePayout({
        fee,
        quality,
        qualityFloorBp: params.qualityFloorBp,
        nodeShareBp: params.nodeShareBp,
        validatorShareBp: params.validatorShareBp,
        agreementToleranceBp: params.agreementToleranceBp,
        reveals: [{ validator: new Uint8Array(20), score: quality, power: 1n }],
      });
      return Number(fee - p.refund);
    };
    const value = (attacker: boolean) => {
      const mine = reqs.filter(
        (r) => r.requester === w.requesters.find((q) => q.attacker === attacker)!.key.address,
      );
      const finalized = mine.filter((r) => r.status === RequestStatus.Finalized);
      const quality = finalized.reduce((a, r) => a + r.quality!.score, 0);
      const worth = finalized.reduce((a, r) => a + listPrice(BigInt(r.fee.amount), r.quality!.score), 0);
      const spent = mine.reduce(
        (a, r) => a + Number(BigInt(r.fee.amount) - BigInt(r.payout?.refund ?? r.fee.amount)),
        0,
      );
      return {
        perCoin: spent === 0 ? 0 : worth / spent,
        qualityPerCoin: spent === 0 ? 0 : quality / spent,
        sent: mine.length,
        spent,
      };
    };
    const honest = value(false);
    const attacker = value(true);
    relativeReward = honest.perCoin === 0 ? 0 : attacker.perCoin / honest.perCoin;
    const perCoin =
      honest.qualityPerCoin === 0
        ? 0
        : Math.round((attacker.qualityPerCoin / honest.qualityPerCoin) * 1000) / 1000;
    const penalties = w.nodes.reduce((a, n) => a + BigInt(w.node(n.key.address).slashed), 0n);
    note = `accepted ${attacker.sent}, spent ${attacker.spent}, quality per coin ${perCoin} of honest, node penalties ${penalties} (to the pool)`;
  }
  return {
    strategy: s.name,
    fraction,
    relativeReward: Math.round(relativeReward * 1000) / 1000,
    consensusErrorBp,
    finalized: final.length,
    unscored,
    note,
  };
}

/** Runs the bench; returns the rows and whether every deviation earned at most honest. */
export async function runIncentivesBench(
  o: IncentivesBenchOptions,
): Promise<{ rows: IncentivesRow[]; ok: boolean }> {
  const honestScore = await honestScores();
  const rows: IncentivesRow[] = [];
  for (const s of strategies().filter((x) => o.only === undefined || x.name.includes(o.only))) {
    for (const f of o.fractions) rows.push(runScenario(s, f, o.blocks, honestScore));
  }
  return { rows, ok: rows.every((r) => r.relativeReward <= 1 + TOLERANCE) };
}

/** The markdown table of the rows. */
export function incentivesTable(rows: readonly IncentivesRow[]): string {
  const head =
    "| strategy | share | reward vs honest | consensus error (bp) | final / unscored | notes |\n| --- | --- | --- | --- | --- | --- |";
  const body = rows.map(
    (r) =>
      `| ${r.strategy} | ${Math.round(r.fraction * 100)}% | ${r.relativeReward.toFixed(3)}${r.relativeReward > 1 + TOLERANCE ? " **MORE**" : ""} | ${r.consensusErrorBp} | ${r.finalized} / ${r.unscored} | ${r.note} |`,
  );
  return [head, ...body].join("\n");
}

/**
 * `poq bench incentives`.
 *
 * @example
 * program.addCommand(benchIncentivesCommand()); // poq bench incentives --blocks 30
 */
export function benchIncentivesCommand(): Command {
  return new Command("incentives")
    .description(
      "every deviation at 10/20/33% of stake on the real keeper; exit 1 if any earns more than honest",
    )
    .option("--blocks <n>", "blocks with traffic per scenario", positive("blocks"), 30)
    .option("--fractions <list>", "attacker shares, comma-separated", "0.1,0.2,0.33")
    .option("--only <text>", "only strategies whose name contains this")
    .action(async (opts: { blocks: number; fractions: string; only?: string }) => {
      const fractions = opts.fractions.split(",").map(Number);
      const { rows, ok } = await runIncentivesBench({
        blocks: opts.blocks,
        fractions,
        ...(opts.only !== undefined ? { only: opts.only } : {}),
      });
      console.log(incentivesTable(rows));
      console.log(ok ? "no deviation earns more than honest" : "A DEVIATION EARNS MORE THAN HONEST");
      if (!ok) process.exitCode = 1;
    });
}
