/**
 * `poq bench faults`: a 4-validator devnet (real CometBFT and application processes, the stand-in
 * backend and its inference nodes) under a steady load of bank sends and inference requests
 * (bench/fault-load.ts: wallets that resubmit, as real ones do), put through:
 *  (a) `--kills` SIGKILLs of application or CometBFT processes of seeded random validators at seeded
 *      random moments; the supervisor restarts them; the time from each kill until the node is back
 *      at the others' height is measured;
 *  (b) one validator of four down: blocks and finalization of inference requests go on;
 *  (c) two of four down: the chain halts, and resumes once they are back;
 *  (d) one validator partitioned (network namespace, bench/partition.ts) and healed: it catches up.
 * At the end every node's block and app hashes are compared at every common height and each
 * application's own app hash against the chain. Prints a table and JSON; exits non-zero on a lost
 * acknowledged tx, a divergence, a chain that did not halt or resume, or a node that did not catch up.
 *
 * Usage: nice -n 5 node dist/bench/faults.js [--kills 20] [--seed 17] [--down-seconds 20]
 *        [--partition-seconds 20] [--no-partition]. Ports 27400-27432 and 27490 (`--base-port`).
 */
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { Command } from "commander";
import { unjailNode } from "../client/poq-tx.js";
import { createPoqSigningClient } from "../client/signing-client.js";
import { queryNode } from "../inference/chain-query.js";
import { appHashMismatches, compareChains, maxHeight, table, waitCaughtUp } from "./fault-checks.js";
import { startFaultNet, type FaultNet } from "./fault-net.js";
import { requestStatuses, seeded, startLoad, type Load, type LoadFigures } from "./fault-load.js";
import { partitionAvailable, partitionNode } from "./partition.js";
import { exitOnSignal, positive } from "./options.js";

export interface FaultsOptions {
  kills?: number;
  seed?: number;
  /** How long one (then two) validators stay down. Default 20 s. */
  downSeconds?: number;
  /** How long the partition lasts; 0 skips it. Default 20 s. */
  partitionSeconds?: number;
  basePort?: number;
  restPort?: number;
  say?: (line: string) => void;
}

export interface KillRow {
  kill: number;
  validator: number;
  process: "app" | "cometbft";
  /** From the SIGKILL until the supervisor restarted the validator's processes. */
  restarted_ms: number | undefined;
  /** From the SIGKILL until the node is at the others' height again (undefined: it never was). */
  caught_up_ms: number | undefined;
}

export interface FaultsResult {
  kills: KillRow[];
  restart_ms: { median: number | undefined; max: number | undefined };
  catch_up_ms: { median: number | undefined; max: number | undefined };
  /** Inference nodes found jailed after the kills (and unjailed by their operators). */
  inference_nodes_jailed_after_kills: number;
  one_down: { blocks: number; requests_finalized: number; caught_up_ms: number | undefined };
  two_down: {
    blocks_while_down: number;
    resumed_ms: number | undefined;
    caught_up_ms: (number | undefined)[];
  };
  partition:
    | { skipped: string }
    | { blocks_while_partitioned: number; partitioned_height_gain: number; caught_up_ms: number | undefined };
  load: LoadFigures;
  chains: Awaited<ReturnType<typeof compareChains>>;
  app_hash_mismatches: string[];
  restarts: number[];
  failures: string[];
}

const median = (xs: number[]): number | undefined =>
  xs.length === 0 ? undefined : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs every scenario on one network and returns the figures (and the failed checks). */
export async function runFaults(o: FaultsOptions = {}): Promise<FaultsResult> {
  const say = o.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const rand = seeded(o.seed ?? 17);
  const downMs = (o.downSeconds ?? 20) * 1000;
  const basePort = o.basePort ?? 27400;
  const fn = await startFaultNet({ chainId: "poq-faults-1", basePort, restPort: o.restPort ?? 27490, say });
  let load: Load | undefined;
  let failed = true;
  try {
    const { devnet, rpcUrls } = fn;
    const net = devnet.network;
    const accounts = (name: string) => devnet.accounts.find((a) => a.name === name)!;
    load = await startLoad({
      chainId: devnet.chainId,
      rpcUrls,
      sender: accounts("alice"),
      receiver: accounts("carol").address,
      requester: accounts("bob"),
      model: devnet.model,
      seed: o.seed ?? 17,
    });
    await sleep(3000);
    const failures: string[] = [];

    // (a) SIGKILLs at seeded random moments; the supervisor brings each process back.
    const kills: KillRow[] = [];
    for (let k = 1; k <= (o.kills ?? 20); k++) {
      await sleep(1000 + Math.floor(rand() * 4000));
      const validator = Math.floor(rand() * 4);
      const which = rand() < 0.5 ? "app" : "cometbft";
      const node = net.nodes[validator]!;
      const pid = which === "app" ? node.app?.pid : node.comet?.pid;
      const before = fn.restarts[validator]!;
      const t0 = Date.now();
      if (pid !== undefined) process.kill(pid, "SIGKILL");
      say(`kill ${k}: SIGKILL validator ${validator} ${which} (pid ${pid})`);
      // Its RPC may answer for a moment after its app died: wait for the supervisor's restart first.
      while (fn.restarts[validator] === before && Date.now() - t0 < 60_000) await sleep(100);
      const restartMs = fn.restarts[validator] === before ? undefined : Date.now() - t0;
      const ms = restartMs === undefined ? undefined : await waitCaughtUp(rpcUrls, validator, 120_000);
      const caught = ms === undefined ? undefined : Date.now() - t0;
      if (caught === undefined) failures.push(`kill ${k}: validator ${validator} not back and caught up`);
      kills.push({ kill: k, validator, process: which, restarted_ms: restartMs, caught_up_ms: caught });
    }

    // Inference nodes follow validator 0's RPC only: its restarts make them miss deadlines and get
    // jailed. Their operators unjail them (as `poq tx node unjail` would) before (b) counts finalizations.
    const jailed = await unjailInferenceNodes(fn, say);

    // (b) One of four down: blocks go on and requests made meanwhile finalize.
    await fn.hold(3);
    say("one down: validator 3 stopped");
    const h0 = await maxHeight(rpcUrls);
    const firstId = load.requestIds.length;
    await sleep(downMs);
    // Requests made while it is down need a few blocks more to finalize; it stays down meanwhile.
    let finalized = 0;
    for (let t = 0; t < 30 && finalized === 0; t++) {
      finalized = (await requestStatuses(rpcUrls.slice(0, 3), load.requestIds.slice(firstId))).finalized;
      if (finalized === 0) await sleep(1000);
    }
    const oneDownBlocks = Number((await maxHeight(rpcUrls)) - h0);
    if (oneDownBlocks < 3) failures.push(`one down: only ${oneDownBlocks} blocks`);
    if (finalized === 0) failures.push("one down: no request made meanwhile finalized");
    await fn.release(3);
    const oneBack = await waitCaughtUp(rpcUrls, 3, 120_000);
    if (oneBack === undefined) failures.push("one down: validator 3 did not catch up");

    // (c) Two of four down: no block while they are down (one may still be in flight), then resumes.
    await fn.hold(2);
    await fn.hold(3);
    say("two down: validators 2 and 3 stopped");
    await sleep(3000);
    const hHalt = await maxHeight(rpcUrls);
    await sleep(downMs);
    const whileDown = Number((await maxHeight(rpcUrls)) - hHalt);
    if (whileDown > 0) failures.push(`two down: ${whileDown} blocks while 2 of 4 were down`);
    const tBack = Date.now();
    await Promise.all([fn.release(2), fn.release(3)]);
    let resumed: number | undefined;
    while (Date.now() - tBack < 120_000 && resumed === undefined) {
      if ((await maxHeight(rpcUrls)) >= hHalt + 2n) resumed = Date.now() - tBack;
      else await sleep(200);
    }
    if (resumed === undefined) failures.push("two down: the chain did not resume in 120 s");
    const twoBack = [await waitCaughtUp(rpcUrls, 2), await waitCaughtUp(rpcUrls, 3)];

    // (d) One validator cut off from its peers (network namespace), then healed.
    const partition = await runPartition(fn, o, failures, say);

    const loadFigures = await load.stop(60_000);
    load = undefined;
    if (loadFigures.sends.lost + loadFigures.requests.lost > 0)
      failures.push(`${loadFigures.sends.lost + loadFigures.requests.lost} acknowledged txs lost`);
    const chains = await compareChains(rpcUrls);
    if (chains.divergences > 0) failures.push(`${chains.divergences} heights diverge`);
    const mismatches = await appHashMismatches(rpcUrls);
    failures.push(...mismatches.map((m) => `app hash: ${m}`));
    failed = failures.length > 0;
    const caught = kills.map((r) => r.caught_up_ms).filter((x): x is number => x !== undefined);
    const restarted = kills.map((r) => r.restarted_ms).filter((x): x is number => x !== undefined);
    return {
      kills,
      restart_ms: { median: median(restarted), max: restarted.length ? Math.max(...restarted) : undefined },
      catch_up_ms: { median: median(caught), max: caught.length ? Math.max(...caught) : undefined },
      inference_nodes_jailed_after_kills: jailed,
      one_down: { blocks: oneDownBlocks, requests_finalized: finalized, caught_up_ms: oneBack },
      two_down: { blocks_while_down: whileDown, resumed_ms: resumed, caught_up_ms: twoBack },
      partition,
      load: loadFigures,
      chains,
      app_hash_mismatches: mismatches,
      restarts: [...fn.restarts],
      failures,
    };
  } finally {
    await load?.stop(0).catch(() => undefined);
    await fn.stop(failed);
  }
}

/** Unjails every jailed inference node of the devnet with its own key; returns how many were jailed. */
async function unjailInferenceNodes(fn: FaultNet, say: (l: string) => void): Promise<number> {
  let jailed = 0;
  for (const n of fn.devnet.inferenceNodes) {
    const rec = await queryNode(fn.rpcUrls[0]!, n.address);
    if (!rec?.jailed) continue;
    jailed++;
    const account = fn.devnet.accounts.find((a) => a.name === n.name)!;
    const signer = await DirectSecp256k1HdWallet.fromMnemonic(account.mnemonic, { prefix: "poq" });
    const client = await createPoqSigningClient(fn.rpcUrls[0]!, signer);
    // The node may unjail itself (the devnet runs its nodes with auto-unjail) or send a tx with the
    // same sequence meanwhile: try again once, and a refusal because it is no longer jailed is fine.
    const unjail = () => unjailNode(client, n.address);
    const why = await unjail()
      .catch(() => sleep(2000).then(unjail))
      .then(() => "unjailed")
      .catch((err: unknown) => `not unjailed here (${err instanceof Error ? err.message : String(err)})`);
    client.disconnect();
    say(`inference node ${n.name} was jailed; ${why}`);
  }
  return jailed;
}

async function runPartition(
  fn: FaultNet,
  o: FaultsOptions,
  failures: string[],
  say: (l: string) => void,
): Promise<FaultsResult["partition"]> {
  const seconds = o.partitionSeconds ?? 20;
  if (seconds === 0) return { skipped: "--partition-seconds 0" };
  const why = partitionAvailable();
  if (why !== undefined) return { skipped: why };
  const { rpcUrls } = fn;
  const victim = 1;
  const cut = await partitionNode(fn, victim, o.basePort ?? 27400);
  say(`partition: validator ${victim} cut off for ${seconds} s`);
  const others = rpcUrls.filter((_, i) => i !== victim);
  let blocks: number;
  let gain: number;
  try {
    // Messages already queued may still land: measure from a few seconds in.
    await sleep(3000);
    const h0 = await maxHeight(others);
    const v0 = await maxHeight([rpcUrls[victim]!]);
    await sleep(seconds * 1000);
    blocks = Number((await maxHeight(others)) - h0);
    gain = Number((await maxHeight([rpcUrls[victim]!])) - v0);
  } finally {
    await cut.heal();
  }
  say(`partition healed`);
  const ms = await waitCaughtUp(rpcUrls, victim, 120_000);
  if (blocks < 3) failures.push(`partition: the other three made only ${blocks} blocks`);
  if (gain > 1) failures.push(`partition: the cut-off validator gained ${gain} blocks (it was not cut off)`);
  if (ms === undefined) failures.push("partition: the validator did not catch up after healing");
  return { blocks_while_partitioned: blocks, partitioned_height_gain: gain, caught_up_ms: ms };
}

const fmt = (ms: number | undefined): string => (ms === undefined ? "never" : `${(ms / 1000).toFixed(1)} s`);

/** The result as a text table. */
export function faultsTable(r: FaultsResult): string {
  const l = r.load;
  const p = r.partition;
  return table([
    ["check", "figure", "verdict"],
    [
      "kills (app/cometbft)",
      `${r.kills.filter((k) => k.process === "app").length}/${r.kills.filter((k) => k.process === "cometbft").length}`,
      "",
    ],
    ["kill to restarted (median / max)", `${fmt(r.restart_ms.median)} / ${fmt(r.restart_ms.max)}`, ""],
    [
      "kill to caught up (median / max)",
      `${fmt(r.catch_up_ms.median)} / ${fmt(r.catch_up_ms.max)}`,
      r.kills.every((k) => k.caught_up_ms !== undefined) ? "ok" : "FAIL",
    ],
    [
      "sends acked / committed / resubmitted",
      `${l.sends.acknowledged} / ${l.sends.committed} / ${l.sends.resubmitted}`,
      "",
    ],
    [
      "requests acked / committed / resubmitted",
      `${l.requests.acknowledged} / ${l.requests.committed} / ${l.requests.resubmitted}`,
      "",
    ],
    [
      "requests finalized / other final / open",
      `${l.requests.finalized} / ${l.requests.final_other} / ${l.requests.open}`,
      "",
    ],
    [
      "acknowledged txs lost",
      l.sends.lost + l.requests.lost,
      l.sends.lost + l.requests.lost === 0 ? "ok" : "FAIL",
    ],
    [
      "heights compared / diverging",
      `${r.chains.heights_compared} / ${r.chains.divergences}`,
      r.chains.divergences === 0 ? "ok" : "FAIL",
    ],
    [
      "app hash vs chain mismatches",
      r.app_hash_mismatches.length,
      r.app_hash_mismatches.length === 0 ? "ok" : "FAIL",
    ],
    [
      "1 of 4 down: blocks / finalized",
      `${r.one_down.blocks} / ${r.one_down.requests_finalized}`,
      r.one_down.blocks >= 3 && r.one_down.requests_finalized > 0 ? "ok" : "FAIL",
    ],
    [
      "2 of 4 down: blocks / resumed after",
      `${r.two_down.blocks_while_down} / ${fmt(r.two_down.resumed_ms)}`,
      r.two_down.blocks_while_down === 0 && r.two_down.resumed_ms !== undefined ? "ok" : "FAIL",
    ],
    [
      "partition: others' blocks / its gain / catch-up",
      "skipped" in p
        ? `skipped (${p.skipped})`
        : `${p.blocks_while_partitioned} / ${p.partitioned_height_gain} / ${fmt(p.caught_up_ms)}`,
      "skipped" in p ? "-" : p.caught_up_ms !== undefined && p.partitioned_height_gain <= 1 ? "ok" : "FAIL",
    ],
    ["inference nodes jailed after the kills", r.inference_nodes_jailed_after_kills, ""],
    ["supervisor restarts per validator", r.restarts.join(" "), ""],
  ]);
}

/**
 * The `faults` command of `poq bench`.
 *
 * @example
 * program.addCommand(benchFaultsCommand()); // poq bench faults --kills 20
 */
export function benchFaultsCommand(): Command {
  return new Command("faults")
    .description(
      "SIGKILLs, 1 and 2 of 4 validators down, a partition, under load: lost txs, divergence, catch-up",
    )
    .option("--kills <n>", "SIGKILLs of app or CometBFT processes", positive("kills"), 20)
    .option("--seed <n>", "seed of the fault schedule", positive("seed"), 17)
    .option("--down-seconds <n>", "how long 1, then 2, validators stay down", positive("down-seconds"), 20)
    .option("--partition-seconds <n>", "how long the partition lasts (0: none)", (v) => Number(v), 20)
    .option("--base-port <port>", "first of the validators' loopback ports", positive("base-port"), 27400)
    .option("--rest-port <port>", "REST port", positive("rest-port"), 27490)
    .action(async (opts: FaultsOptions) => {
      exitOnSignal();
      const r = await runFaults(opts);
      process.stdout.write(`${faultsTable(r)}\n\n${JSON.stringify(r, null, 2)}\n`);
      if (r.failures.length > 0) {
        process.stderr.write(`FAILED: ${r.failures.join("; ")}\n`);
        process.exitCode = 1;
      }
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchFaultsCommand().parseAsync(process.argv);
}
