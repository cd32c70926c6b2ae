/**
 * This validator's secrets for the chain's randomness beacon (app/modules/poq/beacon.ts): 32 random
 * bytes per height from the operating system's CSPRNG, the same ones for every ExtendVote of that
 * height (rounds and retries), kept for the next height's reveal and then dropped. They live in memory
 * only: after a restart the validator simply does not reveal once, which costs the beacon one input.
 */
import { randomBytes } from "node:crypto";

/** How many heights of secrets are kept (the current one and the one to reveal). */
const KEPT = 4;

/**
 * Creates the secret source.
 *
 * @example
 * const secrets = createBeaconSecrets();
 * const { secret, previous } = secrets(12n); // previous: the secret of height 11, if this process made it
 */
export function createBeaconSecrets(
  random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
): (height: bigint) => { secret: Uint8Array; previous?: Uint8Array | undefined } {
  const byHeight = new Map<bigint, Uint8Array>();
  return (height) => {
    let secret = byHeight.get(height);
    if (!secret) {
      secret = random(32);
      byHeight.set(height, secret);
      for (const h of byHeight.keys()) if (h <= height - BigInt(KEPT)) byHeight.delete(h);
    }
    return { secret, previous: byHeight.get(height - 1n) };
  };
}
