/**
 * @module The one database handle every store is built from, the same on both dialects (contract §7,
 * issue 12): the drizzle query builder, the tables (named with `OB_DB_PREFIX`), all-or-nothing batches
 * and the portable reading of constraint errors. Stores never touch a driver: they `await` drizzle
 * queries over `tables`, and write several rows at once through `batch`.
 *
 * Why `batch` and not drizzle's `transaction`: on bun:sqlite drizzle's transaction callback commits at
 * its first `await`, so an async callback would silently lose atomicity. A batch is a list of queries
 * built up front (no reads, no awaits in between), which SQLite runs inside one synchronous transaction
 * and PostgreSQL inside BEGIN…COMMIT.
 */
import type { Database as SqliteConnection } from "bun:sqlite";
import type { Db } from "./client";
import * as schema from "./schema";

/** Every table of every module (drizzle objects; a store takes them from here, never by import). */
export type Tables = typeof schema;

/** Which engine is behind the handle. */
export type DialectKind = "sqlite" | "postgres";

/** A query built but not yet run (drizzle builders run when awaited, or with `.run()` on SQLite). */
export type PendingQuery = PromiseLike<unknown>;

export interface Database {
  readonly kind: DialectKind;
  /** The drizzle query builder; every query is awaited. */
  readonly db: Db;
  readonly tables: Tables;
  /** Runs the queries `build` returns in one transaction: all are committed, or none (then it throws). */
  batch(build: (db: Db) => readonly PendingQuery[]): Promise<void>;
  /** Whether `err` (as thrown by a query) is a UNIQUE or PRIMARY KEY violation: a concurrent duplicate. */
  isUniqueViolation(err: unknown): boolean;
}

/** The SQLite implementation over one bun:sqlite connection. */
export function sqliteDatabase(db: Db, connection: SqliteConnection): Database {
  const runAll = connection.transaction((queries: readonly PendingQuery[]) => {
    for (const query of queries) (query as unknown as { run(): unknown }).run();
  });
  return {
    kind: "sqlite",
    db,
    tables: schema,
    async batch(build) {
      runAll(build(db));
    },
    isUniqueViolation: (err) => errorCodes(err).some((code) => code.startsWith("SQLITE_CONSTRAINT_UNIQUE") || code.startsWith("SQLITE_CONSTRAINT_PRIMARYKEY")),
  };
}

/** The `code` of an error and of its causes (drizzle wraps driver errors), a few levels deep. */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string") codes.push(e.code);
  }
  return codes;
}
