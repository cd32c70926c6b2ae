/**
 * How a request record is stored (`poq/ 0x02 | u64 id`). A record in flight or finished and not yet
 * pruned is JSON (`state.ts`); a pruned record, the one that stays on chain for good (issue 14), is
 * the compact binary form below, about a fifth of its JSON. Readers get the same
 * {@link RequestRecord} from both ({@link decodeRequestRecord}); the first byte tells them apart
 * (JSON starts with `{`).
 *
 * The compact form (version 1), all integers unsigned LEB128 varints:
 *
 * - `0x01`, then the address table: count, then per address a kind (0 `poq`, 1 `poqvalcons`, 2
 *   another prefix, given as a string) and its bytes (length, bytes). Every address of the record
 *   (requester, node, assigned nodes, committee, scores, payout) is written once there and referred
 *   to by its index + 1 (0 is "").
 * - The fields in `RequestRecord` order: decimal strings as varints, heights as 0 for "0" else
 *   zigzag(height - created_height) + 1, status as its index code, hex (hashes, commitment) as bytes,
 *   `response_ids` as 0 when it is `[id]` (a single answer) else count + ids, `quality` and `payout`
 *   behind a 0 (null) / 1 flag.
 *
 * {@link encodeRequestRecord} writes the compact form only when decoding it gives back exactly the
 * record's JSON (same fields, values and key order), else JSON: every stored record reads back as
 * it was written. Only pure functions of the record: part of the state machine.
 */
import { bech32Decode, bech32Encode } from "../auth/bech32.js";
import { BECH32_PREFIX } from "../auth/address.js";
import { bytesKey, createStringMemo } from "../../store/memo.js";
import { fromBytes, requestStatusCode, requestStatusOfCode, toBytes, type RequestRecord } from "./state.js";
import { VarintWriter } from "./types/wire.js";

/** First byte of a compact (pruned) record. */
export const COMPACT_RECORD_V1 = 0x01;
const JSON_OPEN = 0x7b; // "{"

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^([0-9a-f]{2})*$/;

/** A record the compact form cannot hold exactly (it is stored as JSON instead). */
class NotCompact extends Error {}

// The same validators, operators and nodes recur in every record a block prunes: bech32 both ways
// is remembered (pure functions; the shared bounded memo).
const MEMO_ENTRIES = 4096;
const decodeAddress = createStringMemo(MEMO_ENTRIES, (address: string) => bech32Decode(address));
const encodeAddress = createStringMemo(MEMO_ENTRIES, (key: string) => {
  const cut = key.indexOf("\0");
  return bech32Encode(key.slice(0, cut), Buffer.from(key.slice(cut + 1), "latin1"));
});

/** The compact form's writer: varints and bytes (`VarintWriter`), and the record's value kinds. */
class Writer extends VarintWriter {
  u(v: bigint | number): void {
    this.uvarint(v);
  }
  bytes(b: Uint8Array): void {
    this.uvarint(b.length).raw(b);
  }
  str(s: string): void {
    this.bytes(enc.encode(s));
  }
  num(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new NotCompact(`not a count: ${n}`);
    this.uvarint(n);
  }
  decimal(s: string): void {
    if (!DECIMAL.test(s)) throw new NotCompact(`not a decimal: ${s}`);
    this.uvarint(s.length <= 9 ? Number(s) : BigInt(s));
  }
  hex(s: string): void {
    if (!HEX.test(s)) throw new NotCompact(`not lower-case hex: ${s}`);
    this.bytes(Buffer.from(s, "hex"));
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}
  /** A varint as a number when it is below 2^28 (four bytes), else as a bigint. */
  private v(): number | bigint {
    let x = 0;
    for (let i = 0; i < 4 && this.pos < this.b.length; i++) {
      const byte = this.b[this.pos]!;
      if (byte >= 0x80) {
        x |= (byte & 0x7f) << (7 * i);
        this.pos++;
        continue;
      }
      this.pos++;
      return x | (byte << (7 * i));
    }
    return this.big(x);
  }
  /** The rest of a varint whose first four bytes gave `low`. */
  private big(low: number): bigint {
    let x = BigInt(low);
    for (let shift = 28n; ; shift += 7n) {
      if (this.pos >= this.b.length || shift > 63n)
        throw new RangeError("compact request record: bad varint");
      const byte = this.b[this.pos++]!;
      x |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return x;
    }
  }
  u(): bigint {
    return BigInt(this.v());
  }
  n(): number {
    const x = this.v();
    if (typeof x === "bigint" && x > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RangeError("compact request record: count too large");
    return Number(x);
  }
  bytes(): Uint8Array {
    const n = this.n();
    if (this.pos + n > this.b.length) throw new RangeError("compact request record: truncated");
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    return dec.decode(this.bytes());
  }
  decimal(): string {
    return this.v().toString();
  }
  hex(): string {
    return Buffer.from(this.bytes()).toString("hex");
  }
  end(): void {
    if (this.pos !== this.b.length) throw new RangeError("compact request record: trailing bytes");
  }
}

const KIND_ACCOUNT = 0;
const KIND_CONSENSUS = 1;
const KIND_OTHER = 2;

/** Heights relative to `created_height` (small), "0" (never set) as 0. */
function writeHeight(w: Writer, h: string, base: bigint): void {
  if (h === "0") return w.u(0);
  if (!DECIMAL.test(h)) throw new NotCompact(`not a height: ${h}`);
  const d = BigInt(h) - base;
  w.u((d >= 0n ? d * 2n : -d * 2n - 1n) + 1n);
}

function readHeight(r: Reader, base: bigint): string {
  const z = r.u();
  if (z === 0n) return "0";
  const d = (z - 1n) % 2n === 0n ? (z - 1n) / 2n : -(z / 2n);
  return (base + d).toString();
}

function compact(rec: RequestRecord): Uint8Array {
  const table = new Map<string, number>();
  const ref = (address: string): number => {
    if (address === "") return 0;
    let i = table.get(address);
    if (i === undefined) {
      i = table.size;
      table.set(address, i);
    }
    return i + 1;
  };
  // The body first (it numbers the addresses), then the table in front of it.
  const w = new Writer();
  w.decimal(rec.id);
  w.u(ref(rec.requester));
  w.str(rec.model);
  w.str(rec.prompt);
  w.num(rec.max_tokens);
  w.str(rec.fee.denom);
  w.decimal(rec.fee.amount);
  w.num(rec.min_quality);
  const code = requestStatusCode(rec.status);
  if (code === undefined) throw new NotCompact(`status ${rec.status}`);
  w.u(code);
  w.u(ref(rec.node));
  w.str(rec.response);
  w.decimal(rec.created_height);
  const base = BigInt(rec.created_height);
  for (const h of [
    rec.assigned_height,
    rec.responded_height,
    rec.finalized_height,
    rec.response_deadline,
    rec.commit_deadline,
    rec.reveal_deadline,
  ])
    writeHeight(w, h, base);
  w.u(rec.assigned_nodes.length);
  for (const a of rec.assigned_nodes) w.u(ref(a));
  w.u(rec.committee.length);
  for (const s of rec.committee) {
    w.u(ref(s.validator));
    w.decimal(s.power);
  }
  if (rec.quality === null) w.u(0);
  else {
    w.u(1);
    w.num(rec.quality.score);
    w.u(rec.quality.scores.length);
    for (const s of rec.quality.scores) {
      w.u(ref(s.validator));
      w.num(s.score);
      w.decimal(s.power);
    }
    w.decimal(rec.quality.revealed_power);
    w.decimal(rec.quality.committee_power);
  }
  if (rec.payout === null) w.u(0);
  else {
    w.u(1);
    w.decimal(rec.payout.node);
    w.u(rec.payout.validators.length);
    for (const v of rec.payout.validators) {
      w.u(ref(v.validator));
      w.u(ref(v.operator));
      w.decimal(v.amount);
    }
    w.decimal(rec.payout.refund);
    w.decimal(rec.payout.slashed);
  }
  w.num(rec.replicas);
  if (rec.response_ids.length === 1 && rec.response_ids[0] === rec.id) w.u(0);
  else {
    w.u(rec.response_ids.length + 1);
    for (const id of rec.response_ids) w.decimal(id);
  }
  w.decimal(rec.parent);
  w.hex(rec.commitment);
  writeHeight(w, rec.committed_height, base);
  writeHeight(w, rec.reveal_height, base);
  writeHeight(w, rec.pruned_height ?? "", base);
  w.hex(rec.prompt_sha256 ?? "");
  w.hex(rec.response_sha256 ?? "");
  const body = w.finish();

  const out = new Writer();
  out.u(COMPACT_RECORD_V1);
  out.u(table.size);
  for (const address of table.keys()) {
    const { prefix, data } = decodeAddress(address);
    if (prefix === BECH32_PREFIX.account) out.u(KIND_ACCOUNT);
    else if (prefix === BECH32_PREFIX.consensus) out.u(KIND_CONSENSUS);
    else {
      out.u(KIND_OTHER);
      out.str(prefix);
    }
    out.bytes(data);
  }
  const head = out.finish();
  const all = new Uint8Array(head.length + body.length);
  all.set(head);
  all.set(body, head.length);
  return all;
}

function decodeCompact(b: Uint8Array): RequestRecord {
  const r = new Reader(b);
  if (r.u() !== BigInt(COMPACT_RECORD_V1)) throw new RangeError("compact request record: unknown version");
  const addresses: string[] = [];
  for (let i = r.n(); i > 0; i--) {
    const kind = r.n();
    const prefix =
      kind === KIND_ACCOUNT
        ? BECH32_PREFIX.account
        : kind === KIND_CONSENSUS
          ? BECH32_PREFIX.consensus
          : kind === KIND_OTHER
            ? r.str()
            : undefined;
    if (prefix === undefined) throw new RangeError(`compact request record: address kind ${kind}`);
    addresses.push(encodeAddress(`${prefix}\0${bytesKey(r.bytes())}`));
  }
  const addr = (): string => {
    const i = r.n();
    if (i === 0) return "";
    const a = addresses[i - 1];
    if (a === undefined) throw new RangeError(`compact request record: address ${i}`);
    return a;
  };
  const list = <T>(item: () => T): T[] => Array.from({ length: r.n() }, item);
  const id = r.decimal();
  const requester = addr();
  const model = r.str();
  const prompt = r.str();
  const max_tokens = r.n();
  const fee = { denom: r.str(), amount: r.decimal() };
  const min_quality = r.n();
  const status = requestStatusOfCode(r.n());
  if (status === undefined) throw new RangeError("compact request record: status");
  const node = addr();
  const response = r.str();
  const created_height = r.decimal();
  const base = BigInt(created_height);
  const assigned_height = readHeight(r, base);
  const responded_height = readHeight(r, base);
  const finalized_height = readHeight(r, base);
  const response_deadline = readHeight(r, base);
  const commit_deadline = readHeight(r, base);
  const reveal_deadline = readHeight(r, base);
  const assigned_nodes = list(addr);
  const committee = list(() => ({ validator: addr(), power: r.decimal() }));
  const quality =
    r.n() === 0
      ? null
      : {
          score: r.n(),
          scores: list(() => ({ validator: addr(), score: r.n(), power: r.decimal() })),
          revealed_power: r.decimal(),
          committee_power: r.decimal(),
        };
  const payout =
    r.n() === 0
      ? null
      : {
          node: r.decimal(),
          validators: list(() => ({ validator: addr(), operator: addr(), amount: r.decimal() })),
          refund: r.decimal(),
          slashed: r.decimal(),
        };
  const replicas = r.n();
  const ids = r.n();
  const response_ids = ids === 0 ? [id] : Array.from({ length: ids - 1 }, () => r.decimal());
  const rec: RequestRecord = {
    id,
    requester,
    model,
    prompt,
    max_tokens,
    fee,
    min_quality,
    status,
    node,
    response,
    created_height,
    assigned_height,
    responded_height,
    finalized_height,
    response_deadline,
    commit_deadline,
    reveal_deadline,
    assigned_nodes,
    committee,
    quality,
    payout,
    replicas,
    response_ids,
    parent: r.decimal(),
    commitment: r.hex(),
    committed_height: readHeight(r, base),
    reveal_height: readHeight(r, base),
    pruned_height: readHeight(r, base),
    prompt_sha256: r.hex(),
    response_sha256: r.hex(),
  };
  r.end();
  return rec;
}

/**
 * Stored bytes of a request record: compact when it is pruned and the compact form gives it back
 * exactly, else its JSON.
 *
 * @example
 * ctx.store.set(requestKey(id), encodeRequestRecord(prunedRecord(req, height)));
 */
export function encodeRequestRecord(rec: RequestRecord): Uint8Array {
  if (rec.pruned_height === undefined) return toBytes(rec);
  try {
    const bytes = compact(rec);
    // toBytes is JSON.stringify as UTF-8: equal strings, equal stored JSON.
    if (JSON.stringify(decodeCompact(bytes)) === JSON.stringify(rec)) return bytes;
  } catch {
    // Not representable (an address that is not bech32, a negative number...): JSON, as before.
  }
  return toBytes(rec);
}

/**
 * A stored request record, in either form.
 *
 * @example
 * const req = decodeRequestRecord(ctx.store.get(requestKey(id))!);
 */
export function decodeRequestRecord(bytes: Uint8Array): RequestRecord {
  return bytes[0] === JSON_OPEN ? fromBytes<RequestRecord>(bytes) : decodeCompact(bytes);
}
