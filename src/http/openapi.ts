/**
 * @module Swagger UI at `/swagger` (and `/swagger/`) and the OpenAPI document at `/openapi.json`,
 * generated from the route schemas (openapi-document.ts). The UI assets are embedded in the binary and
 * served locally, so the page makes zero requests off the machine (the plugin's default is a CDN, which
 * leaves the page blank offline). The document is built on first use, once every route is registered.
 */
import { Elysia } from "elysia";
import swaggerJs from "../../node_modules/swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import swaggerCss from "../../node_modules/swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { globalRoutes, openApiDocument } from "./openapi-document";
import { SWAGGER_ASSETS, swaggerPage } from "./swagger-page";

const HIDDEN = { detail: { hide: true } };

/** The docs plugin; `version` is shown in the document's `info`. */
export function docs(version: string) {
  const plugin = new Elysia({ name: "docs" });
  // Rebuilt only if routes were added after the first request (tests); a server's routes are fixed.
  let built: { routes: number; json: string; page: string } | undefined;
  const current = () => {
    const routes = globalRoutes(plugin).length;
    if (built?.routes !== routes) {
      const json = JSON.stringify(openApiDocument(plugin, version));
      built = { routes, json, page: swaggerPage("1Backend on Bun", json) };
    }
    return built;
  };
  return plugin
    .get("/openapi.json", () => new Response(current().json, { headers: { "content-type": "application/json; charset=utf-8" } }), HIDDEN)
    .get("/swagger", () => new Response(current().page, { headers: { "content-type": "text/html; charset=utf-8" } }), HIDDEN)
    .get(`${SWAGGER_ASSETS}/swagger-ui-bundle.js`, () => asset(swaggerJs, "text/javascript; charset=utf-8"), HIDDEN)
    .get(`${SWAGGER_ASSETS}/swagger-ui.css`, () => asset(swaggerCss, "text/css; charset=utf-8"), HIDDEN);
}

function asset(path: string, type: string): Response {
  return new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
