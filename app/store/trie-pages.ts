/**
 * How the bucket tries are stored: in pages of {@link PAGE_LEVELS} levels, one SQLite row per page.
 *
 * A key's path crosses one node per level of its bucket's trie, and the walk that applies a change
 * reads each node and its sibling (`bucket-trie.ts`). Stored a node per row, that is two B-tree
 * lookups per level, and the levels grow with log2 of the bucket size: on a chain grown to 100,000
 * finished requests a changed entry read about 9 rows and wrote 6. A page holds the non-empty nodes
 * of {@link PAGE_LEVELS} levels below one node, its anchor (at most 30 nodes), so the same walk
 * reads one row per four levels, siblings included (a node and its sibling share their parent, and
 * so their page), and a block writes each page it changed once.
 *
 * Anchors sit at depths 16 + 4k. The page of a node at depth d > 16 is anchored at its ancestor at
 * depth a = 16 + 4 * floor((d - 17) / 4), and the page's id is that anchor's node id
 * (`nodeKey(path, a)`); the node's slot there is its heap position below the anchor,
 * slot = 2^r - 2 + (the r path bits after a), r = d - a (1 to 4), so slots 0 to 29. The bucket's
 * root (depth 16) has no parent: it is slot 30 of the page anchored at itself.
 *
 * Row format: u32be bitmap of the slots present, then for each present slot in ascending order a
 * kind byte (0 inner, 1 one-entry subtree), its 32-byte hash and, for a one-entry subtree,
 * u32be key length and the key. Only storage: the hashes, and so the app hash and proofs, do not
 * depend on it.
 */
import { BUCKET_BITS } from "./merkle.js";
import type { TrieRow } from "./bucket-trie.js";

/** Trie levels per page. */
export const PAGE_LEVELS = 4;
/** Slots of a page: the nodes of {@link PAGE_LEVELS} levels below the anchor, and the bucket root's. */
export const PAGE_SLOTS = (1 << (PAGE_LEVELS + 1)) - 1;
/** The slot of the bucket root, in the page anchored at it. */
export const ROOT_SLOT = PAGE_SLOTS - 1;
/**
 * Bytes of the id of a bucket root's page: the 2 bucket bytes and u16be(16). Every deeper anchor's
 * page id is longer, so these are the only ids of this length.
 */
export const ROOT_PAGE_ID_BYTES = 4;

/** Where a trie node is stored: its page's id (latin1) and its slot there. */
export interface PageSlot {
  page: string;
  slot: number;
}

/**
 * The page and slot of the trie node with id `id` (a latin1 string, see `nodeKey`).
 *
 * @example
 * pageOfNode(nodeKey(path, 18)); // { page: nodeKey(path, 16), slot: 2 + (path bits 16..17) }
 */
export function pageOfNode(id: string): PageSlot {
  const n = id.length;
  const depth = (id.charCodeAt(n - 2) << 8) | id.charCodeAt(n - 1);
  if (depth === BUCKET_BITS) return { page: id, slot: ROOT_SLOT };
  const anchor = BUCKET_BITS + PAGE_LEVELS * Math.floor((depth - BUCKET_BITS - 1) / PAGE_LEVELS);
  const full = anchor >> 3;
  let page = id.slice(0, full);
  if (anchor & 7) page += String.fromCharCode(id.charCodeAt(full) & (0xff << (8 - (anchor & 7))) & 0xff);
  page += String.fromCharCode(anchor >> 8, anchor & 0xff);
  let bits = 0;
  for (let i = anchor; i < depth; i++) bits = (bits << 1) | ((id.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1);
  return { page, slot: (1 << (depth - anchor)) - 2 + bits };
}

/** A stored page: its row's bytes, with where each slot's node lies found once. */
export class TriePage {
  /** Offset of each slot's node in {@link bytes}, -1 for an empty slot. */
  private readonly offsets = new Int32Array(PAGE_SLOTS).fill(-1);
  /** Byte length of each slot's node (0 for an empty slot). */
  private readonly lengths = new Int32Array(PAGE_SLOTS);

  /** @throws RangeError when the bytes are not a page (a damaged database). */
  constructor(readonly bytes: Buffer) {
    if (bytes.length < 4) throw new RangeError("trie page shorter than its bitmap");
    const bitmap = bytes.readUInt32BE(0);
    let off = 4;
    for (let slot = 0; slot < PAGE_SLOTS; slot++) {
      if (!((bitmap >>> slot) & 1)) continue;
      const start = off;
      const leaf = bytes[off] === 1;
      off += leaf ? 37 : 33;
      if (off <= bytes.length && leaf) off += bytes.readUInt32BE(off - 4);
      if (off > bytes.length) throw new RangeError("trie page ends inside a node");
      this.offsets[slot] = start;
      this.lengths[slot] = off - start;
    }
    if (off !== bytes.length || bitmap >>> PAGE_SLOTS !== 0)
      throw new RangeError("trie page has bytes no slot owns");
  }

  /** The node in `slot`, undefined when the slot is empty. Its buffers are views of the page. */
  node(slot: number): TrieRow | undefined {
    const off = this.offsets[slot] ?? -1;
    if (off < 0) return undefined;
    const b = this.bytes;
    const hash = b.subarray(off + 1, off + 33);
    if (b[off] !== 1) return { hash, leaf: null };
    const len = b.readUInt32BE(off + 33);
    return { hash, leaf: b.subarray(off + 37, off + 37 + len) };
  }

  /** Offset of the node in `slot` in {@link bytes}, -1 for an empty slot. */
  offsetOf(slot: number): number {
    return this.offsets[slot] ?? -1;
  }

  /** Byte length of the node in `slot` in {@link bytes}, 0 for an empty slot. */
  lengthOf(slot: number): number {
    return this.lengths[slot] ?? 0;
  }
}

/**
 * The row of page `base` (undefined: a page with no node yet) with the nodes of `edits` in their
 * slots (slot to node; an undefined node empties its slot), or undefined when no slot is left (no
 * row). The nodes a block leaves alone are copied from the old row as bytes, in runs of adjacent
 * slots, not decoded and encoded again.
 *
 * @example
 * const row = editPage(new TriePage(oldRow), new Map([[3, { hash, leaf: null }]]));
 */
export function editPage(
  base: TriePage | undefined,
  edits: ReadonlyMap<number, TrieRow | undefined>,
): Buffer | undefined {
  let bitmap = 0;
  let size = 4;
  for (let slot = 0; slot < PAGE_SLOTS; slot++) {
    const len = edits.has(slot) ? sizeOf(edits.get(slot)) : (base?.lengthOf(slot) ?? 0);
    if (len === 0) continue;
    bitmap |= 1 << slot;
    size += len;
  }
  if (bitmap === 0) return undefined;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(bitmap >>> 0, 0);
  let off = 4;
  // A run of kept nodes, contiguous in the old row: [runStart, runEnd).
  let runStart = 0;
  let runEnd = 0;
  const flush = (): void => {
    if (runEnd > runStart) off += (base as TriePage).bytes.copy(out, off, runStart, runEnd);
    runStart = runEnd = 0;
  };
  for (let slot = 0; slot < PAGE_SLOTS; slot++) {
    if (!edits.has(slot)) {
      const offset = base?.offsetOf(slot) ?? -1;
      if (offset < 0) continue;
      if (offset !== runEnd) {
        flush();
        runStart = offset;
      }
      runEnd = offset + (base as TriePage).lengthOf(slot);
      continue;
    }
    flush();
    const n = edits.get(slot);
    if (!n) continue;
    out[off] = n.leaf ? 1 : 0;
    out.set(n.hash, off + 1);
    off += 33;
    if (n.leaf) {
      out.writeUInt32BE(n.leaf.length, off);
      out.set(n.leaf, off + 4);
      off += 4 + n.leaf.length;
    }
  }
  flush();
  return out;
}

/** Bytes of a node in a page row (0: none). */
function sizeOf(n: TrieRow | undefined): number {
  return n ? 33 + (n.leaf ? 4 + n.leaf.length : 0) : 0;
}
