/**
 * @module Applies the embedded migrations with drizzle's own engine (same bookkeeping table as
 * `migrate()`), from source, in tests and in the binary alike. Applying twice applies nothing twice.
 */
import { embeddedMigrations } from "./migrations.macro" with { type: "macro" };
import type { Db } from "./client";

/** Brings the schema up to date. */
export function migrate(db: Db): void {
  const migrations = embeddedMigrations();
  // drizzle's dialect.migrate is the engine behind migrator.migrate(); it only needs the migration list.
  (db as unknown as { dialect: { migrate: (m: unknown, s: unknown, c: unknown) => void }; session: unknown }).dialect.migrate(
    migrations,
    (db as unknown as { session: unknown }).session,
    { migrationsFolder: "" },
  );
}
