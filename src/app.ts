/**
 * @module createApp(deps): every built-in route in one Elysia app, with the one error mapping, the
 * JSON body rules and the docs. It never listens; `handler.ts` puts it behind the server.
 */
import { Elysia, t } from "elysia";
import type { Deps } from "./deps";
import { docs } from "./http/openapi";
import { readJsonBody } from "./http/json-body";
import { errorHandler } from "./http/error-handler";
import { bodyValidation, type RouteWithBody } from "./http/body-validation";
import { VERSION } from "./version";
import { consoleRoutes } from "./modules/console";

export function createApp(deps: Deps) {
  const { config } = deps;
  const bodyLimits = { bytes: config.bodyLimitBytes, values: config.jsonMaxValues };
  let routes: readonly RouteWithBody[] = [];
  // normalize "typebox": unknown fields are still dropped, but a wrong type stays a 400. Elysia's default
  // (exact-mirror) coerces a string or array into an object for record-like and all-optional object fields.
  const app = new Elysia({ name: "1backend", normalize: "typebox" })
    .use(errorHandler(deps.log, () => routes))
    // One reader for every JSON body (routes' `parse: "json"` comes after it and is never reached),
    // then the bodies' schemas checked in linear time before Elysia's own check (body-validation.ts).
    .onParse({ as: "global" }, ({ request }) => readJsonBody(request, bodyLimits))
    .use(bodyValidation(() => routes))
    .use(docs(VERSION))
    .get("/health", () => ({ status: "ok" as const, version: VERSION }), {
      detail: { summary: "Liveness: the server is up and serving", tags: ["Health"], description: "Answers 200 with the version while the process serves requests; no token needed. Kept for 1Backend clients and scripts." },
      response: { 200: t.Object({ status: t.Literal("ok"), version: t.String() }) },
    })
    .get("/", ({ redirect }) => redirect("/console/", 302), { detail: { hide: true } })
    .use(consoleRoutes())
    .use(deps.user.routes)
    .use(deps.registry.routes)
    .use(deps.proxy.routes)
    .use(deps.edge.routes)
    .use(deps.observability.routes);
  routes = app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;
