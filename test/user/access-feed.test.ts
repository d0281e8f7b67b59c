/**
 * Authorization views across nodes (contract §7), in process: on PostgreSQL two nodes (two sets of
 * deps on one prefix, each following the change feed) — a permit saved or deleted through A is in B's
 * permit index, an app renamed through A is read afresh by B, and a permit stored while B was not yet
 * following the feed is picked up by B's start(). On SQLite these writes record no feed rows.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { count } from "drizzle-orm";
import { createApp } from "../../src/app";
import { createDeps, type Deps } from "../../src/deps";
import { createHandler } from "../../src/handler";
import { inProcessClient, testApp, type TestApp } from "../helpers/app";
import { testConfig } from "../helpers/config";
import { onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { adminToken, APP, register } from "./helpers";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Node = Pick<TestApp, "json"> & { deps: Deps };

/** Two nodes on one database (one state folder, so one prefix on PostgreSQL); each start migrates and bootstraps, seconds on a loaded machine. */
async function twoNodes(): Promise<[Node, Node]> {
  const dir = tempDir();
  cleanups.push(() => dir[Symbol.asyncDispose]());
  const node = async (): Promise<Node> => {
    const deps = await createDeps(testConfig(dir.path), { fastCrypto: true });
    cleanups.push(async () => {
      for (const m of [deps.proxy, deps.registry, deps.user]) await m.stop?.();
      await deps.close();
    });
    return { deps, ...inProcessClient(createHandler(deps, createApp(deps))) };
  };
  const a = await node();
  return [a, await node()];
}

const has = async (node: Node, token: string, permission: string) => (await node.json("POST", `/user-svc/self/has/${permission}`, { token })).body;

describe.skipIf(!onPostgres)("permits and apps across two nodes on PostgreSQL", () => {
  test("a permit saved through A is honoured by B, and refused by B once deleted through A", async () => {
    const [a, b] = await twoNodes();
    const admin = await adminToken(a as TestApp);
    const bob = await register(a as TestApp, "bob");
    expect((await has(b, bob.token, "acme:doc:read")).authorized).toBe(false);
    expect((await a.json("PUT", "/user-svc/permits", { token: admin, body: { permits: [{ id: "perm-doc", permission: "acme:doc:read", slugs: ["bob"] }] } })).status).toBe(200);
    await waitFor("B to honour the permit", async () => (await has(b, bob.token, "acme:doc:read")).authorized, 2000, 5);
    // Changed in place (same id, another permission): B drops the old grant and holds the new one.
    expect((await a.json("PUT", "/user-svc/permits", { token: admin, body: { permits: [{ id: "perm-doc", permission: "acme:doc:write", slugs: ["bob"] }] } })).status).toBe(200);
    await waitFor("B to follow the change", async () => (await has(b, bob.token, "acme:doc:write")).authorized, 2000, 5);
    expect((await has(b, bob.token, "acme:doc:read")).authorized).toBe(false);
    expect((await a.json("DELETE", "/user-svc/permits", { token: admin, body: { ids: ["perm-doc"] } })).status).toBe(200);
    await waitFor("B to refuse after the delete", async () => !(await has(b, bob.token, "acme:doc:write")).authorized, 2000, 5);
  }, 20_000);

  test("an app renamed through A is answered with its new host by B", async () => {
    const [a, b] = await twoNodes();
    const admin = await adminToken(a as TestApp);
    const shop = await a.json("POST", "/user-svc/register", { body: { appHost: "shop-one", slug: "carol", password: "carol-password" } });
    const token = shop.body.token.token as string;
    expect((await has(b, token, "x:y")).app.host).toBe("shop-one"); // B memoises the app
    expect((await a.json("PUT", "/user-svc/app", { token: admin, body: { id: shop.body.token.appId, newHost: "shop-two" } })).status).toBe(200);
    await waitFor("B to answer the new host", async () => (await has(b, token, "x:y")).app.host === "shop-two", 2000, 5);
  }, 20_000);

  test("a permit stored before B followed the feed is in B's index after B's start", async () => {
    const [a, b] = await twoNodes();
    const bob = await register(a as TestApp, "bob");
    const now = Date.now();
    // As if saved by a node in the moment between B's first read of the permits and its feed's start: no feed row reaches B.
    await a.deps.database.db.insert(a.deps.database.tables.userPermits).values({ id: "perm-early", appId: "*", permission: "acme:early", slugs: ["bob"], roles: [], createdAt: now, updatedAt: now });
    expect((await has(b, bob.token, "acme:early")).authorized).toBe(false);
    await b.deps.user.start?.();
    expect((await has(b, bob.token, "acme:early")).authorized).toBe(true);
  }, 20_000);
});

describe.skipIf(onPostgres)("permits and apps on one SQLite node", () => {
  test("saving and deleting a permit and renaming an app record no feed rows, and take effect at once", async () => {
    await using t = await testApp();
    const admin = await adminToken(t);
    const bob = await register(t, "bob");
    expect((await t.json("PUT", "/user-svc/permits", { token: admin, body: { permits: [{ id: "perm-doc", permission: "acme:doc:read", slugs: ["bob"] }] } })).status).toBe(200);
    expect((await has(t as Node, bob.token, "acme:doc:read")).authorized).toBe(true);
    expect((await t.json("DELETE", "/user-svc/permits", { token: admin, body: { ids: ["perm-doc"] } })).status).toBe(200);
    expect((await has(t as Node, bob.token, "acme:doc:read")).authorized).toBe(false);
    expect((await has(t as Node, bob.token, "x:y")).app.host).toBe(APP);
    expect((await t.json("PUT", "/user-svc/app", { token: admin, body: { id: bob.appId, newHost: "renamed.app" } })).status).toBe(200);
    expect((await has(t as Node, bob.token, "x:y")).app.host).toBe("renamed.app");
    expect((await t.json("PUT", "/user-svc/app", { token: admin, body: { id: "app-missing", newHost: "other.app" } })).status).toBe(404);
    const f = t.deps.database.tables.clusterFeed;
    expect((await t.deps.database.db.select({ n: count() }).from(f))[0]!.n).toBe(0);
  });
});
