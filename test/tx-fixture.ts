/**
 * A chain in a test process for the tx, auth and bank tests: the real SQLite state store (in
 * memory), the real auth and bank modules, router and gas meter, and CosmJS wallets that sign the
 * way users' wallets do. `run` follows the base app's order (decode, ante in a checkpoint, then
 * the messages in a nested checkpoint), so that a rejection can be checked for "no state change".
 */
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { Bip39, EnglishMnemonic } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet, type EncodeObject, type OfflineSigner } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Event } from "../abci/application.js";
import { createContext, type ContextWithEvents } from "../app/context.js";
import { ChainError } from "../app/errors.js";
import { createGasMeter, createInfiniteGasMeter } from "../app/gas.js";
import { createAuthModule, type AuthModule } from "../app/modules/auth/module.js";
import { createBankModule, type BankModule } from "../app/modules/bank/module.js";
import { createRouter, type Router } from "../app/router.js";
import { createStateStore, type StateStore } from "../app/store/state.js";
import { runAnte } from "../app/tx/ante.js";
import { decodeTx } from "../app/tx/decode.js";
import { createSigVerificationCache, type SigVerificationCache } from "../app/tx/sig-cache.js";

export const TEST_CHAIN_ID = "poq-test-1";

export interface TxOutcome {
  code: number;
  codespace: string;
  log: string;
  gasUsed: bigint;
  events: Event[];
}

export interface TxFixture {
  state: StateStore;
  auth: AuthModule;
  bank: BankModule;
  router: Router;
  sigCache: SigVerificationCache;
  /** A context on the deliver state with an unlimited gas meter (for reads and set-up). */
  ctx(): ContextWithEvents;
  /** Runs a transaction the way the base app does; never throws for a bad transaction. */
  run(bytes: Uint8Array, mode?: "deliver" | "check" | "simulate"): TxOutcome;
  /** Every key and value in the deliver state, for "nothing changed" checks. */
  snapshot(): string;
}

export interface CreateTxFixtureOptions {
  /** Genesis balances, `upoq` only: address → amount. */
  balances?: Record<string, bigint>;
  blockHeight?: bigint;
}

/**
 * Creates the fixture and runs auth and bank genesis with the given balances.
 *
 * @example
 * const chain = createTxFixture({ balances: { [alice]: 1_000_000n } });
 */
export function createTxFixture(opts: CreateTxFixtureOptions = {}): TxFixture {
  const state = createStateStore({ path: ":memory:" });
  const auth = createAuthModule({ moduleAccounts: { poq: ["burner"], faucet: ["minter"] } });
  const bank = createBankModule({ accounts: auth.keeper });
  const router = createRouter([auth, bank]);
  const sigCache = createSigVerificationCache({ maxEntries: 100 });
  const height = opts.blockHeight ?? 5n;
  const ctx = (): ContextWithEvents =>
    createContext({ store: state.deliver, chainId: TEST_CHAIN_ID, blockHeight: height, blockTimeNanos: 0n });

  const genesisCtx = ctx();
  auth.initGenesis?.(genesisCtx, undefined, { chainId: TEST_CHAIN_ID, initialHeight: 1n, validators: [] });
  const balances = Object.entries(opts.balances ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([address, amount]) => ({ address, coins: [{ denom: "upoq", amount: amount.toString() }] }));
  bank.initGenesis?.(genesisCtx, { balances }, { chainId: TEST_CHAIN_ID, initialHeight: 1n, validators: [] });
  // Commit genesis as block 1, so that the check state (branched from the committed state) sees it.
  state.commit(1n);

  const run = (bytes: Uint8Array, mode: "deliver" | "check" | "simulate" = "deliver"): TxOutcome => {
    const store = mode === "check" ? state.check : state.deliver;
    // Only registered errors are results; anything else is a bug and fails the test loudly.
    const fail = (err: unknown, gasUsed: bigint): TxOutcome => {
      if (!(err instanceof ChainError)) throw err;
      // The SDK's log order: details first, then the registered description.
      const log = err.details ? `${err.details}: ${err.kind.description}` : err.kind.description;
      return { code: err.code, codespace: err.codespace, log, gasUsed, events: [] };
    };
    let tx;
    try {
      tx = decodeTx(bytes, { lookupMsg: (url) => router.msg(url)?.descriptor });
    } catch (err) {
      return fail(err, 0n);
    }
    const simulate = mode === "simulate";
    const gasMeter = simulate ? createInfiniteGasMeter() : createGasMeter(tx.authInfo.fee?.gasLimit ?? 0n);
    const events: Event[] = [];
    const base = { chainId: TEST_CHAIN_ID, blockHeight: height, blockTimeNanos: 0n, gasMeter, events };
    store.checkpoint();
    try {
      runAnte(createContext({ ...base, store, isCheck: mode !== "deliver" }), tx, {
        simulate,
        accounts: auth.keeper,
        bank: bank.keeper,
        sigCache: simulate ? undefined : sigCache,
      });
    } catch (err) {
      store.revert();
      return fail(err, gasMeter.consumed);
    }
    store.checkpoint();
    try {
      for (const msg of tx.msgs) {
        router
          .msg(msg.typeUrl)
          ?.descriptor.handler(createContext({ ...base, store, isCheck: simulate }), msg);
      }
    } catch (err) {
      store.revert();
      store.commit();
      return fail(err, gasMeter.consumed);
    }
    store.commit();
    store.commit();
    return { code: 0, codespace: "", log: "", gasUsed: gasMeter.consumed, events };
  };

  return {
    state,
    auth,
    bank,
    router,
    sigCache,
    ctx,
    run,
    snapshot() {
      const rows: string[] = [];
      for (const [k, v] of state.deliver.iterate(new Uint8Array())) {
        rows.push(`${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`);
      }
      return rows.join("\n");
    },
  };
}

/** A deterministic BIP39 mnemonic from a seed byte (tests only). */
export function testMnemonic(seed: number): string {
  return Bip39.encode(new Uint8Array(32).fill(seed)).toString();
}

/**
 * A DIRECT signer (like Keplr and CosmJS by default) and an amino-only signer (like a Ledger),
 * each with its `poq` address.
 *
 * @example
 * const { direct, amino, address, pubKey } = await testWallets(1);
 */
export async function testWallets(seed: number) {
  const mnemonic = testMnemonic(seed);
  new EnglishMnemonic(mnemonic);
  const direct = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "poq" });
  const amino = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "poq" });
  const [account] = await direct.getAccounts();
  if (!account) throw new Error("wallet has no account");
  return { direct, amino, address: account.address, pubKey: account.pubkey };
}

/** What {@link testWallets} returns: both signers of one mnemonic, its address and public key. */
export type TestWallets = Awaited<ReturnType<typeof testWallets>>;

export interface SignOptions {
  signer: OfflineSigner;
  from: string;
  messages: EncodeObject[];
  fee?: { amount: { denom: string; amount: string }[]; gas: string; payer?: string };
  memo?: string;
  accountNumber: bigint;
  sequence: number;
  chainId?: string;
  timeoutHeight?: bigint;
}

/**
 * Signs with CosmJS's offline SigningStargateClient (DIRECT or amino, chosen by the signer) and
 * returns the TxRaw bytes, exactly what a wallet would broadcast.
 *
 * @example
 * const bytes = await signTx({ signer: direct, from, messages: [send], accountNumber: 0n, sequence: 0 });
 */
export async function signTx(o: SignOptions): Promise<Uint8Array> {
  const client = await SigningStargateClient.offline(o.signer);
  const raw = await client.sign(
    o.from,
    o.messages,
    o.fee ?? { amount: [{ denom: "upoq", amount: "5000" }], gas: "200000" },
    o.memo ?? "",
    { accountNumber: o.accountNumber, sequence: o.sequence, chainId: o.chainId ?? TEST_CHAIN_ID },
    o.timeoutHeight,
  );
  return TxRaw.encode(raw).finish();
}

/**
 * A MsgSend as CosmJS encodes it.
 *
 * @example
 * sendMsg(alice, bob, "100");
 */
export function sendMsg(from: string, to: string, amount: string, denom = "upoq"): EncodeObject {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: from, toAddress: to, amount: [{ denom, amount }] },
  };
}
