/**
 * @module The column kit: the few builders every `tables.ts` is written with, once for both dialects
 * (issue 12). Each dialect's kit gives the same names; only what really differs differs: times are
 * Unix milliseconds (`integer` on SQLite, `bigint` in number mode on PostgreSQL, whose `integer` is 32
 * bits), booleans (`integer` 0/1 vs `boolean`) and JSON (`text` vs `jsonb`). The kit also carries
 * `OB_DB_PREFIX`: `table` and the index builders prefix the names they are given.
 *
 * Typing: the kit is typed as the PostgreSQL one, and the SQLite kit is cast to it, so the tables (and
 * every query over them) have one type on both dialects. The cast is sound for the query API both
 * dialects share (select/insert/update/delete, `returning`, `onConflictDo*`, `$inferSelect`): the
 * SQLite builders map the same JavaScript values (number, boolean, parsed JSON) to their columns.
 */
import * as pg from "drizzle-orm/pg-core";
import * as lite from "drizzle-orm/sqlite-core";
import type { DialectKind } from "./database";

function postgresKit(prefix: string) {
  return {
    dialect: "postgres" as DialectKind,
    prefix,
    /** A table named `<prefix><name>`. */
    table: ((name: string, columns: never, extra?: never) => pg.pgTable(prefix + name, columns, extra)) as unknown as typeof pg.pgTable,
    text: (name: string) => pg.text(name),
    /** A 32-bit integer (counts, ports); times use `time`. */
    integer: (name: string) => pg.integer(name),
    /** A Unix-millisecond time, nullable until `.notNull()`. */
    time: (name: string) => pg.bigint(name, { mode: "number" }),
    boolean: (name: string) => pg.boolean(name),
    /** An ever-growing 64-bit primary key the database assigns (an identity column; SQLite's AUTOINCREMENT rowid). */
    sequence: (name: string) => pg.bigint(name, { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    /** A required JSON value (a list, a map) with its default (`[]`, `{}`). */
    json: <T>(name: string, fallback: T) => pg.jsonb(name).$type<T>().notNull().default(fallback as never),
    /** An index named `<prefix><name>`. */
    index: (name: string) => pg.index(prefix + name),
    uniqueIndex: (name: string) => pg.uniqueIndex(prefix + name),
  };
}

/** What every `tables.ts` builds on. */
export type ColumnKit = ReturnType<typeof postgresKit>;

function sqliteKit(prefix: string): ColumnKit {
  const kit = {
    dialect: "sqlite",
    prefix,
    table: (name: string, columns: never, extra?: never) => lite.sqliteTable(prefix + name, columns, extra),
    text: (name: string) => lite.text(name),
    integer: (name: string) => lite.integer(name),
    time: (name: string) => lite.integer(name),
    boolean: (name: string) => lite.integer(name, { mode: "boolean" }),
    sequence: (name: string) => lite.integer(name).primaryKey({ autoIncrement: true }),
    json: <T>(name: string, fallback: T) => lite.text(name, { mode: "json" }).$type<T>().notNull().default(fallback as never),
    index: (name: string) => lite.index(prefix + name),
    uniqueIndex: (name: string) => lite.uniqueIndex(prefix + name),
  };
  return kit as unknown as ColumnKit;
}

/** The kit of `dialect` whose names carry `prefix` (OB_DB_PREFIX, already validated). */
export function columnKit(dialect: DialectKind, prefix = ""): ColumnKit {
  return dialect === "sqlite" ? sqliteKit(prefix) : postgresKit(prefix);
}
