import { expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { authOptionOf, BEARER_SCHEME, bearerSecurity, guardDetail } from "../../src/http/auth-guard";
import { testApp, type TestApp } from "../helpers/app";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

type Operation = Record<string, any>;

/** Answer 200 whenever the process answers at all, so they document no error status. */
const LIVENESS = ["/health", "/healthz", "/livez"];

/** Every operation of the document with its method, OpenAPI path and a printable name. */
function operationsOf(doc: { paths: Record<string, Record<string, Operation>> }) {
  const out: { method: string; path: string; name: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.push({ method, path, name: `${method.toUpperCase()} ${path}`, op: item[method] });
  }
  return out;
}

/** The document and the route table of one app built from the test app's dependencies. */
async function documentAndRoutes(t: TestApp) {
  const app = createApp(t.deps);
  const doc: any = await (await app.handle(new Request("http://localhost/openapi.json"))).json();
  return { doc, routes: app.routes };
}

/** Request-body fields (at any depth) without a description, named by their path in the body. */
function undescribedFields(schema: any, at: string, components: Record<string, any>, out: string[], depth = 0): void {
  if (!schema || typeof schema !== "object" || depth > 8) return;
  if (typeof schema.$ref === "string") schema = components[schema.$ref.split("/").pop()!];
  for (const [name, field] of Object.entries<any>(schema?.properties ?? {})) {
    if (!field.description) out.push(`${at}.${name}`);
    undescribedFields(field, `${at}.${name}`, components, out, depth + 1);
  }
  if (schema?.items) undescribedFields(schema.items, `${at}[]`, components, out, depth + 1);
  for (const alternative of schema?.anyOf ?? []) undescribedFields(alternative, at, components, out, depth + 1);
}

test("every documented operation has a summary, a success schema and its error statuses", async () => {
  await using t = await testApp();
  const doc = (await t.json("GET", "/openapi.json")).body;
  const problems: string[] = [];
  const operations = operationsOf(doc);
  for (const { path, name, op } of operations) {
    if (!op.summary) problems.push(`${name}: no summary`);
    const statuses = Object.keys(op.responses ?? {});
    // A redirect is the success of a browser step (contactAuthStart answers 302 to the provider).
    if (!statuses.some((s) => s.startsWith("2") || s.startsWith("3"))) problems.push(`${name}: no success response`);
    // A request body must be documented as JSON with its schema (routes declare `parse: "json"`:
    // the global body parser is a function, which the OpenAPI generator cannot describe).
    if (op.requestBody && !op.requestBody.content?.["application/json"]?.schema) problems.push(`${name}: request body without a JSON schema`);
    if (!LIVENESS.includes(path) && !statuses.some((s) => s.startsWith("4") || s.startsWith("5"))) problems.push(`${name}: no error statuses`);
  }
  // Shared parts (the error responses) are references; each must name something the document holds.
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
  for (const ref of new Set(refs)) if (ref.split("/").reduce<any>((node, key) => node?.[key], doc) === undefined) problems.push(`unresolved $ref #/${ref}`);
  expect(problems).toEqual([]);
  expect(operations.length).toBeGreaterThan(0);
  expect(refs.length).toBeGreaterThan(0);
});

test("every operation has a description, and so does every parameter and every request-body field", async () => {
  await using t = await testApp();
  const doc = (await t.json("GET", "/openapi.json")).body;
  const problems: string[] = [];
  for (const { name, op } of operationsOf(doc)) {
    // "Worth reading": more than a restated summary of a few words.
    if (!op.description || op.description.length < 40) problems.push(`${name}: no description worth reading`);
    for (const parameter of op.parameters ?? []) if (!parameter.description) problems.push(`${name}: parameter ${parameter.in} ${parameter.name} has no description`);
    const fields: string[] = [];
    undescribedFields(op.requestBody?.content?.["application/json"]?.schema, "body", doc.components?.schemas ?? {}, fields);
    for (const field of fields) problems.push(`${name}: ${field} has no description`);
  }
  expect(problems).toEqual([]);
});

/**
 * Routes that read a credential from `Authorization` in their handler rather than through the guard.
 * Each declares its own security; every other unguarded route must declare none.
 */
const AUTHENTICATED_IN_HANDLER: Record<string, unknown> = {
  // An expired token is what it refreshes, so the guard (which refuses expired ones when refresh is off) cannot stand in front.
  "POST /user-svc/refresh-token": bearerSecurity(),
  // It takes an API key, not a token.
  "POST /user-svc/api-key/exchange": [{ ApiKey: [] }],
  // Filtered listings are public; an unfiltered one needs an admin's token.
  "POST /user-svc/apps": [{}, ...bearerSecurity()],
};

test("an operation declares the bearer scheme exactly when the auth guard protects its route, naming its permission", async () => {
  await using t = await testApp();
  const { doc, routes } = await documentAndRoutes(t);
  const documented = new Map(operationsOf(doc).map((o) => [o.name, o.op]));
  const schemes = Object.keys(doc.components?.securitySchemes ?? {});
  expect(doc.components.securitySchemes[BEARER_SCHEME]).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  const mismatches: string[] = [];
  let guarded = 0;
  let open = 0;
  for (const route of routes) {
    const name = `${route.method} ${route.path.replace(/:([^/]+)/g, "{$1}")}`;
    const op = documented.get(name);
    if (!op) continue; // hidden (Swagger UI, assets, `/`)
    const auth = authOptionOf(route.hooks as Record<string, unknown>);
    const expected = auth !== undefined ? guardDetail(auth) : { security: AUTHENTICATED_IN_HANDLER[name] };
    if (auth !== undefined) guarded++;
    else if (!AUTHENTICATED_IN_HANDLER[name]) open++;
    const declared = { security: op.security, ...(op["x-permission"] ? { "x-permission": op["x-permission"] } : {}) };
    if (!Bun.deepEquals(declared, expected)) mismatches.push(`${name}: declares ${JSON.stringify(declared)}, expected ${JSON.stringify(expected)}`);
    for (const requirement of op.security ?? []) for (const scheme of Object.keys(requirement)) if (!schemes.includes(scheme)) mismatches.push(`${name}: unknown scheme ${scheme}`);
  }
  expect(mismatches).toEqual([]);
  // Both kinds exist, so the check above compared something on each side.
  expect(guarded).toBeGreaterThan(30);
  expect(open).toBeGreaterThan(5);
});

test("an operation answers 501 exactly when its summary says so", async () => {
  await using t = await testApp();
  const doc = (await t.json("GET", "/openapi.json")).body;
  const mismatches: string[] = [];
  let notBuilt = 0;
  for (const { method, path, name, op } of operationsOf(doc)) {
    const target = path.replace(/\{[^}]+\}/g, "x");
    // No token: nothing is changed, and a 501 route answers 501 before anything else.
    const response = await t.request(method.toUpperCase(), target, method === "get" ? {} : { body: "{}" });
    await response.body?.cancel();
    const says = /\b501\b/.test(op.summary ?? "");
    if (response.status === 501) notBuilt++;
    if ((response.status === 501) !== says) mismatches.push(`${name}: answered ${response.status}, summary "${op.summary}"`);
  }
  expect(mismatches).toEqual([]);
  // Issue 14 built the last 501 routes (sendOtp answers 501 only on a server without mail, and 400 to `{}` first).
  expect(notBuilt).toBe(0);
});
