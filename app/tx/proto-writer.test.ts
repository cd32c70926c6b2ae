import { test } from "node:test";
import assert from "node:assert/strict";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { exactSizeWriterInstalled } from "./proto-writer.js";

test("protobuf encoding returns exact-size buffers with the same bytes", () => {
  assert.equal(exactSizeWriterInstalled(), true);
  const bytes = BaseAccount.encode(
    BaseAccount.fromPartial({ address: "poq1abc", accountNumber: 7n, sequence: 300n }),
  ).finish();
  assert.equal(bytes.buffer.byteLength, bytes.length);
  // field 1 "poq1abc", field 3 varint 7, field 4 varint 300
  assert.equal(Buffer.from(bytes).toString("hex"), "0a07706f7131616263180720ac02");
  assert.deepEqual(BaseAccount.decode(bytes).sequence, 300n);
});
