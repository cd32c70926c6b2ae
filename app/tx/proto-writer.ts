/**
 * Exact-size buffers for cosmjs-types' protobuf encoder.
 *
 * `BinaryWriter.alloc` in cosmjs-types 0.11 builds a fresh 8 KiB pool on each call, so every
 * `encode(...).finish()` of a small message allocates 8 KiB and returns a view into it (which then
 * keeps the whole slab alive). Accounts, message responses and public keys are encoded on every
 * transaction; that made garbage collection a sixth of FinalizeBlock's time. Allocating exactly
 * the needed bytes writes the same bytes (`finish` fills every one of them) without the slab.
 *
 * Importing this module installs it once for the process; it is idempotent.
 */
import { BinaryWriter } from "cosmjs-types/binary";

BinaryWriter.alloc = (size: number): Uint8Array => new Uint8Array(size);

/**
 * Whether the exact-size allocator is installed (for tests).
 *
 * @example
 * exactSizeWriterInstalled(); // true once this module is imported
 */
export function exactSizeWriterInstalled(): boolean {
  const probe = BinaryWriter.alloc(3);
  return probe instanceof Uint8Array && probe.buffer.byteLength === 3;
}
