/**
 * The two dialects' schema and migrations: one table definition builds both, OB_DB_PREFIX reaches
 * every name a migration creates, and an existing SQLite file migrates forward unchanged.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { getTableConfig as pgConfig, type PgTable } from "drizzle-orm/pg-core";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openSqlite } from "../../src/db/client";
import { defineTables } from "../../src/db/schema";
import { prefixedMigrations } from "../../src/db/migrate";
import { createdNames } from "../../src/db/prefix";
import * as sqliteEntry from "../../src/db/schema.sqlite";
import * as postgresEntry from "../../src/db/schema.postgres";
import { tempDir } from "../helpers/temp-dir";

const DIALECTS = ["sqlite", "postgres"] as const;
const migrationText = (dialect: string, tag: string) => readFileSync(join(import.meta.dir, "../../src/db/migrations", dialect, `${tag}.sql`), "utf8");

describe("schema", () => {
  test.each(DIALECTS)("drizzle-kit's %s entry exports every table defineTables builds", (dialect) => {
    const entry = dialect === "sqlite" ? sqliteEntry : postgresEntry;
    expect(Object.keys(entry).sort()).toEqual(Object.keys(defineTables(dialect)).sort());
  });

  test("the prefix names every table; columns keep their names", () => {
    const plain = defineTables("postgres");
    const prefixed = defineTables("postgres", "ob7_");
    for (const [key, table] of Object.entries(prefixed)) {
      const base = pgConfig(plain[key as keyof typeof plain] as PgTable);
      const config = pgConfig(table as PgTable);
      expect(config.name).toBe(`ob7_${base.name}`);
      expect(config.columns.map((c) => c.name)).toEqual(base.columns.map((c) => c.name));
    }
  });

  test.each(DIALECTS)("no column of %s is named like a table, index or constraint a migration creates", (dialect) => {
    const created = createdNames(prefixedMigrations(dialect, "").flatMap((m) => m.sql), dialect);
    const columns = Object.values(defineTables("postgres")).flatMap((t) => pgConfig(t as PgTable).columns.map((c) => c.name));
    expect(columns.filter((name) => created.has(name))).toEqual([]);
    expect(created.has("user_users")).toBe(true);
  });

  test("with a prefix, every quoted name a PostgreSQL migration creates or references carries it", () => {
    const sql = prefixedMigrations("postgres", "ob7_").flatMap((m) => m.sql).join("\n");
    expect(sql).not.toContain('"public".');
    const created = [...createdNames(prefixedMigrations("postgres", "ob7_").flatMap((m) => m.sql), "postgres")];
    expect(created.filter((name) => !name.startsWith("ob7_"))).toEqual([]);
    expect(sql).toContain('REFERENCES "ob7_user_users"("id")');
  });

  test("without a prefix the migrations are drizzle-kit's text", () => {
    for (const dialect of DIALECTS) {
      expect(prefixedMigrations(dialect, "")[0]!.sql.join("--> statement-breakpoint").replaceAll('"public".', "")).toBe(migrationText(dialect, "0000_initial").replaceAll('"public".', ""));
    }
  });
});

describe("SQLite migrations", () => {
  test("a file made by the first release (0000 and its ob_readiness row) migrates forward and keeps its rows", async () => {
    await using dir = tempDir();
    const file = join(dir.path, "1backend.db");
    const old = new Database(file, { create: true });
    for (const statement of migrationText("sqlite", "0000_initial").split("--> statement-breakpoint")) old.run(statement);
    old.run("CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)");
    old.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('h', 1795971774530)");
    old.run("CREATE TABLE ob_readiness (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL)");
    old.run("INSERT INTO user_users (id, slug, created_at, updated_at) VALUES ('u1', 'kept', 1, 1)");
    old.close();

    const opened = openSqlite(file);
    await opened.migrate();
    await opened.migrate();
    const names = opened.sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => (r as { name: string }).name);
    expect(names).toContain("system_readiness");
    expect(names).not.toContain("ob_readiness");
    expect(await opened.database.appliedMigrations()).toBe(10);
    const t = opened.database.tables;
    expect((await opened.database.db.select({ slug: t.userUsers.slug }).from(t.userUsers))).toEqual([{ slug: "kept" }]);
    await opened.close();
  });

  test("two prefixes share one file without seeing each other's rows", async () => {
    await using dir = tempDir();
    const file = join(dir.path, "1backend.db");
    const a = openSqlite(file, "a_");
    const b = openSqlite(file, "b_");
    await a.migrate();
    await b.migrate();
    await a.database.db.insert(a.database.tables.userApps).values({ id: "app", host: "a.example", createdAt: 1 });
    expect(await b.database.db.select().from(b.database.tables.userApps)).toEqual([]);
    expect(await a.database.db.select({ host: a.database.tables.userApps.host }).from(a.database.tables.userApps)).toEqual([{ host: "a.example" }]);
    const names = a.sqlite.query("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all().map((r) => (r as { name: string }).name);
    expect(names.filter((n) => !n.startsWith("a_") && !n.startsWith("b_"))).toEqual([]);
    await a.close();
    await b.close();
  });
});
