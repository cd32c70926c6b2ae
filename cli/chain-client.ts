/**
 * What the `tx` and `query` commands share: the keyring flag, turning a key name or address into an
 * address, a signing client for `--from`, and amounts parsed with errors that say how to write them.
 */
import { fromBech32 } from "@cosmjs/encoding";
import type { Coin } from "@cosmjs/amino";
import type { OfflineSigner } from "@cosmjs/proto-signing";
import type { StargateClient, SigningStargateClient } from "@cosmjs/stargate";
import type { Command, Option } from "commander";
import { createKeyring, KeyringError, type KeyringBackend } from "../client/keyring.js";
import { parseCoin } from "../client/poq-tx.js";
import { reachNode } from "../inference/chain-query.js";
import { globalOptions } from "./global-options.js";
import { keyringBackendOption as keysBackendOption, openKeyring } from "./keys.js";
import { CliError, EXIT } from "./exit-codes.js";

/** `--keyring-backend` for commands that read keys by name (`--from`, key names for addresses). */
export const keyringBackendOption = (): Option =>
  keysBackendOption("where --from keys are kept: file (encrypted) or test");

/** Whether `text` is a `poq1...` account address. */
export function isAddress(text: string): boolean {
  try {
    return fromBech32(text).prefix === "poq";
  } catch {
    return false;
  }
}

/**
 * An account address from an address or a key name (looked up in the chosen keyring, then in the
 * other one, since reading an address needs no secret).
 *
 * @example
 * resolveAddress(cmd, "alice"); // "poq1..."
 */
export function resolveAddress(cmd: Command, nameOrAddress: string): string {
  if (isAddress(nameOrAddress)) return nameOrAddress;
  if (nameOrAddress.startsWith("poq")) {
    throw new CliError(`"${nameOrAddress}" is not a valid poq address (bad checksum or length)`, EXIT.usage);
  }
  const home = globalOptions(cmd).home;
  const chosen = cmd.optsWithGlobals<{ keyringBackend?: KeyringBackend }>().keyringBackend ?? "file";
  for (const backend of [chosen, chosen === "file" ? "test" : "file"] as const) {
    try {
      return createKeyring({ home, backend }).show(nameOrAddress).address;
    } catch (err) {
      if (!(err instanceof KeyringError)) throw err;
    }
  }
  throw new KeyringError(
    `"${nameOrAddress}" is neither a poq address nor a key in ${home} (see: poq --home ${home} keys list --keyring-backend ${chosen})`,
  );
}

/**
 * A positive amount of upoq from `1000upoq` (or `1000`, meaning upoq); a usage error that shows the
 * form otherwise. The chain has no other denom, so `10poq` is a typo to point out, not a tx to send.
 */
export function parseAmount(text: string, flag: string): Coin {
  const form = "write a whole number of the base denom, e.g. 1000upoq (1 POQ = 1000000upoq)";
  let coin: Coin;
  try {
    coin = parseCoin(text.trim());
  } catch {
    throw new CliError(`${flag}: "${text}" is not an amount; ${form}`, EXIT.usage);
  }
  if (coin.denom !== "upoq") {
    const hint = coin.denom.toLowerCase() === "poq" ? ` (${coin.amount}poq is ${coin.amount}000000upoq)` : "";
    throw new CliError(`${flag}: "${text}": the chain's only denom is upoq${hint}; ${form}`, EXIT.usage);
  }
  if (BigInt(coin.amount) === 0n) throw new CliError(`${flag}: "${text}" must be more than zero`, EXIT.usage);
  return coin;
}

/** A signing client for the key named by `--from`, and its address. */
export async function signingClientFor(
  cmd: Command,
  from: string,
): Promise<{ client: SigningStargateClient; address: string }> {
  const signer = await (await openKeyring(cmd, true)).signer(from);
  const [account] = await signer.getAccounts();
  return { client: await connectSigner(cmd, signer), address: account!.address };
}

/**
 * A signing client for an already opened signer, on `--node`; fails when the node runs another chain
 * than an explicit `--chain-id`.
 */
export async function connectSigner(cmd: Command, signer: OfflineSigner): Promise<SigningStargateClient> {
  const rpc = globalOptions(cmd).node;
  // Loaded here, not at the top: CosmJS's clients are most of a call's start-up, and only calls that
  // sign or read bank/auth state need them (poq queries are plain ABCI JSON queries).
  const { createPoqSigningClient } = await import("../client/signing-client.js");
  const client = await reachNode(rpc, () => createPoqSigningClient(rpc, signer));
  const chainId = await client.getChainId();
  const wanted = globalOptions(cmd).chainId;
  if (cmd.getOptionValueSourceWithGlobals("chainId") !== "default" && chainId !== wanted) {
    client.disconnect();
    throw new CliError(`the node at ${rpc} runs chain ${chainId}, not ${wanted} (--chain-id)`, EXIT.usage);
  }
  return client;
}

/** Model ids from a comma-separated flag value; a usage error when there are none. */
export function parseModelList(text: string, flag: string): string[] {
  const models = text
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  if (models.length === 0) throw new CliError(`${flag} needs at least one model id`, EXIT.usage);
  return models;
}

/** A read-only client for bank and auth queries. */
export async function queryClientFor(cmd: Command): Promise<StargateClient> {
  const rpc = globalOptions(cmd).node;
  const { StargateClient } = await import("@cosmjs/stargate");
  return reachNode(rpc, () => StargateClient.connect(rpc));
}
