/**
 * The PostgreSQL store handle (src/db/postgres.ts) against a private server: all-or-nothing batches,
 * unique violations read portably, concurrent first migrations applied once, and a server that stops
 * answering turning into 503 `db.unavailable` within the deadline instead of a hang.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { AppError } from "../../src/http/errors";
import { openPostgres } from "../../src/db/postgres";
import { embeddedMigrationCounts } from "../../src/modules/observability/migration-count.macro" with { type: "macro" };
import { freshDatabase, startPostgres, type PostgresServer } from "../helpers/postgres";

let pg: PostgresServer;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.[Symbol.asyncDispose]();
});

const user = (id: string, slug: string) => ({ id, slug, createdAt: 1, updatedAt: 1 });

describe("PostgreSQL database", () => {
  test("three nodes migrating an empty database at once apply each migration once", async () => {
    await using fresh = await freshDatabase(pg.url);
    const nodes = [0, 1, 2].map(() => openPostgres({ url: fresh.url, prefix: "ob_" }));
    try {
      await Promise.all(nodes.map((n) => n.migrate()));
      await nodes[0]!.migrate();
      for (const node of nodes) expect(await node.database.appliedMigrations()).toBe(embeddedMigrationCounts().postgres);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  test("a batch commits all its statements or none; a duplicate is a unique violation", async () => {
    await using fresh = await freshDatabase(pg.url);
    const node = openPostgres({ url: fresh.url, prefix: "" });
    try {
      await node.migrate();
      const { db, tables: t } = node.database;
      await node.database.batch((q) => [q.insert(t.userUsers).values(user("u1", "one")), q.insert(t.userUsers).values(user("u2", "two"))]);
      const failed = await node.database.batch((q) => [q.insert(t.userUsers).values(user("u3", "three")), q.insert(t.userUsers).values(user("u4", "one"))]).catch((err: unknown) => err);
      expect(node.database.isUniqueViolation(failed)).toBe(true);
      expect((await db.select({ id: t.userUsers.id }).from(t.userUsers)).map((r) => r.id).sort()).toEqual(["u1", "u2"]);
      const single = await db.insert(t.userUsers).values(user("u5", "two")).catch((err: unknown) => err);
      expect(node.database.isUniqueViolation(single)).toBe(true);
      expect(node.database.isUniqueViolation(new Error("other"))).toBe(false);
    } finally {
      await node.close();
    }
  });

  test("a frozen server: queries and batches fail with 503 db.unavailable within the deadline, and work again after", async () => {
    await using fresh = await freshDatabase(pg.url);
    const node = openPostgres({ url: fresh.url, prefix: "", queryTimeoutMs: 500, connectTimeoutMs: 1000 });
    try {
      await node.migrate();
      const { db, tables: t } = node.database;
      await db.select().from(t.userUsers);
      await pg.freeze();
      const started = performance.now();
      const [read, write] = await Promise.all([
        db.select().from(t.userUsers).then(() => undefined, (err: unknown) => err),
        node.database.batch((q) => [q.insert(t.userUsers).values(user("u1", "one"))]).then(() => undefined, (err: unknown) => err),
      ]);
      const took = performance.now() - started;
      await pg.thaw();
      const unwrap = (err: unknown) => (err instanceof AppError ? err : (err as { cause?: unknown })?.cause);
      for (const err of [read, write]) expect([(unwrap(err) as AppError)?.status, (unwrap(err) as AppError)?.code]).toEqual([503, "db.unavailable"]);
      expect(took).toBeLessThan(3000);
      let rows: unknown[] | undefined;
      for (let i = 0; i < 50 && !rows; i++) rows = await db.select().from(t.userUsers).catch(() => undefined);
      expect(rows).toBeDefined();
    } finally {
      await pg.thaw();
      await node.close();
    }
  }, 30_000);

  test("the URL's database is the one connected to, whatever PGDATABASE or PGUSER say", async () => {
    await using fresh = await freshDatabase(pg.url);
    const saved = { PGDATABASE: process.env.PGDATABASE, PGUSER: process.env.PGUSER };
    process.env.PGDATABASE = "postgres";
    process.env.PGUSER = "nobody";
    const node = openPostgres({ url: fresh.url, prefix: "" });
    try {
      await node.ping(5000);
      const [row] = (await node.database.db.execute(sql`SELECT current_database() AS db, current_user AS who`)) as unknown as { db: string; who: string }[];
      expect(row).toEqual({ db: new URL(fresh.url).pathname.slice(1), who: new URL(fresh.url).username });
    } finally {
      Object.assign(process.env, saved);
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      await node.close();
    }
  });

  test("a server that is gone: queries fail with 503 db.unavailable, not a driver error", async () => {
    const node = openPostgres({ url: pg.url.replace(/:\d+\//, ":1/"), prefix: "", queryTimeoutMs: 2000, connectTimeoutMs: 1000 });
    try {
      const err = await node.database.db.select().from(node.database.tables.userUsers).catch((e: unknown) => e);
      const app = err instanceof AppError ? err : ((err as { cause?: unknown }).cause as AppError);
      expect([app.status, app.code]).toEqual([503, "db.unavailable"]);
    } finally {
      await node.close();
    }
  });
});
