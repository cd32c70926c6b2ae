/**
 * A ready randomness beacon for the poq unit tests that drive the module without real vote
 * extensions (module.test.ts, replicas.test.ts): four stand-in validators whose commitments and
 * reveals are recorded through the real `mixBeacon`, so that EndBlock may assign waiting requests
 * (eligibility.ts assignmentSeed). Their secrets are fixed strings: the tests stay deterministic.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Context } from "../app/types.js";
import { beaconCommitment, mixBeacon } from "../app/modules/poq/beacon.js";
import type { PoqKeeper } from "../app/modules/poq/keeper.js";
import { toHex } from "../app/modules/poq/types/wire.js";

const STAND_INS = [0xb1, 0xb2, 0xb3, 0xb4].map((n) => new Uint8Array(20).fill(n));
const secretOf = (v: Uint8Array, h: bigint): Uint8Array =>
  sha256(new TextEncoder().encode(`poq-test-beacon/${v[0]}/${h}`));

/**
 * Mixes a beacon that the first `revealers` of the four stand-ins (each of power 1) revealed into at
 * the context's height (their commitments of two heights before are recorded first), as the
 * injected commit of a healthy block does when `revealers` is 4.
 *
 * @example
 * poq.beginBlock(ctx, block); mixReadyBeacon(ctx, poq.keeper); poq.endBlock(ctx, block);
 */
export function mixReadyBeacon(
  ctx: Pick<Context, "store" | "blockHeight">,
  keeper: PoqKeeper,
  revealers = STAND_INS.length,
): void {
  const h = ctx.blockHeight;
  if (h < 2n) return; // nothing can have been committed two heights before
  for (const v of STAND_INS)
    keeper.setBeaconCommitment(ctx, v, {
      commitment: toHex(beaconCommitment(h - 2n, v, secretOf(v, h - 2n))),
      height: (h - 2n).toString(),
    });
  mixBeacon(
    ctx,
    { keeper },
    STAND_INS.slice(0, revealers).map((v) => ({
      validator: v,
      power: 1n,
      commitment: beaconCommitment(h - 1n, v, secretOf(v, h - 1n)),
      reveal: secretOf(v, h - 2n),
    })),
    BigInt(STAND_INS.length),
  );
}
