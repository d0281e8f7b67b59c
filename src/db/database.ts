/**
 * @module The one database handle every store is built from, the same on both dialects (contract §7,
 * issue 12): the drizzle query builder, the tables (named with `OB_DB_PREFIX`), all-or-nothing batches
 * and the portable reading of constraint errors. Stores never touch a driver: they `await` drizzle
 * queries over `tables`, and write several rows at once through `batch`. sqlite.ts and postgres.ts
 * implement it.
 *
 * Why `batch` and not drizzle's `transaction`: on bun:sqlite drizzle's transaction callback commits at
 * its first `await`, so an async callback would silently lose atomicity. A batch is a list of queries
 * built up front (no reads, no awaits in between), which SQLite runs inside one synchronous transaction
 * and PostgreSQL inside BEGIN…COMMIT.
 *
 * One type for both: the query builder and the tables are typed as PostgreSQL's (columns.ts says why
 * the SQLite ones may be cast to them), so every query is written, and typechecked, once.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { defineTables } from "./schema";

/** Every table of every module (drizzle objects; a store takes them from here, never by import). */
export type Tables = ReturnType<typeof defineTables>;

/** Which engine is behind the handle. */
export type DialectKind = "sqlite" | "postgres";

/**
 * The drizzle query builder stores use: PostgreSQL's type; on SQLite the bun:sqlite driver's object.
 * Only the API both share exists on both (select/insert/update/delete with where, joins, orderBy,
 * limit, returning, onConflictDoNothing/DoUpdate): `execute`, `distinctOn`, `for("update")` and other
 * PostgreSQL-only builders typecheck but fail on SQLite, which the SQLite test pass catches.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

/** A query built but not yet run (drizzle builders run when awaited). */
export type PendingQuery = PromiseLike<unknown>;

/**
 * The statement of a write over a list of rows (an insert's `values(rows)`, an update's CASE by id),
 * given to {@link Database.rowWrite}. It may only place each row's values into the statement, never
 * read them: on SQLite it is built once, for one row whose values are placeholders.
 */
export type RowsStatement<R extends object> = (db: Db, rows: R[]) => PendingQuery;

/** A write over many rows, its statement written once and run as the dialect writes many rows fastest. */
export interface RowWrite<R extends object> {
  /**
   * The queries that write `rows` (all with the same keys), one per chunk of at most the write's chunk
   * size, to be returned into a batch built on `db`; none for no rows.
   */
  queries(db: Db, rows: readonly R[]): PendingQuery[];
}

export interface Database {
  readonly kind: DialectKind;
  /** The drizzle query builder; every query is awaited. */
  readonly db: Db;
  readonly tables: Tables;
  /**
   * Runs the queries `build` returns in one transaction: all are committed, or none (then it throws).
   * Build them on the `db` it is given (on PostgreSQL the transaction's), never on `this.db`.
   */
  batch(build: (db: Db) => readonly PendingQuery[]): Promise<void>;
  /**
   * A write of many rows through one statement (create it once, e.g. in a store's constructor, and use
   * it in batches). PostgreSQL builds `statement` for each chunk of rows: one statement, one round trip
   * per chunk. SQLite has no round trip to save, and there building and compiling a multi-row
   * statement costs more than running it, so it prepares `statement` once for one row of placeholders
   * (at its first use) and runs it once per row, inside the batch's transaction.
   */
  rowWrite<R extends object>(chunkSize: number, statement: RowsStatement<R>): RowWrite<R>;
  /** Whether `err` (as thrown by a query) is a UNIQUE or PRIMARY KEY violation: a concurrent duplicate. */
  isUniqueViolation(err: unknown): boolean;
  /** How many migrations this database has applied (its migrations table's rows), for readiness. */
  appliedMigrations(): Promise<number>;
}

/** The migrations table of a prefix: drizzle's name, so an unprefixed SQLite file keeps its own. */
export const migrationsTable = (prefix: string) => `${prefix}__drizzle_migrations`;

/** A property (`code`, `errno`) of an error and of its causes (drizzle wraps driver errors), a few levels deep. */
export function errorCodes(err: unknown, field: "code" | "errno" = "code"): string[] {
  const codes: string[] = [];
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const value = e[field];
    if (typeof value === "string") codes.push(value);
  }
  return codes;
}

/** `items` in consecutive slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
