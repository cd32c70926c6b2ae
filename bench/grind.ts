/**
 * Key grinding for `poq bench store --ground N`: addresses whose balance key lands in the bucket of
 * a hot key (and, among them, as deep on its path as the grinding happened to reach), as an
 * attacker who sends dust to chosen addresses would pile them up.
 *
 * About 2^16 sha256 per key (655 million for 10,000): Node's hashing does that in hours, so the
 * small Go program in `bench/grind/` does it (SHA-NI where the CPU has it). It is built on demand
 * with the Go toolchain into `.cache/grind/<source hash>/grind` and reused. Without Go the same
 * search runs in this process (same addresses, same order), fine for a few hundred keys.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { findProjectRoot } from "../network/comet-binary.js";
import { sha256 } from "../app/store/merkle.js";

/** Where a ground address's key puts it: `prefix || address || suffix`. */
export interface GrindTarget {
  prefix: Uint8Array;
  suffix: Uint8Array;
  /** sha256 of the hot key. */
  path: Uint8Array;
  /** Leading path bits a ground key shares with the hot key (16: its bucket). */
  bits: number;
}

export interface GrindResult {
  addresses: Uint8Array[];
  /** Addresses tried up to the last one kept (sha256 an attacker pays). */
  tried: number;
  seconds: number;
  /** The most path bits any kept key shares with the hot key. */
  max_shared_bits: number;
  /** "go" (bench/grind) or "node" (no Go toolchain). */
  grinder: "go" | "node";
}

/** The address tried i-th: 12 tag bytes then u64be(i) (the Go program's scheme). */
export function groundAddress(i: bigint): Uint8Array {
  const a = Buffer.alloc(20);
  a.write("poq-ground--", 0, "latin1");
  a.writeBigUInt64BE(i, 12);
  return a;
}

function sharedBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = (a[i] ?? 0) ^ (b[i] ?? 0);
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return a.length * 8;
}

/** The built grinder, or undefined when there is no Go toolchain. */
function grinderBinary(log: (line: string) => void): string | undefined {
  const root = findProjectRoot();
  const src = join(root, "bench", "grind");
  const source = Buffer.concat([readFileSync(join(src, "main.go")), readFileSync(join(src, "go.mod"))]);
  const dir = join(root, ".cache", "grind", sha256(source).toString("hex").slice(0, 16));
  const bin = join(dir, "grind");
  if (existsSync(bin)) return bin;
  try {
    execFileSync("go", ["version"], { stdio: "pipe" });
  } catch {
    return undefined;
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.building-${process.pid}`;
  log(`building the key grinder (bench/grind) into ${bin}`);
  execFileSync("go", ["build", "-o", tmp, "."], {
    cwd: src,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false" },
  });
  renameSync(tmp, bin);
  return bin;
}

function grindInProcess(t: GrindTarget, count: number): GrindResult {
  const start = performance.now();
  const addresses: Uint8Array[] = [];
  let maxShared = 0;
  let i = 0n;
  for (; addresses.length < count; i++) {
    const a = groundAddress(i);
    const shared = sharedBits(sha256(Buffer.concat([t.prefix, a, t.suffix])), t.path);
    if (shared >= t.bits) {
      addresses.push(a);
      maxShared = Math.max(maxShared, shared);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { addresses, tried: Number(i), seconds, max_shared_bits: maxShared, grinder: "node" };
}

/**
 * The first `count` addresses (in the order tried) whose key shares `t.bits` path bits with the hot key.
 *
 * @example
 * const { addresses } = grindAddresses({ prefix, suffix: utf8("upoq"), path: sha256(hot), bits: 16 }, 10_000);
 */
export function grindAddresses(
  t: GrindTarget,
  count: number,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): GrindResult {
  const bin = grinderBinary(log);
  if (!bin) {
    log("no Go toolchain: grinding in Node (slow: about 65,536 sha256 per key)");
    return grindInProcess(t, count);
  }
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  const args = ["-prefix", hex(t.prefix), "-suffix", hex(t.suffix), "-target", hex(t.path)];
  args.push("-bits", String(t.bits), "-count", String(count), "-workers", String(cpus().length));
  const r = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`the key grinder failed (status ${r.status}): ${r.stderr}`);
  const summary = JSON.parse(r.stderr.trim().split("\n").pop() ?? "{}") as {
    tried: number;
    seconds: number;
    max_shared_bits: number;
  };
  const addresses = r.stdout
    .trim()
    .split("\n")
    .map((line) => Buffer.from(line, "hex"));
  if (addresses.length !== count)
    throw new Error(`the key grinder printed ${addresses.length} keys, not ${count}`);
  return {
    addresses,
    tried: summary.tried,
    seconds: Math.round(summary.seconds * 10) / 10,
    max_shared_bits: summary.max_shared_bits,
    grinder: "go",
  };
}
