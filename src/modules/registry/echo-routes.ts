/**
 * @module Registry Svc echo endpoints (no permission, as in 1Backend): PUT/POST return the JSON body,
 * GET returns the query as an object (a repeated key becomes an array). A trailing newline, like Go's
 * json.Encoder. An empty body is `{}` (contract §2).
 */
import { Elysia, t } from "elysia";
import { errors } from "../../contracts/error";

const tags = ["Registry Svc"];
const AnyJson = t.Unknown({ description: "Any JSON value." });

function echo(value: unknown): Response {
  return new Response(JSON.stringify(value) + "\n", { headers: { "content-type": "application/json" } });
}

/** `PUT|POST|GET /registry-svc/echo`: answer what was sent (connectivity checks). */
export function echoRoutes() {
  return new Elysia({ name: "registry-svc-echo" })
    .put("/registry-svc/echo", ({ body }) => echo(body), {
      body: AnyJson,
      parse: "json",
      response: { 200: AnyJson, ...errors(400, 413) },
      detail: { operationId: "echoPut", description: "Answers the JSON body as it was sent (an empty body is `{}`). No token needed: a connectivity check for clients and services.", summary: "Echo the JSON body", tags },
    })
    .post("/registry-svc/echo", ({ body }) => echo(body), {
      body: AnyJson,
      parse: "json",
      response: { 200: AnyJson, ...errors(400, 413) },
      detail: { operationId: "echoPost", description: "Answers the JSON body as it was sent (an empty body is `{}`). No token needed: a connectivity check for clients and services.", summary: "Echo the JSON body", tags },
    })
    .get("/registry-svc/echo", ({ request }) => echo(queryObject(request.url)), {
      response: { 200: t.Record(t.String(), t.Union([t.String(), t.Array(t.String())])), ...errors(400) },
      detail: { operationId: "echoGet", description: "Answers the query string as a JSON object; a repeated key becomes an array. No token needed: a connectivity check for clients and services.", summary: "Echo the query string as an object", tags },
    });
}

function queryObject(url: string): Record<string, string | string[]> {
  // No prototype: a key named __proto__ is data, not an assignment to the prototype.
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URL(url).searchParams) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
