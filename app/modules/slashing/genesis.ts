/**
 * Slashing genesis, the SDK v0.50 `GenesisState` JSON:
 *
 * ```json
 * "slashing": { "params": {...},
 *   "signing_infos": [{ "address": "poqvalcons1...", "validator_signing_info": { "address": "poqvalcons1...",
 *     "start_height": "5", "index_offset": "2", "jailed_until": "1970-01-01T00:00:00Z", "tombstoned": false,
 *     "missed_blocks_counter": "2" } }],
 *   "missed_blocks": [{ "address": "poqvalcons1...", "missed_blocks": [{ "index": "7", "missed": true }] }] }
 * ```
 *
 * A mark's `index` is the height whose block found the vote missing (README, State): the SDK's
 * window offset has no counterpart here. A new chain's section has params only; an export has every
 * signing info and mark, written back as they were. Checked: each validator's marks are as many as its
 * `missed_blocks_counter`, and a mark belongs to a validator with a signing info.
 */
import { BECH32_PREFIX } from "../auth/address.js";
import { bech32Encode } from "../auth/bech32.js";
import { rfc3339 } from "../staking/events.js";
import type { Context } from "../../types.js";
import { GenesisReader, hexOf } from "../../genesis-json.js";
import {
  readSigningInfo,
  readSlashingParams,
  writeSigningInfo,
  writeSlashingParams,
  type SigningInfo,
} from "./keeper.js";
import { KeyTag, missedBlockKey, SLASHING_MODULE, signingInfosPrefix } from "./keys.js";
import { parseSlashingParamsJson, slashingParamsToJson, type SlashingParams } from "./params.js";

const r = new GenesisReader(SLASHING_MODULE);

export interface SlashingGenesis {
  params: SlashingParams;
  signingInfos: { cons: Uint8Array; info: SigningInfo }[];
  missed: { cons: Uint8Array; heights: bigint[] }[];
}

/**
 * Parses and checks the section (absent: default params).
 *
 * @example
 * parseSlashingGenesis({ params: { signed_blocks_window: "1000" } });
 */
export function parseSlashingGenesis(raw: unknown): SlashingGenesis {
  if (raw === undefined) return { params: parseSlashingParamsJson(undefined), signingInfos: [], missed: [] };
  const o = r.obj(raw, "", ["params", "signing_infos", "missed_blocks"]);
  const params = parseSlashingParamsJson(o.params);
  const counters = new Map<string, bigint>();
  const signingInfos = r.list(o.signing_infos, "signing_infos").map((s, i) => {
    const at = `signing_infos[${i}]`;
    const x = r.obj(s, at, ["address", "validator_signing_info"]);
    const cons = r.address(x.address, `${at}.address`, BECH32_PREFIX.consensus);
    const v = r.obj(x.validator_signing_info, `${at}.validator_signing_info`, [
      "address",
      "start_height",
      "index_offset",
      "jailed_until",
      "tombstoned",
      "missed_blocks_counter",
    ]);
    const vat = `${at}.validator_signing_info`;
    if (v.address !== undefined && v.address !== x.address)
      r.fail(`${vat}.address`, `must be ${String(x.address)}`);
    if (counters.has(hexOf(cons))) r.fail(`${at}.address`, "listed twice");
    const info: SigningInfo = {
      startHeight: r.uint(v.start_height, `${vat}.start_height`, 63),
      indexOffset: r.uint(v.index_offset, `${vat}.index_offset`, 63),
      jailedUntilNanos: r.time(v.jailed_until, `${vat}.jailed_until`),
      tombstoned: r.bool(v.tombstoned, `${vat}.tombstoned`),
      missedBlocksCounter: r.uint(v.missed_blocks_counter, `${vat}.missed_blocks_counter`, 63),
    };
    counters.set(hexOf(cons), info.missedBlocksCounter);
    return { cons, info };
  });
  const seen = new Set<string>();
  const missed = r.list(o.missed_blocks, "missed_blocks").map((m, i) => {
    const at = `missed_blocks[${i}]`;
    const x = r.obj(m, at, ["address", "missed_blocks"]);
    const cons = r.address(x.address, `${at}.address`, BECH32_PREFIX.consensus);
    const id = hexOf(cons);
    if (seen.has(id)) r.fail(`${at}.address`, "listed twice");
    seen.add(id);
    const counter = counters.get(id);
    if (counter === undefined) r.fail(`${at}.address`, "has no entry in signing_infos");
    let previous = -1n;
    const heights = r.list(x.missed_blocks, `${at}.missed_blocks`).map((b, j) => {
      const bat = `${at}.missed_blocks[${j}]`;
      const y = r.obj(b, bat, ["index", "missed"]);
      if (y.missed !== true) r.fail(`${bat}.missed`, "must be true (only misses are kept)");
      const h = r.uint(y.index, `${bat}.index`, 63);
      if (h <= previous) r.fail(`${bat}.index`, "must be ascending and distinct");
      previous = h;
      return h;
    });
    if (BigInt(heights.length) !== counter)
      r.fail(
        `${at}.missed_blocks`,
        `${heights.length} marks, but the signing info counts ${counter} missed blocks`,
      );
    return { cons, heights };
  });
  signingInfos.forEach((s, i) => {
    if (s.info.missedBlocksCounter > 0n && !seen.has(hexOf(s.cons)))
      r.fail(
        `signing_infos[${i}]`,
        `counts ${s.info.missedBlocksCounter} missed blocks but missed_blocks has none`,
      );
  });
  return { params, signingInfos, missed };
}

export function initSlashingGenesis(ctx: Pick<Context, "store">, g: SlashingGenesis): void {
  writeSlashingParams(ctx, g.params);
  for (const s of g.signingInfos) writeSigningInfo(ctx, s.cons, s.info);
  for (const m of g.missed)
    for (const h of m.heights) ctx.store.set(missedBlockKey(m.cons, h), Uint8Array.of(1));
}

/** Params, every signing info and every missed-block mark, in store order. */
export function exportSlashingGenesis(ctx: Pick<Context, "store">) {
  const prefix = signingInfosPrefix();
  const conses = [...ctx.store.iterate(prefix)].map(([k]) => Uint8Array.from(k.subarray(prefix.length)));
  const signingInfos = conses.map((cons) => {
    const info = readSigningInfo(ctx, cons)!;
    const address = bech32Encode(BECH32_PREFIX.consensus, cons);
    return {
      address,
      validator_signing_info: {
        address,
        start_height: info.startHeight.toString(),
        index_offset: info.indexOffset.toString(),
        jailed_until: rfc3339(info.jailedUntilNanos),
        tombstoned: info.tombstoned,
        missed_blocks_counter: info.missedBlocksCounter.toString(),
      },
    };
  });
  const missedPrefix = Uint8Array.of(...new TextEncoder().encode("slashing/"), KeyTag.MissedBlock);
  const missed = new Map<string, { address: string; missed_blocks: { index: string; missed: true }[] }>();
  for (const [k] of ctx.store.iterate(missedPrefix)) {
    const cons = k.subarray(missedPrefix.length, missedPrefix.length + 20);
    const height = new DataView(k.buffer, k.byteOffset + missedPrefix.length + 20, 8).getBigUint64(0);
    const id = hexOf(cons);
    let entry = missed.get(id);
    if (!entry) {
      entry = { address: bech32Encode(BECH32_PREFIX.consensus, cons), missed_blocks: [] };
      missed.set(id, entry);
    }
    entry.missed_blocks.push({ index: height.toString(), missed: true });
  }
  return {
    params: slashingParamsToJson(readSlashingParams(ctx)),
    signing_infos: signingInfos,
    // Insertion order is the store's key order (ascending consensus address).
    missed_blocks: [...missed.values()],
  };
}
