/**
 * Every key the slashing module writes (layout in README.md, State). All keys start with
 * `slashing/`; consensus addresses are their 20 bytes, indexes 8-byte big-endian.
 */
export const SLASHING_MODULE = "slashing";

const PREFIX = new TextEncoder().encode("slashing/");

export const KeyTag = { Params: 0x00, SigningInfo: 0x01, MissedBlock: 0x02 } as const;

const key = (tag: number, ...parts: Uint8Array[]): Uint8Array =>
  Uint8Array.from([...PREFIX, tag, ...parts.flatMap((p) => [...p])]);

const u64 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
};

export const paramsKey = (): Uint8Array => key(KeyTag.Params);
export const signingInfosPrefix = (): Uint8Array => key(KeyTag.SigningInfo);
export const signingInfoKey = (cons: Uint8Array): Uint8Array => key(KeyTag.SigningInfo, cons);
export const missedBlocksPrefix = (cons: Uint8Array): Uint8Array => key(KeyTag.MissedBlock, cons);
export const missedBlockKey = (cons: Uint8Array, index: bigint): Uint8Array =>
  key(KeyTag.MissedBlock, cons, u64(index));
