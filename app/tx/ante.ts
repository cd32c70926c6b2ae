/**
 * The ante handler: everything a transaction must pass before its messages run, in the Cosmos
 * SDK's decorator order — stateless message checks, timeout, memo, size gas, fee, public keys,
 * signature count and gas, signatures with sequences, sequence increment.
 *
 * It writes to `ctx.store` (fee, sequences, public keys) and emits events as it goes. The caller
 * runs it inside a store checkpoint and reverts on any throw, so a rejected transaction changes
 * nothing; on success it commits the checkpoint before running the messages, so that the fee and
 * the sequence stay spent even when a message fails, as in the SDK.
 */
import { ChainError } from "../errors.js";
import { type Account } from "../modules/auth/account.js";
import {
  accountAddressFromPubKey,
  formatAccountAddress,
  parseAccountAddress,
} from "../modules/auth/address.js";
import { type AccountKeeper, FEE_COLLECTOR } from "../modules/auth/keeper.js";
import type { AuthParams } from "../modules/auth/params.js";
import { requiredFee } from "../modules/auth/params.js";
import { BASE_DENOM, type Coin, coinsFromProto, coinsToString } from "../modules/bank/coins.js";
import type { BankKeeper } from "../modules/bank/keeper.js";
import {
  ErrInsufficientFee,
  ErrInsufficientFunds,
  ErrInvalidCoins,
  ErrInvalidGasLimit,
  ErrInvalidPubKey,
  ErrInvalidRequest,
  ErrMemoTooLarge,
  ErrNotSupported,
  ErrTooManySignatures,
  ErrTxTimeoutHeight,
  ErrUnauthorized,
  ErrUnknownAddress,
  ErrWrongSequence,
} from "../sdk-errors.js";
import type { AnteOutcome } from "../baseapp/tx-runner.js";
import type { Context } from "../types.js";
import type { DecodedTx } from "./decode.js";
import { txAccSeqEvent, txFeeEvent, txSignatureEvent } from "./events.js";
import { type SigVerificationCache, sigCacheKey } from "./sig-cache.js";
import { signBytesFor } from "./sign-mode.js";
import { secp256k1PubKeyFromAny, verifySecp256k1 } from "./signature.js";

/**
 * Bytes a signature and its public key would add to a simulated transaction that carries empty
 * signatures: 64 (r||s) + 33 (compressed key) + the framing the SDK's estimate includes.
 */
const SIMULATED_SIGNATURE_BYTES = 109n;

const textEncoder = new TextEncoder();

export interface AnteOptions {
  /** Simulation (`/cosmos.tx.v1beta1.Service/Simulate`): empty signatures pass, no fee floor. */
  simulate: boolean;
  accounts: AccountKeeper;
  bank: BankKeeper;
  /** The node's signature cache; verified checks are recorded and skipped next time. */
  sigCache?: SigVerificationCache | undefined;
}

export interface AnteResult extends AnteOutcome {
  /** Required signers, in order of first appearance in the messages. */
  signers: string[];
  feePayer: string;
  fee: Coin[];
  gasLimit: bigint;
}

/** One signer with the account it signs for and the key that verifies it (absent only in simulation). */
interface SignerEntry {
  address: string;
  account: Account;
  pubKey: Uint8Array | undefined;
}

/**
 * Runs the ante handler on a decoded transaction; throws a {@link ChainError} (sdk codespace) for
 * every rejection. Gas is charged on `ctx.gasMeter`, which the caller creates with the
 * transaction's gas limit.
 *
 * @example
 * const tx = decodeTx(bytes, { lookupMsg });
 * const ante = runAnte(ctx, tx, { simulate: false, accounts, bank, sigCache });
 * ante.signers; // ["poq1..."]
 */
export function runAnte(ctx: Context, tx: DecodedTx, opts: AnteOptions): AnteResult {
  const { signers, msgSigners } = collectSigners(tx);
  const fee = tx.authInfo.fee;
  if (!fee) throw new ChainError(ErrInvalidRequest, "missing fee");
  const gasLimit = fee.gasLimit;
  // Before the first store read: with a zero limit, that read would already be out of gas.
  if (!opts.simulate && gasLimit === 0n)
    throw new ChainError(ErrInvalidGasLimit, "gas limit must be positive");
  const params = opts.accounts.getParams(ctx);
  if (!opts.simulate) {
    if (gasLimit > params.maxTxGas) {
      throw new ChainError(
        ErrInvalidGasLimit,
        `gas limit ${gasLimit} exceeds the maximum of ${params.maxTxGas}`,
      );
    }
  }
  const timeout = tx.body.timeoutHeight;
  if (timeout > 0n && ctx.blockHeight > timeout) {
    throw new ChainError(ErrTxTimeoutHeight, `block height: ${ctx.blockHeight}, timeout height: ${timeout}`);
  }
  const memoBytes = BigInt(textEncoder.encode(tx.body.memo).length);
  if (memoBytes > params.maxMemoCharacters) {
    throw new ChainError(
      ErrMemoTooLarge,
      `maximum number of characters is ${params.maxMemoCharacters} but received ${memoBytes} characters`,
    );
  }
  chargeTxSize(ctx, tx, params, opts.simulate);

  if (tx.authInfo.signerInfos.length !== signers.length) {
    throw new ChainError(
      ErrUnauthorized,
      `invalid number of signer; expected: ${signers.length}, got ${tx.authInfo.signerInfos.length}`,
    );
  }
  const feeCoins = coinsFromProto(fee.amount, "fee", true);
  const feePayer = deductFee(ctx, opts, params, {
    signers,
    feeCoins,
    gasLimit,
    payer: fee.payer,
    granter: fee.granter,
  });

  const entries = resolveSigners(ctx, tx, signers, opts);
  if (BigInt(tx.authInfo.signerInfos.length) > params.txSigLimit) {
    throw new ChainError(
      ErrTooManySignatures,
      `signatures: ${tx.authInfo.signerInfos.length}, limit: ${params.txSigLimit}`,
    );
  }
  for (let i = 0; i < entries.length; i++)
    ctx.gasMeter.consume(params.sigVerifyCostSecp256k1, "ante verify: secp256k1");
  verifySignatures(ctx, tx, entries, opts);

  for (const entry of entries) {
    opts.accounts.setAccount(ctx, {
      ...entry.account,
      pubKey: entry.pubKey,
      sequence: entry.account.sequence + 1n,
    });
  }
  return { signers, msgSigners, feePayer, fee: feeCoins, gasLimit };
}

/**
 * Stateless message checks, and the signer set: each message's signers, first appearance first
 * (canonical), and each message's signers as its descriptor returned them.
 */
function collectSigners(tx: DecodedTx): { signers: string[]; msgSigners: string[][] } {
  const signers: string[] = [];
  const msgSigners = tx.msgs.map((msg, i) => {
    const descriptor = tx.descriptors[i];
    if (!descriptor) throw new ChainError(ErrInvalidRequest, `no descriptor for message ${i}`);
    descriptor.validateBasic(msg.value);
    const own = descriptor.signers(msg.value);
    for (const signer of own) {
      const canonical = formatAccountAddress(parseAccountAddress(signer, "signer"));
      if (!signers.includes(canonical)) signers.push(canonical);
    }
    return own;
  });
  if (signers.length === 0) throw new ChainError(ErrInvalidRequest, "transaction has no signers");
  return { signers, msgSigners };
}

function chargeTxSize(ctx: Context, tx: DecodedTx, params: AuthParams, simulate: boolean): void {
  ctx.gasMeter.consume(BigInt(tx.size) * params.txSizeCostPerByte, "txSize");
  if (!simulate) return;
  // A simulated tx carries empty signatures; charge for the bytes the real ones will add.
  for (const sig of tx.signatures) {
    if (sig.length === 0)
      ctx.gasMeter.consume(SIMULATED_SIGNATURE_BYTES * params.txSizeCostPerByte, "txSize");
  }
}

interface FeeInput {
  signers: string[];
  feeCoins: Coin[];
  gasLimit: bigint;
  payer: string;
  granter: string;
}

/** Checks the fee against the floor and moves it to the fee collector; returns the payer. */
function deductFee(ctx: Context, opts: AnteOptions, params: AuthParams, input: FeeInput): string {
  if (input.granter !== "") throw new ChainError(ErrNotSupported, "fee grants are not supported");
  const other = input.feeCoins.find((c) => c.denom !== BASE_DENOM);
  if (other) throw new ChainError(ErrInvalidCoins, `fees are paid in ${BASE_DENOM} only, got ${other.denom}`);
  const paid = input.feeCoins.find((c) => c.denom === BASE_DENOM)?.amount ?? 0n;
  if (!opts.simulate) {
    const required = requiredFee(input.gasLimit, params.minGasPrice);
    if (paid < required) {
      throw new ChainError(
        ErrInsufficientFee,
        `insufficient fees; got: ${paid}${BASE_DENOM} required: ${required}${BASE_DENOM} (gas limit ${input.gasLimit})`,
      );
    }
  }
  let payer = input.signers[0] ?? "";
  if (input.payer !== "") {
    payer = formatAccountAddress(parseAccountAddress(input.payer, "fee payer"));
    if (!input.signers.includes(payer)) {
      throw new ChainError(ErrInvalidRequest, `fee payer ${payer} is not a signer of the transaction`);
    }
  }
  if (!opts.accounts.hasAccount(ctx, payer)) {
    throw new ChainError(ErrUnknownAddress, `fee payer address: ${payer} does not exist`);
  }
  if (paid === 0n && opts.simulate) {
    // Drafts sent to Simulate carry no fee yet, but the real tx will pay one. Move 1upoq in the
    // throw-away simulation state so the estimate includes the fee transfer's store gas;
    // without it a wallet's 1.3x gas adjustment can fall short.
    if (opts.bank.getBalance(ctx, payer, BASE_DENOM).amount > 0n) {
      opts.bank.sendCoinsFromAccountToModule(ctx, payer, FEE_COLLECTOR, [{ denom: BASE_DENOM, amount: 1n }]);
    }
  } else if (paid > 0n) {
    try {
      opts.bank.sendCoinsFromAccountToModule(ctx, payer, FEE_COLLECTOR, input.feeCoins);
    } catch (err) {
      if (err instanceof ChainError && err.kind === ErrInsufficientFunds) {
        const have = opts.bank.getBalance(ctx, payer, BASE_DENOM).amount;
        throw new ChainError(
          ErrInsufficientFunds,
          `insufficient funds to pay for fees; ${have}${BASE_DENOM} < ${paid}${BASE_DENOM}`,
          err,
        );
      }
      throw err;
    }
  }
  ctx.emitEvent(txFeeEvent(coinsToString(input.feeCoins), payer));
  return payer;
}

/** Each signer's account and the key that must verify its signature. */
function resolveSigners(ctx: Context, tx: DecodedTx, signers: string[], opts: AnteOptions): SignerEntry[] {
  return signers.map((address, i) => {
    const info = tx.authInfo.signerInfos[i];
    const account = opts.accounts.getAccount(ctx, address);
    if (!account) throw new ChainError(ErrUnknownAddress, `account ${address} does not exist`);
    let pubKey = account.pubKey;
    if (info?.publicKey) {
      const given = secp256k1PubKeyFromAny(info.publicKey);
      if (accountAddressFromPubKey(given) !== address) {
        throw new ChainError(
          ErrInvalidPubKey,
          `pubKey does not match signer address ${address} with signer index: ${i}`,
        );
      }
      pubKey ??= given;
    }
    if (!pubKey && !opts.simulate)
      throw new ChainError(ErrInvalidPubKey, `pubkey on account ${address} is not set`);
    ctx.emitEvent(txAccSeqEvent(address, info?.sequence ?? 0n));
    const sig = tx.signatures[i];
    if (sig && sig.length > 0) ctx.emitEvent(txSignatureEvent(sig));
    return { address, account, pubKey };
  });
}

function verifySignatures(ctx: Context, tx: DecodedTx, entries: SignerEntry[], opts: AnteOptions): void {
  entries.forEach((entry, i) => {
    const info = tx.authInfo.signerInfos[i];
    const sequence = info?.sequence ?? 0n;
    if (sequence !== entry.account.sequence) {
      throw new ChainError(
        ErrWrongSequence,
        `account sequence mismatch, expected ${entry.account.sequence}, got ${sequence}`,
      );
    }
  });
  if (opts.simulate) return;

  const keyed = entries.map((e) => ({
    accountNumber: e.account.accountNumber,
    pubKey: e.pubKey ?? new Uint8Array(),
  }));
  const cacheKey = opts.sigCache ? sigCacheKey(tx.hash, ctx.chainId, keyed) : undefined;
  if (cacheKey && opts.sigCache?.has(cacheKey)) return;

  entries.forEach((entry, i) => {
    const info = tx.authInfo.signerInfos[i];
    const signature = tx.signatures[i] ?? new Uint8Array();
    if (!info || !entry.pubKey)
      throw new ChainError(ErrInvalidPubKey, `no public key for signer ${entry.address}`);
    const signBytes = signBytesFor(tx, info, {
      chainId: ctx.chainId,
      accountNumber: entry.account.accountNumber,
    });
    if (!verifySecp256k1(entry.pubKey, signBytes, signature)) {
      throw new ChainError(
        ErrUnauthorized,
        `signature verification failed; please verify account number (${entry.account.accountNumber}), ` +
          `sequence (${entry.account.sequence}) and chain-id (${ctx.chainId})`,
      );
    }
  });
  if (cacheKey) opts.sigCache?.add(cacheKey);
}
