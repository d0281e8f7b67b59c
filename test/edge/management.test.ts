/**
 * The Proxy Svc management API (issue 13, contract §8) through the official `@1backend/client` 0.9.18
 * against a real server: routes and redirects saved (upsert, normalised ids), listed (all, by ids) and
 * deleted (unknown ids fine); bad input answered 400 naming the field; non-admins 403, no token 401;
 * certificates made by the test (RSA, ECDSA, a wildcard) saved and listed as metadata without keys;
 * expired, mismatched and malformed bundles refused at save, changing nothing; the database holds no
 * private key in clear text; the EdgeTable serves what was saved.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Configuration, ProxySvcApi, ResponseError, UserSvcApi } from "@1backend/client";
import { testServer, type TestServer } from "../helpers/server";
import { certFactory, pemBody, type TestCert } from "./cert-fixtures";
import { onPostgres } from "../helpers/dialect";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const KEY = Buffer.alloc(32, 7).toString("base64");
const proxy = (s: TestServer, token?: string) => new ProxySvcApi(new Configuration({ basePath: s.url, apiKey: token }));

/** Status and body of a refused call (the client throws ResponseError). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: { error: string; code: string } }> {
  const a = await answerOf(call);
  if (a.status === 200) throw new Error("expected the call to be refused");
  return { status: a.status, body: a.body as { error: string; code: string } };
}

let s: TestServer;
let certs: ReturnType<typeof certFactory>;
let admin: ProxySvcApi;
let user: ProxySvcApi;
let a: TestCert;
let b: TestCert;
let wildcard: TestCert;

beforeAll(async () => {
  s = await testServer({ env: { OB_ENCRYPTION_KEY: KEY } });
  certs = certFactory();
  const anon = new UserSvcApi(new Configuration({ basePath: s.url }));
  admin = proxy(s, (await anon.login({ body: { appHost: APP, slug: "1backend", password: "changeme" } })).token!.token);
  user = proxy(s, (await anon.register({ body: { appHost: APP, slug: "edge-user", password: "edgeUserPassword" } })).token!.token);
  a = certs.selfSigned(["a.test"], "rsa");
  b = certs.selfSigned(["b.test", "www.b.test"], "ec");
  wildcard = certs.selfSigned(["*.w.test", "w.test"], "ec");
}, 60_000);

afterAll(async () => {
  await s?.[Symbol.asyncDispose]();
  await certs?.[Symbol.asyncDispose]();
}, 30_000);

describe("routes", () => {
  test("saved (ids normalised: host lower-cased, no trailing slash), listed, filtered, replaced and deleted; the table follows", async () => {
    const saved = await admin.saveRoutes({
      body: {
        routes: [
          { id: "API.Example.test/app/", target: "http://127.0.0.1:9311" },
          { id: "svc.example.test:8443", target: "slug:skeleton-svc" },
          { id: "[::1]/v1", target: "https://upstream.test/base" },
        ],
      },
    });
    expect(saved.routes).toEqual([
      { id: "api.example.test/app", target: "http://127.0.0.1:9311" },
      { id: "svc.example.test:8443", target: "slug:skeleton-svc" },
      { id: "[::1]/v1", target: "https://upstream.test/base" },
    ]);
    expect((await admin.listRoutes()).routes).toEqual([
      { id: "[::1]/v1", target: "https://upstream.test/base" },
      { id: "api.example.test/app", target: "http://127.0.0.1:9311" },
      { id: "svc.example.test:8443", target: "slug:skeleton-svc" },
    ]);
    expect((await admin.listRoutes({ body: { ids: ["Api.example.test/app", "nothing.test"] } })).routes).toEqual([{ id: "api.example.test/app", target: "http://127.0.0.1:9311" }]);
    expect(s.deps.edge.table.routes().get("api.example.test/app")).toEqual({ id: "api.example.test/app", host: "api.example.test", path: "/app", target: "http://127.0.0.1:9311" });
    expect(s.deps.edge.table.routes().get("svc.example.test:8443")).toMatchObject({ host: "svc.example.test:8443", path: "" });

    await admin.saveRoutes({ body: { routes: [{ id: "api.example.test/app", target: "http://127.0.0.1:9999" }] } });
    expect(s.deps.edge.table.routes().get("api.example.test/app")?.target).toBe("http://127.0.0.1:9999");
    expect(await admin.deleteRoutes({ body: { ids: ["api.example.test/app", "unknown.test", "[::1]/v1", "svc.example.test:8443"] } })).toEqual({});
    expect((await admin.listRoutes({ body: {} })).routes).toEqual([]);
    expect(s.deps.edge.table.routes().size).toBe(0);
  });

  test.each([
    ["no routes", { routes: [] }, "routes"],
    ["an empty id", { routes: [{ id: "", target: "http://x.test" }] }, "routes.0.id"],
    ["a scheme in the id", { routes: [{ id: "https://x.test", target: "http://x.test" }] }, "routes.0.id"],
    ["a space in the id", { routes: [{ id: "x .test", target: "http://x.test" }] }, "routes.0.id"],
    ["an empty host", { routes: [{ id: "/app", target: "http://x.test" }] }, "routes.0.id"],
    ["a bad port", { routes: [{ id: "x.test:70000", target: "http://x.test" }] }, "routes.0.id"],
    ["port 0", { routes: [{ id: "x.test:0", target: "http://x.test" }] }, "routes.0.id"],
    ["a .. segment", { routes: [{ id: "x.test/a/../b", target: "http://x.test" }] }, "routes.0.id"],
    ["an encoded .. segment", { routes: [{ id: "x.test/%2E%2e", target: "http://x.test" }] }, "routes.0.id"],
    ["a query", { routes: [{ id: "x.test/a?b=1", target: "http://x.test" }] }, "routes.0.id"],
    ["a fragment", { routes: [{ id: "x.test#top", target: "http://x.test" }] }, "routes.0.id"],
    ["an empty segment", { routes: [{ id: "x.test//a", target: "http://x.test" }] }, "routes.0.id"],
    ["a host label with _ only allowed, not !", { routes: [{ id: "x!.test", target: "http://x.test" }] }, "routes.0.id"],
    ["no target", { routes: [{ id: "x.test" }] }, "routes.0.target"],
    ["a relative target", { routes: [{ id: "x.test", target: "/elsewhere" }] }, "routes.0.target"],
    ["an ftp target", { routes: [{ id: "x.test", target: "ftp://x.test" }] }, "routes.0.target"],
    ["a target without host", { routes: [{ id: "x.test", target: "http://" }] }, "routes.0.target"],
    ["a target with a query", { routes: [{ id: "x.test", target: "http://u.test/?a=1" }] }, "routes.0.target"],
    ["a target with credentials", { routes: [{ id: "x.test", target: "http://me:pw@u.test" }] }, "routes.0.target"],
    ["a bad slug target", { routes: [{ id: "x.test", target: "slug:Not_A_Slug" }] }, "routes.0.target"],
    ["the second of two bad", { routes: [{ id: "ok.test", target: "http://u.test" }, { id: "ok2.test", target: "slug:" }] }, "routes.1.target"],
    ["two spellings of one id", { routes: [{ id: "x.test/a", target: "http://u.test" }, { id: "X.test/a/", target: "http://v.test" }] }, "routes.1.id"],
  ])("refuses %s with 400 naming the field, storing nothing", async (_what, body, field) => {
    const r = await refusal(admin.saveRoutes({ body: body as never }));
    expect(r.status).toBe(400);
    expect(r.body.code).toStartWith("edge.");
    expect(r.body.error).toContain(`invalid field ${field}:`);
    expect((await admin.listRoutes()).routes).toEqual([]);
  });

  test("deletes need ids; a malformed id is 400 naming it", async () => {
    expect(await refusal(admin.deleteRoutes({ body: { ids: [] } }))).toMatchObject({ status: 400, body: { error: expect.stringContaining("invalid field ids:") } });
    expect(await refusal(admin.deleteRoutes({ body: { ids: ["ok.test", "http://x.test"] } }))).toMatchObject({ status: 400, body: { error: expect.stringContaining("invalid field ids.1:") } });
  });
});

describe("redirects", () => {
  test("saved with 308 by default (0 too, Go's zero value), every allowed status, listed, filtered and deleted", async () => {
    const saved = await admin.saveRedirects({
      body: {
        redirects: [
          { id: "Old.test", target: "https://new.test/landing?from=old#top" },
          { id: "old.test/blog", target: "https://blog.test", statusCode: 301 },
          { id: "zero.test", target: "http://z.test", statusCode: 0 },
          ...[302, 303, 307, 308].map((statusCode) => ({ id: `s${statusCode}.test`, target: "https://t.test", statusCode })),
        ],
      },
    });
    expect(saved.redirects?.map((r) => [r.id, r.statusCode])).toEqual([["old.test", 308], ["old.test/blog", 301], ["zero.test", 308], ["s302.test", 302], ["s303.test", 303], ["s307.test", 307], ["s308.test", 308]]);
    expect((await admin.listRedirects({ body: { ids: ["old.test"] } })).redirects).toEqual([{ id: "old.test", target: "https://new.test/landing?from=old#top", statusCode: 308 }]);
    expect(s.deps.edge.table.redirects().get("old.test/blog")).toEqual({ id: "old.test/blog", host: "old.test", path: "/blog", target: "https://blog.test", statusCode: 301 });
    expect((await admin.listRedirects()).redirects).toHaveLength(7);
    await admin.deleteRedirects({ body: { ids: saved.redirects!.map((r) => r.id).concat("never.test") } });
    expect((await admin.listRedirects()).redirects).toEqual([]);
    expect(s.deps.edge.table.redirects().size).toBe(0);
  });

  test.each([
    ["an unsupported status", { redirects: [{ id: "x.test", target: "https://t.test", statusCode: 300 }] }, "redirects.0.statusCode"],
    ["status 200", { redirects: [{ id: "x.test", target: "https://t.test", statusCode: 200 }] }, "redirects.0.statusCode"],
    ["a relative target", { redirects: [{ id: "x.test", target: "/path" }] }, "redirects.0.target"],
    ["an empty target", { redirects: [{ id: "x.test", target: "" }] }, "redirects.0.target"],
    ["a bad id", { redirects: [{ id: "x.test:abc", target: "https://t.test" }] }, "redirects.0.id"],
    ["no redirects", {}, "redirects"],
  ])("refuses %s with 400 naming the field", async (_what, body, field) => {
    const r = await refusal(admin.saveRedirects({ body: body as never }));
    expect(r.status).toBe(400);
    expect(r.body.error).toContain(`invalid field ${field}:`);
    expect((await admin.listRedirects()).redirects).toEqual([]);
  });
});

describe("permissions", () => {
  test("a non-admin is refused every operation with 403; without a token 401", async () => {
    // One call at a time: a refusal made before its await would be an unhandled rejection meanwhile.
    const calls = (api: ProxySvcApi) => [
      () => api.saveRoutes({ body: { routes: [{ id: "x.test", target: "http://u.test" }] } }),
      () => api.listRoutes(),
      () => api.deleteRoutes({ body: { ids: ["x.test"] } }),
      () => api.saveRedirects({ body: { redirects: [{ id: "x.test", target: "http://u.test" }] } }),
      () => api.listRedirects(),
      () => api.deleteRedirects({ body: { ids: ["x.test"] } }),
      () => api.saveCerts({ body: { certs: [{ id: "a.test", cert: a.bundle }] } }),
      () => api.listCerts(),
    ];
    for (const call of calls(user)) expect((await refusal(call())).status).toBe(403);
    for (const call of calls(proxy(s))) expect((await refusal(call())).status).toBe(401);
    expect((await admin.listRoutes()).routes).toEqual([]);
    expect((await admin.listCerts()).certs).toEqual([]);
  });
});

describe("certificates", () => {
  test("two hosts and a wildcard saved; listed as metadata, the chain without any key; served from the table with the key", async () => {
    await admin.saveCerts({ body: { certs: [{ id: "a.test", cert: a.bundle }, { id: "B.test", cert: b.bundle }, { id: "*.w.test", cert: wildcard.bundle }] } });
    const listed = (await admin.listCerts()).certs!;
    expect(listed.map((c) => c.id).sort()).toEqual(["*.w.test", "a.test", "b.test"]);
    expect(JSON.stringify(listed)).not.toContain("PRIVATE KEY");
    const byId = Object.fromEntries(listed.map((c) => [c.id, c]));
    expect(byId["a.test"]).toMatchObject({ commonName: "a.test", dnsNames: ["a.test"], issuer: "a.test", isCA: expect.any(Boolean), signatureAlgorithm: "SHA256-RSA", publicKeyAlgorithm: "RSA", publicKeyBitLength: 2048 });
    expect(byId["b.test"]).toMatchObject({ commonName: "b.test", dnsNames: ["b.test", "www.b.test"], signatureAlgorithm: "ECDSA-SHA256", publicKeyAlgorithm: "ECDSA", publicKeyBitLength: 256 });
    expect(byId["*.w.test"]!.dnsNames).toEqual(["*.w.test", "w.test"]);
    expect(byId["a.test"]!.cert.trim()).toBe(a.certPem.trim());
    expect(byId["a.test"]!.serialNumber).toMatch(/^\d+$/);
    expect(Date.parse(byId["a.test"]!.notAfter!) - Date.parse(byId["a.test"]!.notBefore!)).toBe(30 * 86_400_000);
    expect((await admin.listCerts({ body: { ids: ["b.test"] } })).certs!.map((c) => c.id)).toEqual(["b.test"]);

    const served = s.deps.edge.table.certs();
    // A copy: Bun 1.4.5's toMatchObject writes asymmetric matchers into the object it is given.
    expect({ ...served.get("b.test") }).toMatchObject({ id: "b.test", names: ["b.test", "www.b.test"], certPem: expect.stringContaining("BEGIN CERTIFICATE"), keyPem: expect.stringContaining("BEGIN PRIVATE KEY") });
    expect(served.get("*.w.test")?.names).toEqual(["*.w.test", "w.test"]);
  });

  test("a certificate saved again replaces the old one (the next handshake's), keeping its creation time", async () => {
    const before = (await admin.listCerts({ body: { ids: ["a.test"] } })).certs![0]!;
    const renewed = certs.selfSigned(["a.test"], "ec");
    await Bun.sleep(5); // updatedAt has millisecond resolution
    await admin.saveCerts({ body: { certs: [{ id: "a.test", cert: Buffer.from(renewed.bundle).toString("base64") }] } });
    const after = (await admin.listCerts({ body: { ids: ["a.test"] } })).certs![0]!;
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.updatedAt > before.updatedAt).toBe(true);
    expect(after.publicKeyAlgorithm).toBe("ECDSA");
    expect(s.deps.edge.table.certs().get("a.test")?.certPem.trim()).toBe(renewed.certPem.trim());
    expect((await admin.listCerts()).certs![0]!.id).toBe("a.test"); // newest update first
  });

  test("expired, mismatched and malformed bundles are refused at save with 400 naming the field, and nothing of the request is stored", async () => {
    const expired = certs.expired("old.test");
    const [certOnly] = [b.certPem];
    const bad: [string, string][] = [
      ["expired", expired.bundle],
      ["the key of another certificate", a.keyPem + b.certPem],
      ["no key", certOnly],
      ["no certificate", a.keyPem],
      ["two keys", a.keyPem + b.keyPem + b.certPem],
      ["garbage", "not a certificate"],
      ["a truncated certificate", b.keyPem + b.certPem.slice(0, 200) + "\n-----END CERTIFICATE-----\n"],
      ["an encrypted key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n" + b.certPem],
    ];
    const before = JSON.stringify((await admin.listCerts()).certs);
    for (const [what, bundle] of bad) {
      const r = await refusal(admin.saveCerts({ body: { certs: [{ id: "fresh.test", cert: b.bundle }, { id: "c.test", cert: bundle }] } }));
      expect({ what, status: r.status, code: r.body.code }).toEqual({ what, status: 400, code: "edge.invalid_certificate" });
      expect(r.body.error).toStartWith("invalid field certs.1.cert:");
    }
    expect((await refusal(admin.saveCerts({ body: { certs: [] } }))).status).toBe(400);
    expect((await refusal(admin.saveCerts({ body: { certs: [{ id: "x.test/path", cert: b.bundle }] } }))).body.error).toStartWith("invalid field certs.0.id:");
    expect(JSON.stringify((await admin.listCerts()).certs)).toBe(before);
    expect(s.deps.edge.table.certs().has("fresh.test")).toBe(false);
  });

  test("the database holds no private key in clear text", async () => {
    const keys = [a.keyPem, b.keyPem, wildcard.keyPem, ...[...s.deps.edge.table.certs().values()].map((c) => c.keyPem)];
    // Each line of a key's base64 body: the stored text would hold them as they are, line by line.
    const lines = keys.flatMap((k) => k.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----")));
    expect(lines.length).toBeGreaterThan(10);
    let stored: string;
    if (onPostgres) {
      const { db, tables } = s.deps.database;
      stored = JSON.stringify([await db.select().from(tables.edgeCertificates), await db.select().from(tables.edgeAcmeAccounts)]);
      expect(stored).toContain("v1.");
    } else {
      const file = join(s.folder, "1backend.db");
      stored = [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString("latin1")).join("");
      expect(stored).toContain("BEGIN CERTIFICATE"); // the chain is stored in clear, so the search does see stored text
    }
    for (const line of lines) expect(stored.includes(line)).toBe(false);
    // (The file also holds the token signing key pair in clear, user_key_pairs: not an edge key, so only the edge's tables are checked for a PEM header.)
    if (onPostgres) expect(stored.includes("PRIVATE KEY")).toBe(false);
    const { db, tables } = s.deps.database;
    const rows = JSON.stringify([await db.select().from(tables.edgeCertificates), await db.select().from(tables.edgeAcmeAccounts)]);
    expect(rows).not.toContain("PRIVATE KEY");
    expect(rows.match(/"keySealed":"v1\.[A-Za-z0-9_-]+"/g)).toHaveLength(s.deps.edge.table.certs().size);
  });
});

describe("without OB_ENCRYPTION_KEY", () => {
  test("certificates cannot be saved (503 edge.encryption_key_missing); routes still can", async () => {
    await using plain = await testServer();
    const anon = new UserSvcApi(new Configuration({ basePath: plain.url }));
    const api = proxy(plain, (await anon.login({ body: { appHost: APP, slug: "1backend", password: "changeme" } })).token!.token);
    expect(await refusal(api.saveCerts({ body: { certs: [{ id: "a.test", cert: a.bundle }] } }))).toEqual({ status: 503, body: { error: "certificates cannot be stored: OB_ENCRYPTION_KEY is not set", code: "edge.encryption_key_missing" } });
    expect((await api.saveRoutes({ body: { routes: [{ id: "x.test", target: "http://u.test" }] } })).routes).toHaveLength(1);
  }, 30_000);
});

describe("OpenAPI", () => {
  test("the eight operations carry the client's operation ids and permissions, and none says 501", async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, string>>> };
    const ops = ["put", "post", "delete"].flatMap((m) => ["/proxy-svc/routes", "/proxy-svc/certs", "/proxy-svc/redirects"].map((p) => doc.paths[p]?.[m])).filter(Boolean);
    expect(ops.map((o) => o!.operationId).sort()).toEqual(["deleteRedirects", "deleteRoutes", "listCerts", "listRedirects", "listRoutes", "saveCerts", "saveRedirects", "saveRoutes"]);
    expect(ops.map((o) => o!["x-permission"]).sort()).toEqual([
      "proxy-svc:cert:edit", "proxy-svc:cert:view", "proxy-svc:route:edit", "proxy-svc:route:edit", "proxy-svc:route:edit", "proxy-svc:route:edit", "proxy-svc:route:view", "proxy-svc:route:view",
    ]);
    expect(JSON.stringify(ops)).not.toContain("501");
  });
});
