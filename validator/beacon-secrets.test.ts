import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createBeaconSecrets } from "./beacon-secrets.js";

describe("beacon secrets", () => {
  it("keeps one secret per height and hands the previous height's out for the reveal", () => {
    const secrets = createBeaconSecrets();
    const a = secrets(10n);
    assert.equal(a.secret.length, 32);
    assert.equal(a.previous, undefined, "nothing made at height 9");
    assert.deepEqual(secrets(10n).secret, a.secret, "the same for every round at a height");
    const b = secrets(11n);
    assert.deepEqual(b.previous, a.secret);
    assert.notDeepEqual(b.secret, a.secret);
    secrets(20n);
    assert.equal(secrets(11n).secret === b.secret, false, "old heights are forgotten");
  });
});
