/**
 * The Keplr `ChainInfo` for this chain (what `window.keplr.experimentalSuggestChain` takes).
 */

/** Options for {@link keplrChainInfo}. */
export interface KeplrChainInfoParams {
  chainId: string;
  /** Public CometBFT RPC URL the wallet will use. */
  rpc: string;
  /** Public REST URL (this server). */
  rest: string;
  /** Gas prices in upoq per gas for the wallet's low/average/high fee choices. */
  gasPriceStep?: { low: number; average: number; high: number };
}

/** Keplr's ChainInfo, with the fields this chain sets. */
export interface KeplrChainInfo {
  chainId: string;
  chainName: string;
  rpc: string;
  rest: string;
  bip44: { coinType: number };
  bech32Config: {
    bech32PrefixAccAddr: string;
    bech32PrefixAccPub: string;
    bech32PrefixValAddr: string;
    bech32PrefixValPub: string;
    bech32PrefixConsAddr: string;
    bech32PrefixConsPub: string;
  };
  currencies: { coinDenom: string; coinMinimalDenom: string; coinDecimals: number }[];
  feeCurrencies: {
    coinDenom: string;
    coinMinimalDenom: string;
    coinDecimals: number;
    gasPriceStep: { low: number; average: number; high: number };
  }[];
  stakeCurrency: { coinDenom: string; coinMinimalDenom: string; coinDecimals: number };
  features: string[];
}

/** The chain's minimum gas price is 0.025 upoq (auth params); wallets offer it and two steps above. */
const DEFAULT_GAS_PRICE_STEP = { low: 0.025, average: 0.03, high: 0.04 } as const;

const POQ = { coinDenom: "POQ", coinMinimalDenom: "upoq", coinDecimals: 6 } as const;

/**
 * Builds the ChainInfo: coin type 118, the six `poq` bech32 prefixes, POQ (6 decimals) as stake,
 * fee and only currency.
 *
 * @example
 * const info = keplrChainInfo({ chainId: "poq-devnet-1", rpc: "http://127.0.0.1:26657", rest: "http://127.0.0.1:1317" });
 * await window.keplr.experimentalSuggestChain(info);
 */
export function keplrChainInfo(p: KeplrChainInfoParams): KeplrChainInfo {
  const name = `PoQ ${p.chainId}`;
  return {
    chainId: p.chainId,
    chainName: name.length <= 36 ? name : name.slice(0, 36),
    rpc: p.rpc,
    rest: p.rest,
    bip44: { coinType: 118 },
    bech32Config: {
      bech32PrefixAccAddr: "poq",
      bech32PrefixAccPub: "poqpub",
      bech32PrefixValAddr: "poqvaloper",
      bech32PrefixValPub: "poqvaloperpub",
      bech32PrefixConsAddr: "poqvalcons",
      bech32PrefixConsPub: "poqvalconspub",
    },
    currencies: [{ ...POQ }],
    feeCurrencies: [{ ...POQ, gasPriceStep: { ...(p.gasPriceStep ?? DEFAULT_GAS_PRICE_STEP) } }],
    stakeCurrency: { ...POQ },
    features: [],
  };
}
