/**
 * The edge table across nodes (contract §7, §8): two in-process servers on one PostgreSQL prefix.
 * Routes, redirects and certificates saved or deleted through node A are in node B's EdgeTable (what
 * its listeners serve) and listing within a second; a certificate ACME issued on A (`saveIssued`) too,
 * and B reads the ACME account A stored. A node started later loads everything. PostgreSQL only: one
 * SQLite node has nobody to tell.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testServer, type TestServer } from "../helpers/server";
import { onPostgres, tablePrefix } from "../helpers/dialect";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { call } from "../helpers/call";
import { certFactory } from "./cert-fixtures";

const KEY = Buffer.alloc(32, 9).toString("hex");
const APP = "test.app";

let a: TestServer;
let b: TestServer;
let dirB: TempDir;
let certs: ReturnType<typeof certFactory>;
let admin: string;

async function inEffectOnB(what: string, holds: () => boolean): Promise<number> {
  const from = performance.now();
  await waitFor(what, holds, 5000, 2);
  const ms = performance.now() - from;
  console.log(`${what}: on B after ${ms.toFixed(1)} ms`);
  return ms;
}

describe.skipIf(!onPostgres)("edge changes through node A in node B's table", () => {
  beforeAll(async () => {
    a = await testServer({ env: { OB_ENCRYPTION_KEY: KEY } });
    dirB = tempDir();
    b = await testServer({ folder: dirB.path, env: { OB_ENCRYPTION_KEY: KEY, OB_DB_PREFIX: tablePrefix(a.folder) } });
    certs = certFactory();
    admin = (await call("POST", `${a.url}/user-svc/login`, { appHost: APP, slug: "1backend", password: "changeme" })).body.token.token;
  }, 60_000);

  afterAll(async () => {
    await b?.[Symbol.asyncDispose]();
    await a?.[Symbol.asyncDispose]();
    await dirB?.[Symbol.asyncDispose]();
    await certs?.[Symbol.asyncDispose]();
  }, 30_000);

  test("routes and redirects saved, replaced and deleted through A", async () => {
    expect((await call("PUT", `${a.url}/proxy-svc/routes`, { routes: [{ id: "shop.test/app", target: "http://127.0.0.1:9311" }] }, admin)).status).toBe(200);
    expect(await inEffectOnB("a saved route", () => b.deps.edge.table.routes().get("shop.test/app")?.target === "http://127.0.0.1:9311")).toBeLessThan(1000);
    await call("PUT", `${a.url}/proxy-svc/routes`, { routes: [{ id: "shop.test/app", target: "slug:shop" }] }, admin);
    expect(await inEffectOnB("a replaced route", () => b.deps.edge.table.routes().get("shop.test/app")?.target === "slug:shop")).toBeLessThan(1000);
    expect((await call("POST", `${b.url}/proxy-svc/routes`, {}, admin)).body).toEqual({ routes: [{ id: "shop.test/app", target: "slug:shop" }] });

    await call("PUT", `${a.url}/proxy-svc/redirects`, { redirects: [{ id: "old.test", target: "https://shop.test", statusCode: 301 }] }, admin);
    expect(await inEffectOnB("a saved redirect", () => b.deps.edge.table.redirects().get("old.test")?.statusCode === 301)).toBeLessThan(1000);

    await call("DELETE", `${a.url}/proxy-svc/routes`, { ids: ["shop.test/app"] }, admin);
    await call("DELETE", `${a.url}/proxy-svc/redirects`, { ids: ["old.test"] }, admin);
    expect(await inEffectOnB("deletes", () => b.deps.edge.table.routes().size === 0 && b.deps.edge.table.redirects().size === 0)).toBeLessThan(1000);
  });

  test("certificates saved and issued through A are served by B with their keys; B reads A's ACME account", async () => {
    const saved = certs.selfSigned(["tls.test"]);
    expect((await call("PUT", `${a.url}/proxy-svc/certs`, { certs: [{ id: "tls.test", cert: saved.bundle }] }, admin)).status).toBe(200);
    expect(await inEffectOnB("a saved certificate", () => b.deps.edge.table.certs().get("tls.test")?.keyPem === a.deps.edge.table.certs().get("tls.test")?.keyPem)).toBeLessThan(1000);

    const issued = certs.selfSigned(["acme.test"], "rsa");
    await a.deps.edge.store.saveIssued("acme.test", issued.certPem, issued.keyPem);
    expect(await inEffectOnB("an issued certificate", () => b.deps.edge.table.certs().get("acme.test")?.names[0] === "acme.test")).toBeLessThan(1000);
    expect((await call("POST", `${b.url}/proxy-svc/certs`, {}, admin)).body.certs.map((c: { id: string }) => c.id)).toEqual(["acme.test", "tls.test"]);

    await a.deps.edge.store.saveAcmeAccount({ keyPem: issued.keyPem, url: "https://acme.test/acct/1" });
    expect(await b.deps.edge.store.loadAcmeAccount()).toEqual({ keyPem: issued.keyPem, url: "https://acme.test/acct/1" });

    await a.deps.edge.store.deleteCertificates(["acme.test"]);
    await inEffectOnB("a deleted certificate", () => !b.deps.edge.table.certs().has("acme.test"));
  });

  test("a node started later loads what is stored", async () => {
    await using dir = tempDir();
    await call("PUT", `${a.url}/proxy-svc/routes`, { routes: [{ id: "late.test", target: "http://127.0.0.1:1" }] }, admin);
    await using c = await testServer({ folder: dir.path, env: { OB_ENCRYPTION_KEY: KEY, OB_DB_PREFIX: tablePrefix(a.folder) } });
    expect(c.deps.edge.table.routes().has("late.test")).toBe(true);
    expect(c.deps.edge.table.certs().has("tls.test")).toBe(true);
  }, 30_000);
});
