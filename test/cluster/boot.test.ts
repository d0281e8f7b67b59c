/**
 * Concurrent first boots (issue 12: "three nodes started at once on an empty database: one key pair,
 * one admin, migrations once"). In process on both dialects: key-pair creations racing on one empty
 * database store one row and all return it. On PostgreSQL, three compiled-binary nodes spawned at the
 * same moment on empty tables (a fresh OB_DB_PREFIX): every migration is recorded once, one key pair
 * row, one bootstrap admin with one admin enroll, and every node accepts the tokens every other node
 * signed. Build first (`./scripts/build.sh`).
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openConfiguredDatabase } from "../../src/db/open";
import { systemClock } from "../../src/lib/clock";
import { silentLogger } from "../../src/lib/log";
import { loadOrCreateKeyPair } from "../../src/modules/user/identity/keys";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { testConfig } from "../helpers/config";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";

const ADMIN_PASSWORD = "admin-pass-123";

describe("key pair on a first boot", () => {
  test("creations racing on an empty database store one pair, and every one of them returns it", async () => {
    await using dir = tempDir();
    const opened = await openConfiguredDatabase(testConfig(dir.path), silentLogger);
    try {
      await opened.migrate();
      const { database } = opened;
      const pairs = await Promise.all([0, 1, 2].map(() => loadOrCreateKeyPair(database, systemClock)));
      const rows = await database.db.select().from(database.tables.userKeyPairs);
      expect(rows).toHaveLength(1);
      expect(pairs.map((p) => p.publicKey)).toEqual([rows[0]!.publicKey, rows[0]!.publicKey, rows[0]!.publicKey]);
      // A later boot loads it instead of making another.
      expect((await loadOrCreateKeyPair(database, systemClock)).privateKey).toBe(rows[0]!.privateKey);
      expect(await database.db.select().from(database.tables.userKeyPairs)).toHaveLength(1);
    } finally {
      await opened.close();
    }
  }, 30_000);
});

describe.skipIf(!onPostgres)("three nodes booting at once on an empty PostgreSQL database", () => {
  test("migrations once, one key pair, one admin; every node accepts every node's tokens", async () => {
    await using root = tempDir();
    const shared = databaseEnv(root.path);
    const prefix = shared.OB_DB_PREFIX!;
    const env = { ...shared, OB_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const folders = ["a", "b", "c"].map((name) => {
      const path = join(root.path, name);
      mkdirSync(path);
      return path;
    });
    // Spawned in the same turn: each process migrates and bootstraps the same empty tables.
    const started = performance.now();
    const starts = await Promise.allSettled(folders.map((folder) => startBinary({ folder, env, timeoutMs: 30_000 })));
    const nodes = starts.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    await using _nodes = { [Symbol.asyncDispose]: async () => void (await Promise.all(nodes.map((n) => n[Symbol.asyncDispose]()))) };
    for (const s of starts) if (s.status === "rejected") throw s.reason;
    console.log(`three nodes listening ${Math.round(performance.now() - started)} ms after a simultaneous start`);

    const sql = new Bun.SQL(shared.OB_DB_CONNECTION_STRING!, { max: 1 });
    try {
      const migrations = (await sql.unsafe(`SELECT hash, created_at FROM "${prefix}__drizzle_migrations" ORDER BY id`)) as { hash: string; created_at: string }[];
      expect(migrations.length).toBeGreaterThan(0);
      expect(new Set(migrations.map((m) => m.hash)).size).toBe(migrations.length);
      expect(new Set(migrations.map((m) => m.created_at)).size).toBe(migrations.length);
      const [keys] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${prefix}user_key_pairs"`);
      expect(keys.n).toBe(1);
      const admins = (await sql.unsafe(`SELECT id FROM "${prefix}user_users" WHERE slug = '1backend'`)) as { id: string }[];
      expect(admins).toHaveLength(1);
      const [enrolls] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${prefix}user_enrolls" WHERE user_id = $1 AND role = 'user-svc:admin'`, [admins[0]!.id]);
      expect(enrolls.n).toBe(1);
      const [apps] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${prefix}user_apps" WHERE host = 'unnamed'`);
      expect(apps.n).toBe(1);
    } finally {
      await sql.close();
    }

    // Every node applied every migration it carries (readiness compares with the embedded journal).
    for (const node of nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    const tokens = await Promise.all(nodes.map((node) => login(node)));
    for (const [i, token] of tokens.entries()) {
      for (const node of nodes) {
        const self = await call("POST", `${node.url}/user-svc/self`, {}, token);
        expect([i, self.status, self.body?.user?.slug]).toEqual([i, 200, "1backend"]);
        // An admin-only call: the token's roles hold on every node.
        const listed = await call("POST", `${node.url}/registry-svc/nodes`, {}, token);
        expect([i, listed.status]).toEqual([i, 200]);
        expect(listed.body.nodes.map((n: { url: string }) => n.url).sort()).toEqual(nodes.map((n) => n.url).sort());
      }
    }
  }, 90_000);
});

async function login(server: BinaryServer): Promise<string> {
  const r = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD });
  expect(r.status).toBe(200);
  return r.body.token.token;
}
