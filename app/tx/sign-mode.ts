/**
 * Picks the sign bytes for a signer by its declared sign mode.
 */
import type { SignerInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ChainError } from "../errors.js";
import { ErrInvalidRequest, ErrNotSupported } from "../sdk-errors.js";
import type { DecodedTx } from "./decode.js";
import { aminoSignBytes, directSignBytes } from "./sign-bytes.js";

/** `cosmos.tx.signing.v1beta1.SignMode` values the chain accepts. */
export const SIGN_MODE_DIRECT = 1;
export const SIGN_MODE_LEGACY_AMINO_JSON = 127;

/**
 * The bytes the signer of `info` must have signed: DIRECT or LEGACY_AMINO_JSON; anything else
 * (multisig, textual, direct-aux) is ErrNotSupported (sdk 37).
 *
 * @example
 * const bytes = signBytesFor(tx, tx.authInfo.signerInfos[0]!, { chainId: "poq-devnet-1", accountNumber: 3n });
 */
export function signBytesFor(
  tx: DecodedTx,
  info: SignerInfo,
  signer: { chainId: string; accountNumber: bigint },
): Uint8Array {
  const single = info.modeInfo?.single;
  if (!single)
    throw new ChainError(ErrNotSupported, "only single-signer sign modes are supported (no multisig)");
  if (single.mode === SIGN_MODE_DIRECT) {
    return directSignBytes({
      bodyBytes: tx.bodyBytes,
      authInfoBytes: tx.authInfoBytes,
      chainId: signer.chainId,
      accountNumber: signer.accountNumber,
    });
  }
  if (single.mode === SIGN_MODE_LEGACY_AMINO_JSON) {
    // The StdSignDoc has no place for them, so an amino signature would not cover them (the SDK
    // refuses them in this mode too).
    if (tx.body.nonCriticalExtensionOptions.length > 0) {
      throw new ChainError(
        ErrInvalidRequest,
        "SIGN_MODE_LEGACY_AMINO_JSON does not support protobuf extension options",
      );
    }
    const fee = tx.authInfo.fee;
    const msgs = tx.msgs.map((msg, i) => {
      const descriptor = tx.descriptors[i];
      if (!descriptor?.toAmino) {
        throw new ChainError(
          ErrNotSupported,
          `${msg.typeUrl} cannot be signed with SIGN_MODE_LEGACY_AMINO_JSON`,
        );
      }
      return descriptor.toAmino(msg.value);
    });
    return aminoSignBytes({
      chainId: signer.chainId,
      accountNumber: signer.accountNumber,
      sequence: info.sequence,
      fee: {
        amount: fee?.amount ?? [],
        gasLimit: fee?.gasLimit ?? 0n,
        granter: fee?.granter ?? "",
        payer: fee?.payer ?? "",
      },
      memo: tx.body.memo,
      msgs,
      timeoutHeight: tx.body.timeoutHeight,
    });
  }
  throw new ChainError(
    ErrNotSupported,
    `sign mode ${single.mode} is not supported; use DIRECT (1) or LEGACY_AMINO_JSON (127)`,
  );
}
