/**
 * The distribution gateway routes turn the node's protobuf answers into the SDK's JSON (decimals with
 * 18 places), on a chain reader that answers one delegator's query the way the app does.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { toBech32 } from "@cosmjs/encoding";
import {
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import type { ChainReader } from "./chain-reader.js";
import { buildServer } from "./server.js";

const DELEGATOR = toBech32("poq", new Uint8Array(20).fill(3));
const VALOPER = toBech32("poqvaloper", new Uint8Array(20).fill(4));

const answer = (value: Uint8Array) => ({ code: 0, codespace: "", log: "", value, height: 5n });

const reader: ChainReader = {
  async abciQuery(path, data) {
    if (path === "/cosmos.distribution.v1beta1.Query/DelegationTotalRewards") {
      const req = QueryDelegationTotalRewardsRequest.decode(data);
      assert.equal(req.delegatorAddress, DELEGATOR);
      const reward = [{ denom: "upoq", amount: "1500000000000000000" }];
      return answer(
        QueryDelegationTotalRewardsResponse.encode({
          rewards: [{ validatorAddress: VALOPER, reward }],
          total: reward,
        }).finish(),
      );
    }
    if (path === "/cosmos.distribution.v1beta1.Query/Params") {
      return answer(
        QueryParamsResponse.encode({
          params: {
            communityTax: "20000000000000000",
            baseProposerReward: "0",
            bonusProposerReward: "0",
            withdrawAddrEnabled: true,
          },
        }).finish(),
      );
    }
    return { code: 6, codespace: "sdk", log: "unknown query path", value: new Uint8Array(), height: 5n };
  },
  broadcastTx: () => Promise.reject(new Error("not used")),
  tx: () => Promise.reject(new Error("not used")),
  status: () => Promise.reject(new Error("not used")),
  block: () => Promise.reject(new Error("not used")),
  txSearch: () => Promise.reject(new Error("not used")),
};

describe("distribution REST routes", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildServer({ rpcUrl: "http://127.0.0.1:1", reader, rateLimit: false });
  });
  after(() => app.close());

  it("answers a delegator's rewards in the SDK's shape (what Keplr reads)", async () => {
    const res = await app.inject({ url: `/cosmos/distribution/v1beta1/delegators/${DELEGATOR}/rewards` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      rewards: [{ validator_address: VALOPER, reward: [{ denom: "upoq", amount: "1.500000000000000000" }] }],
      total: [{ denom: "upoq", amount: "1.500000000000000000" }],
    });
  });

  it("prints params with 18 decimals and refuses a malformed address with 400", async () => {
    const params = await app.inject({ url: "/cosmos/distribution/v1beta1/params" });
    assert.deepEqual(params.json(), {
      params: {
        community_tax: "0.020000000000000000",
        base_proposer_reward: "0.000000000000000000",
        bonus_proposer_reward: "0.000000000000000000",
        withdraw_addr_enabled: true,
      },
    });
    const bad = await app.inject({ url: "/cosmos/distribution/v1beta1/validators/poq1xyz/commission" });
    assert.equal(bad.statusCode, 400);
  });
});
