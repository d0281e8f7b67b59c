/** @module Opens the one SQLite file through bun:sqlite with WAL, synchronous=NORMAL and a busy timeout, wrapped by drizzle. */
import { Database as SqliteConnection } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { defineTables } from "./schema";
import { sql } from "drizzle-orm";
import { chunks, errorCodes, migrationsTable, type Database, type Db, type PendingQuery, type RowsStatement, type RowWrite } from "./database";
import { applySqliteMigrations } from "./migrate";

/** An open database of either dialect: the handle stores use, and what only the composition root does with it. */
export interface OpenedDatabase {
  /** The handle stores are built from. */
  database: Database;
  /** SQLite only: the raw connection (metrics instrument it; stores never use it). */
  sqlite?: SqliteConnection;
  /** PostgreSQL only: LISTENs on `channel` (a connection of its own, re-made after a loss; `onListen` runs after every (re)subscribe). */
  listen?(channel: string, onNotify: (payload: string) => void, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
  /** Brings the schema up to date (embedded migrations; several nodes at once apply each once). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** An open SQLite database: also its raw connection and the query builder (the same as `database.db`). */
export interface OpenedSqlite extends OpenedDatabase {
  sqlite: SqliteConnection;
  db: Db;
}

/** Opens (creating if needed) the database file at `file`, its tables named with `prefix`. */
export function openSqlite(file: string, prefix = ""): OpenedSqlite {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteConnection(file, { create: true, strict: true });
  // WAL lets readers run beside the writer; busy_timeout waits instead of failing on a held lock.
  // synchronous=NORMAL in WAL mode: a commit has written its WAL frames to the OS before it returns,
  // so a committed (and acknowledged) change survives a crash of this process (kill -9, OOM kill);
  // the WAL is fsynced only at checkpoints, so a power loss or kernel crash may roll back the last
  // commits (never corrupting the file). FULL would fsync every commit on the JS thread: measured in
  // the registry benchmark (2026-12-01, shared machine) it doubled the time commits block the event
  // loop (0.9–1.4 s vs 0.4–0.7 s per 10,000 registrations) and cut registrations to 3,307–5,798/s from
  // 4,129–7,387/s; on a slow disk every fsync would also stall proxying. So: NORMAL, which is
  // crash-safe but not power-loss-safe.
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA busy_timeout = 5000");
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  const db = drizzle(sqlite);
  const database = sqliteDatabase(db as unknown as Db, sqlite, prefix);
  return {
    database,
    db: database.db,
    sqlite,
    migrate: async () => applySqliteMigrations(db, prefix),
    close: async () => sqlite.close(false),
  };
}

/** An unprefixed SQLite file (tests and benchmarks that build their deps by hand; servers open by config, open.ts). */
export const openDatabase = (file: string): OpenedSqlite => openSqlite(file);

/** The SQLite implementation over one bun:sqlite connection (drizzle's SQLite builders, typed as PostgreSQL's). */
function sqliteDatabase(db: Db, connection: SqliteConnection, prefix: string): Database {
  const runAll = connection.transaction((queries: readonly PendingQuery[]) => {
    for (const query of queries) (query as unknown as { run(): unknown }).run();
  });
  return {
    kind: "sqlite",
    db,
    tables: defineTables("sqlite", prefix),
    async batch(build) {
      runAll(build(db));
    },
    rowWrite: (chunkSize, statement) => preparedRowWrite(chunkSize, statement),
    isUniqueViolation: (err) => errorCodes(err).some((code) => code.startsWith("SQLITE_CONSTRAINT_UNIQUE") || code.startsWith("SQLITE_CONSTRAINT_PRIMARYKEY")),
    appliedMigrations: async () => connection.query<{ n: number }, []>(`SELECT count(*) AS n FROM "${migrationsTable(prefix)}"`).get()!.n,
  };
}

/** A drizzle SQLite statement prepared once, run with its placeholders' values (synchronously). */
interface PreparedWrite {
  run(values: object): unknown;
}

/**
 * {@link Database.rowWrite} on SQLite: `statement` prepared at first use for one row of placeholders
 * named by the row's keys, then run per row. No query is built or compiled per commit: a registration
 * commit of ~30 rows, or a probe cycle's 10,000 status rows, costs only the runs (the same cost as the
 * hand-written prepared statements of the single-node registry; bench/registry/README.md).
 */
function preparedRowWrite<R extends object>(chunkSize: number, statement: RowsStatement<R>): RowWrite<R> {
  let prepared: PreparedWrite | undefined;
  return {
    queries(db, rows) {
      if (rows.length === 0) return [];
      prepared ??= (statement(db, [placeholdersFor(rows[0]!)]) as unknown as { prepare(): PreparedWrite }).prepare();
      const write = prepared;
      return chunks(rows, chunkSize).map((chunk) => eachRow(write, chunk));
    },
  };
}

/** A row of placeholders named by `row`'s keys. */
function placeholdersFor<R extends object>(row: R): R {
  return Object.fromEntries(Object.keys(row).map((key) => [key, sql.placeholder(key)])) as R;
}

/** A batch query (run by `batch`, or when awaited) that runs `write` for each of `rows`. */
function eachRow(write: PreparedWrite, rows: readonly object[]): PendingQuery & { run(): void } {
  const run = () => {
    for (const row of rows) write.run(row);
  };
  return { run, then: (onValue, onError) => new Promise<unknown>((resolve) => resolve(run())).then(onValue, onError) };
}
