/**
 * @module Swagger UI at `/swagger` and the OpenAPI document at `/openapi.json`, generated from the
 * route schemas. The UI assets are embedded in the binary and served locally, so the page makes
 * zero requests off the machine (the plugin's default is a CDN, which leaves the page blank offline).
 */
import { Elysia } from "elysia";
import { openapi } from "@elysiajs/openapi";
import swaggerJs from "../../node_modules/swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import swaggerCss from "../../node_modules/swagger-ui-dist/swagger-ui.css" with { type: "file" };

const ASSETS = "/swagger/assets";

/** The docs plugin; `version` is shown in the document's `info`. */
export function docs(version: string) {
  return new Elysia({ name: "docs" })
    .use(
      openapi({
        path: "/swagger",
        specPath: "/openapi.json",
        provider: "swagger-ui",
        documentation: {
          info: {
            title: "1Backend on Bun",
            version,
            description:
              "Accounts, a service registry and a reverse proxy for microservices; wire-compatible with the 1Backend API. " +
              "Errors are `{error, code}`. Send tokens as `Authorization: Bearer <jwt>` (a bare token also works).",
          },
          components: { securitySchemes: { BearerAuth: { type: "apiKey", in: "header", name: "Authorization" } } },
        },
        swagger: { cdn: `${ASSETS}/swagger-ui-bundle.js`, theme: `${ASSETS}/swagger-ui.css`, validatorUrl: null } as never,
        exclude: { paths: [/^\/swagger/] },
      }),
    )
    .get(`${ASSETS}/swagger-ui-bundle.js`, () => asset(swaggerJs, "text/javascript; charset=utf-8"), { detail: { hide: true } })
    .get(`${ASSETS}/swagger-ui.css`, () => asset(swaggerCss, "text/css; charset=utf-8"), { detail: { hide: true } });
}

function asset(path: string, type: string): Response {
  return new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
