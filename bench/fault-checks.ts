/**
 * What the fault and soak benches check on a running network: each node's height, whether nodes
 * agree at every height they share (block hash and app hash from the headers: a fork or a
 * divergent application shows as a mismatch), whether each application's own last app hash is the
 * one the chain committed, and how long a node takes to catch up.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { cometRpc } from "../network/comet-process.js";

interface StatusResult {
  sync_info: { latest_block_height: string; catching_up: boolean };
}

/** Node's latest height, or undefined when its RPC does not answer. */
export async function heightOf(rpcUrl: string): Promise<bigint | undefined> {
  try {
    return BigInt((await cometRpc<StatusResult>(rpcUrl, "/status", 2000)).sync_info.latest_block_height);
  } catch {
    return undefined;
  }
}

/** Every node's height (undefined for those down). */
export const heights = (rpcUrls: string[]): Promise<(bigint | undefined)[]> =>
  Promise.all(rpcUrls.map(heightOf));

/** The highest height any node reports (0 when none answers). */
export async function maxHeight(rpcUrls: string[]): Promise<bigint> {
  return (await heights(rpcUrls)).reduce<bigint>((m, h) => (h !== undefined && h > m ? h : m), 0n);
}

interface Meta {
  block_id: { hash: string };
  header: { height: string; app_hash: string; time: string };
}

/** Block hash and app hash at each height in [from, to] of one node (fewer when it has fewer). */
async function headersOf(rpcUrl: string, from: bigint, to: bigint): Promise<Map<bigint, string>> {
  const out = new Map<bigint, string>();
  for (let lo = from; lo <= to; lo += 20n) {
    const hi = lo + 19n < to ? lo + 19n : to;
    const r = await cometRpc<{ block_metas: Meta[] }>(rpcUrl, `/blockchain?minHeight=${lo}&maxHeight=${hi}`);
    for (const m of r.block_metas)
      out.set(BigInt(m.header.height), `${m.block_id.hash}/${m.header.app_hash}`);
  }
  return out;
}

export interface Agreement {
  /** Heights at which at least two nodes were compared. */
  heights_compared: number;
  /** Heights at which two nodes disagree on block hash or app hash (must be 0). */
  divergences: number;
  first_divergence?: string;
}

/** Compares block and app hashes of every node at every common height from `from` to the lowest tip. */
export async function compareChains(rpcUrls: string[], from = 1n): Promise<Agreement> {
  const tips = await heights(rpcUrls);
  const up = rpcUrls.filter((_, i) => tips[i] !== undefined);
  const to = tips.reduce<bigint>((m, h) => (h !== undefined && h > m ? h : m), 0n);
  const chains = await Promise.all(
    up.map((u) => headersOf(u, from, to).catch(() => new Map<bigint, string>())),
  );
  let compared = 0;
  let divergences = 0;
  let first: string | undefined;
  for (let h = from; h <= to; h++) {
    const seen = chains.map((c) => c.get(h)).filter((v): v is string => v !== undefined);
    if (seen.length < 2) continue;
    compared++;
    if (new Set(seen).size > 1) {
      divergences++;
      first ??= `height ${h}: ${seen.join(" vs ")}`;
    }
  }
  return {
    heights_compared: compared,
    divergences,
    ...(first !== undefined ? { first_divergence: first } : {}),
  };
}

/**
 * Each node's application's last app hash (ABCI Info) against the header of the next block on
 * another node: a mismatch is an application that computed another state. Returns the mismatches.
 */
export async function appHashMismatches(rpcUrls: string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const [i, url] of rpcUrls.entries()) {
    const info = await cometRpc<{ response: { last_block_height: string; last_block_app_hash: string } }>(
      url,
      "/abci_info",
    ).catch(() => undefined);
    if (!info) {
      bad.push(`node ${i}: no answer`);
      continue;
    }
    const h = BigInt(info.response.last_block_height);
    const ref = rpcUrls[(i + 1) % rpcUrls.length]!;
    const deadline = Date.now() + 30_000;
    while (((await heightOf(ref)) ?? 0n) < h + 1n && Date.now() < deadline) await sleep(200);
    const block = await cometRpc<{ block: { header: { app_hash: string } } }>(
      ref,
      `/block?height=${h + 1n}`,
    ).catch(() => undefined);
    const mine = Buffer.from(info.response.last_block_app_hash, "base64").toString("hex").toUpperCase();
    if (block?.block.header.app_hash !== mine) bad.push(`node ${i} at height ${h}: ${mine}`);
  }
  return bad;
}

/**
 * Waits until node `index` is at (or past) the height the other nodes had when it was called and
 * no longer catching up; returns the ms it took, or undefined on timeout.
 */
export async function waitCaughtUp(
  rpcUrls: string[],
  index: number,
  timeoutMs = 120_000,
): Promise<number | undefined> {
  const t0 = Date.now();
  const target = await maxHeight(rpcUrls.filter((_, i) => i !== index));
  while (Date.now() - t0 < timeoutMs) {
    const s = await cometRpc<StatusResult>(rpcUrls[index]!, "/status", 2000).catch(() => undefined);
    if (s && !s.sync_info.catching_up && BigInt(s.sync_info.latest_block_height) >= target)
      return Date.now() - t0;
    await sleep(200);
  }
  return undefined;
}

/** Resident memory of a process (VmRSS from /proc, Linux), in MB; undefined when it is gone. */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Time of block `height` on a node (ms since the epoch). */
export async function blockTimeMs(rpcUrl: string, height: bigint): Promise<number> {
  const r = await cometRpc<{ block_metas: Meta[] }>(
    rpcUrl,
    `/blockchain?minHeight=${height}&maxHeight=${height}`,
  );
  return Date.parse(r.block_metas[0]!.header.time);
}

/** Formats rows as an aligned text table. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((v, c) => String(v).padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
