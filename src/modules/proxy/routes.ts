/**
 * @module The reserved `/proxy-svc/*` operations of the 1Backend client (edge routes, certificates,
 * redirects; contract §5 "come later"). They are declared with the client's wire schemas so they appear
 * in OpenAPI, and answer 501 `proxy.not_implemented` until host-based routing is built. Nothing is
 * stored or revealed, so they do not authenticate yet.
 */
import { Elysia, t } from "elysia";
import { notBuiltYet } from "./errors";
import { errors } from "../../contracts/error";
import { Cert, Ids, Redirect, Route, RouteInput } from "../../contracts/proxy/edge";

const later = (what: string) => () => {
  throw notBuiltYet(what);
};
const doc = (summary: string) => ({
  summary: `${summary} (501: not built yet)`,
  tags: ["Proxy Svc"],
  description:
    "Reserved for host-based edge routing (contract §8): answers 501 `proxy.not_implemented` and stores nothing until it is built. " +
    "Declared with the wire schemas of `@1backend/client` 0.9.18 so that the client finds the operation.",
});

/** The Proxy Svc's built-in routes. */
export function proxyRoutes() {
  return new Elysia({ name: "proxy-svc", prefix: "/proxy-svc" })
    .put("/routes", later("edge routes"), {
      parse: "json",
      body: t.Object({ routes: t.Optional(t.Array(RouteInput, { description: "Routes to create or replace, by id." })) }),
      response: { 200: t.Object({ routes: t.Optional(t.Array(Route)) }), ...errors(400, 401, 403, 501) },
      detail: { ...doc("Save edge routes"), operationId: "saveRoutes" },
    })
    .post("/routes", later("edge routes"), {
      parse: "json",
      body: t.Optional(Ids),
      response: { 200: t.Object({ routes: t.Optional(t.Array(Route)) }), ...errors(400, 401, 403, 501) },
      detail: { ...doc("List edge routes"), operationId: "listRoutes" },
    })
    .delete("/routes", later("edge routes"), {
      parse: "json",
      body: Ids,
      response: { 200: t.Object({}), ...errors(400, 401, 403, 501) },
      detail: { ...doc("Delete edge routes"), operationId: "deleteRoutes" },
    })
    .put("/certs", later("certificates"), {
      parse: "json",
      body: t.Object({
        certs: t.Optional(t.Array(t.Object({ id: t.String({ description: "Certificate id (its host)." }), cert: t.String({ description: "PEM certificate." }) }), { description: "Certificates to store." })),
      }),
      response: { 200: t.Object({}), ...errors(400, 401, 403, 501) },
      detail: { ...doc("Save certificates (testing only)"), operationId: "saveCerts" },
    })
    .post("/certs", later("certificates"), {
      parse: "json",
      body: t.Optional(Ids),
      response: { 200: t.Object({ certs: t.Optional(t.Array(Cert)) }), ...errors(400, 401, 403, 501) },
      detail: { ...doc("List certificates"), operationId: "listCerts" },
    })
    .put("/redirects", later("redirects"), {
      parse: "json",
      body: t.Object({ redirects: t.Optional(t.Array(Redirect, { description: "Redirects to create or replace, by id." })) }),
      response: { 200: t.Object({ redirects: t.Optional(t.Array(Redirect)) }), ...errors(400, 401, 403, 501) },
      detail: { ...doc("Save redirects"), operationId: "saveRedirects" },
    })
    .post("/redirects", later("redirects"), {
      parse: "json",
      body: t.Optional(Ids),
      response: { 200: t.Object({ redirects: t.Optional(t.Array(Redirect)) }), ...errors(400, 401, 403, 501) },
      detail: { ...doc("List redirects"), operationId: "listRedirects" },
    })
    .delete("/redirects", later("redirects"), {
      parse: "json",
      body: Ids,
      response: { 200: t.Object({}), ...errors(400, 401, 403, 501) },
      detail: { ...doc("Delete redirects"), operationId: "deleteRedirects" },
    });
}
