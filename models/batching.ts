/**
 * How texts are grouped into inference batches. Every batch is padded to its longest item, and the
 * padded rows cost as much as real ones (the encoder's matrix products run over them), so a 60-token
 * prompt batched with a 190-token response would cost 380 token rows instead of 250. Scores do not
 * depend on the grouping (activations are quantized per token row, see the model manifest), so the
 * grouping is free to follow cost alone.
 */

/**
 * Padding allowed in a batch: 5% of its real tokens, or `PAD_FLOOR` tokens, whichever is larger.
 * Measured with the default model on one AVX2 core: a token row costs about 0.2 ms whether real or
 * padding, one extra inference call about 0.6 ms (three rows), and batching equal lengths saves at
 * most that call overhead; so padding is almost never worth it. (Texts 16 and 64 tokens long: 15.5 ms
 * CPU as two calls, 23.2 ms as one padded batch.)
 */
const PAD_SHARE = 0.05;
const PAD_FLOOR = 4;

/**
 * Default token rows per batch (batch size times padded length). A batch's activations grow with its
 * token rows (the attention scores with rows times length), and past a few hundred rows they fall out
 * of the core's caches, worst on a busy machine. On the 2-core Xeon VM (load average 15-30 from other
 * jobs; CPU time per 256-token pair, one thread): 45-48 ms in batches of 1-4 and 57-62 ms in batches
 * of 8-16 (the judge before its [CLS]-only last layer); then, for the current judge, 33-45 ms in
 * batches of two (512 rows) against 39-57 ms in batches of four (1024 rows), in alternating runs.
 * Short texts still share a batch up to `maxBatch`, which saves the per-call overhead.
 */
export const DEFAULT_BATCH_TOKENS = 512;

/**
 * Groups sequences (by their token counts) into batches of at most `maxBatch`: items are sorted by
 * length (ties by position, so the plan is deterministic), and a batch is closed when adding the next,
 * longer item would pad more than 5% of its real tokens (or more than 4 tokens, if that is more), or
 * would make it more than `maxTokens` padded token rows (a single longer item still gets a batch).
 * Returns the original indices of each batch.
 *
 * @example
 * planBatches([190, 60, 62], 16); // [[1, 2], [0]]: the two 60-token texts together, the long one alone
 * planBatches([256, 256, 256], 16, 512); // [[0, 1], [2]]
 */
export function planBatches(lengths: readonly number[], maxBatch: number, maxTokens = Infinity): number[][] {
  const order = lengths.map((n, i) => ({ i, n })).sort((a, b) => a.n - b.n || a.i - b.i);
  const batches: number[][] = [];
  let current: number[] = [];
  let real = 0;
  for (const { i, n } of order) {
    const rows = current.length + 1;
    const padded = rows * n - (real + n);
    if (
      current.length > 0 &&
      (rows > maxBatch || rows * n > maxTokens || padded > Math.max(PAD_FLOOR, PAD_SHARE * (real + n)))
    ) {
      batches.push(current);
      current = [];
      real = 0;
    }
    current.push(i);
    real += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
