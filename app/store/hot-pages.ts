/**
 * Which trie page rows live in SQLite's small `trie_hot` table instead of `trie_pages`: the rows
 * that blocks rewrite block after block. Storage only: where a row lives changes neither the nodes
 * nor the app hash, and a node's choice depends on its own history (it starts over at each start).
 *
 * Why. A block rewrites the pages of the keys it changes. Most of them are a few hundred requests'
 * pages, neighbours in `trie_pages` (their buckets are neighbours, `merkle.ts`). About fifty more
 * are the same every block: the pages above the keys every block writes (the fee collector's and
 * the validators' balances, distribution and module records), whose buckets sha256 scatters. In a
 * small database they share a few B-tree pages with everything else; on a chain grown to 100,000
 * finished requests (`trie_pages` 64 MB) each of them is alone on a database page, and SQLite
 * writes that 4 KB page to the WAL, and again at the checkpoint, every block: 48 of the 170
 * database pages a block wrote there (`poq bench scale-nodes`, window D). Kept together in their
 * own table they fill about ten.
 *
 * The rule. A row written in {@link HotPagePolicy.promoteAfter} blocks in a row (a gap of up to
 * {@link HotPagePolicy.maxGap} blocks still counts as a row) moves to `trie_hot`; one that no block
 * wrote for {@link HotPagePolicy.coolAfter} blocks moves back. A request's rows are written while it
 * is in flight, far fewer blocks than a promotion takes, so they stay where their neighbours are.
 * `trie_hot` holds at most {@link HotPagePolicy.maxHot} rows: past it, nothing more is promoted.
 */

/** When a row moves to `trie_hot` and back. */
export interface HotPagePolicy {
  /** Blocks in a row that write a row before it moves to `trie_hot`. */
  promoteAfter: number;
  /** Blocks without a write that still continue a row's run. */
  maxGap: number;
  /** Blocks without a write after which a row moves back to `trie_pages`. */
  coolAfter: number;
  /** Rows `trie_hot` holds at most. */
  maxHot: number;
}

/**
 * The default: 32 blocks in a row (a request in flight is written in about ten), back after 512
 * blocks without a write, at most 8,192 rows (a few MB; the load of `poq bench scale-nodes` keeps
 * about 60).
 */
export const DEFAULT_HOT_PAGE_POLICY: Readonly<HotPagePolicy> = {
  promoteAfter: 32,
  maxGap: 2,
  coolAfter: 512,
  maxHot: 8_192,
};

/** Where a block's page rows go: rows that move to `trie_hot`, and hot rows that move back. */
export interface HotPagePlan {
  promote: Set<string>;
  demote: string[];
}

/** A block's page rows by page id (latin1): the row's bytes, undefined when the row is deleted. */
export type PageWrites = ReadonlyMap<string, Uint8Array | undefined>;

/**
 * The placement bookkeeping of one database connection: the ids in `trie_hot` (with the block that
 * last wrote each) and the current write runs of the others. The caller plans a block
 * ({@link plan}), applies the plan to SQLite in the block's transaction, then records it
 * ({@link record}); a transaction that failed leaves this as it was.
 *
 * @example
 * const plan = hot.plan(block, writes);
 * db.transaction(() => apply(writes, plan))();
 * hot.record(block, writes, plan);
 */
export class HotPages {
  /** Ids in `trie_hot`, each with the last block that wrote it. */
  private readonly hot = new Map<string, number>();
  /** Ids not in `trie_hot` written lately: the last block that wrote each and its run of blocks. */
  private readonly runs = new Map<string, { last: number; count: number }>();

  constructor(private readonly policy: Readonly<HotPagePolicy> = DEFAULT_HOT_PAGE_POLICY) {}

  /** Whether the row of page `id` lives in `trie_hot`. */
  has(id: string): boolean {
    return this.hot.has(id);
  }

  get size(): number {
    return this.hot.size;
  }

  /** Forgets everything, then takes `ids` as the rows in `trie_hot`, as if written at `block`. */
  reset(ids: Iterable<string> = [], block = 0): void {
    this.hot.clear();
    this.runs.clear();
    for (const id of ids) this.hot.set(id, block);
  }

  /** What a block at `block` that writes `writes` moves; changes nothing here. */
  plan(block: number, writes: PageWrites): HotPagePlan {
    const { promoteAfter, coolAfter, maxHot } = this.policy;
    const promote = new Set<string>();
    let room = maxHot - this.hot.size;
    for (const [id, row] of writes) {
      if (row === undefined || this.hot.has(id)) continue;
      if (this.runLength(id, block) >= promoteAfter && room > 0) {
        promote.add(id);
        room--;
      }
    }
    const demote: string[] = [];
    for (const [id, last] of this.hot) {
      if (!writes.has(id) && block - last > coolAfter) demote.push(id);
    }
    return { promote, demote };
  }

  /** Records a block's writes and its plan, once its transaction committed. */
  record(block: number, writes: PageWrites, plan: HotPagePlan): void {
    for (const [id, row] of writes) {
      if (row === undefined) {
        this.hot.delete(id);
        this.runs.delete(id);
      } else if (this.hot.has(id) || plan.promote.has(id)) {
        this.hot.set(id, block);
        this.runs.delete(id);
      } else {
        this.runs.set(id, { last: block, count: this.runLength(id, block) });
      }
    }
    for (const id of plan.demote) this.hot.delete(id);
    // A run whose gap is already too long cannot continue: forget it (the map stays the size of a
    // few blocks' writes).
    for (const [id, run] of this.runs) if (block - run.last > this.policy.maxGap) this.runs.delete(id);
  }

  /** The run a write at `block` makes for `id` (1 when it starts one). */
  private runLength(id: string, block: number): number {
    const run = this.runs.get(id);
    if (!run) return 1;
    if (run.last === block) return run.count;
    return block - run.last <= this.policy.maxGap + 1 ? run.count + 1 : 1;
  }
}
