/**
 * @module The Proxy Svc management routes (reference §D.1, contract §8): 1Backend's paths, methods,
 * fields and permissions, with the wire schemas of `@1backend/client` 0.9.18 (contracts/proxy/edge.ts).
 * Rules live in service.ts; these hold HTTP only.
 */
import { Elysia, t } from "elysia";
import { authGuard } from "../../http/auth-guard";
import type { AuthGate } from "../auth-gate";
import { errors } from "../../contracts/error";
import { Cert, Ids, Redirect, Route, RouteInput } from "../../contracts/proxy/edge";
import { CERT_EDIT, CERT_VIEW, ROUTE_EDIT, ROUTE_VIEW } from "./permissions";
import type { EdgeService } from "./service";

const tags = ["Proxy Svc"];
const SAVE_RULES =
  "Ids are `host[:port][/path]` (no scheme, query or fragment; `.`/`..` segments refused), stored with the host lower-cased and without a trailing slash. " +
  "Bad input is 400 naming the field (1Backend answers 500). Changes are served by the edge of every node at once (other nodes within a second).";

/** The `/proxy-svc/*` routes, guarded by the edge permissions (admins hold them). */
export function edgeRoutes(gate: AuthGate, service: EdgeService) {
  return new Elysia({ name: "proxy-svc", prefix: "/proxy-svc" })
    .use(authGuard(gate))
    .put("/routes", async ({ body }) => ({ routes: await service.saveRoutes(body.routes) }), {
      auth: ROUTE_EDIT,
      parse: "json",
      body: t.Object({ routes: t.Optional(t.Array(RouteInput, { description: "Routes to create or replace, by id." })) }),
      response: { 200: t.Object({ routes: t.Optional(t.Array(Route)) }), ...errors(400, 401, 403, 503) },
      detail: {
        operationId: "saveRoutes",
        summary: "Save edge routes (upsert by id)",
        tags,
        description: `Creates or replaces edge routes: requests whose host and path start with the id go to the target — an absolute http(s) URL (no query or fragment; the full request path and query are appended) or \`slug:<service>\` (balanced over that slug's instances). ${SAVE_RULES} Answers the routes as stored.`,
      },
    })
    .post("/routes", async ({ body }) => ({ routes: await service.listRoutes(body?.ids) }), {
      auth: ROUTE_VIEW,
      parse: "json",
      body: t.Optional(Ids),
      response: { 200: t.Object({ routes: t.Optional(t.Array(Route)) }), ...errors(400, 401, 403, 503) },
      detail: { operationId: "listRoutes", summary: "List edge routes (all, or those with the given ids)", tags, description: "Every edge route, by id, or only those named in `ids`." },
    })
    .delete(
      "/routes",
      async ({ body }) => {
        await service.deleteRoutes(body.ids);
        return {};
      },
      {
        auth: ROUTE_EDIT,
        parse: "json",
        body: Ids,
        response: { 200: t.Object({}), ...errors(400, 401, 403, 503) },
        detail: { operationId: "deleteRoutes", summary: "Delete edge routes by id", tags, description: "Deletes the routes with these ids; unknown ids are fine. At least one id is required." },
      },
    )
    .put("/redirects", async ({ body }) => ({ redirects: await service.saveRedirects(body.redirects) }), {
      auth: ROUTE_EDIT,
      parse: "json",
      body: t.Object({ redirects: t.Optional(t.Array(Redirect, { description: "Redirects to create or replace, by id." })) }),
      response: { 200: t.Object({ redirects: t.Optional(t.Array(Redirect)) }), ...errors(400, 401, 403, 503) },
      detail: {
        operationId: "saveRedirects",
        summary: "Save redirects (upsert by id)",
        tags,
        description: `Creates or replaces redirects: requests whose host and path start with the id are answered \`statusCode\` (301, 302, 303, 307 or 308; 308 when omitted) to the absolute http(s) URL \`target\`, with the unmatched path suffix appended and the queries merged. Redirects are matched before routes. ${SAVE_RULES} Answers the redirects as stored.`,
      },
    })
    .post("/redirects", async ({ body }) => ({ redirects: await service.listRedirects(body?.ids) }), {
      auth: ROUTE_VIEW,
      parse: "json",
      body: t.Optional(Ids),
      response: { 200: t.Object({ redirects: t.Optional(t.Array(Redirect)) }), ...errors(400, 401, 403, 503) },
      detail: { operationId: "listRedirects", summary: "List redirects (all, or those with the given ids)", tags, description: "Every redirect, by id, or only those named in `ids`; needs the route view permission (as 1Backend)." },
    })
    .delete(
      "/redirects",
      async ({ body }) => {
        await service.deleteRedirects(body.ids);
        return {};
      },
      {
        auth: ROUTE_EDIT,
        parse: "json",
        body: Ids,
        response: { 200: t.Object({}), ...errors(400, 401, 403, 503) },
        detail: { operationId: "deleteRedirects", summary: "Delete redirects by id", tags, description: "Deletes the redirects with these ids; unknown ids are fine. At least one id is required." },
      },
    )
    .put(
      "/certs",
      async ({ body }) => {
        await service.saveCerts(body.certs);
        return {};
      },
      {
        auth: CERT_EDIT,
        parse: "json",
        body: t.Object({
          certs: t.Optional(
            t.Array(
              t.Object({
                id: t.String({ description: "Certificate id: the host it is for (`x.com`, or `*.x.com`)." }),
                cert: t.String({ description: "PEM bundle: the unencrypted private key, the certificate, then its chain (or that text base64-encoded)." }),
              }),
              { description: "Certificates to store." },
            ),
          ),
        }),
        response: { 200: t.Object({}), ...errors(400, 401, 403, 503) },
        detail: {
          operationId: "saveCerts",
          summary: "Save TLS certificates (upsert by id)",
          tags,
          description:
            "Stores certificates the edge serves by SNI (their subject alt names, exact or one-level wildcard). Each bundle is checked before anything is stored: every certificate parses, it holds one private key and it is the first certificate's, and that certificate has not expired — 400 naming the field otherwise. " +
            "The private key is stored encrypted (AES-256-GCM under OB_ENCRYPTION_KEY; 503 `edge.encryption_key_missing` without it) and is never returned. Certificates for routed hosts are also issued by ACME when the edge is on.",
        },
      },
    )
    .post("/certs", async ({ body }) => ({ certs: await service.listCerts(body?.ids) }), {
      auth: CERT_VIEW,
      parse: "json",
      body: t.Optional(Ids),
      response: { 200: t.Object({ certs: t.Optional(t.Array(Cert)) }), ...errors(400, 401, 403, 503) },
      detail: {
        operationId: "listCerts",
        summary: "List TLS certificates (metadata; never private keys)",
        tags,
        description: "Certificates saved or issued by ACME, most recently updated first: `cert` is the certificate chain in PEM without any key (1Backend returned the key too), with the leaf's validity, names, issuer, serial number and algorithms.",
      },
    });
}
