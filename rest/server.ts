/**
 * The REST server: the Cosmos gateway subset, the PoQ routes, wallet info, OpenAPI docs and the
 * web page, reading the chain through one node's CometBFT RPC. {@link buildServer} is separate
 * from {@link startRestServer} so tests drive it with `inject()`.
 */
import { readFileSync } from "node:fs";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from "fastify";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { createBlockCachedReader } from "./block-cache.js";
import { createRpcChainReader, type ChainReader } from "./chain-reader.js";
import { errorBodySchema, RestError, type RestErrorName } from "./errors.js";
import { restFormats } from "./schemas.js";
import { cosmosAuthRoutes } from "./routes/cosmos-auth.js";
import { cosmosBankRoutes } from "./routes/cosmos-bank.js";
import { cosmosGovRoutes } from "./routes/cosmos-gov.js";
import { cosmosDistributionRoutes } from "./routes/cosmos-distribution.js";
import { cosmosStakingRoutes } from "./routes/cosmos-staking.js";
import { cosmosStakingAccountRoutes } from "./routes/cosmos-staking-accounts.js";
import { cosmosTendermintRoutes } from "./routes/cosmos-tendermint.js";
import { cosmosTxRoutes } from "./routes/cosmos-tx.js";
import { registerPoqAnyJson } from "./poq-messages-json.js";
import { poqRoutes } from "./routes/poq.js";
import { walletRoutes } from "./routes/wallet.js";
import { webRoutes } from "./routes/web.js";

/** Options for {@link buildServer}. */
export interface BuildServerOptions {
  /** The node's CometBFT RPC URL, e.g. `http://127.0.0.1:26657`. */
  rpcUrl: string;
  /** Reads the chain; default: CometBFT JSON-RPC at `rpcUrl`, with the per-block query cache. */
  reader?: ChainReader;
  /** Reuse ABCI query answers until the next block (block-cache.ts). Default true; ignored with `reader`. */
  blockCache?: boolean;
  /** Allowed browser origins (`["*"]` for any), or false for no CORS headers. Default `["*"]`. */
  cors?: { origins: string[] } | false;
  /** Requests per client IP per window, or false for none. Default 600 per second. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** Pino logger options (structured JSON logs), true for defaults, false for none. Default false. */
  logger?: FastifyServerOptions["logger"];
  /** RPC URL handed to wallets in the Keplr ChainInfo; default `rpcUrl`. */
  publicRpcUrl?: string;
  /** REST URL handed to wallets; default from the request's Host header. */
  publicRestUrl?: string;
}

const packageVersion = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
};

/** Maps Fastify's own errors (validation, body parsing, limits) onto the catalogue. */
function catalogueName(err: FastifyError): RestErrorName {
  if (err.validation) return "InvalidArgument";
  switch (err.statusCode) {
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 413:
      return "PayloadTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 429:
      return "RateLimited";
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return "InvalidArgument";
  return "Internal";
}

/**
 * Builds the server with every route group registered; does not listen.
 *
 * @example
 * const app = await buildServer({ rpcUrl: "http://127.0.0.1:26657" });
 * const res = await app.inject({ url: "/cosmos/base/tendermint/v1beta1/node_info" });
 */
export async function buildServer(opts: BuildServerOptions): Promise<FastifyInstance> {
  registerPoqAnyJson();
  const version = packageVersion();
  let reader = opts.reader;
  let closeReader = (): void => {};
  if (!reader) {
    const rpc = createRpcChainReader({ rpcUrl: opts.rpcUrl });
    if (opts.blockCache === false) reader = rpc;
    else {
      const cached = await createBlockCachedReader(rpc);
      reader = cached;
      closeReader = () => cached.close();
    }
  }
  const app = Fastify({
    logger: opts.logger ?? false,
    // Query keys like `pagination.limit` stay flat; coercion turns "10" into 10 for integer schemas.
    ajv: {
      customOptions: { coerceTypes: "array", removeAdditional: true, allErrors: false },
      // Checks the schemas name by format (bech32 checksums), so the document says all the server checks.
      plugins: [
        <A extends { addFormat(name: string, f: (s: string) => boolean): unknown }>(ajv: A): A => {
          for (const [name, f] of Object.entries(restFormats)) ajv.addFormat(name, f);
          return ajv;
        },
      ],
    },
    bodyLimit: 64 * 1024,
    // Long path parameters reach the schema (400 with the reason) instead of a bare 414 from the router.
    routerOptions: { maxParamLength: 8192 },
  });
  app.addSchema(errorBodySchema);
  app.addHook("onClose", async () => closeReader());

  app.setErrorHandler((err: FastifyError | RestError, req, reply) => {
    const restError =
      err instanceof RestError ? err : new RestError(catalogueName(err), err.message || "error", err);
    if (restError.kind.http >= 500) req.log.error({ err }, "request failed");
    void reply.status(restError.kind.http).send(restError.body());
  });

  if (opts.cors !== false) {
    const origins = opts.cors?.origins ?? ["*"];
    await app.register(cors, { origin: origins.includes("*") ? "*" : origins, methods: ["GET", "POST"] });
  }
  if (opts.rateLimit !== false) {
    const limit = opts.rateLimit ?? { max: 600, timeWindowMs: 1000 };
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      errorResponseBuilder: (_req, ctx) =>
        new RestError("RateLimited", `rate limit exceeded: ${ctx.max} requests per ${ctx.after}`),
    });
  }

  // Every route's path as a pattern, so that a known path with another method is told apart (405).
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook("onRoute", (route) => {
    const methods = ([] as string[]).concat(route.method);
    const source = route.url
      .split("/")
      .map((part) =>
        part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    routes.push({ pattern: new RegExp(`^${source}$`), methods });
  });

  // Unknown routes count against the rate limit too, so probing them is not free.
  app.setNotFoundHandler(opts.rateLimit === false ? {} : { preHandler: app.rateLimit() }, (req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
    if (allowed.length > 0) {
      const e = new RestError(
        "MethodNotAllowed",
        `${req.method} is not allowed on ${path}; use ${allowed.join(", ")}`,
      );
      void reply.status(405).header("allow", allowed.join(", ")).send(e.body());
      return;
    }
    const e = new RestError("NotFound", `no route ${req.method} ${path}`);
    void reply.status(404).send(e.body());
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "PoQ chain REST API",
        description: "Cosmos gateway subset, Proof-of-Quality inference requests, wallet info",
        version,
      },
      tags: [
        { name: "cosmos", description: "Cosmos SDK gateway-compatible routes" },
        { name: "poq", description: "Proof-of-Quality requests, nodes and validators" },
        { name: "wallet", description: "Wallet support" },
      ],
    },
    refResolver: {
      buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });

  const routeOpts = { reader };
  await app.register(cosmosAuthRoutes, routeOpts);
  await app.register(cosmosBankRoutes, routeOpts);
  await app.register(cosmosTxRoutes, routeOpts);
  await app.register(cosmosTendermintRoutes, { ...routeOpts, appVersion: version });
  await app.register(cosmosStakingRoutes, routeOpts);
  await app.register(cosmosStakingAccountRoutes, routeOpts);
  await app.register(cosmosGovRoutes, routeOpts);
  await app.register(cosmosDistributionRoutes, routeOpts);
  await app.register(poqRoutes, routeOpts);
  await app.register(walletRoutes, {
    ...routeOpts,
    publicRpcUrl: opts.publicRpcUrl ?? opts.rpcUrl,
    ...(opts.publicRestUrl !== undefined ? { publicRestUrl: opts.publicRestUrl } : {}),
  });
  await app.register(webRoutes);

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: "/docs" });
  return app;
}

/** Options for {@link startRestServer}: {@link BuildServerOptions} plus where to listen. */
export interface StartRestServerOptions extends BuildServerOptions {
  /** `host:port`, default `127.0.0.1:1317`. */
  listen?: string;
}

/**
 * Builds the server and listens.
 *
 * @example
 * const rest = await startRestServer({ rpcUrl: "http://127.0.0.1:26657", listen: "127.0.0.1:1317" });
 * console.log(rest.url);
 * await rest.close();
 */
export async function startRestServer(
  opts: StartRestServerOptions,
): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const [host, portText] = splitHostPort(opts.listen ?? "127.0.0.1:1317");
  const app = await buildServer(opts);
  await app.listen({ host, port: portText });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : portText;
  return { app, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, close: () => app.close() };
}

function splitHostPort(listen: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(listen.replace(/^https?:\/\//, ""));
  if (!m || m[1] === undefined || m[2] === undefined)
    throw new RangeError(`--listen must be host:port, got ${listen}`);
  return [m[1] || "127.0.0.1", Number(m[2])];
}
