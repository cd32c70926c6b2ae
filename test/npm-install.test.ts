/**
 * The install never downloads onnxruntime-node's CUDA libraries and npm prints no config warning:
 * the set-up's `npm ci` runs with ONNXRUNTIME_NODE_INSTALL=skip (scripts/npm-env.mjs) instead of an
 * .npmrc key that npm does not know. The install script is run here as npm runs it, with every HTTP(S)
 * request sent to a loopback proxy that records what it is asked and answers nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.cwd();
const INSTALL = join(root, "node_modules", "onnxruntime-node", "script", "install.js");

/**
 * The environment npm gives a dependency's install script during `npm ci` in this project, without
 * anything that already tells onnxruntime-node what to do (`npm test` itself runs under npm, whose
 * variables would make the script take itself for a local build and stop early).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(onnxruntime_node_install|npm_)/i.test(k)) delete env[k];
  env["npm_config_local_prefix"] = root;
  env["npm_package_json"] = join(root, "node_modules", "onnxruntime-node", "package.json");
  return env;
}

/**
 * Runs the install script with every request going to `proxy`; resolves with its exit code. Without
 * skip the script waits on the proxy, which never answers: it is stopped once `asked` is not empty.
 */
function runInstall(env: NodeJS.ProcessEnv, proxy: string, asked: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [INSTALL], {
      cwd: join(root, "node_modules", "onnxruntime-node"),
      env: { ...env, GLOBAL_AGENT_HTTP_PROXY: proxy, GLOBAL_AGENT_HTTPS_PROXY: proxy },
      stdio: "ignore",
    });
    const poll = setInterval(() => {
      if (asked.length > 0) child.kill("SIGKILL");
    }, 50);
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("npm install of onnxruntime-node", () => {
  let proxy: Server;
  let proxyUrl = "";
  const asked: string[] = [];

  before(async () => {
    proxy = createServer((req) => asked.push(`${req.method} ${req.url}`));
    // HTTPS through a proxy starts with CONNECT; record it and leave the socket hanging.
    proxy.on("connect", (req) => asked.push(`CONNECT ${req.url}`));
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const addr = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  after(() => {
    proxy.closeAllConnections();
    proxy.close();
  });

  it("with the set-up's environment the install script asks the network for nothing", async () => {
    const { npmCiEnv } = (await import(pathToFileURL(join(root, "scripts", "npm-env.mjs")).href)) as {
      npmCiEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
    };
    asked.length = 0;
    assert.equal(await runInstall(npmCiEnv(cleanEnv()), proxyUrl, asked), 0);
    assert.deepEqual(asked, []);
  });

  it("without it the script does go to the network (so the check above can fail)", async () => {
    asked.length = 0;
    await runInstall(cleanEnv(), proxyUrl, asked);
    assert.ok(asked.length > 0, "the install script made no request without ONNXRUNTIME_NODE_INSTALL");
  });

  it("npm knows every key of the project's .npmrc (no 'Unknown project config' warning)", () => {
    const npmrc = join(root, ".npmrc");
    if (existsSync(npmrc)) assert.doesNotMatch(readFileSync(npmrc, "utf8"), /onnxruntime/);
    const r = spawnSync("npm", ["config", "get", "fund"], { cwd: root, encoding: "utf8", env: cleanEnv() });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Unknown (project|user|env|cli) config/);
  });

  it("the set-up's npm ci and the Docker image's use that environment", () => {
    assert.match(readFileSync(join(root, "scripts", "setup.mjs"), "utf8"), /env: npmCiEnv\(\)/);
    assert.match(
      readFileSync(join(root, "Dockerfile"), "utf8"),
      /ENV ONNXRUNTIME_NODE_INSTALL=skip\s+RUN npm ci/,
    );
  });
});
