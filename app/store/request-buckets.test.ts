import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SnapshotMismatchError, createStateStore } from "./state.js";
import { layoutOfSnapshotFormat, snapshotFormatOfLayout } from "./snapshot-format.js";
import {
  anchoredPath,
  bucketAnchor,
  bucketOf,
  idBucketPath,
  plainPath,
  requestSubtreePath,
  sha256,
  type KeyPathRule,
} from "./merkle.js";
import { referenceRoot } from "./reference-root.js";
import { verifyProof } from "./proof.js";
import {
  KeyTag,
  awaitingCommitteeKey,
  beaconCommitmentKey,
  beaconKey,
  commitmentKey,
  deadlineKey,
  finishedRequestKey,
  keyOf,
  nextRequestIdKey,
  nodeAssignmentKey,
  nodeKey,
  paramsKey,
  pendingKey,
  requestByNodeKey,
  requestByRequesterKey,
  requestByStatusKey,
  requestIndexedStatusKey,
  requestKey,
  revealKey,
  seatCountKey,
  seatKey,
  touchedKey,
  trustKey,
  unbondingKey,
} from "../modules/poq/keys.js";
import { modelPart } from "../modules/poq/node-index.js";
import { uintBE } from "../modules/poq/types/wire.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const addr = (fill: number): Uint8Array => new Uint8Array(20).fill(fill);
/** `poq/ 0x17 | u16 len | model | u64 id`: a waiting request of a model (pending-index.ts). */
const pendingByModelKey = (model: string, id: bigint): Uint8Array =>
  keyOf(KeyTag.PendingByModel, modelPart(model), uintBE(id, 8));

/** Every key the poq module writes for request `id`, by its constructor. */
function requestKeys(id: bigint): [string, Uint8Array][] {
  return [
    ["record", requestKey(id)],
    ["deadline", deadlineKey(123_456n, id)],
    ["pending", pendingKey(id)],
    ["touched", touchedKey(id)],
    ["commitment", commitmentKey(id, addr(1))],
    ["reveal", revealKey(id, addr(2))],
    ["node assignment", nodeAssignmentKey(addr(3), id)],
    ["awaiting committee", awaitingCommitteeKey(id)],
    ["pending by model", pendingByModelKey("llama-3-8b-instruct", id)],
    ["seat", seatKey(addr(4), id)],
    ["indexed status", requestIndexedStatusKey(id)],
    ["by status", requestByStatusKey(3, id)],
    ["by requester", requestByRequesterKey(addr(5), id)],
    ["by node", requestByNodeKey(addr(6), id)],
    ["finished", finishedRequestKey(99n, id)],
  ];
}

let dir: string;

/** The layouts before 7 that a chain started with them goes on with, and their key path rules. */
const OLDER_LAYOUTS: [layout: number, pathOf: KeyPathRule, format: number][] = [
  [4, plainPath, 1],
  [5, anchoredPath, 2],
  [6, idBucketPath, 3],
];

/** Path bits 16 to 18: for a request's key under layout 7, the request bit and the two round bits. */
const bits16to18 = (path: Uint8Array): number => (path[2] as number) >> 5;

/**
 * An empty database marked `layout`, as a chain started with that layout has it. Nothing else
 * differs: the layout row alone decides the key path rule. (The `layout` option would not do: an
 * empty database that never wrote a block is new, and opened again without it is a new chain's.)
 */
function olderLayoutDatabase(name: string, layout: number): string {
  const path = join(dir, name, "app.db");
  createStateStore({ path }).close();
  const db = new Database(path);
  db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('layout', ?)").run(
    Buffer.from(String(layout)),
  );
  db.close();
  return path;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "poq-request-buckets-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("request buckets: a poq request's keys in one bucket", () => {
  it("layout 7: every key of request id lies in bucket id mod 2^16, in the subtree of its round", () => {
    for (const id of [
      0n,
      1n,
      7n,
      65_535n,
      65_536n,
      65_543n,
      131_079n,
      196_615n,
      1_000_003n,
      2n ** 64n - 1n,
    ]) {
      const bucket = Number(id % 65_536n);
      // Bit 16 says "a request's key"; bits 17 and 18 are bits 16 and 17 of the id, lowest first.
      const round = 0b100 | (Number((id >> 16n) & 1n) << 1) | Number((id >> 17n) & 1n);
      const seen = new Set<string>();
      for (const [name, key] of requestKeys(id)) {
        const path = requestSubtreePath(key);
        assert.equal(bucketOf(key), bucket, `${name} of request ${id}`);
        assert.equal(bits16to18(path), round, `${name} of request ${id}: class and round bits`);
        // Layout 6 had the same bucket; layout 5 also kept them together, in the record key's sha256's.
        assert.equal(bucketOf(key, idBucketPath), bucket, `${name} of ${id}, layout 6`);
        assert.equal(
          bucketOf(key, anchoredPath),
          bucketOf(requestKey(id), plainPath),
          `${name} of ${id}, layout 5`,
        );
        assert.equal(hex(bucketAnchor(key) ?? new Uint8Array(0)), hex(requestKey(id)), name);
        // Below those bits, the path is the key's own: the keys do not collide in the trie.
        const own = sha256(key);
        assert.equal((path[2] as number) & 0x1f, (own[2] as number) & 0x1f, name);
        assert.equal(hex(path.subarray(3)), hex(own.subarray(3)), name);
        assert.equal(hex(idBucketPath(key).subarray(2)), hex(own.subarray(2)), name);
        assert.equal(hex(anchoredPath(key).subarray(2)), hex(own.subarray(2)), name);
        seen.add(hex(path));
      }
      assert.equal(seen.size, requestKeys(id).length);
    }
    // Neighbouring ids, neighbouring buckets: a block's requests share the B-tree pages of their tries.
    const run = Array.from({ length: 1000 }, (_, i) => bucketOf(requestKey(BigInt(65_000 + i))));
    assert.deepEqual(run.slice(0, 3), [65_000, 65_001, 65_002]);
    assert.deepEqual(run.slice(535, 538), [65_535, 0, 1]);
    assert.equal(new Set(run).size, 1000);
    // The four rounds of a bucket take the four subtrees at depth 19; the fifth shares the first's.
    const rounds = [0n, 1n, 2n, 3n, 4n].map((k) =>
      bits16to18(requestSubtreePath(requestKey(7n + k * 65_536n))),
    );
    assert.deepEqual(rounds, [0b100, 0b110, 0b101, 0b111, 0b100]);
  });

  it("a block that changes a request's keys reads as many trie nodes beside older requests and most ground accounts as alone", () => {
    // Request 65,543 is round 1 of bucket 7: path bits 16-18 = 1, 1, 0.
    const ownRound = bits16to18(requestSubtreePath(requestKey(65_543n)));
    const outside: Uint8Array[] = [];
    const inside: Uint8Array[] = [];
    for (let i = 0; outside.length < 12 || inside.length < 3; i++) {
      const key = utf8(`acct/${i}`);
      if (bucketOf(key) !== 7) continue;
      const into = bits16to18(requestSubtreePath(key)) === ownRound ? inside : outside;
      if (into.length < (into === inside ? 3 : 12)) into.push(key);
    }
    /**
     * Trie nodes read by the hash of a block that rewrites all 15 keys of request 65,543, where
     * `neighbours` were committed before it in bucket 7.
     */
    const readsOfChange = (name: string, layout: number, neighbours: Uint8Array[]): number => {
      const s = createStateStore({ path: join(dir, name, "app.db"), layout });
      for (const key of neighbours) s.deliver.set(key, utf8("before"));
      for (const [, key] of requestKeys(65_543n)) s.deliver.set(key, utf8("open"));
      s.commit(1n);
      for (const [, key] of requestKeys(65_543n)) s.deliver.set(key, utf8("finalized"));
      s.commit(2n);
      const reads = s.hashReads;
      s.close();
      return reads;
    };
    const older = [7n, 131_079n].flatMap((id) => requestKeys(id).map(([, key]) => key));
    const alone = readsOfChange("alone", 7, []);
    // Older requests (rounds 0 and 2) and the accounts outside its round's subtree (7 in 8 of them).
    const crowded = readsOfChange("crowded", 7, [...older, ...outside]);
    // The walk reads the siblings of the round levels either way (empty when alone).
    assert.equal(crowded, alone, `${crowded} reads beside 42 keys, ${alone} alone`);
    // Layout 6 mixed them into one trie: the request's keys spread over it.
    const mixed = readsOfChange("mixed", 6, [...older, ...outside]);
    assert.ok(mixed > crowded + 10, `layout 6: ${mixed} reads against ${crowded}`);
    // An account whose sha256 falls in the round's own subtree (1 in 2^19) does share its trie.
    const sharing = readsOfChange("sharing", 7, [...older, ...outside, ...inside]);
    assert.ok(sharing > alone && sharing < readsOfChange("mixed-all", 6, [...older, ...outside, ...inside]));
  });

  it("layout 7 matches the golden vector: five rounds of bucket 7, 40 accounts, 8 more ground into bucket 7", () => {
    const entries: { key: Uint8Array; value: Uint8Array }[] = [];
    for (const id of [7n, 65_543n, 131_079n, 196_615n, 262_151n])
      for (const [name, key] of requestKeys(id)) entries.push({ key, value: utf8(`${name} ${id}`) });
    for (let i = 0; i < 40; i++) entries.push({ key: utf8(`acct/${i}`), value: utf8(`${i}`) });
    // On both sides of path bit 16, four of them in the rounds' subtrees.
    for (let i = 0, n = 0; n < 8; i++) {
      const key = utf8(`acct7/${i}`);
      if (bucketOf(key) !== 7) continue;
      entries.push({ key, value: utf8("ground") });
      n++;
    }
    const s = createStateStore({ path: join(dir, "golden7", "app.db") });
    for (const e of entries) s.deliver.set(e.key, e.value);
    assert.equal(hex(s.commit(1n)), GOLDEN_LAYOUT7_ROOT);
    s.close();
    // The same entries under layout 4's paths, by the same script: the keys are the script's.
    assert.equal(hex(referenceRoot(entries, plainPath)), GOLDEN_LAYOUT4_ROOT);
  });

  it("keys that belong to no request, and every other module's keys, keep their own bucket", () => {
    const others = [
      paramsKey(),
      nextRequestIdKey(),
      nodeKey(addr(7)),
      trustKey(addr(8)),
      unbondingKey(5n, addr(9)),
      beaconCommitmentKey(addr(10)),
      beaconKey(),
      seatCountKey(addr(11)),
      keyOf(KeyTag.ReadySlot, modelPart("llama-3-8b-instruct"), uintBE(1n, 4)),
      new TextEncoder().encode("bank/balances/poq1xyz/upoq"),
      new TextEncoder().encode("poq/"), // too short to hold an id
      Uint8Array.of(0x70, 0x6f, 0x71, 0x2f, KeyTag.Request, 1, 2, 3), // a record key cut short
    ];
    for (const key of others) {
      assert.equal(bucketAnchor(key), undefined, hex(key));
      assert.equal(hex(idBucketPath(key)), hex(plainPath(key)), hex(key));
      assert.equal(hex(anchoredPath(key)), hex(plainPath(key)), hex(key));
      assert.equal(hex(requestSubtreePath(key)), hex(plainPath(key)), hex(key));
    }
  });

  it("a new store hashes with layout 7's paths: the reference root, proofs of present and absent keys", () => {
    const s = createStateStore({ path: join(dir, "new", "app.db") });
    const entries: { key: Uint8Array; value: Uint8Array }[] = [];
    for (let id = 1n; id <= 300n; id++) {
      for (const [name, key] of requestKeys(id))
        entries.push({ key, value: new TextEncoder().encode(`${name} ${id}`) });
    }
    for (let i = 0; i < 200; i++)
      entries.push({ key: new TextEncoder().encode(`acct/${i}`), value: Uint8Array.of(i) });
    for (const e of entries) s.deliver.set(e.key, e.value);
    const root = s.commit(1n);
    assert.equal(hex(root), hex(referenceRoot(entries, requestSubtreePath)));
    for (const [layout, pathOf] of OLDER_LAYOUTS)
      assert.notEqual(hex(root), hex(referenceRoot(entries, pathOf)), `layout ${layout} hashes differently`);
    for (const key of [requestKey(5n), seatKey(addr(4), 9n), requestKey(301n), revealKey(302n, addr(2))]) {
      const { value, proof } = s.prove(key);
      assert.ok(verifyProof(root, key, value, proof), hex(key));
      // Against an older layout's paths, a proof fails wherever the key's bucket moved, or (layout
      // 6: the same bucket) where the request and round bits it walks differ.
      for (const [layout, pathOf] of OLDER_LAYOUTS) {
        const moved = bucketOf(key) !== bucketOf(key, pathOf);
        const turned = bits16to18(pathOf(key)) !== bits16to18(requestSubtreePath(key));
        assert.ok(layout === 6 ? !moved && turned : moved, `${hex(key)} under layout ${layout}`);
        if (layout === 6 && proof.trieSiblings.length === 0) {
          // An empty bucket proves the key absent under either rule: it walks no path bit.
          assert.equal(value, undefined);
          assert.ok(verifyProof(root, key, value, proof, pathOf), hex(key));
          continue;
        }
        assert.equal(verifyProof(root, key, value, proof, pathOf), false, `${hex(key)}, layout ${layout}`);
      }
    }
    s.close();
  });

  for (const [layout, pathOf] of OLDER_LAYOUTS) {
    it(`a chain started with layout ${layout} goes on with its paths, block after block and after a restart`, () => {
      const path = olderLayoutDatabase(`layout${layout}`, layout);
      const model = new Map<string, { key: Uint8Array; value: Uint8Array }>();
      const put = (key: Uint8Array, value: string): void => {
        model.set(hex(key), { key, value: new TextEncoder().encode(value) });
      };
      let s = createStateStore({ path });
      for (let id = 1n; id <= 100n; id++) for (const [name, key] of requestKeys(id)) put(key, name);
      for (const e of model.values()) s.deliver.set(e.key, e.value);
      assert.equal(hex(s.commit(1n)), hex(referenceRoot(model.values(), pathOf)));
      s.close();
      s = createStateStore({ path });
      for (const [, key] of requestKeys(7n)) {
        s.deliver.delete(key);
        model.delete(hex(key));
      }
      s.deliver.set(requestKey(8n), new TextEncoder().encode("finalized"));
      put(requestKey(8n), "finalized");
      const root = s.commit(2n);
      assert.equal(hex(root), hex(referenceRoot(model.values(), pathOf)));
      const { value, proof } = s.prove(requestByStatusKey(3, 9n));
      assert.ok(verifyProof(root, requestByStatusKey(3, 9n), value, proof, pathOf));
      assert.ok(!verifyProof(root, requestByStatusKey(3, 9n), value, proof), "not under layout 7's paths");
      s.close();
      const check = new Database(path, { readonly: true });
      assert.equal(
        String(check.prepare("SELECT value FROM meta WHERE name = 'layout'").pluck().get()),
        String(layout),
      );
      check.close();
    });
  }

  it("a node replaying a chain started with layout 5 builds layout 5 from InitChain on, and keeps it", () => {
    const path = join(dir, "replay5", "app.db");
    let s = createStateStore({ path, layout: 5 });
    s.wipe(); // InitChain
    s.deliver.set(utf8("acct/genesis"), utf8("1"));
    s.commitGenesis();
    const model = new Map<string, { key: Uint8Array; value: Uint8Array }>();
    model.set("genesis", { key: utf8("acct/genesis"), value: utf8("1") });
    for (let id = 1n; id <= 40n; id++)
      for (const [name, key] of requestKeys(id)) {
        s.deliver.set(key, utf8(name));
        model.set(hex(key), { key, value: utf8(name) });
      }
    assert.equal(hex(s.commit(1n)), hex(referenceRoot(model.values(), anchoredPath)));
    s.close();
    // Restarted without the option (as after any restart), the database's own layout holds.
    s = createStateStore({ path });
    s.deliver.delete(requestKey(3n));
    model.delete(hex(requestKey(3n)));
    assert.equal(hex(s.commit(2n)), hex(referenceRoot(model.values(), anchoredPath)));
    s.close();
    assert.throws(
      () => createStateStore({ path: join(dir, "replay8", "app.db"), layout: 8 }),
      /store layout 8 is not one this version writes \(4, 5, 6, 7\)/,
    );
  });

  it("snapshot formats name their layout: 1 to 4 for layouts 4 to 7", () => {
    assert.deepEqual(
      [4, 5, 6, 7, 8].map((l) => snapshotFormatOfLayout(l)),
      [1, 2, 3, 4, undefined],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((f) => layoutOfSnapshotFormat(f)),
      [4, 5, 6, 7, undefined],
    );
  });

  for (const [layout, , format] of OLDER_LAYOUTS) {
    it(`a layout-${layout} chain's snapshot (format ${format}) restores as layout ${layout}, and does not pass for layout 7`, () => {
      const path = olderLayoutDatabase(`layout${layout}-snap`, layout);
      const a = createStateStore({ path });
      for (let id = 1n; id <= 50n; id++)
        for (const [name, key] of requestKeys(id)) a.deliver.set(key, utf8(name));
      const root = a.commit(3n);
      const entries = [...a.committedView().iterate(new Uint8Array(0))];
      const b = createStateStore({ path: join(dir, `restored${layout}`, "app.db") });
      b.restore(3n, root, entries, layoutOfSnapshotFormat(format));
      assert.equal(hex(b.committedRoot()), hex(root));
      // It goes on as a chain of its layout: the next block hashes as on the original.
      for (const s of [a, b]) {
        s.deliver.set(requestByStatusKey(4, 7n), utf8("x"));
        s.deliver.delete(requestKey(9n));
      }
      assert.equal(hex(b.commit(4n)), hex(a.commit(4n)));
      a.close();
      b.close();
      const c = createStateStore({ path: join(dir, `restored${layout}-as-7`, "app.db") });
      assert.throws(() => c.restore(3n, root, entries), SnapshotMismatchError);
      assert.equal(c.lastHeight, 0n);
      c.close();
    });
  }
});

/**
 * Roots of the entries of the golden test, computed by an independent Python script that follows
 * app/store/README.md (layout 7's paths, and layout 4's for the same entries).
 */
const GOLDEN_LAYOUT7_ROOT = "4cd1954a4c63292bd34f844eb063ea86d99bd8b5e5a592f5331cb1a50207cf98";
const GOLDEN_LAYOUT4_ROOT = "4a6eed6fc7733b918cd56f4a4fd7a43ae4990852a7ccae3062ac23c624de6b0f";
