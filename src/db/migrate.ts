/**
 * @module Applies the embedded migrations of a dialect with OB_DB_PREFIX applied to every name they
 * create (prefix.ts), recording them in `<prefix>__drizzle_migrations` as drizzle's migrator does (same
 * columns; an unprefixed SQLite file keeps the table it has). Applying twice applies nothing twice.
 * SQLite uses drizzle's own engine. PostgreSQL runs the same steps on one reserved connection that
 * holds a session advisory lock for the prefix, so nodes starting at once on an empty database wait
 * for each other and apply each migration once; the pending ones run in one transaction.
 */
import type { SQL } from "bun";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { embeddedMigrations, type EmbeddedMigration } from "./migrations.macro" with { type: "macro" };
import { migrationsTable, type DialectKind } from "./database";
import { createdNames, prefixStatements } from "./prefix";

const EMBEDDED: Record<DialectKind, EmbeddedMigration[]> = { sqlite: embeddedMigrations("sqlite"), postgres: embeddedMigrations("postgres") };

/** The embedded migrations of `dialect` with `prefix` applied (the hash stays that of drizzle-kit's text). */
export function prefixedMigrations(dialect: DialectKind, prefix: string): EmbeddedMigration[] {
  const migrations = EMBEDDED[dialect];
  const names = createdNames(migrations.flatMap((m) => m.sql), dialect);
  return migrations.map((m) => ({ ...m, sql: prefixStatements(m.sql, names, prefix, dialect) }));
}

/** Brings a SQLite database up to date. */
export function applySqliteMigrations(db: BunSQLiteDatabase, prefix: string): void {
  // drizzle's dialect.migrate is the engine behind migrator.migrate(); it only needs the migration list.
  const internals = db as unknown as { dialect: { migrate: (m: unknown, s: unknown, c: unknown) => void }; session: unknown };
  internals.dialect.migrate(prefixedMigrations("sqlite", prefix), internals.session, { migrationsFolder: "", migrationsTable: migrationsTable(prefix) });
}

/** Brings a PostgreSQL database up to date through `pool`, holding the prefix's advisory lock meanwhile. */
export async function applyPostgresMigrations(pool: SQL, prefix: string): Promise<void> {
  const table = `"${migrationsTable(prefix)}"`;
  const session = await pool.reserve();
  try {
    // The migration may wait for another node's; no statement timeout on this session.
    await session.unsafe("SET statement_timeout = 0");
    await session`SELECT pg_advisory_lock(hashtext(${`1backend:migrate:${prefix}`}))`;
    try {
      await session.unsafe(`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      const [last] = await session.unsafe(`SELECT created_at FROM ${table} ORDER BY created_at DESC LIMIT 1`);
      const after = last ? Number(last.created_at) : -Infinity;
      const pending = prefixedMigrations("postgres", prefix).filter((m) => m.folderMillis > after);
      if (pending.length === 0) return;
      await session.begin(async (tx) => {
        for (const migration of pending) {
          for (const statement of migration.sql) if (statement.trim()) await tx.unsafe(statement);
          await tx.unsafe(`INSERT INTO ${table} (hash, created_at) VALUES ($1, $2)`, [migration.hash, migration.folderMillis]);
        }
      });
    } finally {
      await session`SELECT pg_advisory_unlock(hashtext(${`1backend:migrate:${prefix}`}))`.catch(() => undefined);
    }
  } finally {
    await session.unsafe("RESET statement_timeout").catch(() => undefined);
    session.release();
  }
}
