/**
 * An in-process PoQ chain for tests and benchmarks: the validator's real app (SQLite in a temporary folder,
 * every module, the PoQ proposal hooks) driven through its ABCI methods block by block, with N
 * validators whose ed25519 keys sign real vote extensions. PrepareProposal injects the previous
 * extended commit, ProcessProposal verifies it, FinalizeBlock applies it, and each validator's
 * ExtendVote packs the scores the bench put in its {@link PoqBenchChain.scores} map.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  BlockIdFlag,
  ProposalStatus,
  type ExtendedCommitInfo,
  type Event,
  type ExtendVoteRequest,
  type Misbehavior,
} from "../abci/application.js";
import type { PoqApp } from "../app/app.js";
import { moduleAddress } from "../app/modules/auth/address.js";
import type { AnyMsg } from "../app/types.js";
import { voteExtensionSignBytes } from "../app/modules/poq/extended-commit.js";
import type { LocalScore } from "../app/modules/poq/extension-planner.js";
import { consensusAddress } from "../app/modules/validators/keeper.js";
import { buildAppState } from "../network/app-genesis.js";
import { signDirect, testKey, type TestKey } from "./raw-signer.js";
import { assembleApp, createChainModules, type ChainModules } from "../validator/assemble.js";
import { paramJsonKey } from "../app/modules/poq/keeper.js";
import type { HotPagePolicy } from "../app/store/hot-pages.js";
import { blockRequest } from "../bench/bank-chain.js";
import {
  MsgRegisterNode,
  MsgRequestInference,
  PoqTypeUrl,
  type MsgRegisterNode as RegisterNode,
  type MsgRequestInference as RequestInference,
} from "../app/modules/poq/types/msgs.js";

export const POQ_BENCH_CHAIN_ID = "poq-bench-2";

export interface PoqBenchValidator {
  address: Uint8Array;
  operator: string;
  /** Its ed25519 key, for Node's native signer (on a node CometBFT signs, in Go, outside the app). */
  signer: KeyObject;
}

/** An ed25519 private key from its 32-byte seed: the PKCS#8 DER prefix of RFC 8410, then the seed. */
function ed25519KeyFromSeed(seed: Uint8Array): KeyObject {
  const prefix = Buffer.from("302e020100300506032b657004220420", "hex");
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: "der", type: "pkcs8" });
}

/** The raw 32-byte ed25519 public key of `key`: the end of its SPKI DER. */
function ed25519PublicKey(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32));
}

export interface BlockResult {
  height: bigint;
  /** Each validator's extension for this block (by validator index). */
  extensions: Uint8Array[];
  /** Wall-clock ms of validator 0's ExtendVote, one per requested sample. */
  extendVoteMs: number[];
  /** CPU ms (whole process) of the same samples. */
  extendVoteCpuMs: number[];
  /** Wall-clock ms of FinalizeBlock. */
  finalizeMs: number;
  /** CPU ms of FinalizeBlock (what it would take on an idle core of this machine). */
  finalizeCpuMs: number;
  /** Wall-clock ms of Commit (the block's writes, trie rows and app hash persisted to SQLite). */
  commitMs: number;
  /** CPU ms of Commit. */
  commitCpuMs: number;
  /** FinalizeBlock's events (begin- and end-block). */
  events: Event[];
  failed: string[];
  /** ProcessProposal refused the block (it was finalized only because `decideRefused` asked for it). */
  refused: boolean;
  /** The block's transactions as proposed (the injected commit first). */
  txs: Uint8Array[];
}

export interface PoqBenchChain {
  app: PoqApp;
  modules: ChainModules;
  validators: PoqBenchValidator[];
  /** Ready scores of validator i (what its scorer would hold). */
  scores: Map<bigint, LocalScore>[];
  height: bigint;
  /**
   * Proposes and verifies block h, collects every validator's extension (before FinalizeBlock, as
   * CometBFT does), then finalizes and commits it. `extendVoteSamples`: time validator 0's
   * ExtendVote this many more times at that point.
   */
  runBlock(txs: Uint8Array[], opts?: RunBlockOptions): BlockResult;
  /** The ExtendVote request for the block being voted on. */
  extendVoteRequest(): ExtendVoteRequest;
  /** Validator i's extension for the block being voted on (the app's ExtendVote for validator 0). */
  extendVote(i: number): Uint8Array;
  /** upoq balance of an address in the committed state. */
  balance(address: string): bigint;
  /** Total upoq supply, and the sum of every account's balance (they must be equal). */
  supply(): { supply: bigint; balances: bigint };
  /** A signed tx of `key` with `msgs` (sequence counted here). */
  signed(key: TestKey, msgs: AnyMsg[]): Uint8Array;
  cleanup(): void;
}

export interface RunBlockOptions {
  /** Time validator 0's ExtendVote this many more times (see {@link PoqBenchChain.runBlock}). */
  extendVoteSamples?: number;
  /**
   * Validators whose precommit of the previous block this block's proposer leaves out of
   * LastCommit (CometBFT accepts any commit with more than 2/3 of the power): their extensions
   * never reach the chain.
   */
  omitFromLastCommit?: readonly number[];
  /**
   * A Byzantine proposer: the block is the injected commit PrepareProposal makes, then `txs` as given
   * (PrepareProposal drops those the ante handler refuses; this does not).
   */
  asProposed?: boolean;
  /**
   * A block ProcessProposal refuses is finalized anyway (a Byzantine majority decided it), with
   * `refused` set in the result; without this, runBlock throws `block N rejected`.
   */
  decideRefused?: boolean;
  /** Evidence CometBFT puts in the block (proposal and FinalizeBlock), e.g. a duplicate vote. */
  misbehavior?: Misbehavior[];
}

export interface PoqBenchChainOptions {
  validators: number;
  /** Voting power of each validator (default 10 each). */
  powers?: readonly bigint[];
  /** Funded accounts (1e15 upoq each). */
  accounts: TestKey[];
  /** poq params over the defaults, by field name (written to genesis in its snake_case JSON form). */
  params?: Record<string, unknown>;
  /** The chain's first height (default 1); vote extensions are enabled from it. */
  initialHeight?: bigint;
  /** Other modules' genesis sections (e.g. `slashing`), replacing the defaults. */
  modules?: Record<string, unknown>;
  /** The store layout of the chain's database (default: a new chain's). */
  storeLayout?: number;
  /** Where its store keeps trie page rows (default: `DEFAULT_HOT_PAGE_POLICY`). */
  hotPages?: Readonly<HotPagePolicy>;
}

/**
 * Creates the chain and commits block 1.
 *
 * @example
 * const chain = createPoqBenchChain({ validators: 4, accounts: [testKey("requester")] });
 */
export function createPoqBenchChain(opts: PoqBenchChainOptions): PoqBenchChain {
  const dir = mkdtempSync(join(tmpdir(), "poq-bench-poq-"));
  const keys = Array.from({ length: opts.validators }, (_, i) => {
    const signer = ed25519KeyFromSeed(new Uint8Array(32).fill(i + 1));
    return { signer, publicKey: ed25519PublicKey(signer) };
  });
  const validators: PoqBenchValidator[] = keys.map((k, i) => ({
    address: consensusAddress(k.publicKey),
    operator: testKey(`operator-${i}`).address,
    signer: k.signer,
  }));
  const scores = validators.map(() => new Map<bigint, LocalScore>());
  // Each validator's beacon secrets (validator/beacon-secrets.ts draws them at random; here they are
  // fixed per validator and height, so runs are reproducible).
  const beaconOf =
    (i: number) =>
    (height: bigint): { secret: Uint8Array; previous: Uint8Array } => ({
      secret: sha256(new TextEncoder().encode(`poq-bench-beacon/${i}/${height}`)),
      previous: sha256(new TextEncoder().encode(`poq-bench-beacon/${i}/${height - 1n}`)),
    });
  const powerOf = (i: number): bigint => opts.powers?.[i] ?? 10n;
  const modules = createChainModules();
  const app = assembleApp({
    home: dir,
    chainId: POQ_BENCH_CHAIN_ID,
    modules,
    validatorAddress: validators[0]!.address,
    localScores: () => scores[0]!,
    beaconSecrets: beaconOf(0),
    ...(opts.storeLayout !== undefined ? { storeLayout: opts.storeLayout } : {}),
    ...(opts.hotPages !== undefined ? { hotPages: opts.hotPages } : {}),
  });
  const appState = buildAppState({
    accounts: opts.accounts.map((a) => ({
      address: a.address,
      coins: [{ denom: "upoq", amount: "1" + "0".repeat(15) }],
    })),
    operators: keys.map((k, i) => ({
      pubKey: Buffer.from(k.publicKey).toString("base64"),
      operator: validators[i]!.operator,
      moniker: `v${i}`,
    })),
    modules: {
      ...opts.modules,
      poq: {
        params: Object.fromEntries(Object.entries(opts.params ?? {}).map(([k, v]) => [paramJsonKey(k), v])),
      },
    },
  });
  const initialHeight = opts.initialHeight ?? 1n;
  app.initChain({
    timeNanos: 1_700_000_000_000_000_000n,
    chainId: POQ_BENCH_CHAIN_ID,
    consensusParams: { abci: { voteExtensionsEnableHeight: initialHeight } },
    validators: keys.map((k, i) => ({ pubKeyEd25519: k.publicKey, power: powerOf(i) })),
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight,
  });
  const sequences = new Map<string, bigint>();
  const accountNumbers = new Map<string, bigint>();
  for (const a of opts.accounts) {
    const acc = modules.core.auth.keeper.getAccount({ store: app.state.committedView() }, a.address);
    if (!acc) throw new Error(`genesis did not create ${a.address}`);
    accountNumbers.set(a.address, acc.accountNumber);
  }
  // CometBFT sorts votes by power (descending), then by address.
  const order = validators
    .map((v, i) => ({ i, power: powerOf(i), hex: Buffer.from(v.address).toString("hex") }))
    .sort((a, b) => (a.power !== b.power ? (a.power > b.power ? -1 : 1) : a.hex < b.hex ? -1 : 1))
    .map((x) => x.i);
  let lastCommit: ExtendedCommitInfo = { round: 0, votes: [] };
  let lastTxs: Uint8Array[] = [];

  const chain: PoqBenchChain = {
    app,
    modules,
    validators,
    scores,
    height: initialHeight - 1n,
    runBlock(txs, opts2) {
      const height = chain.height + 1n;
      const base = { ...blockRequest(height, []), misbehavior: opts2?.misbehavior ?? [] };
      if (opts2?.omitFromLastCommit?.length) {
        // The proposer trims LastCommit: the left-out precommits count as absent, without extension.
        const omitted = new Set(
          opts2.omitFromLastCommit.map((i) => Buffer.from(validators[i]!.address).toString("hex")),
        );
        lastCommit = {
          round: lastCommit.round,
          votes: lastCommit.votes.map((v) =>
            omitted.has(Buffer.from(v.validator.address).toString("hex"))
              ? {
                  validator: v.validator,
                  voteExtension: new Uint8Array(),
                  extensionSignature: new Uint8Array(),
                  blockIdFlag: BlockIdFlag.Absent,
                }
              : v,
          ),
        };
      }
      const prepared = app.prepareProposal({
        maxTxBytes: 64n << 20n,
        txs: opts2?.asProposed ? [] : txs,
        localLastCommit: lastCommit,
        misbehavior: base.misbehavior,
        height,
        timeNanos: base.timeNanos,
        nextValidatorsHash: base.nextValidatorsHash,
        proposerAddress: validators[0]!.address,
      }).txs;
      const proposed = opts2?.asProposed ? [...prepared, ...txs] : prepared;
      const decided = {
        round: lastCommit.round,
        votes: lastCommit.votes.map((v) => ({ validator: v.validator, blockIdFlag: v.blockIdFlag })),
      };
      const verdict = app.processProposal({ ...base, txs: proposed, proposedLastCommit: decided });
      const refused = verdict.status !== ProposalStatus.Accept;
      if (refused && !opts2?.decideRefused) throw new Error(`block ${height} rejected`);
      // CometBFT asks for the precommit's extension before FinalizeBlock: state after h-1, block h's txs.
      chain.height = height;
      lastTxs = proposed;
      const extensions = validators.map((_, i) => chain.extendVote(i));
      const votes = order.map((i) => {
        const v = validators[i]!;
        const ext = extensions[i]!;
        return {
          validator: { address: v.address, power: powerOf(i) },
          voteExtension: ext,
          // Native ed25519: the harness's signing stands in for CometBFT's, which runs in Go, and
          // must not feed this process's garbage collector (tweetnacl's, in JavaScript, allocated
          // 3.5 of the 18 MB a block allocated here).
          extensionSignature: new Uint8Array(
            cryptoSign(null, voteExtensionSignBytes(ext, height, 0, POQ_BENCH_CHAIN_ID), v.signer),
          ),
          blockIdFlag: BlockIdFlag.Commit,
        };
      });
      const extendVoteMs: number[] = [];
      const extendVoteCpuMs: number[] = [];
      for (let k = 0; k < (opts2?.extendVoteSamples ?? 0); k++) {
        const c = process.cpuUsage();
        const t = performance.now();
        chain.extendVote(0);
        extendVoteMs.push(performance.now() - t);
        const d = process.cpuUsage(c);
        extendVoteCpuMs.push((d.user + d.system) / 1000);
      }
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = app.finalizeBlock({ ...base, txs: proposed, decidedLastCommit: decided });
      const finalizeMs = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const finalizeCpuMs = (cpu.user + cpu.system) / 1000;
      const c1 = process.cpuUsage();
      const t1 = performance.now();
      app.commit();
      const commitMs = performance.now() - t1;
      const commitCpu = process.cpuUsage(c1);
      lastCommit = { round: 0, votes };
      return {
        height,
        extensions,
        extendVoteMs,
        extendVoteCpuMs,
        finalizeMs,
        finalizeCpuMs,
        commitMs,
        commitCpuMs: (commitCpu.user + commitCpu.system) / 1000,
        events: res.events,
        txs: proposed,
        failed: res.txResults.filter((r) => r.code !== 0).map((r) => r.log),
        refused,
      };
    },
    extendVoteRequest() {
      const base = blockRequest(chain.height, lastTxs);
      return {
        hash: base.hash,
        height: chain.height,
        timeNanos: base.timeNanos,
        txs: lastTxs,
        proposedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        nextValidatorsHash: base.nextValidatorsHash,
        proposerAddress: base.proposerAddress,
      };
    },
    extendVote(i) {
      if (i === 0) return app.extendVote(chain.extendVoteRequest()).voteExtension;
      return modules.poq.extendVote(
        { store: app.state.committedView() },
        {
          validator: validators[i]!.address,
          height: chain.height,
          scores: scores[i]!,
          txs: lastTxs,
          beacon: beaconOf(i)(chain.height),
        },
      );
    },
    balance: (address) =>
      modules.core.bank.keeper.getBalance({ store: app.state.committedView() }, address, "upoq").amount,
    supply() {
      const everyone = [
        ...opts.accounts.map((a) => a.address),
        ...validators.map((v) => v.operator),
        moduleAddress("poq"),
        moduleAddress("poq_pool"),
        moduleAddress("fee_collector"),
        moduleAddress("distribution"),
        moduleAddress("block_rewards"),
        // The genesis validators' self-bonds (staking mints them at InitChain).
        moduleAddress("bonded_tokens_pool"),
        moduleAddress("not_bonded_tokens_pool"),
      ];
      return {
        supply: modules.core.bank.keeper.getSupply({ store: app.state.committedView() }, "upoq").amount,
        balances: everyone.reduce((s, a) => s + chain.balance(a), 0n),
      };
    },
    signed(key, msgs) {
      const sequence = sequences.get(key.address) ?? 0n;
      sequences.set(key.address, sequence + 1n);
      return signDirect({
        key,
        chainId: POQ_BENCH_CHAIN_ID,
        accountNumber: accountNumbers.get(key.address)!,
        sequence,
        messages: msgs,
        fee: { amount: 1_500_000n, gasLimit: 50_000_000n },
      });
    },
    cleanup() {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  chain.runBlock([]);
  return chain;
}

/**
 * `MsgRegisterNode` as an Any: `operator` serves `models` with a stake of `stake` upoq (moniker empty,
 * the chain's default fee floor and capacity unless `extra` says otherwise).
 *
 * @example
 * chain.signed(node, [registerNodeMsg(node.address, ["m"], 5_000_000n)]);
 */
export function registerNodeMsg(
  operator: string,
  models: readonly string[],
  stake: bigint,
  extra: Partial<RegisterNode> = {},
): AnyMsg {
  return {
    typeUrl: PoqTypeUrl.RegisterNode,
    value: MsgRegisterNode.encode({
      operator,
      models: [...models],
      stake: { denom: "upoq", amount: stake.toString() },
      moniker: "",
      ...extra,
    }).finish(),
  };
}

/**
 * `MsgRequestInference` as an Any: `requester` asks `model` for `prompt` at `fee` upoq per answer
 * (16 tokens, no minimum quality, one answer unless `extra` says otherwise).
 *
 * @example
 * chain.signed(alice, [requestInferenceMsg(alice.address, "m", "What is 2+2?", 1000n)]);
 */
export function requestInferenceMsg(
  requester: string,
  model: string,
  prompt: string,
  fee: bigint,
  extra: Partial<RequestInference> = {},
): AnyMsg {
  return {
    typeUrl: PoqTypeUrl.RequestInference,
    value: MsgRequestInference.encode({
      requester,
      model,
      prompt,
      maxTokens: 16,
      fee: { denom: "upoq", amount: fee.toString() },
      minQuality: 0,
      ...extra,
    }).finish(),
  };
}
