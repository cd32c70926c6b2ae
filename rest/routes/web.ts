/**
 * The web page at `/`: static HTML and CSS from rest/static/, and the page script compiled by tsc
 * from rest/web/ (so nothing comes from a CDN and the page is built from the repository).
 */
import { readFile } from "node:fs/promises";
import type { FastifyPluginAsync } from "fastify";
import { RestError } from "../errors.js";

/** Files served, by URL: where each lies relative to this compiled file (dist/rest/routes/). */
const ASSETS: Record<string, { file: URL; type: string }> = {
  "/": {
    file: new URL("../../../rest/static/index.html", import.meta.url),
    type: "text/html; charset=utf-8",
  },
  "/static/style.css": {
    file: new URL("../../../rest/static/style.css", import.meta.url),
    type: "text/css; charset=utf-8",
  },
  "/static/page.js": {
    file: new URL("../web/page.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "/static/tx-encoding.js": {
    file: new URL("../web/tx-encoding.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
};

export const webRoutes: FastifyPluginAsync = async (app) => {
  for (const [url, asset] of Object.entries(ASSETS)) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      let body: Buffer;
      try {
        body = await readFile(asset.file);
      } catch (cause) {
        throw new RestError("NotFound", `${url} is not built (run npm run build)`, cause);
      }
      return reply.type(asset.type).header("cache-control", "no-cache").send(body);
    });
  }
};
