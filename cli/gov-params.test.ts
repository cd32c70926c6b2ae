/**
 * `poq tx gov submit-proposal` reads the staking and slashing MsgUpdateParams from the SDK CLI's
 * proposal JSON; what it builds passes the app's own checks, and a missing param is a usage error.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MsgUpdateParams as StakingMsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgUpdateParams as SlashingMsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { createCoreModules } from "../app/core-modules.js";
import { GOV_AUTHORITY } from "../client/gov.js";
import { CliError, EXIT } from "./exit-codes.js";
import { messageFromJson } from "./gov.js";

const staking = {
  "@type": "/cosmos.staking.v1beta1.MsgUpdateParams",
  params: {
    unbonding_time: "1209600s",
    max_validators: 50,
    max_entries: 7,
    historical_entries: "10000",
    bond_denom: "upoq",
    min_commission_rate: "0.05",
  },
};
const slashing = {
  "@type": "/cosmos.slashing.v1beta1.MsgUpdateParams",
  params: {
    signed_blocks_window: "2000",
    min_signed_per_window: "0.600000000000000000",
    downtime_jail_duration: "600s",
    slash_fraction_double_sign: "0.05",
    slash_fraction_downtime: "0.0001",
  },
};

describe("proposal files with staking and slashing MsgUpdateParams", () => {
  const core = createCoreModules();
  const check = (typeUrl: string, value: Uint8Array) => {
    const d = [...core.staking.msgs, ...core.slashing.msgs].find((m) => m.typeUrl === typeUrl);
    assert.ok(d);
    d.validateBasic(value);
    assert.equal(d.signers(value)[0], GOV_AUTHORITY);
    return d.toAmino!(value);
  };

  it("builds the messages as the gov account, with the SDK CLI's JSON forms", async () => {
    const s = await messageFromJson(staking);
    assert.equal(s.typeUrl, staking["@type"]);
    const sm = StakingMsgUpdateParams.decode(s.value);
    assert.equal(sm.authority, GOV_AUTHORITY);
    assert.deepEqual(sm.params, {
      unbondingTime: { seconds: 1_209_600n, nanos: 0 },
      maxValidators: 50,
      maxEntries: 7,
      historicalEntries: 10_000,
      bondDenom: "upoq",
      minCommissionRate: "50000000000000000",
    });
    assert.equal(check(s.typeUrl, s.value).type, "cosmos-sdk/x/staking/MsgUpdateParams");

    const l = await messageFromJson(slashing);
    const lm = SlashingMsgUpdateParams.decode(l.value);
    assert.equal(lm.params?.signedBlocksWindow, 2000n);
    assert.equal(new TextDecoder().decode(lm.params?.minSignedPerWindow), "600000000000000000");
    assert.equal(new TextDecoder().decode(lm.params?.slashFractionDowntime), "100000000000000");
    assert.deepEqual(lm.params?.downtimeJailDuration, { seconds: 600n, nanos: 0 });
    assert.equal(check(l.typeUrl, l.value).type, "cosmos-sdk/x/slashing/MsgUpdateParams");
  });

  it("refuses a file that leaves a param out or gives a bad one (usage error)", async () => {
    const usage = (what: RegExp) => (e: unknown) =>
      e instanceof CliError && e.exitCode === EXIT.usage && what.test(e.message);
    const { bond_denom: _b, ...noDenom } = staking.params;
    await assert.rejects(
      messageFromJson({ ...staking, params: noDenom }),
      usage(/params\.bond_denom is required/),
    );
    await assert.rejects(
      messageFromJson({ ...slashing, params: { ...slashing.params, slash_fraction_downtime: "5%" } }),
      usage(/slash_fraction_downtime must be a decimal/),
    );
    await assert.rejects(
      messageFromJson({ ...slashing, params: { ...slashing.params, downtime_jail_duration: "10m" } }),
      usage(/downtime_jail_duration must be a duration/),
    );
  });
});
