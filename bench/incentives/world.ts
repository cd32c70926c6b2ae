/**
 * The world of `poq bench incentives`: the validator's real app in process (test/poq-app-chain.ts:
 * SQLite, every module, ABCI block by block, real signed vote extensions and injected commits) with
 * ten validators, four inference nodes and two requesters, each driven by a strategy. Nothing about
 * the protocol is modelled here: assignments, committees, finality, payouts, penalties and trust are
 * whatever the keeper and payout code do.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { AnyMsg } from "../../app/types.js";
import { selectCommittee } from "../../app/modules/poq/committee.js";
import { deriveSeed } from "../../app/modules/poq/seed.js";
import {
  consAddress,
  RequestStatus,
  type NodeRecord,
  type RequestRecord,
} from "../../app/modules/poq/state.js";
import { isExcluded } from "../../app/modules/poq/trust.js";
import { fromHex } from "../../app/modules/poq/types/wire.js";
import {
  MsgRegisterNode,
  MsgRequestInference,
  MsgSubmitResponse,
  MsgUnjailNode,
  PoqTypeUrl,
} from "../../app/modules/poq/types/msgs.js";
import { createPoqBenchChain, type PoqBenchChain } from "../../test/poq-app-chain.js";
import { testKey, type TestKey } from "../../test/raw-signer.js";

export const MODEL = "llama-3-8b-instruct";

/** What a node does with a request assigned to it (undefined: no answer this block). */
export type NodeAnswer = (req: RequestRecord, world: IncentivesWorld) => string | undefined;
/** What a validator reveals for an answer (undefined: it never commits). */
export type ValidatorScore = (
  req: RequestRecord,
  honest: number,
  world: IncentivesWorld,
) => number | undefined;

export interface NodeActor {
  key: TestKey;
  stake: bigint;
  attacker: boolean;
  answer: NodeAnswer;
  /** Unjail (topping the stake up first) as soon as it is jailed. */
  unjail: boolean;
}

export interface RequestSpec {
  prompt: string;
  fee: bigint;
  minQuality: number;
}

export interface RequesterActor {
  key: TestKey;
  attacker: boolean;
  /** The requests it sends in block `h` (an empty list: none). */
  requests: (h: number) => RequestSpec[];
}

export interface IncentivesWorldOptions {
  /** Voting power of each of the ten validators. */
  powers: readonly bigint[];
  /** Which validators follow the attacker's strategy. */
  attackerValidators: ReadonlySet<number>;
  validatorScore: ValidatorScore;
  nodes: readonly Omit<NodeActor, "key">[];
  requesters: readonly Omit<RequesterActor, "key">[];
  /** The honest evaluator's score of a (prompt, answer) pair. */
  honestScore: (prompt: string, answer: string) => number;
  /** In block `h`, the validators the proposer leaves out of LastCommit (none by default). */
  trimmed?: (h: number) => readonly number[];
  params?: Record<string, unknown>;
}

export interface IncentivesWorld {
  chain: PoqBenchChain;
  nodes: NodeActor[];
  requesters: RequesterActor[];
  height: number;
  /** Every request id seen so far, ascending. */
  ids: bigint[];
  get(id: bigint): RequestRecord;
  node(operator: string): NodeRecord;
  /** The committee a response landing in the next block would get (what a grinding node computes). */
  nextCommittee(id: bigint): string[];
  /** Runs one block: answers, unjails and requests as the strategies say, then the scores. */
  step(sendRequests: boolean): string[];
  close(): void;
}

const msg = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl, value });

/**
 * Builds the world and registers the nodes (block 2).
 *
 * @example
 * const w = createIncentivesWorld({ powers, attackerValidators: new Set(), ... });
 */
export function createIncentivesWorld(o: IncentivesWorldOptions): IncentivesWorld {
  const nodes: NodeActor[] = o.nodes.map((n, i) => ({ ...n, key: testKey(`incentives-node-${i}`) }));
  const requesters: RequesterActor[] = o.requesters.map((r, i) => ({
    ...r,
    key: testKey(`incentives-requester-${i}`),
  }));
  const chain = createPoqBenchChain({
    validators: o.powers.length,
    powers: o.powers,
    accounts: [...nodes.map((n) => n.key), ...requesters.map((r) => r.key)],
    params: { committeeSize: 5, ...o.params },
  });
  const view = () => ({ store: chain.app.state.committedView() });
  const keeper = chain.modules.poq.keeper;
  const scored = o.powers.map(() => new Set<bigint>());
  let nextId = 1n;
  const world: IncentivesWorld = {
    chain,
    nodes,
    requesters,
    height: Number(chain.height),
    ids: [],
    get: (id) => keeper.getRequest(view(), id) as RequestRecord,
    node: (operator) => keeper.getNode(view(), operator) as NodeRecord,
    nextCommittee(id) {
      // The grinder's best guess: the committee as if drawn from the beacon it can see now. The real
      // one comes from the beacon of the block after its answer, mixed from secrets revealed only
      // after that block was decided (beacon.ts, review H3), so the guess is as good as a coin.
      const members = selectCommittee({
        seed: deriveSeed("committee", fromHex(keeper.beacon(view()).value), id, 0),
        validators: chain.modules.core.validators.keeper.list(view()),
        size: keeper.getParams(view()).committeeSize,
        isExcluded: (a) => isExcluded(keeper.getTrust(view(), a), BigInt(world.height + 1)),
      });
      return members.map((m) => consAddress(m.address));
    },
    step(sendRequests) {
      const h = world.height + 1;
      const txs: Uint8Array[] = [];
      for (const n of nodes) {
        const rec = world.node(n.key.address);
        if (rec.jailed && n.unjail) {
          const short = BigInt(keeper.getParams(view()).minNodeStake) - BigInt(rec.stake.amount);
          const unjail: AnyMsg[] = [];
          if (short > 0n) unjail.push(registerMsg(n.key.address, short, rec.min_fee.amount));
          unjail.push(msg(PoqTypeUrl.UnjailNode, MsgUnjailNode.encode({ operator: n.key.address }).finish()));
          txs.push(chain.signed(n.key, unjail));
        }
      }
      for (const id of world.ids) {
        const req = world.get(id);
        if (req.status !== RequestStatus.Assigned) continue;
        const n = nodes.find((x) => x.key.address === req.node);
        const answer = n?.answer(req, world);
        if (n === undefined || answer === undefined) continue;
        const value = MsgSubmitResponse.encode({
          node: n.key.address,
          requestId: id,
          response: answer,
        }).finish();
        txs.push(chain.signed(n.key, [msg(PoqTypeUrl.SubmitResponse, value)]));
      }
      if (sendRequests) {
        for (const r of requesters) {
          for (const spec of r.requests(h)) {
            const value = MsgRequestInference.encode({
              requester: r.key.address,
              model: MODEL,
              prompt: spec.prompt,
              maxTokens: 256,
              fee: { denom: "upoq", amount: spec.fee.toString() },
              minQuality: spec.minQuality,
            }).finish();
            txs.push(chain.signed(r.key, [msg(PoqTypeUrl.RequestInference, value)]));
          }
        }
      }
      const result = chain.runBlock(txs, { omitFromLastCommit: o.trimmed?.(h) ?? [] });
      world.height = h;
      while (keeper.getRequest(view(), nextId)) world.ids.push(nextId++);
      // Each committee member scores what it sits on after Commit, as validator/scorer.ts does.
      for (const id of world.ids) {
        const req = world.get(id);
        if (req.status !== RequestStatus.Scoring) continue;
        const honest = o.honestScore(req.prompt, req.response);
        chain.validators.forEach((v, i) => {
          if (scored[i]!.has(id) || !req.committee.some((c) => c.validator === consAddress(v.address)))
            return;
          scored[i]!.add(id);
          const score = o.attackerValidators.has(i) ? o.validatorScore(req, honest, world) : honest;
          if (score !== undefined) chain.scores[i]!.set(id, { score, salt: saltOf(i, id) });
        });
      }
      return result.failed;
    },
    close: () => chain.cleanup(),
  };
  chain.runBlock(nodes.map((n) => chain.signed(n.key, [registerMsg(n.key.address, n.stake, "0")])));
  world.height = Number(chain.height);
  return world;
}

function registerMsg(operator: string, stake: bigint, minFee: string): AnyMsg {
  return msg(
    PoqTypeUrl.RegisterNode,
    MsgRegisterNode.encode({
      operator,
      models: [MODEL],
      stake: { denom: "upoq", amount: stake.toString() },
      moniker: "",
      ...(minFee !== "0" ? { minFee: { denom: "upoq", amount: minFee } } : {}),
    }).finish(),
  );
}

/** A fixed salt per (validator, request): the bench is deterministic run to run. */
function saltOf(validator: number, id: bigint): Uint8Array {
  return sha256(new TextEncoder().encode(`incentives-salt/${validator}/${id}`));
}
