/**
 * CometBFT process management: find the pinned binary, create node homes (one validator or a local
 * network), edit config and genesis, run nodes and wait for heights.
 */
export * from "./comet-binary.js";
export * from "./comet-config.js";
export * from "./comet-genesis.js";
export * from "./comet-home.js";
export * from "./comet-process.js";
