import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { formatAccountAddress } from "../app/modules/auth/address.js";
import { prunedRecord } from "../app/modules/poq/prune.js";
import type { RequestRecord, RequestView } from "../app/modules/poq/state.js";
import { MsgRequestInference, MsgSubmitResponse, PoqTypeUrl } from "../app/modules/poq/types/msgs.js";
import { restorePrunedPage, restorePrunedTexts, type SearchedTx } from "./pruned-texts.js";

const requester = formatAccountAddress(new Uint8Array(20).fill(1));
const node = formatAccountAddress(new Uint8Array(20).fill(2));
const other = formatAccountAddress(new Uint8Array(20).fill(3));
const PROMPT = "Why is the sky blue?";
const ANSWER = "Rayleigh scattering of sunlight by the air.";

/** A committed tx as CometBFT's tx_search returns it: base64 TxRaw whose body holds `msgs`. */
function tx(msgs: { typeUrl: string; value: Uint8Array }[], code = 0): SearchedTx {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: msgs })).finish();
  const raw = TxRaw.encode(TxRaw.fromPartial({ bodyBytes, authInfoBytes: new Uint8Array(), signatures: [] }));
  return { tx: Buffer.from(raw.finish()).toString("base64"), tx_result: { code } };
}
const requestMsg = (prompt: string) => ({
  typeUrl: PoqTypeUrl.RequestInference,
  value: MsgRequestInference.encode({
    requester,
    model: "m",
    prompt,
    maxTokens: 64,
    fee: { denom: "upoq", amount: "1000" },
    minQuality: 0,
  }).finish(),
});
const answerMsg = (from: string, response: string, requestId = 7n) => ({
  typeUrl: PoqTypeUrl.SubmitResponse,
  value: MsgSubmitResponse.encode({ node: from, requestId, response }).finish(),
});

function stored(id = "7"): RequestRecord {
  const z = "0";
  return {
    id,
    requester,
    model: "m",
    prompt: PROMPT,
    max_tokens: 64,
    fee: { denom: "upoq", amount: "1000" },
    min_quality: 0,
    status: "FINALIZED",
    node,
    response: ANSWER,
    created_height: "3",
    assigned_height: "4",
    responded_height: "5",
    finalized_height: "8",
    response_deadline: z,
    commit_deadline: z,
    reveal_deadline: z,
    assigned_nodes: [node],
    committee: [],
    quality: null,
    payout: null,
    replicas: 1,
    response_ids: [id],
    parent: "0",
    commitment: "",
    committed_height: z,
    reveal_height: z,
  };
}

/** The query's view of the pruned request (itself as its one answer). */
function prunedView(id = "7"): RequestView {
  const r = prunedRecord(stored(id), 20n);
  return {
    ...r,
    responses: [
      {
        id: r.id,
        node: r.node,
        status: r.status,
        response: r.response,
        quality: null,
        payout: null,
        response_sha256: r.response_sha256!,
      },
    ],
  };
}

describe("reading pruned texts back from the tx index", () => {
  it("takes the prompt and answer whose sha256 the chain kept, and asks the index by the request's events", async () => {
    const queries: string[] = [];
    const shown = await restorePrunedTexts(prunedView(), async (q) => {
      queries.push(q);
      return q.startsWith("poq_request_created")
        ? [tx([requestMsg("another prompt in the same tx"), requestMsg(PROMPT)])]
        : [tx([answerMsg(node, ANSWER)])];
    });
    assert.deepEqual(queries, [
      "poq_request_created.request_id='7'",
      "poq_response_submitted.request_id='7'",
    ]);
    assert.equal(shown.prompt, PROMPT);
    assert.equal(shown.response, ANSWER);
    assert.equal(shown.responses[0]!.response, ANSWER);
  });

  it("shows nothing that does not match the hashes: another text, another node, a failed tx", async () => {
    const shown = await restorePrunedTexts(prunedView(), async (q) =>
      q.startsWith("poq_request_created")
        ? [tx([requestMsg("a forged prompt")]), tx([requestMsg(PROMPT)], 5)]
        : [
            tx([answerMsg(node, "a forged answer")]),
            tx([answerMsg(other, ANSWER)]),
            tx([answerMsg(node, ANSWER, 8n)]),
            { tx: "bm90IGEgdHg=", tx_result: { code: 0 } },
          ],
    );
    assert.equal(shown.prompt, "");
    assert.equal(shown.response, "");
    assert.equal(shown.responses[0]!.response, "");
    assert.equal(shown.prompt_sha256, prunedView().prompt_sha256, "the hashes are still shown");
  });

  it("leaves a request that was not pruned as it is, without asking the index", async () => {
    const r: RequestView = { ...stored(), responses: [] };
    const shown = await restorePrunedTexts(r, () => Promise.reject(new Error("must not search")));
    assert.equal(shown, r);
  });

  it("restores a list page: only its pruned requests, a few at a time, in the page's order", async () => {
    const page: RequestView[] = ["1", "2", "3", "4", "5", "6", "7"].map((id) =>
      Number(id) % 3 === 0 ? { ...stored(id), responses: [] } : prunedView(id),
    );
    const searched: string[] = [];
    let inFlight = 0;
    let most = 0;
    const shown = await restorePrunedPage(
      page,
      async (q) => {
        searched.push(q);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        const id = BigInt(/'(\d+)'/.exec(q)![1]!);
        return q.startsWith("poq_request_created")
          ? [tx([requestMsg(PROMPT)])]
          : [tx([answerMsg(node, ANSWER, id)])];
      },
      2,
    );
    assert.deepEqual(
      shown.map((r) => r.id),
      ["1", "2", "3", "4", "5", "6", "7"],
    );
    for (const r of shown) {
      assert.equal(r.prompt, PROMPT, `request ${r.id}`);
      assert.equal(r.response, ANSWER, `request ${r.id}`);
    }
    assert.equal(shown[2], page[2], "a request that was not pruned is passed through");
    assert.equal(searched.length, 2 * 5, "two searches per pruned request, none for the others");
    assert.ok(!searched.some((q) => /'[36]'/.test(q)));
    assert.equal(most, 2, "at most `concurrency` searches at once");
  });
});
