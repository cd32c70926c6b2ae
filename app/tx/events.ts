/**
 * Events the ante handler emits, with the SDK's type and attribute names, so that explorers and
 * `tx_search` queries written for Cosmos chains (`tx.fee_payer='poq1...'`, `tx.acc_seq=...`) work.
 */
import type { Event } from "../../abci/application.js";

export const EventTx = "tx";
export const AttrFee = "fee";
export const AttrFeePayer = "fee_payer";
export const AttrAccSeq = "acc_seq";
export const AttrSignature = "signature";

const attr = (key: string, value: string) => ({ key, value, index: true });

/** `tx{fee, fee_payer}`; fee as `10upoq` (empty when no fee). */
export const txFeeEvent = (fee: string, feePayer: string): Event => ({
  type: EventTx,
  attributes: [attr(AttrFee, fee), attr(AttrFeePayer, feePayer)],
});

/** `tx{acc_seq: "addr/seq"}`, the sequence the transaction used. */
export const txAccSeqEvent = (address: string, sequence: bigint): Event => ({
  type: EventTx,
  attributes: [attr(AttrAccSeq, `${address}/${sequence}`)],
});

/** `tx{signature}`, base64. */
export const txSignatureEvent = (signature: Uint8Array): Event => ({
  type: EventTx,
  attributes: [attr(AttrSignature, Buffer.from(signature).toString("base64"))],
});
