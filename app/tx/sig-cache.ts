/**
 * A cache of signature checks that passed, so that a transaction verified in CheckTx is not
 * verified again in FinalizeBlock on the same node. It only ever skips work: gas is charged the
 * same with or without it, so it cannot change results or the app hash.
 */
import { bytesKey } from "../store/memo.js";

export interface SigVerificationCache {
  /** Whether this exact check (tx, chain, signer keys and account numbers) passed before. */
  has(key: Uint8Array): boolean;
  add(key: Uint8Array): void;
  readonly size: number;
}

export interface CreateSigVerificationCacheOptions {
  /** Entries kept; the oldest go first when full. */
  maxEntries: number;
}

/**
 * Creates a bounded cache; the base app holds one per node.
 *
 * @example
 * const cache = createSigVerificationCache({ maxEntries: 10_000 });
 * runAnte(ctx, tx, { simulate: false, accounts, bank, sigCache: cache });
 */
export function createSigVerificationCache(opts: CreateSigVerificationCacheOptions): SigVerificationCache {
  if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${opts.maxEntries}`);
  }
  // A Set iterates in insertion order, which makes eviction first-in first-out.
  const entries = new Set<string>();
  return {
    has: (key) => entries.has(bytesKey(key)),
    add(key) {
      const k = bytesKey(key);
      if (entries.has(k)) return;
      if (entries.size >= opts.maxEntries) {
        const oldest = entries.values().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.add(k);
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * The cache key of one transaction's signature check. The tx hash fixes the body, auth info
 * (sequences, modes) and signatures; the chain id, account numbers and public keys come from the
 * state, so they are part of the key too. The parts themselves, not a hash of them: the key is
 * looked up for every CheckTx, ReCheck and FinalizeBlock of a transaction, and each part has a
 * fixed length or a terminator, so different inputs give different keys.
 *
 * @example
 * const key = sigCacheKey(tx.hash, "poq-devnet-1", [{ accountNumber: 3n, pubKey }]);
 */
export function sigCacheKey(
  txHash: Uint8Array,
  chainId: string,
  signers: readonly { accountNumber: bigint; pubKey: Uint8Array }[],
): Uint8Array {
  const parts: Uint8Array[] = [txHash, new TextEncoder().encode(chainId), Uint8Array.of(0)];
  for (const s of signers) {
    const num = new Uint8Array(8);
    new DataView(num.buffer).setBigUint64(0, s.accountNumber);
    parts.push(num, Uint8Array.of(s.pubKey.length), s.pubKey);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}
