/**
 * The User Svc's bootstrap when several nodes start at once on one empty database: one admin with one
 * admin enroll, one default app, each default permit once, and one key pair (a token from one node is
 * accepted by the others).
 */
import { expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createApp } from "../../src/app";
import { createDeps, type Deps } from "../../src/deps";
import { createHandler } from "../../src/handler";
import { ADMIN_SLUG } from "../../src/modules/user";
import { ROLE_ADMIN } from "../../src/modules/user/access/permissions";
import { DEFAULT_APP_HOST } from "../../src/modules/user/orgs/services/apps";
import { inProcessClient } from "../helpers/app";
import { testConfig } from "../helpers/config";
import { tempDir } from "../helpers/temp-dir";

test("three nodes started at once on an empty database create one admin, one default app and each default permit once", async () => {
  await using dir = tempDir();
  const nodes: Deps[] = [];
  try {
    // Each node has its own URL, as nodes of a cluster do (the node registry keeps one row per URL).
    const started = await Promise.allSettled([1, 2, 3].map((n) => createDeps(testConfig(dir.path, { OB_SELF_URL: `http://127.0.0.${n}:0` }), { fastCrypto: true })));
    for (const s of started) if (s.status === "fulfilled") nodes.push(s.value);
    expect(started.map((s) => (s.status === "rejected" ? String(s.reason) : "started"))).toEqual(["started", "started", "started"]);

    const { db, tables: t } = nodes[0]!.database;
    expect((await db.select().from(t.userUsers).where(eq(t.userUsers.slug, ADMIN_SLUG))).length).toBe(1);
    expect((await db.select().from(t.userEnrolls).where(eq(t.userEnrolls.role, ROLE_ADMIN))).length).toBe(1);
    expect((await db.select().from(t.userApps).where(eq(t.userApps.host, DEFAULT_APP_HOST))).length).toBe(1);
    const permits = await db.select().from(t.userPermits);
    const grants = permits.map((p) => JSON.stringify([p.permission, p.appId, [...p.slugs].sort(), [...p.roles].sort()]));
    expect(permits.length).toBeGreaterThan(0);
    expect(grants.length).toBe(new Set(grants).size);

    const [a, b, c] = nodes.map((deps) => inProcessClient(createHandler(deps, createApp(deps))));
    const login = await a!.json("POST", "/user-svc/login", { body: { appHost: "boot.test", slug: ADMIN_SLUG, password: "changeme" } });
    expect(login.status).toBe(200);
    for (const other of [b!, c!]) {
      expect((await other.json("POST", "/user-svc/self", { token: login.body.token.token })).status).toBe(200);
    }
  } finally {
    for (const deps of nodes) {
      for (const m of [deps.proxy, deps.registry, deps.user]) await m.stop?.();
      await deps.close();
    }
  }
}, 20_000); // three whole starts: ~0.5 s on SQLite, ~2 s on PostgreSQL (each migrates under its lock), more on a loaded machine
