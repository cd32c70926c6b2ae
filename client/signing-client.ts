/**
 * A CosmJS SigningStargateClient that knows the PoQ messages.
 */
import type { OfflineSigner } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, type SigningStargateClientOptions } from "@cosmjs/stargate";
import { createPoqAminoTypes, createPoqRegistry } from "./registry.js";

/** The chain's minimum gas price (auth params); fees at or above it are accepted. */
export const DEFAULT_GAS_PRICE = "0.025upoq";

/** Options for {@link createPoqSigningClient}: any CosmJS option, plus the gas price as text. */
export interface PoqSigningClientOptions extends Omit<SigningStargateClientOptions, "gasPrice"> {
  /** e.g. "0.025upoq"; used when a helper is called with `fee: "auto"` (the default). */
  gasPrice?: string;
}

/**
 * Connects a signing client to a node's CometBFT RPC with the PoQ messages and amino converters
 * registered (a direct signer signs SIGN_MODE_DIRECT; an amino-only signer, such as a Ledger through
 * Keplr, signs SIGN_MODE_LEGACY_AMINO_JSON).
 *
 * @example
 * const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "poq" });
 * const client = await createPoqSigningClient("http://127.0.0.1:26657", wallet);
 * const [account] = await wallet.getAccounts();
 * const { requestId } = await requestInference(client, account.address, { model: "llama-3-8b-instruct", prompt: "Hi", fee: "1000" });
 */
export async function createPoqSigningClient(
  rpcUrl: string,
  signer: OfflineSigner,
  opts: PoqSigningClientOptions = {},
): Promise<SigningStargateClient> {
  const { gasPrice, ...rest } = opts;
  return SigningStargateClient.connectWithSigner(rpcUrl, signer, {
    registry: createPoqRegistry(),
    aminoTypes: createPoqAminoTypes(),
    gasPrice: GasPrice.fromString(gasPrice ?? DEFAULT_GAS_PRICE),
    ...rest,
  });
}
