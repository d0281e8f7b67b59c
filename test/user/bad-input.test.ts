/**
 * Bad input, table-driven over every User Svc endpoint: malformed JSON, wrong types, missing required
 * fields, oversized bodies and odd unicode (lone surrogates, NUL, RTL marks and 4-byte emoji in
 * identifiers, over-long strings) give a 4xx with the `{error, code}` body — never a 500 — and leave
 * every User Svc table exactly as it was. Variants are generated from the endpoints' own schemas.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TSchema } from "elysia";
import * as R from "../../src/contracts/user/requests";
import { testApp, type TestApp } from "../helpers/app";
import { adminToken, register, snapshot } from "./helpers";

interface Endpoint {
  method: string;
  path: string;
  schema?: TSchema;
  /** A valid body to mutate (defaults to `{}`). */
  base?: Record<string, unknown>;
  /** Token: admin unless said otherwise (so validation, not permissions, is what refuses). */
  as?: "admin" | "anon";
}

const ENDPOINTS: Endpoint[] = [
  { method: "POST", path: "/user-svc/register", schema: R.RegisterBody, base: { appHost: "test.app", slug: "newbie", password: "newbie-password" }, as: "anon" },
  { method: "POST", path: "/user-svc/login", schema: R.LoginBody, base: { appHost: "test.app", slug: "alice", password: "alice-password" }, as: "anon" },
  { method: "POST", path: "/user-svc/refresh-token" },
  { method: "PUT", path: "/user-svc/token/exchange", schema: R.ExchangeTokenBody, base: { newAppHost: "x.com" } },
  { method: "DELETE", path: "/user-svc/tokens", schema: R.RevokeTokensBody, base: { userId: "usr-x" } },
  { method: "POST", path: "/user-svc/self", schema: R.ReadSelfBody },
  { method: "PUT", path: "/user-svc/self", schema: R.SaveSelfBody, base: { name: "n" } },
  { method: "POST", path: "/user-svc/change-password", schema: R.ChangePasswordBody, base: { currentPassword: "changeme", newPassword: "new-password" } },
  { method: "POST", path: "/user-svc/:userId/reset-password", schema: R.ResetPasswordBody, base: { newPassword: "new-password" } },
  { method: "POST", path: "/user-svc/user", schema: R.CreateUserBody, base: { user: { slug: "made" }, password: "made-password" } },
  { method: "PUT", path: "/user-svc/user/:userId", schema: R.SaveUserBody, base: { name: "n" } },
  { method: "DELETE", path: "/user-svc/user/:userId" },
  { method: "POST", path: "/user-svc/users", schema: R.ListUsersBody },
  { method: "POST", path: "/user-svc/self/has/:permission" },
  { method: "POST", path: "/user-svc/permissions", schema: R.ListPermissionsBody },
  { method: "PUT", path: "/user-svc/permits", schema: R.SavePermitsBody, base: { permits: [{ permission: "x:y", slugs: ["alice"] }] } },
  { method: "POST", path: "/user-svc/permits", schema: R.ListPermitsBody },
  { method: "PUT", path: "/user-svc/enrolls", schema: R.SaveEnrollsBody, base: { enrolls: [{ role: "x:y", contactId: "c@d.e" }] } },
  { method: "POST", path: "/user-svc/enrolls", schema: R.ListEnrollsBody, base: { role: "x:y" } },
  { method: "DELETE", path: "/user-svc/enrolls", schema: R.DeleteEnrollsBody, base: { ids: ["enr-x"] } },
  { method: "PUT", path: "/user-svc/organization", schema: R.SaveOrganizationBody, base: { slug: "org", name: "Org" } },
  { method: "POST", path: "/user-svc/organizations", schema: R.ListOrganizationsBody },
  { method: "PUT", path: "/user-svc/organization/:organizationId/user/:userId", schema: R.SaveMembershipBody },
  { method: "DELETE", path: "/user-svc/organization/:organizationId/user/:userId" },
  { method: "POST", path: "/user-svc/memberships", schema: R.ListMembershipsBody },
  { method: "POST", path: "/user-svc/organization/:organizationId/membership/accept", schema: R.AcceptMembershipBody },
  { method: "POST", path: "/user-svc/organization/:organizationId/membership/decline" },
  { method: "POST", path: "/user-svc/organization/activate", schema: R.ActivateOrganizationBody, base: { organizationId: "org-x" } },
  { method: "POST", path: "/user-svc/organization/deactivate" },
  { method: "POST", path: "/user-svc/apps", schema: R.ListAppsBody, base: { host: ["test.app"] } },
  { method: "POST", path: "/user-svc/app", schema: R.ReadAppBody, base: { host: "new.app" } },
  { method: "PUT", path: "/user-svc/app", schema: R.UpdateAppBody, base: { id: "app-x", newHost: "y.app" } },
  { method: "POST", path: "/user-svc/api-key", schema: R.CreateApiKeyBody, base: { name: "k" } },
  { method: "POST", path: "/user-svc/api-keys", schema: R.ListApiKeysBody },
  { method: "POST", path: "/user-svc/api-key/exchange" },
  { method: "DELETE", path: "/user-svc/api-keys", schema: R.RevokeApiKeysBody, base: { id: "apik-x" } },
  { method: "POST", path: "/user-svc/totp/setup" },
  { method: "POST", path: "/user-svc/otp/send" },
  { method: "POST", path: "/user-svc/auth/:provider/login" },
];

const LONG = "a".repeat(20_000);
/** Strings no field accepts: lone surrogates, NUL, over-long. */
const NEVER_VALID = ["\ud800", "x\udc00y", "a\u0000b", LONG];
/** Valid text but not a valid identifier: RTL mark, 4-byte emoji, space. */
const NOT_AN_ID = ["\u200fabc", "🦊", "a b"];

interface Variant {
  name: string;
  body: string;
}

/** Wrong-type, missing-field and odd-unicode variants of `base`, one field at a time, recursing into objects and arrays. */
function variants(schema: TSchema, base: unknown, label = "body"): Variant[] {
  const out: Variant[] = [];
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  const obj = (base ?? {}) as Record<string, unknown>;
  const put = (name: string, key: string, value: unknown) => out.push({ name: `${label}.${key}: ${name}`, body: JSON.stringify({ ...obj, [key]: value }) });
  for (const [key, prop] of Object.entries(props)) {
    const p = prop as { type?: string; pattern?: string; items?: TSchema; anyOf?: unknown; properties?: unknown };
    if (required.has(key)) {
      const { [key]: _, ...rest } = obj;
      out.push({ name: `${label}.${key}: missing`, body: JSON.stringify(rest) });
    }
    if (p.type === "string") {
      put("a number", key, 42);
      put("an object", key, { a: 1 });
      for (const s of NEVER_VALID) put(`odd string ${JSON.stringify(s.slice(0, 6))}`, key, s);
      if (p.pattern && !p.pattern.includes("uD800")) for (const s of NOT_AN_ID) put(`not an identifier ${JSON.stringify(s)}`, key, s);
    } else if (p.type === "boolean") {
      put("a string", key, "yes");
    } else if (p.type === "integer") {
      put("a string", key, "10");
      put("a fraction", key, 1.5);
      put("negative", key, -5);
    } else if (p.type === "array") {
      put("a string", key, "x");
      put("an object", key, { a: 1 });
      put("an array of numbers", key, [1, 2]);
      const item = p.items as { type?: string; properties?: unknown } | undefined;
      if (item?.type === "object") {
        const first = (Array.isArray(obj[key]) ? (obj[key] as unknown[])[0] : undefined) ?? {};
        for (const v of variants(item as TSchema, first, `${label}.${key}[0]`)) out.push({ name: v.name, body: JSON.stringify({ ...obj, [key]: [JSON.parse(v.body)] }) });
      } else {
        for (const s of NEVER_VALID) put(`array of odd string ${JSON.stringify(s.slice(0, 6))}`, key, [s]);
      }
    } else if (p.type === "object") {
      put("a string", key, "str");
      put("an array", key, ["x"]);
      put("a number", key, 5);
      if (p.properties && Object.keys(p.properties as object).length > 0) {
        for (const v of variants(prop, obj[key] ?? {}, `${label}.${key}`)) out.push({ name: v.name, body: JSON.stringify({ ...obj, [key]: JSON.parse(v.body) }) });
      } else {
        put("a value with NUL", key, { k: "a\u0000" });
      }
    } else if (p.anyOf) {
      put("a value outside the enum", key, "sideways");
    }
  }
  return out;
}

/** Parse-level garbage every endpoint refuses; endpoints without a body schema get only these. */
const UNPARSABLE: Variant[] = [
  { name: "malformed JSON", body: '{"appHost": "test.app", "slug": ' },
  { name: "truncated JSON", body: '{"a":"' },
];

/** Bodies that are JSON but not an object, for endpoints that take one. */
const NOT_AN_OBJECT: Variant[] = [
  { name: "a JSON array", body: "[1,2,3]" },
  { name: "a JSON string", body: '"hello"' },
  { name: "a JSON number", body: "42" },
];

describe("bad input never gets a 500 and never changes the database", () => {
  let t: TestApp;
  let admin: string;
  let ids: Record<string, string>;
  beforeAll(async () => {
    t = await testApp({ env: { OB_BODY_LIMIT: "65536", OB_LOGIN_LIMIT_PER_IP: "1000000", OB_LOGIN_LIMIT_PER_SLUG: "1000000" } });
    const alice = await register(t, "alice");
    admin = await adminToken(t);
    ids = { userId: alice.userId, organizationId: "org-x", permission: "x:y", provider: "google" };
  });
  afterAll(async () => {
    await t[Symbol.asyncDispose]();
  });

  for (const ep of ENDPOINTS) {
    test(`${ep.method} ${ep.path}`, async () => {
      const path = ep.path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? "x");
      const token = ep.as === "anon" ? undefined : admin;
      const cases = [...UNPARSABLE, ...(ep.schema ? [...NOT_AN_OBJECT, ...variants(ep.schema, ep.base ?? {})] : [])];
      const oversized = JSON.stringify({ ...(ep.base ?? {}), pad: "x".repeat(70_000) });
      cases.push({ name: "an oversized body", body: oversized });
      const before = await snapshot(t);
      const problems: string[] = [];
      for (const c of cases) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (token) headers.authorization = `Bearer ${token}`;
        const r = await t.request(ep.method, path, { body: c.body, headers });
        const text = await r.text();
        let body: any = null;
        try {
          body = JSON.parse(text);
        } catch {}
        const shaped = body && typeof body.error === "string" && typeof body.code === "string";
        const acceptable = r.status >= 400 && r.status < 500 ? shaped : r.status === 501 && !ep.schema;
        if (!acceptable) problems.push(`${c.name} → ${r.status} ${text.slice(0, 160)}`);
        if (c.name === "an oversized body" && r.status !== 413) problems.push(`oversized → ${r.status}, expected 413`);
        const after = await snapshot(t);
        if (after !== before) {
          problems.push(`${c.name} changed the database`);
          break;
        }
      }
      expect(problems).toEqual([]);
    });
  }

  test("odd unicode in path parameters is refused", async () => {
    const before = await snapshot(t);
    for (const bad of ["%00", "%ED%A0%80", "%E2%80%8Fx", "%F0%9F%A6%8A", "a%20b", "%ZZ"]) {
      for (const [method, path] of [["PUT", `/user-svc/user/${bad}`], ["DELETE", `/user-svc/organization/${bad}/user/${bad}`], ["POST", `/user-svc/${bad}/reset-password`]] as const) {
        const r = await t.json(method, path, { token: admin, body: method === "POST" ? { newPassword: "long-enough" } : {} });
        expect({ path, status: r.status >= 400 && r.status < 500 ? "4xx" : r.status }).toEqual({ path, status: "4xx" });
        expect(r.body).toEqual({ error: expect.any(String), code: expect.any(String) });
      }
    }
    expect(await snapshot(t)).toBe(before);
  });
});
