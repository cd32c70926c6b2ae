/**
 * `poq bench idle` (issue 10, "heavy when idle"; not in CI): what a devnet that nobody uses costs. For each
 * `--intervals` value in turn (CometBFT's `create_empty_blocks_interval`; "0s" makes a block every
 * `timeout_commit`, as before the app let idle blocks leave the app hash alone), starts the default devnet
 * (4 validators, REST, the stand-in and its inference nodes) in a temporary folder, lets it settle, then
 * measures over `--minutes`: blocks made, growth of the folder on disk, CPU time of every process
 * (validators' apps and CometBFT, and this one, which runs REST and the inference nodes) as a share of
 * one core, and resident memory at the end. The configurations run one after the other in one process,
 * so their ratio is the figure to read on a shared machine.
 *
 * Usage: nice -n 5 node dist/bench/idle.js [--minutes 5] [--settle-seconds 30] [--intervals 0s,10s]
 * Ports 27700-27732 and 27790 (`--base-port`, `--rest-port`).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { startDevnet } from "../network/devnet.js";
import { processesMentioning } from "../test/processes.js";
import { maxHeight, rssMb, table } from "./fault-checks.js";
import { durationFlag } from "../cli/global-options.js";
import { exitOnSignal, positive } from "./options.js";

export interface IdleOptions {
  minutes?: number;
  settleSeconds?: number;
  intervals?: readonly string[];
  basePort?: number;
  restPort?: number;
  say?: (line: string) => void;
}

export interface IdleFigures {
  interval: string;
  minutes: number;
  blocks: number;
  blocks_per_minute: number;
  /** Growth of the devnet's folder (CometBFT data and WAL, application databases, logs). */
  disk_mb_per_hour: number;
  /** CPU time of all the devnet's processes over wall time: 100 is one core busy. */
  cpu_pct_of_core: number;
  rss_mb: number;
}

/** Bytes under a folder (files only; links not followed). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    try {
      if (entry.isDirectory()) total += folderBytes(path);
      else if (entry.isFile()) total += statSync(path).size;
    } catch {
      // removed meanwhile (CometBFT rotates its WAL)
    }
  }
  return total;
}

/** utime + stime of a process in seconds (Linux /proc; clock ticks of 1/100 s), 0 when gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** This process's CPU seconds plus those of every process whose command line names `dir`. */
function devnetCpu(dir: string): { seconds: number; pids: number[] } {
  const pids = processesMentioning(dir);
  const own = process.cpuUsage();
  return { seconds: (own.user + own.system) / 1e6 + pids.reduce((s, p) => s + cpuSeconds(p), 0), pids };
}

async function measure(interval: string, o: Required<Omit<IdleOptions, "intervals">>): Promise<IdleFigures> {
  const dir = mkdtempSync(join(tmpdir(), "poq-idle-"));
  const devnet = await startDevnet({
    home: dir,
    chainId: "poq-idle-1",
    validators: 4,
    basePort: o.basePort,
    restListen: `127.0.0.1:${o.restPort}`,
    idleBlockInterval: interval,
    onProgress: (line) => o.say(`[${interval}] ${line}`),
  });
  try {
    o.say(`[${interval}] settling for ${o.settleSeconds} s`);
    await sleep(o.settleSeconds * 1000);
    const h0 = await maxHeight(devnet.rpcUrls);
    const d0 = folderBytes(dir);
    const c0 = devnetCpu(dir);
    const t0 = Date.now();
    for (let m = 0; m < o.minutes; m++) {
      await sleep(60_000);
      o.say(`[${interval}] ${m + 1}/${o.minutes} min, height ${await maxHeight(devnet.rpcUrls)}`);
    }
    const seconds = (Date.now() - t0) / 1000;
    const h1 = await maxHeight(devnet.rpcUrls);
    const d1 = folderBytes(dir);
    const c1 = devnetCpu(dir);
    const rss = [process.pid, ...c1.pids].reduce((s, p) => s + (rssMb(p) ?? 0), 0);
    const blocks = Number(h1 - h0);
    return {
      interval,
      minutes: Math.round((seconds / 60) * 10) / 10,
      blocks,
      blocks_per_minute: Math.round((blocks / seconds) * 60 * 10) / 10,
      disk_mb_per_hour: Math.round(((d1 - d0) / 2 ** 20 / seconds) * 3600 * 10) / 10,
      cpu_pct_of_core: Math.round(((c1.seconds - c0.seconds) / seconds) * 100 * 10) / 10,
      rss_mb: rss,
    };
  } finally {
    await devnet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs every configuration in turn.
 *
 * @example
 * const rows = await runIdle({ minutes: 2, intervals: ["0s", "10s"] });
 */
export async function runIdle(opts: IdleOptions = {}): Promise<IdleFigures[]> {
  const o = {
    minutes: opts.minutes ?? 5,
    settleSeconds: opts.settleSeconds ?? 30,
    basePort: opts.basePort ?? 27700,
    restPort: opts.restPort ?? 27790,
    say: opts.say ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
  const out: IdleFigures[] = [];
  for (const interval of opts.intervals ?? ["0s", "10s"]) out.push(await measure(interval, o));
  return out;
}

/** The figures as a table, each configuration against the first. */
export function idleTable(rows: readonly IdleFigures[]): string {
  const first = rows[0];
  const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(3)}x` : "-");
  return table([
    [
      "idle interval",
      "minutes",
      "blocks",
      "blocks/min",
      "disk MB/h",
      "CPU % of a core",
      "RSS MB",
      "disk vs first",
    ],
    ...rows.map((r) => [
      r.interval,
      r.minutes,
      r.blocks,
      r.blocks_per_minute,
      r.disk_mb_per_hour,
      r.cpu_pct_of_core,
      r.rss_mb,
      ratio(r.disk_mb_per_hour, first?.disk_mb_per_hour),
    ]),
  ]);
}

/**
 * The `idle` command of `poq bench`.
 *
 * @example
 * program.addCommand(benchIdleCommand()); // poq bench idle --minutes 5
 */
export function benchIdleCommand(): Command {
  return new Command("idle")
    .description("an unused devnet: blocks, disk growth, CPU and memory, per idle-block interval")
    .option("--minutes <n>", "minutes measured per configuration", positive("minutes"), 5)
    .option("--settle-seconds <n>", "wait after start-up before measuring", positive("settle-seconds"), 30)
    .option(
      "--intervals <list>",
      "comma-separated create_empty_blocks_interval values to compare",
      (v: string) => v.split(",").map((d) => durationFlag(d.trim(), "--intervals")),
      ["0s", "10s"],
    )
    .option("--base-port <port>", "first of the validators' loopback ports", positive("base-port"), 27700)
    .option("--rest-port <port>", "REST port", positive("rest-port"), 27790)
    .action(async (opts: IdleOptions) => {
      exitOnSignal();
      const rows = await runIdle(opts);
      process.stdout.write(`${idleTable(rows)}\n\n${JSON.stringify(rows)}\n`);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchIdleCommand().parseAsync(process.argv);
}
