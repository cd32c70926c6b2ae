import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { getTomlString, setTomlValues } from "./comet-config.js";
import { applyGenesisPatch, type CometGenesis } from "./comet-genesis.js";
import { portsFor } from "./comet-home.js";

const config = [
  "# top",
  'proxy_app = "tcp://127.0.0.1:26658"',
  'moniker = "x"',
  "[rpc]",
  'laddr = "tcp://127.0.0.1:26657"',
  'grpc_laddr = ""',
  "cors_allowed_origins = []",
  "[p2p]",
  'laddr = "tcp://0.0.0.0:26656"',
  "allow_duplicate_ip = false",
  "[consensus]",
  'timeout_commit = "1s"',
].join("\n");

describe("config.toml editing", () => {
  it("sets keys per section and keeps everything else", () => {
    const out = setTomlValues(config, {
      proxy_app: "unix:///tmp/a.sock",
      "rpc.laddr": "tcp://127.0.0.1:27001",
      "rpc.cors_allowed_origins": ["*"],
      "p2p.laddr": "tcp://127.0.0.1:27000",
      "p2p.allow_duplicate_ip": true,
      "consensus.timeout_commit": "100ms",
    });
    assert.equal(getTomlString(out, "proxy_app"), "unix:///tmp/a.sock");
    assert.equal(getTomlString(out, "rpc.laddr"), "tcp://127.0.0.1:27001");
    assert.equal(getTomlString(out, "p2p.laddr"), "tcp://127.0.0.1:27000");
    assert.equal(getTomlString(out, "rpc.grpc_laddr"), "", "a key ending like another is untouched");
    assert.match(out, /^cors_allowed_origins = \["\*"\]$/m);
    assert.match(out, /^allow_duplicate_ip = true$/m);
    assert.match(out, /^# top$/m);
    assert.equal(out.split("\n").length, config.split("\n").length);
  });

  it("refuses keys the file does not have", () => {
    assert.throws(
      () => setTomlValues(config, { "rpc.nope": 1, "consensus.laddr": "x" }),
      /rpc\.nope, consensus\.laddr/,
    );
  });
});

describe("genesis and ports", () => {
  it("patches chain id, time, vote extensions and app_state without touching the input", () => {
    const genesis = {
      genesis_time: "2020-01-01T00:00:00Z",
      chain_id: "chain-x",
      initial_height: "0",
      consensus_params: {
        block: { max_bytes: "22020096", max_gas: "-1" },
        evidence: {},
        validator: { pub_key_types: ["ed25519"] },
        version: { app: "0" },
        abci: { vote_extensions_enable_height: "0" },
      },
      validators: [],
      app_hash: "",
    } satisfies CometGenesis;
    const out = applyGenesisPatch(genesis, {
      chainId: "poq-test-1",
      genesisTime: new Date(Date.UTC(2024, 0, 2)),
      voteExtensionsEnableHeight: 1n,
      block: { maxGas: 10_000_000 },
      appState: { bank: { balances: [] } },
    });
    assert.equal(out.chain_id, "poq-test-1");
    assert.equal(out.genesis_time, "2024-01-02T00:00:00.000Z");
    assert.equal(out.consensus_params.abci.vote_extensions_enable_height, "1");
    assert.equal(out.consensus_params.block.max_gas, "10000000");
    assert.equal(out.consensus_params.block.max_bytes, "22020096");
    assert.deepEqual(out.app_state, { bank: { balances: [] } });
    assert.equal(genesis.chain_id, "chain-x");
  });

  it("lays out ten ports per node with CometBFT's defaults for node 0", () => {
    assert.deepEqual(portsFor(26656, 0), { p2p: 26656, rpc: 26657, abci: 26658 });
    assert.deepEqual(portsFor(27010, 1), { p2p: 27020, rpc: 27021, abci: 27022 });
  });
});
