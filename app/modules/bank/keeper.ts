/**
 * The bank keeper: balances, supply, transfers between accounts and module accounts, minting and
 * burning. Other modules (fees in the ante handler, the PoQ escrow) get this interface; queries
 * get the read-only {@link BankView}.
 */
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { ChainError } from "../../errors.js";
import { ErrInsufficientFunds, ErrUnauthorized, ErrUnknownAddress } from "../../sdk-errors.js";
import type { Context } from "../../types.js";
import { formatAccountAddress, parseAccountAddress } from "../auth/address.js";
import type { AccountKeeper, StoreContext } from "../auth/keeper.js";
import { type Coin, parseAmount, validatePositiveCoins } from "./coins.js";
import {
  burnEvent,
  coinReceivedEvent,
  coinSpentEvent,
  coinbaseEvent,
  messageSenderEvent,
  transferEvent,
} from "./events.js";
import {
  balanceKey,
  balancesOfPrefix,
  balancesPrefix,
  denomAfter,
  denomMetadataKey,
  denomMetadataPrefix,
  paramsKey,
  splitBalanceKey,
  supplyKey,
  supplyPrefix,
} from "./keys.js";
import { createLastBytesMemo } from "../../store/memo.js";
import { type BankParams, bankParamsFromJson, bankParamsToJson, defaultBankParams } from "./params.js";

/** A context that can write and emit events (any {@link Context} qualifies). */
export type EventContext = Pick<Context, "store" | "emitEvent">;

export interface BankView {
  /** The balance of one denom; amount 0n when there is none. */
  getBalance(ctx: StoreContext, address: string, denom: string): Coin;
  /** All non-zero balances, sorted by denom. */
  getAllBalances(ctx: StoreContext, address: string): Coin[];
  getSupply(ctx: StoreContext, denom: string): Coin;
  /** Total supply of every denom, sorted by denom. */
  getAllSupply(ctx: StoreContext): Coin[];
  /** Every non-zero balance of every account, ascending by address bytes then denom. */
  allBalances(ctx: StoreContext): Iterable<{ address: string; coin: Coin }>;
  getParams(ctx: StoreContext): BankParams;
  isSendEnabled(ctx: StoreContext, denom: string): boolean;
  getDenomMetadata(ctx: StoreContext, denom: string): Metadata | undefined;
  allDenomMetadata(ctx: StoreContext): Metadata[];
}

export interface BankKeeper extends BankView {
  /** Moves coins; creates the recipient's account on first receipt. Throws ErrInsufficientFunds (sdk 5). */
  sendCoins(ctx: EventContext, from: string, to: string, coins: readonly Coin[]): void;
  sendCoinsFromAccountToModule(ctx: EventContext, from: string, module: string, coins: readonly Coin[]): void;
  sendCoinsFromModuleToAccount(ctx: EventContext, module: string, to: string, coins: readonly Coin[]): void;
  sendCoinsFromModuleToModule(ctx: EventContext, from: string, to: string, coins: readonly Coin[]): void;
  /** Creates coins in a module account with the `minter` permission (genesis and faucets). */
  mintCoins(ctx: EventContext, module: string, coins: readonly Coin[]): void;
  /** Destroys coins held by a module account with the `burner` permission (slashing). */
  burnCoins(ctx: EventContext, module: string, coins: readonly Coin[]): void;
  setParams(ctx: StoreContext, params: BankParams): void;
  setDenomMetadata(ctx: StoreContext, metadata: Metadata): void;
  /** Genesis only: writes a balance and does not touch supply (genesis sets supply itself). */
  setBalance(ctx: StoreContext, address: string, coin: Coin): void;
  /** Genesis only. */
  setSupply(ctx: StoreContext, coin: Coin): void;
}

export interface CreateBankKeeperOptions {
  accounts: AccountKeeper;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Creates the bank keeper on top of the auth keeper.
 *
 * @example
 * const bank = createBankKeeper({ accounts });
 * bank.sendCoinsFromAccountToModule(ctx, "poq1...", "poq", [{ denom: "upoq", amount: 1000n }]);
 */
export function createBankKeeper(opts: CreateBankKeeperOptions): BankKeeper {
  const { accounts } = opts;

  const readAmount = (raw: Uint8Array | undefined): bigint =>
    raw ? parseAmount(dec.decode(raw), "stored") : 0n;

  const getBalance = (ctx: StoreContext, address: string, denom: string): Coin => ({
    denom,
    amount: readAmount(ctx.store.get(balanceKey(parseAccountAddress(address), denom))),
  });

  const writeBalance = (ctx: StoreContext, addr: Uint8Array, denom: string, amount: bigint): void => {
    // Zero balances are deleted so that iteration and export list only what exists.
    if (amount === 0n) ctx.store.delete(balanceKey(addr, denom));
    else ctx.store.set(balanceKey(addr, denom), enc.encode(amount.toString()));
  };

  const getSupply = (ctx: StoreContext, denom: string): Coin => ({
    denom,
    amount: readAmount(ctx.store.get(supplyKey(denom))),
  });
  const writeSupply = (ctx: StoreContext, coin: Coin): void => {
    if (coin.amount === 0n) ctx.store.delete(supplyKey(coin.denom));
    else ctx.store.set(supplyKey(coin.denom), enc.encode(coin.amount.toString()));
  };

  /** Checks every denom first, so a failure leaves nothing half-subtracted. */
  const subtract = (ctx: EventContext, address: string, coins: readonly Coin[]): void => {
    const addr = parseAccountAddress(address);
    const next: Coin[] = [];
    for (const coin of coins) {
      const have = getBalance(ctx, address, coin.denom).amount;
      if (have < coin.amount) {
        throw new ChainError(
          ErrInsufficientFunds,
          `spendable balance ${have}${coin.denom} is smaller than ${coin.amount}${coin.denom}`,
        );
      }
      next.push({ denom: coin.denom, amount: have - coin.amount });
    }
    for (const c of next) writeBalance(ctx, addr, c.denom, c.amount);
    ctx.emitEvent(coinSpentEvent(address, coins));
  };

  const add = (ctx: EventContext, address: string, coins: readonly Coin[]): void => {
    const addr = parseAccountAddress(address);
    for (const coin of coins) {
      writeBalance(ctx, addr, coin.denom, getBalance(ctx, address, coin.denom).amount + coin.amount);
    }
    ctx.emitEvent(coinReceivedEvent(address, coins));
  };

  const sendCoins = (ctx: EventContext, from: string, to: string, coins: readonly Coin[]): void => {
    validatePositiveCoins(coins, "amount");
    const fromAddr = formatAccountAddress(parseAccountAddress(from, "from_address"));
    const toAddr = formatAccountAddress(parseAccountAddress(to, "to_address"));
    subtract(ctx, fromAddr, coins);
    add(ctx, toAddr, coins);
    ctx.emitEvent(transferEvent(fromAddr, toAddr, coins));
    ctx.emitEvent(messageSenderEvent(fromAddr));
    // Accounts come into being when they first receive coins, as in the SDK.
    accounts.ensureAccount(ctx, toAddr);
  };

  // Read (and charged) on every send; decoded again only when the stored bytes change.
  const decodeParams = createLastBytesMemo((raw) => bankParamsFromJson(JSON.parse(dec.decode(raw))));
  const getParams = (ctx: StoreContext): BankParams => {
    const raw = ctx.store.get(paramsKey());
    return raw ? decodeParams(raw) : defaultBankParams();
  };

  /** The address of a registered module; the account itself is made (or promoted) after a transfer succeeds, so a failed one writes nothing. */
  const registeredModuleAddress = (module: string): string => {
    const address = accounts.moduleAddress(module);
    if (accounts.moduleNameOf(address) !== module) {
      throw new ChainError(ErrUnknownAddress, `module account ${module} is not registered`);
    }
    return address;
  };

  const moduleWithPermission = (ctx: StoreContext, module: string, permission: string): string => {
    const account = accounts.ensureModuleAccount(ctx, module);
    if (!account.module?.permissions.includes(permission)) {
      throw new ChainError(
        ErrUnauthorized,
        `module account ${module} does not have permissions to ${permission === "minter" ? "mint" : "burn"} tokens`,
      );
    }
    return account.address;
  };

  return {
    getBalance,
    getAllBalances(ctx, address) {
      const prefix = balancesOfPrefix(parseAccountAddress(address));
      const out: Coin[] = [];
      for (const [k, v] of ctx.store.iterate(prefix))
        out.push({ denom: denomAfter(prefix, k), amount: readAmount(v) });
      return out;
    },
    getSupply,
    getAllSupply(ctx) {
      const prefix = supplyPrefix();
      const out: Coin[] = [];
      for (const [k, v] of ctx.store.iterate(prefix))
        out.push({ denom: denomAfter(prefix, k), amount: readAmount(v) });
      return out;
    },
    *allBalances(ctx) {
      for (const [k, v] of ctx.store.iterate(balancesPrefix())) {
        const { address, denom } = splitBalanceKey(k);
        yield { address: formatAccountAddress(address), coin: { denom, amount: readAmount(v) } };
      }
    },
    getParams,
    isSendEnabled(ctx, denom) {
      const params = getParams(ctx);
      return params.sendEnabled.find((s) => s.denom === denom)?.enabled ?? params.defaultSendEnabled;
    },
    getDenomMetadata(ctx, denom) {
      const raw = ctx.store.get(denomMetadataKey(denom));
      return raw ? Metadata.decode(raw) : undefined;
    },
    allDenomMetadata(ctx) {
      return [...ctx.store.iterate(denomMetadataPrefix())].map(([, v]) => Metadata.decode(v));
    },
    sendCoins,
    sendCoinsFromAccountToModule(ctx, from, module, coins) {
      sendCoins(ctx, from, registeredModuleAddress(module), coins);
      accounts.ensureModuleAccount(ctx, module);
    },
    sendCoinsFromModuleToAccount(ctx, module, to, coins) {
      sendCoins(ctx, registeredModuleAddress(module), to, coins);
      accounts.ensureModuleAccount(ctx, module);
    },
    sendCoinsFromModuleToModule(ctx, from, to, coins) {
      sendCoins(ctx, registeredModuleAddress(from), registeredModuleAddress(to), coins);
      accounts.ensureModuleAccount(ctx, from);
      accounts.ensureModuleAccount(ctx, to);
    },
    mintCoins(ctx, module, coins) {
      validatePositiveCoins(coins, "amount");
      const address = moduleWithPermission(ctx, module, "minter");
      add(ctx, address, coins);
      for (const coin of coins)
        writeSupply(ctx, { denom: coin.denom, amount: getSupply(ctx, coin.denom).amount + coin.amount });
      ctx.emitEvent(coinbaseEvent(address, coins));
    },
    burnCoins(ctx, module, coins) {
      validatePositiveCoins(coins, "amount");
      const address = moduleWithPermission(ctx, module, "burner");
      subtract(ctx, address, coins);
      for (const coin of coins)
        writeSupply(ctx, { denom: coin.denom, amount: getSupply(ctx, coin.denom).amount - coin.amount });
      ctx.emitEvent(burnEvent(address, coins));
    },
    setParams: (ctx, params) =>
      ctx.store.set(paramsKey(), enc.encode(JSON.stringify(bankParamsToJson(params)))),
    setDenomMetadata: (ctx, metadata) =>
      ctx.store.set(denomMetadataKey(metadata.base), Metadata.encode(metadata).finish()),
    setBalance: (ctx, address, coin) =>
      writeBalance(ctx, parseAccountAddress(address), coin.denom, coin.amount),
    setSupply: writeSupply,
  };
}
